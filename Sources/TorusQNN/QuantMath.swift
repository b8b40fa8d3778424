import Foundation

/// Rounds half to even, as numpy's `rint` and `torch.round` do.
@inlinable public func roundHalfEven(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

/// An affine integer quantizer `q = clip(roundHalfEven(x/s + z), lo, hi)`, `x̂ = s·(q - z)`.
///
/// `offset = 2^(n-1)` when signed; the range is `[-offset (+1 if narrow), 2^n - 1 - offset]`.
public struct Quantizer: Hashable, Sendable, Codable, CustomStringConvertible {
  public var bits: Int
  public var isSigned: Bool
  public var isNarrow: Bool
  /// The scale, a float64 (float32 Brevitas scales widen exactly).
  public var scale: Double
  public var zeroPoint: Int64

  public init(bits: Int, isSigned: Bool, isNarrow: Bool = false, scale: Double, zeroPoint: Int64 = 0) {
    self.bits = bits
    self.isSigned = isSigned
    self.isNarrow = isNarrow
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  public var offset: Int64 { isSigned ? Int64(1) << Int64(bits - 1) : 0 }
  public var lowerBound: Int64 { -offset + (isNarrow ? 1 : 0) }
  public var upperBound: Int64 { (Int64(1) << Int64(bits)) - 1 - offset }

  /// `clip(roundHalfEven(x/s + z), lo, hi)`.
  @inlinable public func quantize(_ x: Double) -> Int64 {
    let y = roundHalfEven(x / scale + Double(zeroPoint))
    return Int64(Swift.min(Swift.max(y, Double(lowerBound)), Double(upperBound)))
  }

  /// `s·(q - z)` in float64.
  @inlinable public func dequantize(_ q: Int64) -> Double { scale * Double(q - zeroPoint) }

  public var description: String {
    "\(isSigned ? "s" : "u")\(bits)\(isNarrow ? "n" : "") scale=\(scale) zp=\(zeroPoint)"
  }
}

/// A Brevitas QONNX `Quant` node's parameters (per tensor, rounding mode `ROUND`).
public struct BrevitasQuant: Hashable, Sendable {
  /// Scale `S` as stored (float32).
  public var scale: Float
  /// Zero point `Z` as stored (float32, integral).
  public var zeroPoint: Float
  public var bitWidth: Int
  public var isSigned: Bool
  public var isNarrow: Bool

  public init(scale: Float, zeroPoint: Float, bitWidth: Int, isSigned: Bool, isNarrow: Bool) {
    self.scale = scale
    self.zeroPoint = zeroPoint
    self.bitWidth = bitWidth
    // Concrete-ML 1.9 reads `signed=0, narrow=1` as `signed=1, narrow=0` (an exporter workaround).
    if !isSigned && isNarrow {
      self.isSigned = true
      self.isNarrow = false
    } else {
      self.isSigned = isSigned
      self.isNarrow = isNarrow
    }
  }

  /// Brevitas integer bounds: signed narrow `-(2^(b-1)) + 1`, signed `-(2^(b-1))`, unsigned 0.
  public var lowerBound: Double {
    isSigned ? -Double(Int64(1) << Int64(bitWidth - 1)) + (isNarrow ? 1 : 0) : 0
  }
  public var upperBound: Double {
    isSigned ? Double((Int64(1) << Int64(bitWidth - 1)) - 1) : Double((Int64(1) << Int64(bitWidth)) - 1)
  }

  /// The integer `k = roundHalfEven(clip(x/S + Z, lo, hi))`.
  @inlinable public func integer(_ x: Double) -> Double {
    let y = x / Double(scale) + Double(zeroPoint)
    return roundHalfEven(Swift.min(Swift.max(y, lowerBound), upperBound))
  }

  /// Fake quantization `(k - Z)·S` in float64.
  @inlinable public func fakeQuantize(_ x: Double) -> Double {
    (integer(x) - Double(zeroPoint)) * Double(scale)
  }

  /// The quantizer of the integers this node produces (`z = int(Z)`).
  public var quantizer: Quantizer {
    Quantizer(
      bits: bitWidth, isSigned: isSigned, isNarrow: isNarrow, scale: Double(scale),
      zeroPoint: Int64(zeroPoint))
  }
}

/// Quantization arithmetic shared by calibration, fusion and tests.
public enum QuantMath {
  /// Bits needed for one value (concrete-python's rule): signed iff the range's minimum is negative.
  public static func bits(of v: Int64, signed: Bool) -> Int {
    if v == 0 { return 1 }
    if v < 0 {
      // ceil(log2|v|) + 1
      let m = UInt64(-(v + 1)) + 1
      return (64 - (m - 1).leadingZeroBitCount) + 1
    }
    let u = UInt64(v)
    let w = 64 - u.leadingZeroBitCount  // ceil(log2(v + 1))
    return w + (signed ? 1 : 0)
  }

  /// Width of the integer range `[lo, hi]`: signed iff `lo < 0`.
  public static func bitWidth(lo: Int64, hi: Int64) -> Int {
    let signed = lo < 0
    return max(bits(of: lo, signed: signed), bits(of: hi, signed: signed))
  }

  /// Concrete-ML's unsigned, non-QAT parameters fitted on `[rmin, rmax]` with `n` bits; the QAT
  /// flag forces zero point 0. Returns `(scale, zeroPoint)`.
  public static func fitParameters(rmin: Double, rmax: Double, bits n: Int, qat: Bool, signed: Bool = false) -> (Double, Int64) {
    if rmax - rmin < 1e-6 {
      if abs(rmax) < 1e-6 { return (1, Int64(roundHalfEven(-rmin))) }
      return (rmax, 0)
    }
    let levels = Double((Int64(1) << Int64(n)) - 1)
    let scale = (rmax - rmin) / levels
    if qat { return (scale, 0) }
    // z = round((rmax·(-o) - rmin·(2^n - 1 - o)) / (rmax - rmin)), offset o = 2^(n-1) if signed
    let o = signed ? Double(Int64(1) << Int64(n - 1)) : 0
    let z = roundHalfEven((rmax * -o - rmin * (levels - o)) / (rmax - rmin))
    return (scale, Int64(z))
  }

  /// BatchNormalization's denominator `sqrt(var + eps)`, computed in float32 then widened.
  @inlinable public static func batchNormDenominator(variance: Float, epsilon: Float) -> Double {
    Double((variance + epsilon).squareRoot())
  }

  /// numpy's `logaddexp(a, b)`.
  @inlinable public static func logaddexp(_ a: Double, _ b: Double) -> Double {
    if a == b { return a + M_LN2 }
    let t = a - b
    if t > 0 { return a + log1p(exp(-t)) }
    if t <= 0 { return b + log1p(exp(t)) }
    return t  // NaN
  }

  /// Concrete-ML 1.9's sigmoid: `exp(-logaddexp(0, -x))`.
  @inlinable public static func sigmoid(_ x: Double) -> Double { exp(-logaddexp(0, -x)) }
}
