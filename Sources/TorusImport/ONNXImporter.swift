import Foundation
import TorusFormats
import TorusIR
import TorusONNX
import TorusQNN

/// Why an ONNX graph could not be imported.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Every node whose op we do not know, as `(node name, op type)`, in graph order.
  case unsupportedOps(file: String, nodes: [UnsupportedNode])
  /// The graph has no QONNX `Quant` node: a float model, not a quantization-aware one.
  case notQuantizationAware(file: String)
  /// A node reads a value that no node, input or initializer defines.
  case undefinedValue(file: String, node: String, value: String)
  /// A node input that must be a constant (an initializer) is computed.
  case expectedConstant(file: String, node: String, input: String)
  /// An attribute or input with a value we cannot accept.
  case invalidNode(file: String, node: String, message: String)
  /// A graph input without a static shape.
  case dynamicInput(file: String, input: String)
  /// The file could not be read as ONNX.
  case onnx(ONNXError)
  /// Several nodes with values or attributes we cannot accept, in graph order.
  case invalidNodes(file: String, errors: [ImportError])

  /// One unsupported node.
  public struct UnsupportedNode: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var opType: String
    public var description: String { "'\(name)' (\(opType))" }
  }

  public var description: String {
    switch self {
    case .unsupportedOps(let f, let nodes):
      return "'\(f)': \(nodes.count) unsupported node\(nodes.count == 1 ? "" : "s"): "
        + nodes.map(\.description).joined(separator: ", ")
    case .notQuantizationAware(let f):
      return "'\(f)': not a quantization-aware model: expected QONNX 'Quant' nodes (Brevitas export), found none"
    case .undefinedValue(let f, let n, let v): return "'\(f)': node '\(n)' reads undefined value '\(v)'"
    case .expectedConstant(let f, let n, let i): return "'\(f)': node '\(n)': input '\(i)' must be an initializer"
    case .invalidNode(let f, let n, let m): return "'\(f)': node '\(n)': \(m)"
    case .dynamicInput(let f, let i): return "'\(f)': input '\(i)' needs a static shape"
    case .onnx(let e): return e.description
    case .invalidNodes(let f, let errors):
      return "'\(f)': \(errors.count) nodes cannot be imported:\n" + errors.map { "  " + $0.description }.joined(separator: "\n")
    }
  }
}

/// The ONNX op types the importer maps to `qnn` (plus `Constant`).
public let supportedONNXOps: Set<String> = Set([
  "Quant", "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "Sigmoid", "Flatten", "Reshape", "Add", "AveragePool", "MaxPool",
  "Identity", "Pad", "Constant", "Transpose", "ReduceSum", "Concat", "Gather", "Slice", "Squeeze", "Unsqueeze",
  "Cast", "Where",
]).union(elementwiseONNXOps.keys)

/// Element-wise ONNX ops and their `qnn` op: fused into lookups (or, for Sub / Mul of two
/// encrypted tensors, computed on integers).
let elementwiseONNXOps: [String: OpName] = [
  "Tanh": QNN.TanhOp.name, "Erf": QNN.ErfOp.name, "Exp": QNN.ExpOp.name, "Log": QNN.LogOp.name, "Abs": QNN.AbsOp.name,
  "Neg": QNN.NegOp.name, "Softplus": QNN.SoftplusOp.name, "HardSwish": QNN.HardSwishOp.name, "Floor": QNN.FloorOp.name,
  "Sign": QNN.SignOp.name, "LeakyRelu": QNN.LeakyReluOp.name, "Elu": QNN.EluOp.name, "Selu": QNN.SeluOp.name,
  "Celu": QNN.CeluOp.name, "HardSigmoid": QNN.HardSigmoidOp.name, "Clip": QNN.ClipOp.name,
  "Sub": QNN.SubOp.name, "Mul": QNN.MulOp.name, "Div": QNN.DivOp.name, "Pow": QNN.PowOp.name,
  "Max": QNN.MaxOp.name, "Min": QNN.MinOp.name, "PRelu": QNN.PReluOp.name,
  "Equal": QNN.EqualOp.name, "Greater": QNN.GreaterOp.name, "GreaterOrEqual": QNN.GreaterOrEqualOp.name,
  "Less": QNN.LessOp.name, "LessOrEqual": QNN.LessOrEqualOp.name, "Or": QNN.OrOp.name,
  "Round": QNN.RoundOp.name, "Not": QNN.NotOp.name,
]

