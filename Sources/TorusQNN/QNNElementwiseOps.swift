import TorusIR

/// Element-wise float ops fused into table lookups (or, for `sub` / `mul` of two encrypted
/// tensors, computed on integers). ONNX names and attributes; `qnn.clip` carries its bounds as
/// `min` / `max` attributes (ONNX passes them as inputs).
extension QNN {
  public static var elementwiseOps: [any OpDefinition.Type] {
    [
      TanhOp.self, ErfOp.self, ExpOp.self, LogOp.self, AbsOp.self, NegOp.self, SoftplusOp.self, HardSwishOp.self,
      FloorOp.self, SignOp.self, LeakyReluOp.self, EluOp.self, SeluOp.self, CeluOp.self, HardSigmoidOp.self, ClipOp.self,
      SubOp.self, MulOp.self, DivOp.self, PowOp.self, MaxOp.self, MinOp.self, PReluOp.self,
      EqualOp.self, GreaterOp.self, GreaterOrEqualOp.self, LessOp.self, LessOrEqualOp.self, OrOp.self, RoundOp.self, NotOp.self,
      ReduceSumOp.self, ConcatOp.self, GatherOp.self, SliceOp.self, SqueezeOp.self, UnsqueezeOp.self,
    ]
  }

  /// The univariate function of an element-wise unary op, nil for other ops.
  public static func unaryFunction(of op: Operation) -> UnaryFunction? {
    func f(_ k: String, _ d: Double) -> Double { op.floatAttribute(k) ?? d }
    switch op.name {
    case TanhOp.name: return .tanh
    case ErfOp.name: return .erf
    case ExpOp.name: return .exp
    case LogOp.name: return .log
    case AbsOp.name: return .abs
    case NegOp.name: return .neg
    case SoftplusOp.name: return .softplus
    case HardSwishOp.name: return .hardSwish
    case FloorOp.name: return .floor
    case SignOp.name: return .sign
    case RoundOp.name: return .round
    case NotOp.name: return .not
    case LeakyReluOp.name: return .leakyRelu(alpha: f("alpha", Double(Float(0.01))))
    case EluOp.name: return .elu(alpha: f("alpha", 1))
    case SeluOp.name:
      return .selu(alpha: f("alpha", Double(Float(1.67326319217681884765625))), gamma: f("gamma", Double(Float(1.05070102214813232421875))))
    case CeluOp.name: return .celu(alpha: f("alpha", 1))
    case HardSigmoidOp.name: return .hardSigmoid(alpha: f("alpha", Double(Float(0.2))), beta: f("beta", 0.5))
    case ClipOp.name: return .clip(lo: f("min", -.infinity), hi: f("max", .infinity))
    default: return nil
    }
  }

  /// The binary function of an element-wise binary op (`qnn.add` included), nil for other ops.
  public static func binaryFunction(of op: Operation) -> BinaryFunction? {
    switch op.name {
    case AddOp.name: return .add
    case SubOp.name: return .sub
    case MulOp.name: return .mul
    case DivOp.name: return .div
    case PowOp.name: return .pow
    case MaxOp.name: return .max
    case MinOp.name: return .min
    case PReluOp.name: return .prelu
    case EqualOp.name: return .equal
    case GreaterOp.name: return .greater
    case GreaterOrEqualOp.name: return .greaterOrEqual
    case LessOp.name: return .less
    case LessOrEqualOp.name: return .lessOrEqual
    case OrOp.name: return .or
    default: return nil
    }
  }

