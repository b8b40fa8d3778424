import TorusIR
import TorusQNN

/// Why a `qnn` graph could not be analysed, calibrated, quantized or lowered.
public enum QNNError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The module is not a `func.func` of `qnn` ops we can read.
  case malformedGraph(String)
  /// A node whose operands' shapes do not fit it.
  case shapeMismatch(node: String, message: String)
  /// A node the quantized lowering does not handle (the reason says what was expected).
  case unsupported(node: String, message: String)
  /// The calibration inputs do not match the graph's inputs.
  case invalidInputset(String)
  /// A compile option out of range (bits, rounding).
  case invalidOption(String)
  /// A table lookup wider than Concrete allows.
  case bitWidthExceeded(node: String, bits: Int, limit: Int)
  /// Several nodes the lowering does not handle, in graph order (each reported once).
  case several([QNNError])

  public var description: String {
    switch self {
    case .malformedGraph(let m): return "malformed qnn graph: \(m)"
    case .shapeMismatch(let n, let m): return "node '\(n)': \(m)"
    case .unsupported(let n, let m): return "node '\(n)': \(m)"
    case .invalidInputset(let m): return "invalid inputset: \(m)"
    case .invalidOption(let m): return "invalid option: \(m)"
    case .bitWidthExceeded(let n, let b, let l):
      return "node '\(n)': only up to \(l)-bit table lookups are supported, found a \(b)-bit input"
    case .several(let errors):
      return "\(errors.count) nodes cannot be lowered:\n" + errors.map { "  " + $0.description }.joined(separator: "\n")
    }
  }
}

/// A `qnn` function as a plain dataflow graph: one node per op (each with one result), in order.
public struct QGraph: Sendable {
  /// What a node computes.
  public enum Op: Sendable, Equatable {
    case input(Int)
    case constant(FloatTensor)
    case quant(BrevitasQuant)
    case conv(group: Int, pads: [Int], strides: [Int])
    /// Sum over a window divided by its size; lowered as a convolution with a ones kernel.
    case averagePool(kernel: [Int], pads: [Int], strides: [Int])
    /// Maximum over a window (moves integers: the quantizer is kept).
    case maxPool(kernel: [Int], strides: [Int])
    case gemm(alpha: Double, beta: Double, transA: Bool, transB: Bool)
    case matmul
    case batchNorm(epsilon: Float)
    case relu, sigmoid, identity
    /// An element-wise univariate function (Tanh, Erf, LeakyRelu, Clip, …).
    case unary(UnaryFunction)
    case flatten(axis: Int)
    case reshape([Int64])
    /// An element-wise binary op with numpy broadcasting (Add, Sub, Mul, Div, Pow).
    case binary(BinaryFunction)
    /// Sum over axes (non-negative; the batch axis 0 excluded when quantized).
    case reduceSum(axes: [Int], keepDims: Bool)
    /// Concatenation along a (non-negative) axis.
    case concat(axis: Int)
    /// ONNX Gather of constant indices along a (non-negative) axis: the axis becomes the indices'
    /// shape (disappears for a scalar index, `indexShape` empty).
    case gather(axis: Int, indices: [Int], indexShape: [Int])
    /// ONNX Squeeze (`insert` false) or Unsqueeze (`insert` true) of constant axes.
    case squeeze(axes: [Int], insert: Bool)
    /// ONNX Slice (constant starts, ends, axes, steps).
    case slice(starts: [Int], ends: [Int], axes: [Int], steps: [Int])
    case pad([Int64], value: Double)
    case transpose([Int])
  }

  public struct Node: Sendable {
    public var op: Op
    public var inputs: [Int]
    /// The ONNX node name (from the location), or a synthesized one.
    public var name: String
    /// Static shape (batch 1), filled by `inferShapes()`.
    public var shape: [Int] = []
  }

  public var nodes: [Node] = []
  /// Node index of each function argument.
  public var inputs: [Int] = []
  /// Node index of each returned value.
  public var outputs: [Int] = []