/// Reads an ONNX file and imports it (see `importONNX(_:fileName:)`).
public func importONNX(contentsOf url: URL) throws(ImportError) -> Module {
  let model: ONNXModel
  do { model = try ONNXModel(contentsOf: url) } catch { throw .onnx(error) }
  return try importONNX(model, fileName: url.lastPathComponent)
}

/// Imports a QONNX graph as `func.func @main` of `qnn` ops.
///
/// Arguments are the runtime inputs (initializers Brevitas also lists as inputs are dropped), in
/// graph order, with their static shapes; intermediate values are `tensor<*xf32>` until
/// `qnn-shape-inference`. Initializers become `arith.constant dense<…>` where used. Each op's
/// location is its ONNX node name. All unsupported nodes are reported at once.
public func importONNX(_ model: ONNXModel, fileName: String) throws(ImportError) -> Module {
  var importer = Importer(graph: model.graph, file: fileName)
  return try importer.run()
}

struct Importer {
  let graph: ONNXGraph
  let file: String
  var constants: [String: NDArray]
  var values: [String: Value] = [:]
  var builder = Builder(registry: QNN.registry)

  init(graph: ONNXGraph, file: String) {
    self.graph = graph
    self.file = file
    constants = graph.initializers
  }

  mutating func run() throws(ImportError) -> Module {
    // Constants first: `Constant` nodes and the shape arithmetic on constants are folded here.
    var folded = Set<Int>()
    for (k, node) in graph.nodes.enumerated() {
      if node.opType == "Constant", let t = node.attributes["value"]?.tensorValue, let out = node.outputs.first {
        constants[out] = t
        folded.insert(k)
      } else if let v = ConstantFolding.fold(node, constants), let out = node.outputs.first {
        constants[out] = v
        folded.insert(k)
      }
    }
    let remaining = graph.nodes.enumerated().filter { !folded.contains($0.offset) }.map(\.element)
    let unsupported = remaining.filter { !supportedONNXOps.contains($0.opType) }
    if !unsupported.isEmpty {
      throw .unsupportedOps(file: file, nodes: unsupported.map { .init(name: $0.name, opType: $0.opType) })
    }
    guard graph.nodes.contains(where: { $0.opType == "Quant" }) else { throw .notQuantizationAware(file: file) }

    let module = IRSkeleton.module()
    var inputTypes: [IRType] = []
    var argAttrs: [AttributeDictionary] = []
    for input in graph.runtimeInputs {
      guard let dims = input.shape else { throw .dynamicInput(file: file, input: input.name) }
      var shape: [Int] = []
      for d in dims {
        guard case .value(let n) = d else { throw .dynamicInput(file: file, input: input.name) }
        shape.append(Int(n))
      }
      inputTypes.append(QNN.tensorType(shape))
      argAttrs.append(AttributeDictionary([NamedAttribute("qnn.name", .string(input.name))]))
    }
    let resultTypes = graph.outputs.map { _ in QNN.unrankedType }
    let (fn, block) = IRSkeleton.function(
      "main", inputs: inputTypes, results: resultTypes, argumentAttributes: argAttrs, in: module)
    for (input, arg) in zip(graph.runtimeInputs, block.arguments) {
      values[input.name] = arg
      arg.location = .name(input.name, child: nil)
    }
    builder.setInsertionPointToEnd(of: block)

    // Every node we cannot accept is reported, not only the first. A node that failed stands in
    // for its first input, so that the nodes after it are still checked (import checks are local
    // to a node); a failed node without an input has its readers skipped.
    var problems: [ImportError] = []
    var failedValues = Set<String>()
    for node in remaining {
      if node.inputs.contains(where: failedValues.contains) {
        failedValues.formUnion(node.outputs)
        continue
      }
      do { try importNode(node) } catch {
        problems.append(error)
        if let standIn = node.inputs.compactMap({ values[$0] }).first {
          for out in node.outputs { values[out] = standIn }
        } else {
          failedValues.formUnion(node.outputs)
        }
      }
    }
    if problems.count == 1 { throw problems[0] }
    if !problems.isEmpty { throw .invalidNodes(file: file, errors: problems) }

    var results: [Value] = []
    for out in graph.outputs {
      guard let v = values[out.name] else { throw .undefinedValue(file: file, node: "<graph output>", value: out.name) }
      results.append(v)
    }
    builder.create(FuncDialect.ReturnOp.name, operands: results)
    fn.setInherentAttribute("function_type", .type(.function(inputs: inputTypes, results: results.map(\.type))))
    return module
  }

