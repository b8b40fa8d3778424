/// Levelled operations on LWE ciphertexts: they act on the phase, wrapping modulo 2^64.
extension LweCiphertext {
  @inline(__always)
  static func checkSameDimension(_ a: LweCiphertext, _ b: LweCiphertext) {
    precondition(a.storage.count == b.storage.count,
                 "mismatch between LWE dimensions \(a.dimension) and \(b.dimension)")
  }

  /// Phase `T1 + T2`.
  public static func + (a: LweCiphertext, b: LweCiphertext) -> LweCiphertext {
    var r = a; r += b; return r
  }
  public static func += (a: inout LweCiphertext, b: LweCiphertext) {
    checkSameDimension(a, b)
    a.storage.withUnsafeMutableBufferPointer { x in
      b.storage.withUnsafeBufferPointer { y in for i in 0..<x.count { x[i] &+= y[i] } }
    }
  }
  /// Phase `T1 − T2`.
  public static func - (a: LweCiphertext, b: LweCiphertext) -> LweCiphertext {
    var r = a; r -= b; return r
  }
  public static func -= (a: inout LweCiphertext, b: LweCiphertext) {
    checkSameDimension(a, b)
    a.storage.withUnsafeMutableBufferPointer { x in
      b.storage.withUnsafeBufferPointer { y in for i in 0..<x.count { x[i] &-= y[i] } }
    }
  }
  /// Phase `−T`.
  public static prefix func - (a: LweCiphertext) -> LweCiphertext {
    var r = a
    r.storage.withUnsafeMutableBufferPointer { x in for i in 0..<x.count { x[i] = 0 &- x[i] } }
    return r
  }
  /// Phase `T + plaintext` (e.g. `sext(c)·Δ_p`).
  public func adding(plaintext: UInt64) -> LweCiphertext {
    var r = self; r.body &+= plaintext; return r
  }
  /// Phase `T · c` for a clear integer `c` (wrapping).
  public func multiplied(by c: Int64) -> LweCiphertext {
    var r = self
    let f = UInt64(bitPattern: c)
    r.storage.withUnsafeMutableBufferPointer { x in for i in 0..<x.count { x[i] &*= f } }
    return r
  }
}
