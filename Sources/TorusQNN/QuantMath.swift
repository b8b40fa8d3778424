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
  /// Per-channel float zero points (axis 1, batch first) that replace `zeroPoint` when
  /// dequantizing: the output quantizer of a bare Gemm/Conv accumulator, whose zero point holds
  /// the bias (`sumW - final - bias/m`). Nil for every quantizer that quantizes.
  public var channelZeroPoints: [Double]?

  public init(bits: Int, isSigned: Bool, isNarrow: Bool = false, scale: Double, zeroPoint: Int64 = 0, channelZeroPoints: [Double]? = nil) {
    self.bits = bits
    self.isSigned = isSigned
    self.isNarrow = isNarrow
    self.scale = scale
    self.zeroPoint = zeroPoint
    self.channelZeroPoints = channelZeroPoints
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

  /// Dequantizes a tensor (batch on axis 0): `s·(q - z[c])` with the per-channel zero points of
  /// axis 1 when there are some, else `s·(q - z)`.
  public func dequantize(_ q: [Int64], shape: [Int]) -> [Double] {
    guard let zps = channelZeroPoints, !zps.isEmpty else { return q.map(dequantize) }
    let c = shape.count >= 2 ? shape[1] : 1
    let inner = shape.count >= 2 ? shape.dropFirst(2).reduce(1, *) : 1
    return q.indices.map { i in scale * (Double(q[i]) - zps[zps.count == 1 ? 0 : (i / inner) % c]) }
  }

  public var description: String {
    "\(isSigned ? "s" : "u")\(bits)\(isNarrow ? "n" : "") scale=\(scale) zp=\(channelZeroPoints.map { "\($0)" } ?? "\(zeroPoint)")"
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
  ///
  /// With `float32Range`, the range comes from a float32 array, as Concrete-ML's calibration of
  /// an op's output on float32 data: the bounds are float32 and `rmax - rmin` is a float32
  /// difference (the rest is float64, as numpy promotes a float32 scalar with a Python int).
  public static func fitParameters(
    rmin: Double, rmax: Double, bits n: Int, qat: Bool, signed: Bool = false, float32Range: Bool = false
  ) -> (Double, Int64) {
    let (lo, hi) = float32Range ? (Double(Float(rmin)), Double(Float(rmax))) : (rmin, rmax)
    let range = float32Range ? Double(Float(hi) - Float(lo)) : hi - lo
    if range < 1e-6 {
      if abs(hi) < 1e-6 { return (1, Int64(roundHalfEven(-lo))) }
      return (hi, 0)
    }
    let levels = Double((Int64(1) << Int64(n)) - 1)
    let scale = range / levels
    if qat { return (scale, 0) }
    // z = round((rmax·(-o) - rmin·(2^n - 1 - o)) / (rmax - rmin)), offset o = 2^(n-1) if signed
    let o = signed ? Double(Int64(1) << Int64(n - 1)) : 0
    let z = roundHalfEven((hi * -o - lo * (levels - o)) / range)
    return (scale, Int64(z))
  }

  /// numpy's `percentile(values, p)` (method "linear") of sorted values, with numpy's float
  /// steps: `q = p/100`, virtual index `(n - 1)·q`, and its two-sided interpolation (`_lerp`).
  public static func percentile(sorted v: [Double], _ p: Double) -> Double {
    guard let first = v.first else { return .nan }
    let n = v.count
    if n == 1 { return first }
    let virtual = Double(n - 1) * (p / 100)
    let previous = virtual.rounded(.down)
    let gamma = virtual - previous
    let i = min(max(Int(previous), 0), n - 1), j = min(max(Int(previous) + 1, 0), n - 1)
    let a = v[i], b = v[j]
    let diff = b - a
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma
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
