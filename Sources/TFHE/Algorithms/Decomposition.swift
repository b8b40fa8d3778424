/// Signed gadget decomposition: `x ≈ Σ_{j=1..ℓ} d_j · 2^64/B^j` with `d_j ∈ [−B/2, B/2)`.
///
/// `x` is first rounded to its top `ℓ·log2(B)` bits; digits come out least significant first
/// with a balanced carry. The rounding error is at most `2^64 / (2·B^ℓ)`.
@usableFromInline
struct Decomposer: Sendable {
  @usableFromInline let baseLog: UInt64
  @usableFromInline let levels: Int
  @usableFromInline let shift: UInt64

  @usableFromInline
  init(baseLog: DecompositionBaseLog, levels: DecompositionLevelCount) {
    precondition(baseLog.rawValue >= 1 && baseLog.rawValue * levels.rawValue < 64,
                 "decomposition must keep between 1 and 63 bits")
    self.baseLog = UInt64(baseLog.rawValue)
    self.levels = levels.rawValue
    self.shift = UInt64(64 - baseLog.rawValue * levels.rawValue)
  }

  /// The rounded value `round(x / 2^(64−ℓ·b))` (mod 2^(ℓ·b) is implied by the digit loop).
  @inline(__always) @usableFromInline
  func closest(_ x: UInt64) -> UInt64 { ((x >> (shift - 1)) &+ 1) >> 1 }

  /// Next digit (least significant level first) from the state `s`, updating it.
  @inline(__always) @usableFromInline
  func nextDigit(_ s: inout UInt64) -> Int64 {
    let mask: UInt64 = (1 << baseLog) - 1
    let t = s & mask
    let carry = t >> (baseLog - 1)
    s = (s >> baseLog) &+ carry
    return Int64(bitPattern: t) - Int64(bitPattern: carry << baseLog)
  }

  /// Decomposes the polynomial `x` (N = 2·half words) into `levels` digit polynomials written as
  /// doubles in folded layout: level `L` (0 = most significant) at `out + L·stride`, coefficient
  /// `j < half` in `[j]` (real part) and coefficient `j + half` in `[half + j]` (imaginary part).
  @inline(__always) @usableFromInline
  func decomposeFolded(_ x: UnsafePointer<UInt64>, half m: Int, into out: UnsafeMutablePointer<Double>,
                       stride: Int) {
    let one = SIMD4<UInt64>(repeating: 1)
    let mask = SIMD4<UInt64>(repeating: (1 << baseLog) - 1)
    // 1.5·2^52: adding a small signed integer to its bit pattern gives the double 1.5·2^52 + d.
    let magic = SIMD4<UInt64>(repeating: 0x4338_0000_0000_0000)
    let magicF = SIMD4<Double>(repeating: 6755399441055744.0)
    var j = 0
    while j < m {
      for part in 0..<2 {
        let src = x + j + part * m
        var s = (UnsafeRawPointer(src).loadUnaligned(as: SIMD4<UInt64>.self) &>> (shift - 1) &+ one) &>> 1
        var level = levels - 1
        while level >= 0 {
          let t = s & mask
          let carry = t &>> (baseLog - 1)
          s = (s &>> baseLog) &+ carry
          let d = t &- (carry &<< baseLog)
          let f = unsafeBitCast(d &+ magic, to: SIMD4<Double>.self) - magicF
          UnsafeMutableRawPointer(out + level * stride + part * m + j).storeBytes(of: f, as: SIMD4<Double>.self)
          level -= 1
        }
      }
      j += 4
    }
  }
}