  /// Reads the first `func.func` of `module`.
  public init(module: Module) throws(QNNError) {
    guard let fn = IRSkeleton.mainFunction(of: module), let block = fn.body else {
      throw .malformedGraph("expected a 'func.func' with a body")
    }
    var index: [ObjectIdentifier: Int] = [:]
    for (i, arg) in block.arguments.enumerated() {
      index[ObjectIdentifier(arg)] = nodes.count
      inputs.append(nodes.count)
      var name = "input\(i)"
      if let attrs = fn.operation.attribute("arg_attrs")?.arrayValue, i < attrs.count,
        let n = attrs[i].dictionaryValue?["qnn.name"]?.stringValue
      {
        name = n
      }
      var node = Node(op: .input(i), inputs: [], name: name)
      if let s = arg.type.shape { node.shape = s.map { Int($0) } }
      nodes.append(node)
    }
    for op in block.operations {
      var operands: [Int] = []
      for v in op.operands {
        guard let i = index[ObjectIdentifier(v)] else { throw .malformedGraph("operand of '\(op.name)' defined outside the function") }
        operands.append(i)
      }
      if op.name == FuncDialect.ReturnOp.name {
        outputs = operands
        continue
      }
      let name = Self.name(of: op.location) ?? "\(op.name)#\(nodes.count)"
      guard op.results.count == 1 else { throw .malformedGraph("op '\(op.name)' must have one result") }
      let kind = try Self.op(of: op, name: name)
      index[ObjectIdentifier(op.results[0])] = nodes.count
      nodes.append(Node(op: kind, inputs: operands, name: name))
    }
    guard !outputs.isEmpty else { throw .malformedGraph("function returns nothing") }
    try inferShapes()
  }

  static func name(of loc: Location) -> String? {
    switch loc {
    case .name(let n, _): n
    case .fused(_, let locs): locs.lazy.compactMap(name(of:)).first
    default: nil
    }
  }

  static func op(of op: Operation, name: String) throws(QNNError) -> Op {
    func ints(_ k: String) -> [Int] { (op.intsAttribute(k) ?? []).map { Int($0) } }
    switch op.name {
    case ArithDialect.ConstantOp.name:
      guard let v = op.attribute("value"), let t = FloatTensor(v) else {
        throw .unsupported(node: name, message: "expected a float dense constant")
      }
      return .constant(t)
    case QNN.QuantOp.name:
      guard let p = QNN.QuantOp(unchecked: op).parameters else {
        throw .malformedGraph("'\(name)': quant without its parameters")
      }
      return .quant(p)
    case QNN.ConvOp.name:
      let c = QNN.ConvOp(unchecked: op)
      return .conv(group: c.group, pads: c.pads, strides: c.strides)
    case QNN.AveragePoolOp.name:
      let p = QNN.AveragePoolOp(unchecked: op)
      return .averagePool(kernel: p.kernelShape, pads: p.pads, strides: p.strides)
    case QNN.MaxPoolOp.name:
      let p = QNN.MaxPoolOp(unchecked: op)
      return .maxPool(kernel: p.kernelShape, strides: p.strides)
    case QNN.GemmOp.name:
      let g = QNN.GemmOp(unchecked: op)
      return .gemm(alpha: g.alpha, beta: g.beta, transA: g.transA, transB: g.transB)
    case QNN.MatMulOp.name: return .matmul
    case QNN.BatchNormOp.name: return .batchNorm(epsilon: QNN.BatchNormOp(unchecked: op).epsilon)
    case QNN.ReluOp.name: return .relu
    case QNN.SigmoidOp.name: return .sigmoid
    case QNN.IdentityOp.name: return .identity
    case QNN.FlattenOp.name: return .flatten(axis: QNN.FlattenOp(unchecked: op).axis)
    case QNN.ReshapeOp.name: return .reshape(QNN.ReshapeOp(unchecked: op).targetShape)
    case QNN.AddOp.name, QNN.SubOp.name, QNN.MulOp.name, QNN.DivOp.name, QNN.PowOp.name, QNN.MaxOp.name, QNN.MinOp.name,
      QNN.PReluOp.name, QNN.EqualOp.name, QNN.GreaterOp.name, QNN.GreaterOrEqualOp.name, QNN.LessOp.name,
      QNN.LessOrEqualOp.name, QNN.OrOp.name:
      return .binary(QNN.binaryFunction(of: op)!)
    case QNN.PadOp.name: return .pad(QNN.PadOp(unchecked: op).pads, value: op.floatAttribute("value") ?? 0)
    case QNN.TransposeOp.name: return .transpose(ints("perm"))
    case QNN.ConcatOp.name: return .concat(axis: QNN.ConcatOp(unchecked: op).axis)
    case QNN.SqueezeOp.name: return .squeeze(axes: QNN.SqueezeOp(unchecked: op).axes, insert: false)
    case QNN.UnsqueezeOp.name: return .squeeze(axes: QNN.UnsqueezeOp(unchecked: op).axes, insert: true)
    case QNN.SliceOp.name:
      let s = QNN.SliceOp(unchecked: op)
      return .slice(starts: s.list("starts"), ends: s.list("ends"), axes: s.list("axes"), steps: s.list("steps"))
    case QNN.GatherOp.name:
      let g = QNN.GatherOp(unchecked: op)
      return .gather(axis: g.axis, indices: g.indices, indexShape: g.indexShape)
    case QNN.ReduceSumOp.name:
      let r = QNN.ReduceSumOp(unchecked: op)
      return .reduceSum(axes: r.axes, keepDims: r.keepDims)
    default:
      if let f = QNN.unaryFunction(of: op) { return .unary(f) }
      throw .unsupported(node: name, message: "unexpected op '\(op.name)' in a qnn graph")
    }
  }

