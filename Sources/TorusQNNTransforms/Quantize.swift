import TorusFormats
import TorusQNN

/// `n_bits` of Concrete-ML's compile call (only the two keys it accepts).
public struct QuantizationBits: Sendable, Equatable {
  /// `model_inputs` (also `op_inputs` and `op_weights`).
  public var modelInputs: Int
  /// `model_outputs`: bits of calibrated output-side quantizers (e.g. the common scale of an Add).
  public var modelOutputs: Int
  public init(modelInputs: Int = 4, modelOutputs: Int = 4) {
    self.modelInputs = modelInputs
    self.modelOutputs = modelOutputs
  }
}

extension QGraph {
  /// What a graph value is while it is being lowered to integers.
  enum Lowered {
    /// A graph input not yet seen by its Brevitas Quant.
    case rawInput(Int)
    /// Integers in the circuit and the quantizer that dequantizes them.
    case integer(node: Int, quantizer: Quantizer)
    /// A float function of one integer node, still to be fused; `last` is the Brevitas Quant that
    /// ends it (nil when the chain does not end in a Quant).
    case chain(source: Int, steps: [FloatStep], last: BrevitasQuant?, members: [Int])
    case constant(FloatTensor)
    case quantizedConstant(IntTensor, Quantizer)
  }