  /// The value of `name`, materializing an initializer as `arith.constant` on first use.
  mutating func value(_ name: String, node: ONNXNode) throws(ImportError) -> Value {
    if let v = values[name] { return v }
    guard let c = constants[name] else { throw .undefinedValue(file: file, node: node.name, value: name) }
    let t = FloatTensor(shape: c.shape, data: c.doubleValues)
    let v = builder.constant(t.float32Attribute, location: .name(name, child: nil))!
    values[name] = v
    return v
  }

  func constant(_ name: String, node: ONNXNode) throws(ImportError) -> NDArray {
    guard let c = constants[name] else { throw .expectedConstant(file: file, node: node.name, input: name) }
    return c
  }

  func scalar(_ name: String, node: ONNXNode) throws(ImportError) -> Double {
    let c = try constant(name, node: node)
    guard c.count == 1 else {
      throw .invalidNode(file: file, node: node.name, message: "input '\(name)' must be a scalar (per-tensor quantization), found shape \(c.shape)")
    }
    return c.doubleValues[0]
  }

  func intAttr(_ node: ONNXNode, _ name: String, default d: Int64) -> Int64 { node.attributes[name]?.intValue ?? d }

  mutating func emit(_ name: OpName, _ node: ONNXNode, operands: [Value], attributes: [NamedAttribute] = []) {
    let op = builder.create(
      name, operands: operands, resultTypes: [QNN.unrankedType], attributes: AttributeDictionary(attributes),
      location: .name(node.name, child: nil))
    if let out = node.outputs.first { values[out] = op.results[0] }
  }

