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
}