  /// Quantizes and fuses the graph into an integer program (Concrete-ML 1.9 QAT rules): Brevitas
  /// quantizers are taken over, float chains between integer ops become table lookups, an Add of
  /// two integer tensors is rescaled to the calibrated common scale.
  ///
  /// With `rounding` (Concrete-ML's `rounding_threshold_bits`), every Conv/Gemm accumulator is
  /// rounded to that many most significant bits before its lookup; the bits to drop come from the
  /// accumulator's range over `inputset`, evaluated layer by layer.
  public func buildIntegerProgram(
    calibration: CalibrationStatistics?, bits: QuantizationBits = QuantizationBits(),
    rounding: AccumulatorRounding? = nil, inputset: [NDArray]? = nil
  ) throws(QNNError) -> IntegerProgram {
    if rounding != nil && inputset == nil {
      throw .invalidInputset("rounding needs the inputset to size accumulators")
    }
    if let r = rounding, r.thresholdBits < 1 {
      throw .invalidOption("rounding threshold bits must be at least 1, got \(r.thresholdBits)")
    }
    let roundingThresholdBits = rounding?.thresholdBits
    var program = IntegerProgram()
    program.roundingMethod = rounding?.method ?? .exact
    var evaluationInputs = [IntTensor](repeating: IntTensor(shape: [0], data: []), count: inputs.count)
    var values: [IntTensor] = []
    program.inputQuantizers = Array(repeating: Quantizer(bits: 0, isSigned: false, scale: 1), count: inputs.count)
    var lowered: [Lowered] = []
    var quantizedInputs = Set<Int>()

    func append(_ op: IntegerProgram.Op, shape: [Int], name: String, source: Int? = nil) -> Int {
      program.nodes.append(IntegerProgram.Node(op: op, shape: shape, name: name, sources: source.map { [$0] } ?? []))
      if roundingThresholdBits != nil {
        values.append(program.evaluateNode(program.nodes.count - 1, inputs: evaluationInputs, values: values))
      }
      return program.nodes.count - 1
    }

    /// The accumulator, rounded to `roundingThresholdBits` significant bits when asked.
    func rounded(_ acc: Int, name: String, source: Int) -> Int {
      guard let r = roundingThresholdBits, let lo = values[acc].data.min(), let hi = values[acc].data.max() else { return acc }
      let lsbs = max(0, QuantMath.bitWidth(lo: lo, hi: hi) - r)
      guard lsbs > 0 else { return acc }
      return append(.round(x: acc, lsbs: lsbs), shape: program.nodes[acc].shape, name: name, source: source)
    }

    /// Concrete-ML's input quantizer for a graph input that does not go straight into exactly one
    /// Brevitas Quant (rules 3.12 a/c): signed, `model_inputs` bits, scale and zero point fitted
    /// on the inputset's range (post-training, not QAT). Made once per input.
    var calibratedInputs: [Int: (node: Int, quantizer: Quantizer)] = [:]
    func calibratedInput(_ k: Int) throws(QNNError) -> (Int, Quantizer) {
      if let c = calibratedInputs[k] { return c }
      let graphNode = inputs[k]
      let lo: Double, hi: Double
      if let calibration {
        (lo, hi) = (calibration.minimum[graphNode], calibration.maximum[graphNode])
      } else if let inputset, k < inputset.count, let l = inputset[k].doubleValues.min(), let h = inputset[k].doubleValues.max() {
        (lo, hi) = (l, h)
      } else {
        throw .invalidInputset("graph input '\(nodes[graphNode].name)' has no Brevitas Quant in front, so its quantizer is fitted on the inputset: calibrate first")
      }
      let n = bits.modelInputs
      let (scale, zeroPoint) = QuantMath.fitParameters(rmin: lo, rmax: hi, bits: n, qat: false, signed: true)
      let q = Quantizer(bits: n, isSigned: true, scale: scale, zeroPoint: zeroPoint)
      program.inputQuantizers[k] = q
      if let inputset, k < inputset.count {
        evaluationInputs[k] = IntTensor(shape: inputset[k].shape, data: inputset[k].doubleValues.map(q.quantize))
      }
      let i = append(.input(index: k, quantizer: q), shape: nodes[graphNode].shape, name: nodes[graphNode].name, source: graphNode)
      calibratedInputs[k] = (i, q)
      return (i, q)
    }

    /// The integers of a value, adding the table lookup that ends a chain.
    func materialize(_ v: Lowered, for node: Node, operand: Int) throws(QNNError) -> (Int, Quantizer) {
      switch v {
      case .integer(let n, let q): return (n, q)
      case .chain(let source, let steps, let last, let members):
        guard let last else {
          throw .unsupported(node: node.name, message: "operand \(operand) must come from a Brevitas Quant (QAT import), found a float computation without one")
        }
        let q = last.quantizer
        let f = FusedFunction(steps: steps, rounding: .quantize(q))
        let n = append(.lookup(x: source, function: f), shape: program.nodes[source].shape, name: nodes[node.inputs[operand]].name)
        program.nodes[n].sources = members
        return (n, q)
      case .rawInput(let k):
        return try calibratedInput(k)
      case .constant, .quantizedConstant:
        throw .unsupported(node: node.name, message: "operand \(operand) must be computed, found a constant")
      }
    }

    /// The value as a float chain (starting one on an integer tensor).
    func chain(_ v: Lowered, node: Node) throws(QNNError) -> (Int, [FloatStep], [Int]) {
      switch v {
      case .integer(let n, let q): return (n, [.dequantize(scale: q.scale, zeroPoint: q.zeroPoint)], [])
      case .chain(let s, let steps, _, let members): return (s, steps, members)
      case .rawInput(let k):
        // The float ops after the input become a table lookup on its calibrated integers.
        let (n, q) = try calibratedInput(k)
        return (n, [.dequantize(scale: q.scale, zeroPoint: q.zeroPoint)], [])
      default: throw .unsupported(node: node.name, message: "expected a computed operand")
      }
    }

    func perChannel(_ t: FloatTensor, channels: Int, node: Node) throws(QNNError) -> [Double] {
      if t.count == 1 { return t.data }
      let nonUnit = t.shape.enumerated().filter { $0.element != 1 }
      guard t.count == channels, nonUnit.count == 1 else {
        throw .unsupported(node: node.name, message: "constant of shape \(t.shape) is not per channel (\(channels) channels)")
      }
      return t.data
    }

    // How many ops read each node: an input read by more than its one Quant gets a calibrated quantizer.
    var consumers: [Int: Int] = [:]
    for n in nodes { for i in n.inputs { consumers[i, default: 0] += 1 } }

    for (index, node) in nodes.enumerated() {
      let ins = node.inputs.map { lowered[$0] }
      let result: Lowered
      switch node.op {
      case .input(let k): result = .rawInput(k)
      case .constant(let t): result = .constant(t)
      case .quant(let b):
        switch ins[0] {
        case .constant(let t):
          result = .quantizedConstant(IntTensor(shape: t.shape, data: t.data.map { Int64(b.integer($0)) }), b.quantizer)
        case .rawInput(let k) where consumers[inputs[k], default: 0] == 1:
          quantizedInputs.insert(k)
          program.inputQuantizers[k] = b.quantizer
          if let inputset, k < inputset.count {
            evaluationInputs[k] = IntTensor(shape: inputset[k].shape, data: inputset[k].doubleValues.map(b.quantizer.quantize))
          }
          let n = append(.input(index: k, quantizer: b.quantizer), shape: nodes[node.inputs[0]].shape, name: nodes[node.inputs[0]].name, source: index)
          result = .integer(node: n, quantizer: b.quantizer)
        case .integer(_, let q) where q == b.quantizer:
          result = ins[0]  // pass-through: identical quantizer
        case .quantizedConstant:
          throw .unsupported(node: node.name, message: "a Quant of quantized weights is not supported")
        default:
          let (s, steps, members) = try chain(ins[0], node: node)
          result = .chain(source: s, steps: steps + [.fakeQuant(b)], last: b, members: members + [index])
        }
      case .identity: result = ins[0]
      case .relu, .sigmoid:
        let (s, steps, members) = try chain(ins[0], node: node)
        result = .chain(source: s, steps: steps + [node.op == .relu ? .relu : .sigmoid], last: nil, members: members + [index])
      case .batchNorm(let eps):
        let (s, steps, members) = try chain(ins[0], node: node)
        var params: [[Double]] = []
        for k in 1...4 {
          guard case .constant(let t) = ins[k] else {
            throw .unsupported(node: node.name, message: "batch norm parameters must be constants")
          }
          params.append(t.data)
        }
        let d = params[3].map { QuantMath.batchNormDenominator(variance: Float($0), epsilon: eps) }
        result = .chain(source: s, steps: steps + [.batchNorm(mean: params[2], denominator: d, gamma: params[0], beta: params[1])], last: nil, members: members + [index])
      case .conv(let group, let pads, let strides):
        let (x, qx) = try materialize(ins[0], for: node, operand: 0)
        guard case .quantizedConstant(let w, let qw) = ins[1] else {
          throw .unsupported(node: node.name, message: "weights must be a Brevitas Quant of an initializer")
        }
        guard qw.zeroPoint == 0 else { throw .unsupported(node: node.name, message: "weight zero point must be 0, found \(qw.zeroPoint)") }
        var bias: [Double] = []
        if ins.count > 2 {
          guard case .constant(let b) = ins[2] else { throw .unsupported(node: node.name, message: "bias must be a float initializer") }
          bias = b.data
        }
        let o = w.shape[0]
        let perOut = w.count / o
        let sumW = qx.zeroPoint == 0 ? [] : (0..<o).map { c in Double(qx.zeroPoint) * Double(w.data[c * perOut..<(c + 1) * perOut].reduce(0, +)) }
        let acc = append(
          .conv(x: x, weights: w, pads: pads, strides: strides, group: group, padValue: qx.zeroPoint), shape: node.shape, name: node.name, source: index)
        let accOrRounded = rounded(acc, name: node.name, source: index)
        result = .chain(source: accOrRounded, steps: [.accumulator(m: qx.scale * qw.scale, final: 0, sumW: sumW, bias: bias)], last: nil, members: [])
      case .averagePool(let k, let pads, let strides):
        // Concrete-ML's QuantizedAvgPool: the window sum as a convolution with a channel-diagonal
        // kernel of ones (group 1), padded with the input zero point, then `· (1/K) · s_in`.
        let (x, qx) = try materialize(ins[0], for: node, operand: 0)
        let c = program.nodes[x].shape[1], window = k[0] * k[1]
        var ones = [Int64](repeating: 0, count: c * c * window)
        for ch in 0..<c { for j in 0..<window { ones[(ch * c + ch) * window + j] = 1 } }
        let w = IntTensor(shape: [c, c, k[0], k[1]], data: ones)
        let sumW = qx.zeroPoint == 0 ? [] : [Double](repeating: Double(qx.zeroPoint) * Double(window), count: c)
        let acc = append(
          .conv(x: x, weights: w, pads: pads, strides: strides, group: 1, padValue: qx.zeroPoint), shape: node.shape, name: node.name, source: index)
        let accOrRounded = rounded(acc, name: node.name, source: index)
        result = .chain(
          source: accOrRounded,
          steps: [.accumulator(m: 1.0 / Double(window), final: 0, sumW: sumW, bias: []), .dequantize(scale: qx.scale, zeroPoint: 0)],
          last: nil, members: [])
      case .maxPool(let k, let strides):
        // Moves integers of one quantizer: Concrete's maxpool2d on the quantized input.
        let (x, q) = try materialize(ins[0], for: node, operand: 0)
        result = .integer(node: append(.maxPool(x: x, kernel: k, strides: strides), shape: node.shape, name: node.name, source: index), quantizer: q)
      case .gemm, .matmul:
        var (alpha, beta, ta, tb) = (1.0, 1.0, false, false)
        if case .gemm(let a, let b, let x, let y) = node.op { (alpha, beta, ta, tb) = (a, b, x, y) }
        guard alpha == 1, !ta else { throw .unsupported(node: node.name, message: "Gemm needs alpha = 1 and transA = 0") }
        let (x, qx) = try materialize(ins[0], for: node, operand: 0)
        guard case .quantizedConstant(var w, let qw) = ins[1] else {
          throw .unsupported(node: node.name, message: "weights must be a Brevitas Quant of an initializer")
        }
        guard qw.zeroPoint == 0 else { throw .unsupported(node: node.name, message: "weight zero point must be 0, found \(qw.zeroPoint)") }
        if tb { w = IntTensor(shape: [w.shape[1], w.shape[0]], data: Kernels.transpose2(w.data, rows: w.shape[0], cols: w.shape[1])) }
        let n = w.shape[1]
        var bias: [Double] = []
        if ins.count > 2 && beta != 0 {
          guard case .constant(let c) = ins[2] else { throw .unsupported(node: node.name, message: "bias must be a float initializer") }
          bias = try perChannel(c, channels: n, node: node).map { $0 * beta }
        }
        let sumW = qx.zeroPoint == 0 ? [] : (0..<n).map { j in
          Double(qx.zeroPoint) * Double((0..<w.shape[0]).reduce(Int64(0)) { $0 + w.data[$1 * n + j] })
        }
        let acc = append(.matmul(x: x, weights: w), shape: node.shape, name: node.name, source: index)
        let accOrRounded = rounded(acc, name: node.name, source: index)
        result = .chain(source: accOrRounded, steps: [.accumulator(m: qx.scale * qw.scale, final: 0, sumW: sumW, bias: bias)], last: nil, members: [])
      case .flatten, .reshape:
        let (x, q) = try materialize(ins[0], for: node, operand: 0)
        result = .integer(node: append(.reshape(x: x), shape: node.shape, name: node.name, source: index), quantizer: q)
      case .add:
        switch (ins[0], ins[1]) {
        case (.constant(let c), let v), (let v, .constant(let c)):
          let (s, steps, members) = try chain(v, node: node)
          let channels = node.shape.count >= 2 ? node.shape[1] : 1
          result = .chain(source: s, steps: steps + [.addConstant(try perChannel(c, channels: channels, node: node))], last: nil, members: members + [index])
        default:
          guard let calibration else {
            throw .unsupported(node: node.name, message: "an Add of two integer tensors needs calibration statistics")
          }
          // Common scale fitted on the raw float sum with model_outputs bits; zero point 0.
          let (sOut, _) = QuantMath.fitParameters(
            rmin: calibration.minimum[index], rmax: calibration.maximum[index], bits: bits.modelOutputs, qat: false)
          var operands: [Int] = []
          // Both operands' integers first, then both rescales (Concrete's node order).
          let materialized = [try materialize(ins[0], for: node, operand: 0), try materialize(ins[1], for: node, operand: 1)]
          for (k, (x, q)) in materialized.enumerated() {
            let f = FusedFunction(steps: [.dequantize(scale: q.scale, zeroPoint: q.zeroPoint)], rounding: .rescale(scale: sOut, zeroPoint: 0))
            operands.append(append(.lookup(x: x, function: f), shape: program.nodes[x].shape, name: node.name + "/rescale\(k)", source: index))
          }
          let sum = append(.add(operands[0], operands[1]), shape: node.shape, name: node.name, source: index)
          result = .chain(source: sum, steps: [.dequantize(scale: sOut, zeroPoint: 0)], last: nil, members: [])
        }
      case .pad, .transpose:
        throw .unsupported(node: node.name, message: "'\(node.op)' on quantized values is not lowered yet")
      }
      lowered.append(result)
    }
    for out in outputs {
      // A graph output is materialized like an integer op's operand.
      let consumer = Node(op: .identity, inputs: [out], name: nodes[out].name)
      program.outputs.append(try materialize(lowered[out], for: consumer, operand: 0))
    }
    for k in inputs.indices where !quantizedInputs.contains(k) && calibratedInputs[k] == nil {
      throw .unsupported(node: nodes[inputs[k]].name, message: "graph input is not used by the computation")
    }
    return program
  }
}