  /// Computes every node's static shape from the inputs' and constants' shapes.
  public mutating func inferShapes() throws(QNNError) {
    for i in nodes.indices {
      let n = nodes[i]
      let ins = n.inputs.map { nodes[$0].shape }
      func fail(_ m: String) -> QNNError { .shapeMismatch(node: n.name, message: m) }
      switch n.op {
      case .input: break
      case .constant(let t): nodes[i].shape = t.shape
      case .quant, .relu, .sigmoid, .identity, .batchNorm, .unary: nodes[i].shape = ins[0]
      case .conv(let group, let pads, let strides):
        let x = ins[0], w = ins[1]
        guard (x.count == 4 && w.count == 4) || (x.count == 3 && w.count == 3) else {
          throw fail("expected rank-4 (or rank-3, 1-D) input and weight, found \(x) and \(w)")
        }
        guard group >= 1, x[1] == w[1] * group else { throw fail("input has \(x[1]) channels, weight expects \(w[1] * max(group, 1)) (group \(group))") }
        guard strides.allSatisfy({ $0 >= 1 }), pads.allSatisfy({ $0 >= 0 }) else { throw fail("strides must be positive and pads not negative, found \(strides) and \(pads)") }
        if ins.count > 2 && ins[2] != [w[0]] { throw fail("bias must have shape [\(w[0])], found \(ins[2])") }
        if x.count == 3 {
          let p = pads.isEmpty ? [0, 0] : pads, s = strides.isEmpty ? [1] : strides
          guard p.count == 2, s.count == 1 else { throw fail("a 1-D convolution needs 2 pads and 1 stride") }
          nodes[i].shape = [x[0], w[0], (x[2] + p[0] + p[1] - w[2]) / s[0] + 1]
        } else {
          let p = pads.isEmpty ? [0, 0, 0, 0] : pads
          let s = strides.isEmpty ? [1, 1] : strides
          guard p.count == 4, s.count == 2 else { throw fail("a 2-D convolution needs 4 pads and 2 strides, found \(p) and \(s)") }
          let h = (x[2] + p[0] + p[2] - w[2]) / s[0] + 1
          let wd = (x[3] + p[1] + p[3] - w[3]) / s[1] + 1
          nodes[i].shape = [x[0], w[0], h, wd]
        }
      case .averagePool(let k, let pads, let strides):
        let x = ins[0]
        guard x.count == 4 else { throw fail("expected a rank-4 input, found \(x)") }
        let p = pads.isEmpty ? [0, 0, 0, 0] : pads
        let s = strides.isEmpty ? [1, 1] : strides
        guard k.count == 2, p.count == 4, s.count == 2, s.allSatisfy({ $0 >= 1 }), k.allSatisfy({ $0 >= 1 }), p.allSatisfy({ $0 >= 0 }) else {
          throw fail("a 2-D pool needs 2 positive kernel sizes, 4 pads and 2 positive strides, found \(k), \(p), \(s)")
        }
        nodes[i].shape = [x[0], x[1], (x[2] + p[0] + p[2] - k[0]) / s[0] + 1, (x[3] + p[1] + p[3] - k[1]) / s[1] + 1]
      case .maxPool(let k, let strides):
        let x = ins[0]
        guard x.count == 4 else { throw fail("expected a rank-4 input, found \(x)") }
        let s = strides.isEmpty ? [1, 1] : strides
        guard k.count == 2, s.count == 2, s.allSatisfy({ $0 >= 1 }), k.allSatisfy({ $0 >= 1 }) else {
          throw fail("a 2-D max pool needs 2 positive kernel sizes and 2 positive strides, found \(k) and \(s)")
        }
        nodes[i].shape = [x[0], x[1], (x[2] - k[0]) / s[0] + 1, (x[3] - k[1]) / s[1] + 1]
      case .gemm(_, _, let ta, let tb):
        let a = ins[0], b = ins[1]
        guard a.count == 2, b.count == 2 else { throw fail("expected rank-2 operands, found \(a) and \(b)") }
        let (m, k) = ta ? (a[1], a[0]) : (a[0], a[1])
        let (k2, nn) = tb ? (b[1], b[0]) : (b[0], b[1])
        guard k == k2 else { throw fail("inner dimensions differ: \(k) and \(k2)") }
        if ins.count > 2, try Self.broadcast([m, nn], ins[2], fail: fail) != [m, nn] {
          throw fail("the bias \(ins[2]) does not broadcast to the product's shape \([m, nn])")
        }
        nodes[i].shape = [m, nn]
      case .matmul:
        let a = ins[0], b = ins[1]
        guard a.count >= 2, b.count == 2, a.last == b[0] else { throw fail("cannot multiply \(a) by \(b)") }
        nodes[i].shape = Array(a.dropLast()) + [b[1]]
      case .flatten(let axis):
        let x = ins[0]
        guard (0...x.count).contains(axis) else { throw fail("flatten axis \(axis) is out of range for \(x)") }
        nodes[i].shape = [x[..<axis].reduce(1, *), x[axis...].reduce(1, *)]
      case .reshape(let target):
        let x = ins[0]
        guard target.enumerated().allSatisfy({ k, d in d >= -1 && (d != 0 || k < x.count) }), target.filter({ $0 == -1 }).count <= 1 else {
          throw fail("cannot reshape \(x) to \(target)")
        }
        var out = target.enumerated().map { k, d in d == 0 ? x[k] : Int(d) }
        if let k = out.firstIndex(of: -1) {
          let known = out.filter { $0 != -1 }.reduce(1, *)
          out[k] = x.reduce(1, *) / max(known, 1)
        }
        guard out.allSatisfy({ $0 >= 0 }), out.reduce(1, *) == x.reduce(1, *) else { throw fail("cannot reshape \(x) to \(target)") }
        nodes[i].shape = out
      case .binary:
        nodes[i].shape = try Self.broadcast(ins[0], ins[1], fail: fail)
      case .pad(let pads, _):
        let x = ins[0]
        guard pads.count == 2 * x.count else { throw fail("expected \(2 * x.count) pads, found \(pads.count)") }
        nodes[i].shape = x.enumerated().map { k, d in d + Int(pads[k]) + Int(pads[k + x.count]) }
      case .squeeze(let axes, let insert):
        guard let s = Self.squeezedShape(ins[0], axes: axes, insert: insert) else { throw fail("cannot \(insert ? "unsqueeze" : "squeeze") \(ins[0]) on axes \(axes)") }
        nodes[i].shape = s
      case .slice(let starts, let ends, let axes, let steps):
        guard let (_, size, _) = SliceMath.normalize(ins[0], starts: starts, ends: ends, axes: axes, steps: steps) else {
          throw fail("malformed slice of \(ins[0])")
        }
        nodes[i].shape = size
      case .gather(let axis, let indices, let indexShape):
        let x = ins[0]
        guard (0..<x.count).contains(axis) else { throw fail("axis \(axis) out of range for \(x)") }
        if let bad = indices.first(where: { !(-x[axis]..<x[axis]).contains($0) }) {
          throw fail("index \(bad) on axis \(axis) out of range for \(x)")
        }
        nodes[i].shape = Array(x[..<axis]) + indexShape + Array(x[(axis + 1)...])
      case .concat(let axis):
        let x = ins[0]
        guard (0..<x.count).contains(axis),
          ins.allSatisfy({ s in s.count == x.count && s.indices.allSatisfy { k in k == axis || s[k] == x[k] } })
        else { throw fail("cannot concatenate \(ins) along axis \(axis)") }
        var s = x
        s[axis] = ins.map { $0[axis] }.reduce(0, +)
        nodes[i].shape = s
      case .reduceSum(let axes, let keep):
        let x = ins[0]
        guard axes.allSatisfy({ (0..<x.count).contains($0) }) else { throw fail("axes \(axes) out of range for rank \(x.count)") }
        nodes[i].shape = Kernels.reducedShape(x, axes: axes, keepDims: keep)
      case .transpose(let perm):
        let x = ins[0]
        let p = perm.isEmpty ? Array((0..<x.count).reversed()) : perm
        guard p.sorted() == Array(0..<x.count) else { throw fail("perm \(p) is not a permutation of the \(x.count) axes of \(x)") }
        nodes[i].shape = p.map { x[$0] }
      }
    }
  }

