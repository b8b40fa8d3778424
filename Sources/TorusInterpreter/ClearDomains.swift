/// Simulate mode: a ciphertext is its noise-free 64-bit torus phase (spec §0.1).
///
/// Bit 63 is the padding bit; a message `m` at width `p` is `m·2^(63-p)`. This is exactly what
/// an encrypted backend computes, minus the noise.
public struct ClearDomain: FHEDomain {
  public typealias Ciphertext = UInt64
  public let name = "native"
  /// Chunk width of exact rounding (`RoundingSteps`); the result does not depend on it.
  public let bitExtractionChunk: Int
  public init(bitExtractionChunk: Int = 1) { self.bitExtractionChunk = max(1, bitExtractionChunk) }

  @inline(__always) static func delta(_ width: Int) -> UInt64 { width >= 63 ? 1 : 1 << UInt64(63 - width) }

  public func encrypt(_ value: Int64, width: Int) -> UInt64 { UInt64(bitPattern: value) &* Self.delta(width) }

  /// `rm(T,p)`: the message rounded half up, reduced mod 2^(p+1).
  @inline(__always) static func roundedMessage(_ t: UInt64, _ p: Int) -> UInt64 {
    let half: UInt64 = p >= 62 ? 0 : 1 << UInt64(62 - p)
    let m = (t &+ half) >> UInt64(63 - min(p, 63))
    return p >= 63 ? m : m & ((1 << UInt64(p + 1)) - 1)
  }

  public func decrypt(_ c: UInt64, width p: Int, signed: Bool) -> Int64 {
    let m = Self.roundedMessage(c, p)
    if signed {
      let half: UInt64 = 1 << UInt64(p - 1)
      if m >= half {
        let low = m & ((1 << UInt64(p)) - 1)
        return Int64(bitPattern: low) - Int64(1 << UInt64(p))
      }
    }
    return Int64(bitPattern: m)
  }

  public func zero() -> UInt64 { 0 }
  @inline(__always) public func add(_ a: UInt64, _ b: UInt64) -> UInt64 { a &+ b }
  @inline(__always) public func sub(_ a: UInt64, _ b: UInt64) -> UInt64 { a &- b }
  @inline(__always) public func negate(_ a: UInt64) -> UInt64 { 0 &- a }
  @inline(__always) public func addPlain(_ a: UInt64, _ value: Int64, width: Int) -> UInt64 {
    a &+ UInt64(bitPattern: value) &* Self.delta(width)
  }
  @inline(__always) public func mulPlain(_ a: UInt64, _ value: Int64) -> UInt64 { a &* UInt64(bitPattern: value) }
  @inline(__always) public func mulAddPlain(_ acc: UInt64, _ a: UInt64, _ value: Int64) -> UInt64 {
    acc &+ a &* UInt64(bitPattern: value)
  }

  public func bootstrap(_ inputs: [UInt64], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [UInt64] {
    let p = lookup.inputWidth
    let signed = lookup.inputSigned
    let outDelta = Self.delta(lookup.outputWidth)
    let size = UInt64(1) << UInt64(p)
    let tables = lookup.tables
    let selectors = lookup.selectors
    return inputs.withUnsafeBufferPointer { inBuf in
      let src = SharedBuffer(base: UnsafeMutablePointer(mutating: inBuf.baseAddress ?? UnsafePointer(bitPattern: 8)!))
      return parallelMap(inputs.count, threads: threads, minimumChunk: 32768, fill: 0) { i in
        var t = src[i]
        if signed { t &+= 1 << 62 }
        var idx = Self.roundedMessage(t, p)
        var negate = false
        if idx >= size {
          negate = true
          idx -= size
        }
        if signed { idx = (idx &+ (size >> 1)) & (size - 1) }
        let table = selectors.map { tables[Int($0[i])] } ?? tables[0]
        let out = UInt64(bitPattern: table[Int(idx)]) &* outDelta
        return negate ? 0 &- out : out
      }
    }
  }

  public func extractMostSignificantBit(_ inputs: [UInt64], outputWidth: Int, threads: Int) throws(InterpreterError) -> [UInt64] {
    let d = Self.delta(outputWidth)
    return parallelMap(inputs.count, threads: threads, minimumChunk: 65536, fill: 0) { i in (inputs[i] >> 63) &* d }
  }

  public func traceBits(_ c: UInt64) -> UInt64 { c }
}

/// Simulate mode with CRT encoding (spec §0.6): a ciphertext is a residue modulo `M`.
///
/// Used for circuits whose table lookups are too wide for the native encoding; bit
/// extraction (`lsb`, `round`) has no CRT lowering and is rejected.
public struct CRTClearDomain: FHEDomain {
  public typealias Ciphertext = UInt64
  public let name = "crt"
  /// The CRT moduli.
  public let moduli: [UInt64]
  /// Their product `M`.
  public let modulus: UInt64