  public struct TanhOp: UnaryOp {
    public static let name: OpName = "qnn.tanh"
    public static let summary = "Hyperbolic tangent"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct ErfOp: UnaryOp {
    public static let name: OpName = "qnn.erf"
    public static let summary = "Error function"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct ExpOp: UnaryOp {
    public static let name: OpName = "qnn.exp"
    public static let summary = "Exponential"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct LogOp: UnaryOp {
    public static let name: OpName = "qnn.log"
    public static let summary = "Natural logarithm (argument clamped at 1e-8)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct AbsOp: UnaryOp {
    public static let name: OpName = "qnn.abs"
    public static let summary = "Absolute value"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct NegOp: UnaryOp {
    public static let name: OpName = "qnn.neg"
    public static let summary = "Negation"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct SoftplusOp: UnaryOp {
    public static let name: OpName = "qnn.softplus"
    public static let summary = "log(exp(x) + 1)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct HardSwishOp: UnaryOp {
    public static let name: OpName = "qnn.hard_swish"
    public static let summary = "x · hard_sigmoid(x)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct FloorOp: UnaryOp {
    public static let name: OpName = "qnn.floor"
    public static let summary = "Floor"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct SignOp: UnaryOp {
    public static let name: OpName = "qnn.sign"
    public static let summary = "Sign (-1, 0, 1)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{alpha : f32}`.
  public struct LeakyReluOp: UnaryOp {
    public static let name: OpName = "qnn.leaky_relu"
    public static let summary = "Leaky rectified linear unit"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{alpha : f32}`.
  public struct EluOp: UnaryOp {
    public static let name: OpName = "qnn.elu"
    public static let summary = "Exponential linear unit"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{alpha, gamma : f32}`.
  public struct SeluOp: UnaryOp {
    public static let name: OpName = "qnn.selu"
    public static let summary = "Scaled exponential linear unit"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{alpha : f32}`.
  public struct CeluOp: UnaryOp {
    public static let name: OpName = "qnn.celu"
    public static let summary = "Continuously differentiable exponential linear unit"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{alpha, beta : f32}`.
  public struct HardSigmoidOp: UnaryOp {
    public static let name: OpName = "qnn.hard_sigmoid"
    public static let summary = "max(0, min(1, alpha·x + beta))"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `{min, max : f32}` (either may be absent: unbounded).
  public struct ClipOp: UnaryOp {
    public static let name: OpName = "qnn.clip"
    public static let summary = "Clip to [min, max]"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  public struct SubOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.sub"
    public static let summary = "Element-wise subtraction"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct MulOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.mul"
    public static let summary = "Element-wise multiplication"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct DivOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.div"
    public static let summary = "Element-wise division"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct MaxOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.max"
    public static let summary = "Element-wise maximum of two tensors"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct MinOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.min"
    public static let summary = "Element-wise minimum of two tensors"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  /// `min(0, slope·x) + max(0, x)`; the slope is the second operand.
  public struct PReluOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.prelu"
    public static let summary = "Parametric rectified linear unit"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  public struct RoundOp: UnaryOp {
    public static let name: OpName = "qnn.round"
    public static let summary = "Round half to even (numpy rint)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct NotOp: UnaryOp {
    public static let name: OpName = "qnn.not"
    public static let summary = "Logical not, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct EqualOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.equal"
    public static let summary = "x == y, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct GreaterOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.greater"
    public static let summary = "x > y, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct GreaterOrEqualOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.greater_or_equal"
    public static let summary = "x >= y, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct LessOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.less"
    public static let summary = "x < y, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct LessOrEqualOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.less_or_equal"
    public static let summary = "x <= y, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct OrOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.or"
    public static let summary = "Logical or, as 1.0 / 0.0"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct PowOp: ElementwiseBinaryQNNOp {
    public static let name: OpName = "qnn.pow"
    public static let summary = "Element-wise power"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
}

extension QNN {
  /// ONNX ReduceSum with constant axes: `%y = "qnn.reduce_sum"(%x) {axes = array<i64: 2, 3>, keepdims = 0 : i64}`.
  public struct ReduceSumOp: OpDefinition {
    public static let name: OpName = "qnn.reduce_sum"
    public static let summary = "Sum over axes (ONNX ReduceSum)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The reduced axes, non-negative (all when absent).
    public var axes: [Int] {
      let a = (operation.intsAttribute("axes") ?? []).map { Int($0) }
      guard let r = operation.operands[0].type.shape?.count else { return a }
      return a.isEmpty ? Array(0..<r) : a.map { $0 < 0 ? $0 + r : $0 }
    }
    public var keepDims: Bool { (operation.intAttribute("keepdims") ?? 1) != 0 }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      if let r = operation.operands[0].type.shape?.count, axes.contains(where: { $0 < 0 || $0 >= r }) {
        throw VerifyError("axes must be in -\(r)..<\(r), found \(operation.intsAttribute("axes") ?? [])")
      }
    }
  }
}

extension QNN {
  /// ONNX Concat: `%y = "qnn.concat"(%a, %b, …) {axis = 1 : i64}`.
  public struct ConcatOp: OpDefinition {
    public static let name: OpName = "qnn.concat"
    public static let summary = "Concatenation along an axis (ONNX Concat)"
    public static let shape = OpShape(operands: nil, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The axis, non-negative when the operands are ranked.
    public var axis: Int {
      let a = Int(operation.intAttribute("axis") ?? 0)
      guard a < 0, let r = operation.operands.first?.type.shape?.count else { return a }
      return a + r
    }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      guard !operation.operands.isEmpty else { throw VerifyError("needs at least one operand") }
      guard operation.intAttribute("axis") != nil else { throw VerifyError("requires attribute 'axis'") }
    }
  }
}

extension QNN {
  /// ONNX Gather with constant indices: one scalar (`{axis = 2 : i64, index = 7 : i64}`, the axis
  /// disappears) or a tensor of them (`{axis = 1 : i64, indices = array<i64: 0, 2, 5>,
  /// indices_shape = array<i64: 3>}`, the axis becomes the indices' shape).
  public struct GatherOp: OpDefinition {
    public static let name: OpName = "qnn.gather"
    public static let summary = "Select constant indices along an axis (ONNX Gather)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The axis, non-negative when the operand is ranked.
    public var axis: Int {
      let a = Int(operation.intAttribute("axis") ?? 0)
      guard a < 0, let r = operation.operands[0].type.shape?.count else { return a }
      return a + r
    }
    /// The indices in row-major order (one for a scalar index).
    public var indices: [Int] {
      if let i = operation.intAttribute("index") { return [Int(i)] }
      return (operation.intsAttribute("indices") ?? []).map { Int($0) }
    }
    /// The indices' shape: empty for a scalar index.
    public var indexShape: [Int] {
      operation.intAttribute("index") != nil ? [] : (operation.intsAttribute("indices_shape") ?? []).map { Int($0) }
    }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      if operation.intAttribute("index") == nil {
        guard let i = operation.intsAttribute("indices"), let s = operation.intsAttribute("indices_shape"),
          s.allSatisfy({ $0 >= 0 }), s.reduce(1, *) == Int64(i.count)
        else { throw VerifyError("requires attribute 'index', or 'indices' with a matching 'indices_shape'") }
      }
    }
  }
}

extension QNN {
  /// ONNX Slice with constant parameters: `%y = "qnn.slice"(%x) {starts, ends, axes, steps = array<i64: …>}`.
  public struct SliceOp: OpDefinition {
    public static let name: OpName = "qnn.slice"
    public static let summary = "Strided slice (ONNX Slice, constant parameters)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func list(_ k: String) -> [Int] { (operation.intsAttribute(k) ?? []).map { Int($0) } }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      guard list("starts").count == list("ends").count else { throw VerifyError("starts and ends differ in length") }
    }
  }
}

extension QNN {
  /// ONNX Squeeze with constant axes (all size-1 axes when absent): `{axes = array<i64: …>}`.
  public struct SqueezeOp: OpDefinition {
    public static let name: OpName = "qnn.squeeze"
    public static let summary = "Remove size-1 axes (ONNX Squeeze)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var axes: [Int] { (operation.intsAttribute("axes") ?? []).map { Int($0) } }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// ONNX Unsqueeze with constant axes: `{axes = array<i64: …>}`.
  public struct UnsqueezeOp: OpDefinition {
    public static let name: OpName = "qnn.unsqueeze"
    public static let summary = "Insert size-1 axes (ONNX Unsqueeze)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var axes: [Int] { (operation.intsAttribute("axes") ?? []).map { Int($0) } }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      guard !axes.isEmpty else { throw VerifyError("requires non-empty 'axes'") }
    }
  }
}

extension QNN.UnaryOp {
  public static var shape: OpShape { OpShape(operands: 1, results: 1) }
  public static var traits: OpTraits { [.pure] }
  public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
}

/// Element-wise binary float ops with numpy broadcasting.
public protocol ElementwiseBinaryQNNOp: OpDefinition {}

extension ElementwiseBinaryQNNOp {
  public static var shape: OpShape { OpShape(operands: 2, results: 1) }
  public static var traits: OpTraits { [.pure] }
  public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
}