  /// The shape after ONNX Squeeze (size-1 axes removed; all of them when `axes` is empty) or
  /// Unsqueeze (size-1 axes inserted at `axes` of the result); nil when the axes do not fit.
  static func squeezedShape(_ x: [Int], axes: [Int], insert: Bool) -> [Int]? {
    // The batch axis 0 stays where it is (an implicit squeeze leaves it).
    if insert {
      let r = x.count + axes.count
      let at = Set(axes.map { $0 < 0 ? $0 + r : $0 })
      guard at.count == axes.count, at.allSatisfy({ (1..<r).contains($0) }) else { return nil }
      var rest = x.makeIterator()
      return (0..<r).map { at.contains($0) ? 1 : rest.next()! }
    }
    let drop = Set(axes.isEmpty ? x.indices.filter { $0 > 0 && x[$0] == 1 } : axes.map { $0 < 0 ? $0 + x.count : $0 })
    guard drop.allSatisfy({ $0 > 0 && x.indices.contains($0) && x[$0] == 1 }) else { return nil }
    return x.indices.filter { !drop.contains($0) }.map { x[$0] }
  }

  static func broadcast(_ a: [Int], _ b: [Int], fail: (String) -> QNNError) throws(QNNError) -> [Int] {
    let r = max(a.count, b.count)
    let pa = Array(repeating: 1, count: r - a.count) + a
    let pb = Array(repeating: 1, count: r - b.count) + b
    var out: [Int] = []
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { throw fail("cannot broadcast \(a) with \(b)") }
      out.append(max(x, y))
    }
    return out
  }
}