  /// `⌊2^64 / M⌋`, for Barrett reduction.
  let reciprocal: UInt64

  public init(moduli: [UInt64]) {
    self.moduli = moduli
    modulus = moduli.reduce(1, *)
    reciprocal = modulus <= 1 ? 0 : UInt64.max / modulus
  }

  /// `x mod M` without a division (Barrett; M < 2^32 in Concrete's tables).
  @inline(__always) func mod(_ x: UInt64) -> UInt64 {
    if modulus <= 1 { return 0 }
    let q = x.multipliedFullWidth(by: reciprocal).high
    var r = x &- q &* modulus
    while r >= modulus { r -= modulus }
    return r
  }

  /// Concrete's moduli for a largest encrypted width `P` (nil when `P > 16`).
  public static func defaultModuli(forWidth p: Int) -> [UInt64]? {
    let table: [Int: [UInt64]] = [
      1: [2], 2: [4], 3: [8], 4: [2, 3, 7], 5: [2, 3, 7], 6: [2, 5, 7], 7: [3, 7, 8], 8: [5, 7, 8],
      9: [3, 5, 7, 8], 10: [7, 12, 13], 11: [5, 7, 8, 9], 12: [7, 8, 9, 11], 13: [3, 5, 7, 8, 11],
      14: [5, 7, 8, 9, 11], 15: [11, 13, 15, 16], 16: [7, 8, 9, 11, 13],
    ]
    return table[p]
  }

  @inline(__always) func reduce(_ v: Int64) -> UInt64 {
    let m = Int64(modulus)
    let r = v % m
    return UInt64(r < 0 ? r + m : r)
  }

  public func encrypt(_ value: Int64, width: Int) -> UInt64 { reduce(value) }
  public func decrypt(_ c: UInt64, width: Int, signed: Bool) -> Int64 {
    if signed && c >= modulus / 2 { return Int64(c) - Int64(modulus) }
    return Int64(c)
  }
  public func zero() -> UInt64 { 0 }
  @inline(__always) func reduceClear(_ v: Int64) -> UInt64 { v >= 0 && v < Int64(modulus) ? UInt64(v) : reduce(v) }
  public func add(_ a: UInt64, _ b: UInt64) -> UInt64 { mod(a + b) }
  public func sub(_ a: UInt64, _ b: UInt64) -> UInt64 { mod(a + modulus - b) }
  public func negate(_ a: UInt64) -> UInt64 { mod(modulus - a) }
  public func addPlain(_ a: UInt64, _ value: Int64, width: Int) -> UInt64 { mod(a + reduceClear(value)) }
  public func mulPlain(_ a: UInt64, _ value: Int64) -> UInt64 { mod(a * reduceClear(value)) }
  public func mulAddPlain(_ acc: UInt64, _ a: UInt64, _ value: Int64) -> UInt64 { mod(acc + a * reduceClear(value)) }

  public func bootstrap(_ inputs: [UInt64], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [UInt64] {
    let p = lookup.inputWidth
    let size = UInt64(1) << UInt64(p)
    let m = modulus
    return parallelMap(inputs.count, threads: threads, minimumChunk: 32768, fill: 0) { i in
      let r = inputs[i]
      let table = lookup.selectors.map { lookup.tables[Int($0[i])] } ?? lookup.tables[0]
      let index: UInt64?
      if lookup.inputSigned {
        if r < size / 2 { index = r } else if r + size / 2 >= m { index = r + size - m } else { index = nil }
      } else {
        index = r < size ? r : nil
      }
      guard let index else { return 0 }
      return reduce(table[Int(index)])
    }
  }

  public func extractMostSignificantBit(_ inputs: [UInt64], outputWidth: Int, threads: Int) throws(InterpreterError) -> [UInt64] {
    throw .unsupported("bit extraction (lsb, round) has no CRT encoding")
  }

  public func traceBits(_ c: UInt64) -> UInt64 { c }
}
