import TorusIR

/// The quantized-graph dialect: the ONNX / QONNX ops of a Brevitas export, on float tensors.
///
/// Ops keep ONNX semantics and attribute names; initializers are `arith.constant dense<…>`.
/// `qnn.quant` carries its Brevitas parameters as attributes (its scale, zero point and bit
/// width inputs are always initializers).
public enum QNN: Dialect {
  public static let namespace = "qnn"
  public static var ops: [any OpDefinition.Type] {
    [
      QuantOp.self, ConvOp.self, GemmOp.self, MatMulOp.self, BatchNormOp.self, ReluOp.self,
      SigmoidOp.self, FlattenOp.self, ReshapeOp.self, AddOp.self, IdentityOp.self, PadOp.self,
      TransposeOp.self, AveragePoolOp.self, MaxPoolOp.self,
    ] + elementwiseOps
  }

  /// The core registry plus `qnn`.
  public static var registry: DialectRegistry {
    var r = DialectRegistry.core
    r.register(QNN.self)
    return r
  }

  /// Float tensor element type of every `qnn` value.
  public static let element = IRType.float(.f32)

  /// `tensor<…xf32>` of a static shape.
  public static func tensorType(_ shape: [Int]) -> IRType {
    .tensor(shape: shape.map(Int64.init), element: element, encoding: nil)
  }

  /// `tensor<*xf32>`: a shape not inferred yet.
  public static let unrankedType = IRType.unrankedTensor(element: element)

  static func requireFloatTensors(_ values: [Value]) throws(VerifyError) {
    for v in values {
      guard v.type.elementType == element || v.type.elementType == .float(.f64) else {
        throw VerifyError("expects float tensors, found '\(v.type)'")
      }
    }
  }

  static func requireRank(_ v: Value, _ ranks: ClosedRange<Int>, _ what: String) throws(VerifyError) {
    if let s = v.type.shape, !ranks.contains(s.count) {
      throw VerifyError("\(what) must have rank \(ranks.lowerBound == ranks.upperBound ? "\(ranks.lowerBound)" : "\(ranks)"), found rank \(s.count)")
    }
  }
}

extension Operation {
  /// An integer attribute (any integer type).
  public func intAttribute(_ name: String) -> Int64? { attribute(name)?.integerValue }

  /// A float attribute widened to `Double`.
  public func floatAttribute(_ name: String) -> Double? {
    if case .float(let bits, _) = attribute(name) { return bits.doubleValue }
    return nil
  }

  /// An `array<i64: …>` attribute.
  public func intsAttribute(_ name: String) -> [Int64]? {
    if case .denseArray(_, let values) = attribute(name) { return values }
    return nil
  }
}

extension Attribute {
  /// An `f32` attribute.
  public static func f32(_ v: Float) -> Attribute { .float(FloatBits(kind: .f32, value: Double(v)), .float(.f32)) }
  /// An `i64` attribute.
  public static func i64(_ v: Int64) -> Attribute { .integer(v, .i64) }
  /// An `array<i64: …>` attribute.
  public static func i64Array(_ v: [Int64]) -> Attribute { .denseArray(element: .i64, values: v) }
}

