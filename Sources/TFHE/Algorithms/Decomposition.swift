/// Signed gadget decomposition: `x ≈ Σ_{j=1..ℓ} d_j · 2^64/B^j` with `d_j ∈ [−B/2, B/2]`.
///
/// `x` is first rounded to its top `ℓ·log2(B)` bits; digits come out least significant first
/// with a balanced carry. The rounding error is at most `2^64 / (2·B^ℓ)`.
///
/// A digit of exactly `B/2` carries (becoming `−B/2`) only when the next digit's top bit is
/// set, so ties go either way and digits have mean zero. With ties always carried the digits
/// average `−1/2`, and that bias is not harmless: in a circuit-bootstrapped GGSW the mask rows'
/// noise is `e·S_c` (the level's noise times the key), and biased digits sum `Σ d·S_c` to about
/// `kN/4` instead of `√(kN/2)`, which multiplied the wide-lookup output noise by about 16
/// (measured, `torus-bench wide --breakdown`).
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
    s >>= baseLog
    let carry = (((t &- 1) | s) & t) >> (baseLog - 1)
    s &+= carry
    return Int64(bitPattern: t) - Int64(bitPattern: carry << baseLog)
  }

  /// Decomposes the polynomial `x` (N = 2·half words) into `levels` digit polynomials written as
  /// doubles in folded layout: level `L` (0 = most significant) at `out + L·stride`, coefficient
  /// `j < half` in `[j]` (real part) and coefficient `j + half` in `[imaginaryOffset + j]`
  /// (imaginary part).
  @inline(__always) @usableFromInline
  func decomposeFolded(_ x: UnsafePointer<UInt64>, half m: Int, into out: UnsafeMutablePointer<Double>,
                       stride: Int, imaginaryOffset im: Int, twistRe: UnsafePointer<Double>, twistIm: UnsafePointer<Double>) {
    let one = SIMD4<UInt64>(repeating: 1)
    let mask = SIMD4<UInt64>(repeating: (1 << baseLog) - 1)
    // 1.5·2^52: adding a small signed integer to its bit pattern gives the double 1.5·2^52 + d.
    let magic = SIMD4<UInt64>(repeating: 0x4338_0000_0000_0000)
    let magicF = SIMD4<Double>(repeating: 6755399441055744.0)
    var j = 0
    while j < m {
      // Digits of coefficients j… (real parts) and j+m… (imaginary parts), then the twist
      // (re + i·im)·ζ^j, written straight into the FFT input.
      var s0 = (UnsafeRawPointer(x + j).loadUnaligned(as: SIMD4<UInt64>.self) &>> (shift - 1) &+ one) &>> 1
      var s1 = (UnsafeRawPointer(x + j + m).loadUnaligned(as: SIMD4<UInt64>.self) &>> (shift - 1) &+ one) &>> 1
      let tr = load4(twistRe + j), ti = load4(twistIm + j)
      var level = levels - 1
      while level >= 0 {
        let t0 = s0 & mask, t1 = s1 & mask
        s0 = s0 &>> baseLog
        s1 = s1 &>> baseLog
        let c0 = (((t0 &- one) | s0) & t0) &>> (baseLog - 1), c1 = (((t1 &- one) | s1) & t1) &>> (baseLog - 1)
        s0 = s0 &+ c0
        s1 = s1 &+ c1
        let d0 = t0 &- (c0 &<< baseLog), d1 = t1 &- (c1 &<< baseLog)
        let f0 = unsafeBitCast(d0 &+ magic, to: SIMD4<Double>.self) - magicF
        let f1 = unsafeBitCast(d1 &+ magic, to: SIMD4<Double>.self) - magicF
        let dst = out + level * stride + j
        store((f0 * tr).addingProduct(-f1, ti), dst)
        store((f0 * ti).addingProduct(f1, tr), dst + im)
        level -= 1
      }
      j += 4
    }
  }
}