  mutating func importNode(_ node: ONNXNode) throws(ImportError) {
    let inputs = node.inputs.filter { !$0.isEmpty }
    func operand(_ i: Int) throws(ImportError) -> Value { try value(inputs[i], node: node) }
    func require(_ n: ClosedRange<Int>) throws(ImportError) {
      guard n.contains(inputs.count) else {
        throw .invalidNode(file: file, node: node.name, message: "expected \(n) inputs, found \(inputs.count)")
      }
    }
    switch node.opType {
    case "Constant":
      guard let t = node.attributes["value"]?.tensorValue, let out = node.outputs.first else {
        throw .invalidNode(file: file, node: node.name, message: "expected a tensor 'value' attribute")
      }
      constants[out] = t
    case "Quant":
      try require(4...4)
      let mode = node.attributes["rounding_mode"]?.stringValue ?? "ROUND"
      guard mode == "ROUND" else {
        throw .invalidNode(file: file, node: node.name, message: "rounding mode must be 'ROUND', found '\(mode)'")
      }
      let scale = try scalar(inputs[1], node: node)
      let zp = try scalar(inputs[2], node: node)
      let bits = try scalar(inputs[3], node: node)
      guard bits.rounded() == bits, bits >= 1, bits <= 32 else {
        throw .invalidNode(file: file, node: node.name, message: "bit width must be an integer in 1...32, found \(bits)")
      }
      emit(QNN.QuantOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("scale", .f32(Float(scale))), NamedAttribute("zero_point", .f32(Float(zp))),
        NamedAttribute("bit_width", .i64(Int64(bits))),
        NamedAttribute("signed", .i64(intAttr(node, "signed", default: 1))),
        NamedAttribute("narrow", .i64(intAttr(node, "narrow", default: 0))),
        NamedAttribute("rounding_mode", .string(mode)),
      ])
    case "Conv":
      try require(2...3)
      var attrs: [NamedAttribute] = [NamedAttribute("group", .i64(intAttr(node, "group", default: 1)))]
      for k in ["kernel_shape", "pads", "strides", "dilations"] {
        if let v = node.attributes[k]?.intsValue { attrs.append(NamedAttribute(k, .i64Array(v))) }
      }
      if let pad = node.attributes["auto_pad"]?.stringValue, pad != "NOTSET" {
        throw .invalidNode(file: file, node: node.name, message: "auto_pad must be 'NOTSET', found '\(pad)'")
      }
      emit(QNN.ConvOp.name, node, operands: try (0..<inputs.count).map { i throws(ImportError) in try operand(i) }, attributes: attrs)
    case "Gemm":
      try require(2...3)
      emit(QNN.GemmOp.name, node, operands: try (0..<inputs.count).map { i throws(ImportError) in try operand(i) }, attributes: [
        NamedAttribute("alpha", .f32(node.attributes["alpha"]?.floatValue ?? 1)),
        NamedAttribute("beta", .f32(node.attributes["beta"]?.floatValue ?? 1)),
        NamedAttribute("transA", .i64(intAttr(node, "transA", default: 0))),
        NamedAttribute("transB", .i64(intAttr(node, "transB", default: 0))),
      ])
    case "MatMul":
      try require(2...2)
      emit(QNN.MatMulOp.name, node, operands: [try operand(0), try operand(1)])
    case "BatchNormalization":
      try require(5...5)
      if intAttr(node, "training_mode", default: 0) != 0 {
        throw .invalidNode(file: file, node: node.name, message: "training_mode must be 0")
      }
      emit(QNN.BatchNormOp.name, node, operands: try (0..<5).map { i throws(ImportError) in try operand(i) }, attributes: [
        NamedAttribute("epsilon", .f32(node.attributes["epsilon"]?.floatValue ?? 1e-5))
      ])
    case "Relu": try require(1...1); emit(QNN.ReluOp.name, node, operands: [try operand(0)])
    case "Sigmoid": try require(1...1); emit(QNN.SigmoidOp.name, node, operands: [try operand(0)])
    case "Identity": try require(1...1); emit(QNN.IdentityOp.name, node, operands: [try operand(0)])
    case "Flatten":
      try require(1...1)
      emit(QNN.FlattenOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("axis", .i64(intAttr(node, "axis", default: 1)))
      ])
    case "Reshape":
      try require(2...2)
      if intAttr(node, "allowzero", default: 0) != 0 {
        throw .invalidNode(file: file, node: node.name, message: "allowzero must be 0")
      }
      let shape = try constant(inputs[1], node: node).int64Values
      emit(QNN.ReshapeOp.name, node, operands: [try operand(0)], attributes: [NamedAttribute("shape", .i64Array(shape))])
    case "AveragePool":
      try require(1...1)
      if let pad = node.attributes["auto_pad"]?.stringValue, pad != "NOTSET" {
        throw .invalidNode(file: file, node: node.name, message: "auto_pad must be 'NOTSET', found '\(pad)'")
      }
      if intAttr(node, "ceil_mode", default: 0) != 0 { throw .invalidNode(file: file, node: node.name, message: "ceil_mode must be 0") }
      guard let kernel = node.attributes["kernel_shape"]?.intsValue, kernel.count == 2 else {
        throw .invalidNode(file: file, node: node.name, message: "a 2-D kernel_shape is required")
      }
      let pads = node.attributes["pads"]?.intsValue ?? []
      if pads.contains(where: { $0 != 0 }) && intAttr(node, "count_include_pad", default: 0) == 0 {
        throw .invalidNode(file: file, node: node.name, message: "padding not counted in the average (count_include_pad = 0) is not supported")
      }
      var attrs = [NamedAttribute("kernel_shape", .i64Array(kernel))]
      for k in ["pads", "strides"] { if let v = node.attributes[k]?.intsValue { attrs.append(NamedAttribute(k, .i64Array(v))) } }
      emit(QNN.AveragePoolOp.name, node, operands: [try operand(0)], attributes: attrs)
    case "MaxPool":
      try require(1...1)
      if let pad = node.attributes["auto_pad"]?.stringValue, pad != "NOTSET" {
        throw .invalidNode(file: file, node: node.name, message: "auto_pad must be 'NOTSET', found '\(pad)'")
      }
      if intAttr(node, "ceil_mode", default: 0) != 0 { throw .invalidNode(file: file, node: node.name, message: "ceil_mode must be 0") }
      if (node.attributes["pads"]?.intsValue ?? []).contains(where: { $0 != 0 }) {
        throw .invalidNode(file: file, node: node.name, message: "padded max pooling is not supported (Concrete's maxpool2d has no padding)")
      }
      if (node.attributes["dilations"]?.intsValue ?? []).contains(where: { $0 != 1 }) {
        throw .invalidNode(file: file, node: node.name, message: "dilations must be 1")
      }
      guard let kernel = node.attributes["kernel_shape"]?.intsValue, kernel.count == 2 else {
        throw .invalidNode(file: file, node: node.name, message: "a 2-D kernel_shape is required")
      }
      var attrs = [NamedAttribute("kernel_shape", .i64Array(kernel))]
      if let v = node.attributes["strides"]?.intsValue { attrs.append(NamedAttribute("strides", .i64Array(v))) }
      emit(QNN.MaxPoolOp.name, node, operands: [try operand(0)], attributes: attrs)
    case "Add":
      try require(2...2)
      emit(QNN.AddOp.name, node, operands: [try operand(0), try operand(1)])
    case "Transpose":
      try require(1...1)
      var attrs: [NamedAttribute] = []
      if let p = node.attributes["perm"]?.intsValue { attrs.append(NamedAttribute("perm", .i64Array(p))) }
      emit(QNN.TransposeOp.name, node, operands: [try operand(0)], attributes: attrs)
    case "Pad":
      try require(1...3)
      let mode = node.attributes["mode"]?.stringValue ?? "constant"
      guard mode == "constant" else {
        throw .invalidNode(file: file, node: node.name, message: "pad mode must be 'constant', found '\(mode)'")
      }
      let pads = inputs.count > 1 ? try constant(inputs[1], node: node).int64Values : (node.attributes["pads"]?.intsValue ?? [])
      let fill = inputs.count > 2 ? try scalar(inputs[2], node: node) : 0
      emit(QNN.PadOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("pads", .i64Array(pads)), NamedAttribute("value", .f32(Float(fill))),
      ])
    case "Squeeze", "Unsqueeze":
      // Opset 13: axes as an optional constant input (older: an attribute).
      try require(1...2)
      let axes = inputs.count > 1 ? try constant(inputs[1], node: node).int64Values : (node.attributes["axes"]?.intsValue ?? [])
      emit(node.opType == "Squeeze" ? QNN.SqueezeOp.name : QNN.UnsqueezeOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("axes", .i64Array(axes))
      ])
    case "Slice":
      try require(3...5)
      var attrs: [NamedAttribute] = []
      for (k, key) in ["starts", "ends", "axes", "steps"].enumerated() where k + 1 < node.inputs.count && !node.inputs[k + 1].isEmpty {
        attrs.append(NamedAttribute(key, .i64Array(try constant(node.inputs[k + 1], node: node).int64Values)))
      }
      emit(QNN.SliceOp.name, node, operands: [try operand(0)], attributes: attrs)
    case "Gather":
      try require(2...2)
      let indices = try constant(inputs[1], node: node)
      guard !indices.shape.isEmpty else {
        emit(QNN.GatherOp.name, node, operands: [try operand(0)], attributes: [
          NamedAttribute("axis", .i64(intAttr(node, "axis", default: 0))), NamedAttribute("index", .i64(indices.int64Values[0])),
        ])
        break
      }
      emit(QNN.GatherOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("axis", .i64(intAttr(node, "axis", default: 0))), NamedAttribute("indices", .i64Array(indices.int64Values)),
        NamedAttribute("indices_shape", .i64Array(indices.shape.map { Int64($0) })),
      ])
    case "Concat":
      guard !inputs.isEmpty, let axis = node.attributes["axis"]?.intValue else {
        throw .invalidNode(file: file, node: node.name, message: "expected inputs and an 'axis' attribute")
      }
      emit(QNN.ConcatOp.name, node, operands: try inputs.indices.map { i throws(ImportError) in try operand(i) }, attributes: [
        NamedAttribute("axis", .i64(axis))
      ])
    case "ReduceSum":
      // Opset 13: axes as an optional constant input (older: an attribute).
      try require(1...2)
      let axes = inputs.count > 1 ? try constant(inputs[1], node: node).int64Values : (node.attributes["axes"]?.intsValue ?? [])
      if axes.isEmpty && intAttr(node, "noop_with_empty_axes", default: 0) != 0 {
        throw .invalidNode(file: file, node: node.name, message: "noop_with_empty_axes = 1 is not supported")
      }
      emit(QNN.ReduceSumOp.name, node, operands: [try operand(0)], attributes: [
        NamedAttribute("axes", .i64Array(axes)), NamedAttribute("keepdims", .i64(intAttr(node, "keepdims", default: 1))),
      ])
    case "Cast":
      // Concrete-ML casts traced values to float64 whatever the target (bool, float or double
      // only): an identity on our float64 values.
      try require(1...1)
      let to = intAttr(node, "to", default: 0)
      guard [1, 9, 11].contains(to) else {
        throw .invalidNode(file: file, node: node.name, message: "cast to ONNX type \(to) is not supported (only BOOL, FLOAT, DOUBLE, as Concrete-ML)")
      }
      emit(QNN.IdentityOp.name, node, operands: [try operand(0)])
    case "Where":
      // Concrete-ML's `c·t + (1 − c)·f` (`numpy_where_body`), written with the binary ops so
      // each product and the sum fuse like any float step (c, t, f from one tensor or constants).
      try require(3...3)
      let (c, t, f) = (try operand(0), try operand(1), try operand(2))
      let one = builder.constant(FloatTensor(shape: [], data: [1]).float32Attribute, location: .name(node.name + "/one", child: nil))!
      func make(_ name: OpName, _ a: Value, _ b: Value, _ part: String) -> Value {
        builder.create(name, operands: [a, b], resultTypes: [QNN.unrankedType], location: .name(node.name + part, child: nil)).results[0]
      }
      let taken = make(QNN.MulOp.name, c, t, "/taken")
      let notC = make(QNN.SubOp.name, one, c, "/not")
      let other = make(QNN.MulOp.name, notC, f, "/other")
      emit(QNN.AddOp.name, node, operands: [taken, other])
    case "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu", "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Or":
      try require(2...2)
      emit(elementwiseONNXOps[node.opType]!, node, operands: [try operand(0), try operand(1)])
    case "Clip":
      // Opset ≥ 11: bounds as (constant) inputs; opset 6: attributes.
      try require(1...3)
      var attrs: [NamedAttribute] = []
      for (k, key) in ["min", "max"].enumerated() {
        if node.inputs.count > k + 1, !node.inputs[k + 1].isEmpty {
          attrs.append(NamedAttribute(key, .f32(Float(try scalar(node.inputs[k + 1], node: node)))))
        } else if let v = node.attributes[key]?.floatValue {
          attrs.append(NamedAttribute(key, .f32(v)))
        }
      }
      emit(QNN.ClipOp.name, node, operands: [try operand(0)], attributes: attrs)
    case let op where elementwiseONNXOps[op] != nil:
      try require(1...1)
      var attrs: [NamedAttribute] = []
      for key in ["alpha", "beta", "gamma"] {
        if let v = node.attributes[key]?.floatValue { attrs.append(NamedAttribute(key, .f32(v))) }
      }
      emit(elementwiseONNXOps[op]!, node, operands: [try operand(0)], attributes: attrs)
    default:
      preconditionFailure("op '\(node.opType)' passed the support check")
    }
  }
}