extension QNN {
  /// Brevitas QONNX quantization (per tensor): fake-quantizes `x`.
  ///
  ///     %q = "qnn.quant"(%x) {bit_width = 4 : i64, narrow = 0 : i64, rounding_mode = "ROUND",
  ///          scale = 1.250000e-01 : f32, signed = 1 : i64, zero_point = 0.000000e+00 : f32}
  ///          : (tensor<1x12x8x8xf32>) -> tensor<1x12x8x8xf32>
  public struct QuantOp: OpDefinition {
    public static let name: OpName = "qnn.quant"
    public static let summary = "Brevitas uniform fake quantization"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var input: Value { operation.operands[0] }
    /// The Brevitas parameters, nil when an attribute is missing.
    public var parameters: BrevitasQuant? {
      guard let s = operation.floatAttribute("scale"), let z = operation.floatAttribute("zero_point"),
        let b = operation.intAttribute("bit_width"), let signed = operation.intAttribute("signed"),
        let narrow = operation.intAttribute("narrow")
      else { return nil }
      return BrevitasQuant(
        scale: Float(s), zeroPoint: Float(z), bitWidth: Int(b), isSigned: signed != 0, isNarrow: narrow != 0)
    }

    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      guard let p = parameters else {
        throw VerifyError("requires attributes 'scale', 'zero_point' (f32), 'bit_width', 'signed', 'narrow'")
      }
      guard (1...32).contains(p.bitWidth) else { throw VerifyError("bit width must be in 1...32, found \(p.bitWidth)") }
      guard p.scale > 0, p.scale.isFinite else { throw VerifyError("scale must be positive and finite, found \(p.scale)") }
      guard p.zeroPoint.rounded() == p.zeroPoint else {
        throw VerifyError("zero point must be an integer, found \(p.zeroPoint)")
      }
      let mode = operation.attribute("rounding_mode")?.stringValue ?? "ROUND"
      guard mode == "ROUND" else { throw VerifyError("rounding mode must be 'ROUND', found '\(mode)'") }
    }
  }

  /// ONNX Conv (1-D or 2-D, dilation 1): `%y = "qnn.conv"(%x, %w, %b) {group, kernel_shape, pads, strides, dilations}`.
  public struct ConvOp: OpDefinition {
    public static let name: OpName = "qnn.conv"
    public static let summary = "Convolution (ONNX Conv)"
    public static let shape = OpShape(operands: nil, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var input: Value { operation.operands[0] }
    public var weight: Value { operation.operands[1] }
    public var bias: Value? { operation.operands.count > 2 ? operation.operands[2] : nil }
    public var group: Int { Int(operation.intAttribute("group") ?? 1) }
    public var pads: [Int] { (operation.intsAttribute("pads") ?? []).map { Int($0) } }
    public var strides: [Int] { (operation.intsAttribute("strides") ?? []).map { Int($0) } }
    public var dilations: [Int] { (operation.intsAttribute("dilations") ?? []).map { Int($0) } }

    public func verify() throws(VerifyError) {
      guard (2...3).contains(operation.operands.count) else {
        throw VerifyError("expects 2 or 3 operands (input, weight, bias), found \(operation.operands.count)")
      }
      try QNN.requireFloatTensors(operation.operands + operation.results)
      try QNN.requireRank(input, 3...4, "input")
      try QNN.requireRank(weight, 3...4, "weight")
      guard group >= 1 else { throw VerifyError("group must be positive, found \(group)") }
      if let w = weight.type.shape {
        let spatial = w.count - 2
        if !pads.isEmpty && pads.count != 2 * spatial {
          throw VerifyError("expects \(2 * spatial) pads, found \(pads.count)")
        }
        if !strides.isEmpty && strides.count != spatial {
          throw VerifyError("expects \(spatial) strides, found \(strides.count)")
        }
      }
      guard dilations.allSatisfy({ $0 == 1 }) else { throw VerifyError("dilations must be 1, found \(dilations)") }
    }
  }

  /// ONNX Gemm `alpha·A'·B' + beta·C`: `%y = "qnn.gemm"(%a, %b, %c) {alpha, beta, transA, transB}`.
  public struct GemmOp: OpDefinition {
    public static let name: OpName = "qnn.gemm"
    public static let summary = "General matrix multiplication (ONNX Gemm)"
    public static let shape = OpShape(operands: nil, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var a: Value { operation.operands[0] }
    public var b: Value { operation.operands[1] }
    public var c: Value? { operation.operands.count > 2 ? operation.operands[2] : nil }
    public var alpha: Double { operation.floatAttribute("alpha") ?? 1 }
    public var beta: Double { operation.floatAttribute("beta") ?? 1 }
    public var transA: Bool { (operation.intAttribute("transA") ?? 0) != 0 }
    public var transB: Bool { (operation.intAttribute("transB") ?? 0) != 0 }

    public func verify() throws(VerifyError) {
      guard (2...3).contains(operation.operands.count) else {
        throw VerifyError("expects 2 or 3 operands (a, b, c), found \(operation.operands.count)")
      }
      try QNN.requireFloatTensors(operation.operands + operation.results)
      try QNN.requireRank(a, 2...2, "a")
      try QNN.requireRank(b, 2...2, "b")
    }
  }

  /// ONNX MatMul: `%y = "qnn.matmul"(%a, %b)`.
  public struct MatMulOp: OpDefinition {
    public static let name: OpName = "qnn.matmul"
    public static let summary = "Matrix product (ONNX MatMul)"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// ONNX BatchNormalization (inference): `%y = "qnn.batch_norm"(%x, %scale, %bias, %mean, %var) {epsilon}`.
  public struct BatchNormOp: OpDefinition {
    public static let name: OpName = "qnn.batch_norm"
    public static let summary = "Batch normalization, inference mode"
    public static let shape = OpShape(operands: 5, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var epsilon: Float { Float(operation.floatAttribute("epsilon") ?? 1e-5) }

    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      for (i, v) in operation.operands.dropFirst().enumerated() { try QNN.requireRank(v, 1...1, "parameter \(i + 1)") }
      if let c = operation.operands[0].type.shape, c.count >= 2, c[1] != dynamicSize {
        for v in operation.operands.dropFirst() {
          if let s = v.type.shape, s.count == 1, s[0] != c[1] {
            throw VerifyError("parameters must have \(c[1]) channels, found \(s[0])")
          }
        }
      }
    }
  }

  /// Element-wise ops with one float operand and a result of the same shape.
  public protocol UnaryOp: OpDefinition {}

  /// `max(x, 0)`.
  public struct ReluOp: UnaryOp {
    public static let name: OpName = "qnn.relu"
    public static let summary = "Rectified linear unit"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// `1 / (1 + exp(-x))`.
  public struct SigmoidOp: UnaryOp {
    public static let name: OpName = "qnn.sigmoid"
    public static let summary = "Logistic sigmoid"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// The identity.
  public struct IdentityOp: UnaryOp {
    public static let name: OpName = "qnn.identity"
    public static let summary = "Identity"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// ONNX Flatten to 2-D at `axis`.
  public struct FlattenOp: OpDefinition {
    public static let name: OpName = "qnn.flatten"
    public static let summary = "Flatten to two dimensions"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var axis: Int { Int(operation.intAttribute("axis") ?? 1) }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      if let s = operation.operands[0].type.shape, !(0...s.count).contains(axis) {
        throw VerifyError("axis must be in 0...\(s.count), found \(axis)")
      }
    }
  }

  /// ONNX AveragePool (2-D, padding counted or absent): `%y = "qnn.average_pool"(%x) {kernel_shape, pads, strides}`.
  public struct AveragePoolOp: PoolOp {
    public static let name: OpName = "qnn.average_pool"
    public static let summary = "Average pooling (ONNX AveragePool)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// ONNX MaxPool (2-D, no padding, dilation 1): `%y = "qnn.max_pool"(%x) {kernel_shape, strides}`.
  public struct MaxPoolOp: PoolOp {
    public static let name: OpName = "qnn.max_pool"
    public static let summary = "Max pooling (ONNX MaxPool)"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// ONNX Reshape with a static target shape: `%y = "qnn.reshape"(%x) {shape = array<i64: …>}`.
  public struct ReshapeOp: OpDefinition {
    public static let name: OpName = "qnn.reshape"
    public static let summary = "Reshape (ONNX Reshape, allowzero 0)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var targetShape: [Int64] { operation.intsAttribute("shape") ?? [] }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      guard operation.intsAttribute("shape") != nil else { throw VerifyError("requires attribute 'shape'") }
      guard targetShape.filter({ $0 == -1 }).count <= 1 else { throw VerifyError("at most one dimension may be -1") }
    }
  }

  /// Element-wise addition with broadcasting.
  public struct AddOp: OpDefinition {
    public static let name: OpName = "qnn.add"
    public static let summary = "Element-wise addition"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure, .commutative]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) { try QNN.requireFloatTensors(operation.operands + operation.results) }
  }

  /// Constant padding: `%y = "qnn.pad"(%x) {pads = array<i64: …>, value = 0.0 : f32}`.
  public struct PadOp: OpDefinition {
    public static let name: OpName = "qnn.pad"
    public static let summary = "Constant padding (ONNX Pad, mode constant)"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var pads: [Int64] { operation.intsAttribute("pads") ?? [] }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      if let s = operation.operands[0].type.shape, pads.count != 2 * s.count {
        throw VerifyError("expects \(2 * s.count) pads, found \(pads.count)")
      }
    }
  }

  /// ONNX Transpose by `perm`.
  public struct TransposeOp: OpDefinition {
    public static let name: OpName = "qnn.transpose"
    public static let summary = "Permute dimensions"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public var permutation: [Int64] { operation.intsAttribute("perm") ?? [] }
    public func verify() throws(VerifyError) {
      try QNN.requireFloatTensors(operation.operands + operation.results)
      if let s = operation.operands[0].type.shape, !permutation.isEmpty,
        permutation.sorted() != Array(0..<Int64(s.count))
      {
        throw VerifyError("perm must permute 0..<\(s.count), found \(permutation)")
      }
    }
  }
}

/// The 2-D pooling ops: a window (`kernel_shape`), optional `pads` and `strides`, NCHW input.
public protocol PoolOp: OpDefinition {}

extension PoolOp {
  public static var shape: OpShape { OpShape(operands: 1, results: 1) }
  public static var traits: OpTraits { [.pure] }
  public var kernelShape: [Int] { (operation.intsAttribute("kernel_shape") ?? []).map { Int($0) } }
  public var pads: [Int] { (operation.intsAttribute("pads") ?? []).map { Int($0) } }
  public var strides: [Int] { (operation.intsAttribute("strides") ?? []).map { Int($0) } }

  public func verify() throws(VerifyError) {
    try QNN.requireFloatTensors(operation.operands + operation.results)
    try QNN.requireRank(operation.operands[0], 4...4, "input")
    guard kernelShape.count == 2, kernelShape.allSatisfy({ $0 >= 1 }) else {
      throw VerifyError("kernel_shape must be two positive sizes, found \(kernelShape)")
    }
    if !pads.isEmpty && pads.count != 4 { throw VerifyError("expects 4 pads, found \(pads.count)") }
    if !strides.isEmpty && strides.count != 2 { throw VerifyError("expects 2 strides, found \(strides.count)") }
  }
}
