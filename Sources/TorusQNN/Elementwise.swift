import Foundation

/// A univariate float function of an ONNX activation op, evaluated in float64 as Concrete-ML's
/// numpy implementations (`concrete/ml/onnx/ops_impl.py`) evaluate it; attribute values are the
/// float32 ONNX attributes widened.
public enum UnaryFunction: Hashable, Sendable, CustomStringConvertible {
  case tanh, erf, exp, log, abs, neg, softplus, hardSwish, floor, sign
  /// numpy `rint` (halves to even), as Concrete-ML's ONNX Round.
  case round
  /// numpy `logical_not` as a float: 1 where `x == 0`.
  case not
  /// `x > 0 ? x : alpha·x`.
  case leakyRelu(alpha: Double)
  /// `x > 0 ? x : alpha·(exp(x) − 1)`.
  case elu(alpha: Double)
  /// `x > 0 ? gamma·x : (gamma·alpha)·(exp(x) − 1)`.
  case selu(alpha: Double, gamma: Double)
  /// `max(0, x) + min(0, alpha·(exp(x/alpha) − 1))`.
  case celu(alpha: Double)
  /// `max(0, min(1, alpha·x + beta))`.
  case hardSigmoid(alpha: Double, beta: Double)
  /// `min(max(x, lo), hi)` (numpy `clip`).
  case clip(lo: Double, hi: Double)

  /// The ONNX op type each case comes from (for messages and the op-support matrix).
  public var description: String {
    switch self {
    case .tanh: "Tanh"
    case .erf: "Erf"
    case .exp: "Exp"
    case .log: "Log"
    case .abs: "Abs"
    case .neg: "Neg"
    case .softplus: "Softplus"
    case .hardSwish: "HardSwish"
    case .floor: "Floor"
    case .sign: "Sign"
    case .round: "Round"
    case .not: "Not"
    case .leakyRelu(let a): "LeakyRelu(alpha: \(a))"
    case .elu(let a): "Elu(alpha: \(a))"
    case .selu(let a, let g): "Selu(alpha: \(a), gamma: \(g))"
    case .celu(let a): "Celu(alpha: \(a))"
    case .hardSigmoid(let a, let b): "HardSigmoid(alpha: \(a), beta: \(b))"
    case .clip(let lo, let hi): "Clip(\(lo), \(hi))"
    }
  }

  @inlinable public func apply(_ x: Double) -> Double {
    switch self {
    case .tanh: return Foundation.tanh(x)
    case .erf: return Foundation.erf(x)
    case .exp: return Foundation.exp(x)
    // Concrete-ML clamps the argument at 1e-8.
    case .log: return Foundation.log(Swift.max(x, 1e-8))
    case .abs: return Swift.abs(x)
    case .neg: return -x
    case .softplus: return Foundation.log(Foundation.exp(x) + 1)
    case .hardSwish: return x * Swift.max(0, Swift.min(1, (1.0 / 6) * x + 0.5))
    case .floor: return x.rounded(.down)
    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .round: return x.rounded(.toNearestOrEven)
    case .not: return x == 0 ? 1 : 0
    case .leakyRelu(let a): return x > 0 ? x : a * x
    case .elu(let a): return x > 0 ? x : a * (Foundation.exp(x) - 1)
    case .selu(let a, let g): return x > 0 ? g * x : (g * a) * (Foundation.exp(x) - 1)
    case .celu(let a): return Swift.max(0, x) + Swift.min(0, a * (Foundation.exp(x / a) - 1))
    case .hardSigmoid(let a, let b): return Swift.max(0, Swift.min(1, a * x + b))
    case .clip(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
    }
  }
}

/// ONNX Slice arithmetic shared by import-time folding and the quantized lowering.
public enum SliceMath {
  /// One axis of an ONNX Slice after its clamping rules: the first index and the element count.
  public static func range(dim: Int, start: Int, end: Int, step: Int) -> (start: Int, count: Int) {
    var s = start < 0 ? start + dim : start
    var e = end < 0 ? end + dim : end
    if step > 0 {
      s = min(max(s, 0), dim)
      e = min(max(e, 0), dim)
      return (s, max(0, (e - s + step - 1) / step))
    }
    s = min(max(s, 0), dim - 1)
    e = min(max(e, -1), dim - 1)
    return (s, max(0, (s - e + (-step) - 1) / (-step)))
  }

  /// Per-dimension first index, count and step of an ONNX Slice of `shape`; nil when malformed
  /// (mismatched lists, an axis out of range, a zero step).
  public static func normalize(_ shape: [Int], starts: [Int], ends: [Int], axes: [Int], steps: [Int])
    -> (begin: [Int], size: [Int], step: [Int])?
  {
    let axes = axes.isEmpty ? Array(0..<starts.count) : axes
    let steps = steps.isEmpty ? [Int](repeating: 1, count: starts.count) : steps
    guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else { return nil }
    var begin = [Int](repeating: 0, count: shape.count), step = [Int](repeating: 1, count: shape.count), size = shape
    for k in axes.indices {
      let a = axes[k] < 0 ? axes[k] + shape.count : axes[k]
      guard (0..<shape.count).contains(a), steps[k] != 0 else { return nil }
      let r = range(dim: shape[a], start: starts[k], end: ends[k], step: steps[k])
      (begin[a], size[a], step[a]) = (r.start, r.count, steps[k])
    }
    return (begin, size, step)
  }
}

/// An element-wise binary ONNX op (numpy semantics, float64).
public enum BinaryFunction: String, Hashable, Sendable, CaseIterable {
  case add, sub, mul, div, pow, max, min
  /// ONNX PRelu with the slope as second operand: `min(0, slope·x) + max(0, x)`.
  case prelu
  /// Comparisons and `Or` as Concrete-ML computes them for QAT graphs (`*_float`): 1 or 0.
  case equal, greater, greaterOrEqual, less, lessOrEqual, or

  @inlinable public func apply(_ a: Double, _ b: Double) -> Double {
    switch self {
    case .add: return a + b
    case .sub: return a - b
    case .mul: return a * b
    // Concrete-ML divides by 1 where the divisor is 0.
    case .div: return a / (b != 0 ? b : 1)
    case .pow: return Foundation.pow(a, b)
    case .max: return Swift.max(a, b)
    case .min: return Swift.min(a, b)
    case .prelu: return Swift.min(0, b * a) + Swift.max(0, a)
    case .equal: return a == b ? 1 : 0
    case .greater: return a > b ? 1 : 0
    case .greaterOrEqual: return a >= b ? 1 : 0
    case .less: return a < b ? 1 : 0
    case .lessOrEqual: return a <= b ? 1 : 0
    case .or: return a != 0 || b != 0 ? 1 : 0
    }
  }
}
