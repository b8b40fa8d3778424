import Foundation
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
    /// Brevitas-quantized constant: integers, their quantizer, and the fake-quantized values as
    /// Concrete-ML's numpy forward computes them (float32).
    case quantizedConstant(IntTensor, Quantizer, FloatTensor)

    var isConstant: Bool {
      switch self {
      case .constant, .quantizedConstant: true
      default: false
      }
    }

    /// The float values of a constant (fake-quantized values for quantized constants).
    var constantValues: FloatTensor? {
      switch self {
      case .constant(let t), .quantizedConstant(_, _, let t): t
      default: nil
      }
    }
  }

  /// Concrete-ML's quantization of a float constant used as weights (`_process_initializer`):
  /// signed, `bits`, QAT (zero point 0), `s = (max - min)/(2^n - 1)` over the values; the
  /// min/max difference and the quantization run in float32 as numpy does on float32 arrays
  /// (`rint(v / float32(s))`, clipped to the signed range). A single repeated value gets
  /// Concrete-ML's single-value parameters (offset 0).
  public static func quantizeWeights(_ t: FloatTensor, bits n: Int) -> (IntTensor, Quantizer) {
    let v = t.data.map { Float($0) }
    let lo = v.min() ?? 0, hi = v.max() ?? 0
    var q: Quantizer
    if hi - lo < 1e-6 {
      q = abs(hi) < 1e-6
        ? Quantizer(bits: n, isSigned: false, scale: 1, zeroPoint: Int64(roundHalfEven(-Double(lo))))
        : Quantizer(bits: n, isSigned: false, scale: Double(hi))
    } else {
      q = Quantizer(bits: n, isSigned: true, scale: Double(hi - lo) / Double((Int64(1) << Int64(n)) - 1))
    }
    let s = Float(q.scale), z = Float(q.zeroPoint)
    let data = v.map { x -> Int64 in
      let y = (x / s + z).rounded(.toNearestOrEven)
      return Int64(Swift.min(Swift.max(Double(y), Double(q.lowerBound)), Double(q.upperBound)))
    }
    return (IntTensor(shape: t.shape, data: data), q)
  }

  /// A constant broadcast against a value of `shape`: one value, or one per channel (axis 1,
  /// numpy's right-aligned broadcasting). Nil for any other layout.
  static func channelConstant(_ c: FloatTensor, against shape: [Int]) -> [Double]? {
    if c.count == 1 { return c.data }
    guard c.shape.count <= shape.count, shape.count >= 2 else { return nil }
    let padded = Array(repeating: 1, count: shape.count - c.shape.count) + c.shape
    for (k, d) in padded.enumerated() where d != 1 && k != 1 { return nil }
    return padded[1] == shape[1] ? c.data : nil
  }

  /// Quantizes and fuses the graph into an integer program (Concrete-ML 1.9 QAT rules): Brevitas
  /// quantizers are taken over, float chains between integer ops become table lookups, an Add or
  /// Sub of two integer tensors is rescaled to the calibrated common scale, a Mul of two is an
  /// encrypted product, ops on constants are folded, float weights are quantized with
  /// `op_weights` bits.
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
    let graphOutputs = Set(outputs)
    /// Spatial pads `[top, left, bottom, right]` of a Pad fused into the Conv that reads it.
    var fusedPads: [Int: [Int]] = [:]
    let consumers: [Int: [Int]] = {
      var c: [Int: [Int]] = [:]
      for (k, n) in nodes.enumerated() { for i in n.inputs { c[i, default: []].append(k) } }
      return c
    }()

    func append(_ op: IntegerProgram.Op, shape: [Int], name: String, source: Int? = nil) -> Int {
      program.nodes.append(IntegerProgram.Node(op: op, shape: shape, name: name, sources: source.map { [$0] } ?? []))
      if roundingThresholdBits != nil {
        values.append(program.evaluateNode(program.nodes.count - 1, inputs: evaluationInputs, values: values))
      }
      return program.nodes.count - 1
    }

    /// The accumulator, rounded to `roundingThresholdBits` significant bits when asked.
    ///
    /// The bits removed are fitted on the inputset as Concrete-ML's QAT calibration fits them
    /// (`post_training._calibrate_layers_activation`): each op reads its inputs from the float
    /// forward re-quantized, so a rounding never changes the ranges later ops calibrate on
    /// (`values` keeps the unrounded integers), except inside the op that rounds
    /// (`withinOp`: an encrypted Mul's product is calibrated on its rounded operands).
    func rounded(_ acc: Int, name: String, source: Int, withinOp: Bool = false) -> Int {
      guard let r = roundingThresholdBits, let lo = values[acc].data.min(), let hi = values[acc].data.max() else { return acc }
      let lsbs = max(0, QuantMath.bitWidth(lo: lo, hi: hi) - r)
      guard lsbs > 0 else { return acc }
      let node = append(.round(x: acc, lsbs: lsbs), shape: program.nodes[acc].shape, name: name, source: source)
      if !withinOp { values[node] = values[acc] }
      return node
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

    /// The integers of graph node `i` as operand `operand` of `node`, made once: a Quant's table
    /// is shared by every integer op that reads it, as Concrete-ML computes a Quant's integers once.
    var materialized: [Int: (Int, Quantizer)] = [:]
    func integers(_ i: Int, for node: Node, operand: Int) throws(QNNError) -> (Int, Quantizer) {
      if let m = materialized[i] { return m }
      let m = try materialize(lowered[i], for: node, operand: operand)
      materialized[i] = m
      return m
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

    /// Weights of a Conv/Gemm/MatMul: a Brevitas-quantized constant as it is, a float constant
    /// (e.g. folded `Quant -> Transpose`) re-quantized with `op_weights` bits.
    func weights(_ v: Lowered, node: Node) throws(QNNError) -> (IntTensor, Quantizer) {
      switch v {
      case .quantizedConstant(let w, let q, _): return (w, q)
      case .constant(let t): return Self.quantizeWeights(t, bits: bits.modelInputs)
      default: throw .unsupported(node: node.name, message: "weights must be constant (encrypted weights are not supported)")
      }
    }

    /// The continuation of an accumulator, or — when the node is a graph output — the accumulator
    /// itself with Concrete-ML's output quantizer (`s = m`, zero point `sumW - final - bias/m` per
    /// channel, the bias term in float32 as numpy computes it).
    func accumulatorResult(_ acc: Int, index: Int, m: Double, weightScale: Double, sumW: [Double], bias: [Double], channels: Int) -> Lowered {
      if graphOutputs.contains(index) {
        var zps: [Double]? = nil
        if !bias.isEmpty || !sumW.isEmpty {
          zps = (0..<channels).map { c in
            FloatStep.at(sumW, c) + (bias.isEmpty ? 0 : Double(Float(FloatStep.at(bias, c)) / Float(-m)))
          }
        }
        return .integer(node: acc, quantizer: Quantizer(bits: bits.modelOutputs, isSigned: false, scale: m, channelZeroPoints: zps))
      }
      let source: Int
      if let l = powerOfTwoLsbs(start: index, weightScale: weightScale) {
        source = append(.round(x: acc, lsbs: l), shape: program.nodes[acc].shape, name: nodes[index].name, source: index)
      } else {
        source = rounded(acc, name: nodes[index].name, source: index)
      }
      return .chain(source: source,
                    steps: [.accumulator(m: m, final: 0, sumW: sumW, bias: bias)], last: nil, members: [])
    }

    /// A Conv/Gemm bias: a float constant joins the float continuation; a Brevitas-quantized one
    /// (a `Quant` of a constant, e.g. `Int32Bias`) adds its integers to the accumulator before
    /// any rounding, as `QuantizedGemm`/`QuantizedConv` do for `is_precomputed_qat` biases (its
    /// scale must be the accumulator's); as a graph output its float values go to the zero point.
    func biasTerm(_ b: Lowered, channels: Int, m: Double, beta: Double, index: Int, node: Node) throws(QNNError) -> ([Double], IntTensor?) {
      switch b {
      case .constant(let c): return (try perChannel(c, channels: channels, node: node).map { $0 * beta }, nil)
      case .quantizedConstant(let k, let q, let fake):
        if graphOutputs.contains(index) { return (try perChannel(fake, channels: channels, node: node).map { $0 * beta }, nil) }
        // numpy.isclose's default tolerances.
        guard beta == 1, abs(q.scale - m) <= 1e-8 + 1e-5 * abs(m), k.count == channels else {
          throw .unsupported(node: node.name, message: "a quantized bias needs beta = 1, one value per channel and the scale of input × weights (\(m)), found scale \(q.scale)")
        }
        return ([], IntTensor(shape: [channels], data: k.data))
      default:
        throw .unsupported(node: node.name, message: "bias must be a constant (float, or a Brevitas Quant of one)")
      }
    }

    /// Concrete-ML's power-of-two rounding (`PowerOfTwoScalingRoundPBSAdapter`, only without
    /// `rounding_threshold_bits`): for `Quant(p) -> Gemm/Conv(start) -> Relu -> Quant(q) ->
    /// Gemm/Conv`, when `s_p`, the start's weight scale `s_w` and `s_q` are all powers of two
    /// (1 % tolerance), the start's accumulator loses `-(log2 s_p + log2 s_w - log2 s_q)` bits.
    func powerOfTwoLsbs(start: Int, weightScale: Double) -> Int? {
      guard roundingThresholdBits == nil, let p = nodes[start].inputs.first, case .quant(let bp) = nodes[p].op else { return nil }
      func log2(_ v: Double) -> Int? {
        let l = Int(roundHalfEven(Foundation.log2(v)))
        return Swift.abs(Foundation.pow(2.0, Double(l)) - v) <= 1e-8 + 0.01 * Swift.abs(v) ? l : nil
      }
      func isMixing(_ op: Op) -> Bool {
        switch op {
        case .conv, .gemm, .matmul: true
        default: false
        }
      }
      for r in consumers[start] ?? [] where nodes[r].op == .relu {
        for q in consumers[r] ?? [] {
          guard case .quant(let bq) = nodes[q].op,
            (consumers[q] ?? []).contains(where: { isMixing(nodes[$0].op) && nodes[$0].inputs.first == q })
          else { continue }
          guard let li = log2(Double(bp.scale)), let lw = log2(weightScale), let lo = log2(Double(bq.scale)) else { return nil }
          let lsbs = -(li + lw - lo)
          return lsbs > 0 ? lsbs : nil
        }
      }
      return nil
    }

    // Who reads each node: an input read by more than its one Quant gets a calibrated quantizer,
    // and a Quant read by an integer op gets its table at once (Concrete-ML computes a Quant's
    // integers where the Quant is).
    var constantNode = [Bool](repeating: false, count: nodes.count)
    for (i, n) in nodes.enumerated() {
      switch n.op {
      case .input: break
      case .constant: constantNode[i] = true
      default: constantNode[i] = n.inputs.allSatisfy { constantNode[$0] }
      }
    }
    func readsIntegers(_ c: Int, from i: Int) -> Bool {
      let n = nodes[c]
      switch n.op {
      case .conv, .averagePool, .maxPool, .gemm, .matmul, .flatten, .reshape, .pad, .transpose, .reduceSum, .gather, .slice, .squeeze: return n.inputs.first == i
      case .concat: return true
      case .binary: return !n.inputs.contains { $0 != i && constantNode[$0] }
      default: return false
      }
    }

    // Every node the lowering cannot take is reported, not only the first: a failed node's
    // readers are skipped (they would only repeat it) and the errors are thrown together.
    var problems: [QNNError] = []
    var failed = Set<Int>()
    let placeholder = Lowered.constant(FloatTensor(shape: [0], data: []))
    for (index, node) in nodes.enumerated() {
      if node.inputs.contains(where: failed.contains) {
        failed.insert(index)
        lowered.append(placeholder)
        continue
      }
      do throws(QNNError) {
        let ins = node.inputs.map { lowered[$0] }
        // Constant folding: every op on constants only is evaluated once in float (a Quant of a
        // constant gives quantized weights).
        if !ins.isEmpty && ins.allSatisfy(\.isConstant) {
          if case .quant(let b) = node.op {
            let t = ins[0].constantValues!
            let k = t.data.map { b.integer($0) }
            guard k.allSatisfy({ $0.isFinite && abs($0) < 9e18 }) else {
              throw .unsupported(node: node.name, message: "quantizing this constant gives non-finite integers (scale \(b.scale))")
            }
            let fake = k.map { Double(Float(($0 - Double(b.zeroPoint)) * Double(b.scale))) }
            lowered.append(.quantizedConstant(IntTensor(shape: t.shape, data: k.map { Int64($0) }), b.quantizer, FloatTensor(shape: t.shape, data: fake)))
          } else {
            lowered.append(.constant(try floatValue(of: node, inputs: ins.map { $0.constantValues! })))
          }
          continue
        }
        let result: Lowered
        switch node.op {
        case .input(let k): result = .rawInput(k)
        case .constant(let t): result = .constant(t)
        case .quant(let b):
          switch ins[0] {
          case .rawInput(let k) where consumers[inputs[k], default: []].count == 1:
            quantizedInputs.insert(k)
            program.inputQuantizers[k] = b.quantizer
            if let inputset, k < inputset.count {
              evaluationInputs[k] = IntTensor(shape: inputset[k].shape, data: inputset[k].doubleValues.map(b.quantizer.quantize))
            }
            let n = append(.input(index: k, quantizer: b.quantizer), shape: nodes[node.inputs[0]].shape, name: nodes[node.inputs[0]].name, source: index)
            result = .integer(node: n, quantizer: b.quantizer)
          case .integer(_, let q) where q == b.quantizer:
            result = ins[0]  // pass-through: identical quantizer
          default:
            let (s, steps, members) = try chain(ins[0], node: node)
            result = .chain(source: s, steps: steps + [.fakeQuant(b)], last: b, members: members + [index])
          }
        case .identity: result = ins[0]
        case .relu, .sigmoid:
          let (s, steps, members) = try chain(ins[0], node: node)
          result = .chain(source: s, steps: steps + [node.op == .relu ? .relu : .sigmoid], last: nil, members: members + [index])
        case .unary(let f):
          let (s, steps, members) = try chain(ins[0], node: node)
          result = .chain(source: s, steps: steps + [.unary(f)], last: nil, members: members + [index])
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
          let (x, qx) = try integers(node.inputs[0], for: node, operand: 0)
          var (w, qw) = try weights(ins[1], node: node)
          guard qw.zeroPoint == 0 else { throw .unsupported(node: node.name, message: "weight zero point must be 0, found \(qw.zeroPoint)") }
          // A 1-D convolution is a 2-D one of height 1 (weights `O×C×1×K`).
          var convPads = pads
          if let extra = fusedPads[node.inputs[0]] {
            let p = pads.isEmpty ? [0, 0, 0, 0] : pads
            convPads = zip(p, extra).map(+)
          }
          let (_, w4, pads2, strides2) = Kernels.conv2dForm(program.nodes[x].shape, w.shape, pads: convPads, strides: strides)
          w = IntTensor(shape: w4, data: w.data)
          var bias: [Double] = []
          var integerBias: IntTensor? = nil
          if ins.count > 2 {
            (bias, integerBias) = try biasTerm(ins[2], channels: w.shape[0], m: qx.scale * qw.scale, beta: 1, index: index, node: node)
            // Broadcast over the spatial axes: `[1, C, 1, 1]` (2-D), `[1, C, 1]` (1-D, added after
            // the collapse back from the 2-D convolution, as Concrete does).
            let spatial = [Int](repeating: 1, count: max(0, node.shape.count - 2))
            integerBias = integerBias.map { IntTensor(shape: [1, $0.count] + spatial, data: $0.data) }
          }
          let o = w.shape[0]
          let perOut = w.count / o
          let sumW = qx.zeroPoint == 0 ? [] : (0..<o).map { c in Double(qx.zeroPoint) * Double(w.data[c * perOut..<(c + 1) * perOut].reduce(0, +)) }
          var acc = append(
            .conv(x: x, weights: w, pads: pads2, strides: strides2, group: group, padValue: qx.zeroPoint), shape: node.shape, name: node.name, source: index)
          if let b = integerBias { acc = append(.addConstant(x: acc, values: b), shape: node.shape, name: node.name, source: index) }
          result = accumulatorResult(acc, index: index, m: qx.scale * qw.scale, weightScale: qw.scale, sumW: sumW, bias: bias, channels: o)
        case .averagePool(let k, let pads, let strides):
          // Concrete-ML's QuantizedAvgPool: the window sum as a convolution with a channel-diagonal
          // kernel of ones (group 1), padded with the input zero point, then `· (1/K) · s_in`.
          let (x, qx) = try integers(node.inputs[0], for: node, operand: 0)
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
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          result = .integer(node: append(.maxPool(x: x, kernel: k, strides: strides), shape: node.shape, name: node.name, source: index), quantizer: q)
        case .gemm, .matmul:
          var (alpha, beta, ta, tb) = (1.0, 1.0, false, false)
          if case .gemm(let a, let b, let x, let y) = node.op { (alpha, beta, ta, tb) = (a, b, x, y) }
          guard alpha == 1, !ta else { throw .unsupported(node: node.name, message: "Gemm needs alpha = 1 and transA = 0") }
          let (x, qx) = try integers(node.inputs[0], for: node, operand: 0)
          var (w, qw) = try weights(ins[1], node: node)
          guard qw.zeroPoint == 0 else { throw .unsupported(node: node.name, message: "weight zero point must be 0, found \(qw.zeroPoint)") }
          if tb { w = IntTensor(shape: [w.shape[1], w.shape[0]], data: Kernels.transpose2(w.data, rows: w.shape[0], cols: w.shape[1])) }
          let n = w.shape[1]
          var bias: [Double] = []
          var integerBias: IntTensor? = nil
          if ins.count > 2 && beta != 0 {
            (bias, integerBias) = try biasTerm(ins[2], channels: n, m: qx.scale * qw.scale, beta: beta, index: index, node: node)
          }
          let sumW = qx.zeroPoint == 0 ? [] : (0..<n).map { j in
            Double(qx.zeroPoint) * Double((0..<w.shape[0]).reduce(Int64(0)) { $0 + w.data[$1 * n + j] })
          }
          var acc = append(.matmul(x: x, weights: w), shape: node.shape, name: node.name, source: index)
          if let b = integerBias { acc = append(.addConstant(x: acc, values: b), shape: node.shape, name: node.name, source: index) }
          result = accumulatorResult(acc, index: index, m: qx.scale * qw.scale, weightScale: qw.scale, sumW: sumW, bias: bias, channels: n)
        case .flatten, .reshape, .squeeze:
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          result = .integer(node: append(.reshape(x: x), shape: node.shape, name: node.name, source: index), quantizer: q)
        case .binary(let f):
          if let k = ins.firstIndex(where: \.isConstant) {
            // A computed value and a constant: one more float step of the chain.
            let c = ins[k].constantValues!
            guard let perChannel = Self.channelConstant(c, against: node.shape) else {
              throw .unsupported(node: node.name, message: "constant of shape \(c.shape) is neither a scalar nor per channel of \(node.shape)")
            }
            let (s, steps, members) = try chain(ins[1 - k], node: node)
            result = .chain(source: s, steps: steps + [.constant(f, perChannel, constantFirst: k == 0)], last: nil, members: members + [index])
            break
          }
          let (sa, stepsA, membersA) = try chain(ins[0], node: node)
          let (sb, stepsB, membersB) = try chain(ins[1], node: node)
          if sa == sb {
            // Both from one integer tensor: still univariate, fused into the next lookup.
            guard nodes[node.inputs[0]].shape == nodes[node.inputs[1]].shape else {
              throw .unsupported(node: node.name, message: "a broadcasting \(f) of one tensor with itself is not supported")
            }
            result = .chain(source: sa, steps: [.combine(f, stepsA, stepsB)], last: nil, members: membersA + membersB + [index])
            break
          }
          switch f {
          case .add, .sub:
            guard let calibration else {
              throw .unsupported(node: node.name, message: "an \(f) of two encrypted tensors needs calibration statistics")
            }
            // Both operands' integers first, then both rescales (Concrete's node order).
            let (x0, q0) = try integers(node.inputs[0], for: node, operand: 0)
            let (x1, q1) = try integers(node.inputs[1], for: node, operand: 1)
            // Common scale: the calibrated output's, fitted with model_outputs bits (zero point 0);
            // as a graph output, the smaller input scale.
            let sOut = graphOutputs.contains(index)
              ? min(q0.scale, q1.scale)
              : QuantMath.fitParameters(rmin: calibration.minimum[index], rmax: calibration.maximum[index], bits: bits.modelOutputs, qat: false).0
            var operands: [Int] = []
            for (k, (x, q)) in [(x0, q0), (x1, q1)].enumerated() {
              let fn = FusedFunction(steps: [.dequantize(scale: q.scale, zeroPoint: q.zeroPoint)], rounding: .rescale(scale: sOut, zeroPoint: 0))
              operands.append(append(.lookup(x: x, function: fn), shape: program.nodes[x].shape, name: node.name + "/rescale\(k)", source: index))
            }
            let sum = append(.add(operands[0], operands[1], negate: f == .sub), shape: node.shape, name: node.name, source: index)
            result = graphOutputs.contains(index)
              ? .integer(node: sum, quantizer: Quantizer(bits: bits.modelOutputs, isSigned: true, scale: sOut))
              : .chain(source: sum, steps: [.dequantize(scale: sOut, zeroPoint: 0)], last: nil, members: [])
          case .mul:
            // Concrete-ML's QuantizedMul: each operand through an identity table (a copy, so
            // that the product's precision does not spread to other readers), the encrypted
            // product, `+ z0·z1`, then `· s0·s1` in the next lookup.
            let (x0, q0) = try integers(node.inputs[0], for: node, operand: 0)
            let (x1, q1) = try integers(node.inputs[1], for: node, operand: 1)
            guard q0.zeroPoint == 0, q1.zeroPoint == 0 else {
              throw .unsupported(node: node.name, message: "an encrypted product of operands with nonzero zero points is not supported")
            }
            // With rounding_threshold_bits, each operand and the product are rounded first, as
            // accumulators are (`cnp_round`).
            let copy = FusedFunction(steps: [], rounding: .rescale(scale: 1, zeroPoint: 0))
            let r0 = rounded(x0, name: node.name, source: index, withinOp: true)
            let r1 = rounded(x1, name: node.name, source: index, withinOp: true)
            let c0 = append(.lookup(x: r0, function: copy), shape: program.nodes[x0].shape, name: node.name + "/copy0", source: index)
            let c1 = append(.lookup(x: r1, function: copy), shape: program.nodes[x1].shape, name: node.name + "/copy1", source: index)
            let product = append(.mul(c0, c1), shape: node.shape, name: node.name, source: index)
            let scale = q0.scale * q1.scale
            if graphOutputs.contains(index) {
              result = .integer(node: product, quantizer: Quantizer(bits: bits.modelOutputs, isSigned: true, scale: scale))
            } else {
              // `+ z0·z1` (0: nonzero zero points are refused above) is an encrypted addition
              // without rounding; with rounding the product is rounded first and the addition
              // fuses into the next lookup (QuantizedMul.q_impl rounds `product_q_values`).
              let source = roundingThresholdBits == nil
                ? append(.addScalar(x: product, value: q0.zeroPoint * q1.zeroPoint), shape: node.shape, name: node.name, source: index)
                : rounded(product, name: node.name, source: index)
              result = .chain(source: source, steps: [.dequantize(scale: scale, zeroPoint: 0)], last: nil, members: [])
            }
          case .div, .pow, .max, .min, .prelu, .equal, .greater, .greaterOrEqual, .less, .lessOrEqual, .or:
            throw .unsupported(node: node.name, message: "\(f) of two encrypted tensors is not supported (only with a constant, or both operands from one tensor)")
          }
        case .gather(let axis, let at, let indexShape):
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          let dim = program.nodes[x].shape[axis]
          let indices = at.map { $0 < 0 ? $0 + dim : $0 }
          result = .integer(
            node: append(.gather(x: x, axis: axis, indices: indices, indexShape: indexShape), shape: node.shape, name: node.name, source: index),
            quantizer: q)
        case .concat(let axis):
          // Moves integers: every operand must carry the same quantizer (Concrete-ML asserts it).
          var xs: [Int] = []
          var quantizer: Quantizer?
          for k in node.inputs.indices {
            let (x, q) = try integers(node.inputs[k], for: node, operand: k)
            if let first = quantizer, first != q {
              throw .unsupported(node: node.name, message: "Concat operands must share one quantizer (scale and zero point); operand \(k) has \(q), operand 0 \(first)")
            }
            quantizer = q
            xs.append(x)
          }
          result = .integer(node: append(.concat(xs, axis: axis), shape: node.shape, name: node.name, source: index), quantizer: quantizer!)
        case .reduceSum(let axes, let keep):
          // Concrete-ML's QuantizedReduceSum: the integer sum, minus `n·z`, rounded like an
          // accumulator, then `· s` in the next lookup (as a graph output: the sum, zero point n·z).
          guard !axes.contains(0) else {
            throw .unsupported(node: node.name, message: "ReduceSum over the batch axis 0 is not supported")
          }
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          let count = axes.reduce(1) { $0 * program.nodes[x].shape[$1] }
          let sum = append(.sum(x: x, axes: axes, keepDims: keep), shape: node.shape, name: node.name, source: index)
          let zeroPoint = Int64(count) * q.zeroPoint
          if graphOutputs.contains(index) {
            result = .integer(node: sum, quantizer: Quantizer(bits: bits.modelOutputs, isSigned: false, scale: q.scale, zeroPoint: zeroPoint))
          } else {
            let centered = append(.subScalar(x: sum, value: zeroPoint), shape: node.shape, name: node.name, source: index)
            result = .chain(source: rounded(centered, name: node.name, source: index), steps: [.dequantize(scale: q.scale, zeroPoint: 0)], last: nil, members: [])
          }
        case .pad(let pads, let value):
          // onnxoptimizer's fuse_pad_into_conv (which Concrete-ML runs on the QAT graph): a zero
          // Pad of the spatial axes read only by a Conv becomes that Conv's padding.
          let r = nodes[node.inputs[0]].shape.count
          let readers = consumers[index] ?? []
          guard value == 0, r == 4, pads.count == 8, pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0 else {
            throw .unsupported(node: node.name, message: "only a Pad of H and W with the constant 0 is supported on quantized values (as in Concrete-ML)")
          }
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          let spatial = [Int(pads[2]), Int(pads[3]), Int(pads[6]), Int(pads[7])]
          if readers.count == 1, case .conv = nodes[readers[0]].op, nodes[readers[0]].inputs.first == index {
            fusedPads[index] = spatial
            result = .integer(node: x, quantizer: q)
          } else {
            // Concrete-ML's QuantizedPad: the integers embedded in a tensor of the zero point.
            result = .integer(node: append(.pad(x: x, pads: spatial, value: q.zeroPoint), shape: node.shape, name: node.name, source: index), quantizer: q)
          }
        case .transpose(let perm):
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          let p = perm.isEmpty ? Array((0..<node.shape.count).reversed()) : perm
          guard p.first == 0 else { throw .unsupported(node: node.name, message: "a Transpose that moves the batch axis 0 is not supported") }
          result = .integer(node: append(.transpose(x: x, perm: p), shape: node.shape, name: node.name, source: index), quantizer: q)
        case .slice(let starts, let ends, let axes, let steps):
          let (x, q) = try integers(node.inputs[0], for: node, operand: 0)
          let xs = program.nodes[x].shape
          guard let (begin, size, step) = SliceMath.normalize(xs, starts: starts, ends: ends, axes: axes, steps: steps),
            begin[0] == 0, size[0] == xs[0], step.allSatisfy({ $0 > 0 })
          else {
            throw .unsupported(node: node.name, message: "only slices with positive steps that keep the batch axis are supported on quantized values")
          }
          result = .integer(node: append(.slice(x: x, begin: begin, size: size, step: step), shape: node.shape, name: node.name, source: index), quantizer: q)
        }
        lowered.append(result)
        // A Quant whose integers an integer op (or the graph output) reads gets its table here.
        if case .quant = node.op, case .chain(_, _, .some, _) = result,
          graphOutputs.contains(index) || (consumers[index] ?? []).contains(where: { readsIntegers($0, from: index) })
        {
          _ = try integers(index, for: Node(op: .identity, inputs: [index], name: node.name), operand: 0)
        }
      } catch {
        guard case .unsupported = error else { throw error }
        problems.append(error)
        failed.insert(index)
        if lowered.count == index { lowered.append(placeholder) }
      }
    }
    if problems.count == 1 { throw problems[0] }
    if !problems.isEmpty { throw .several(problems) }
    for out in outputs {
      // A graph output is materialized like an integer op's operand; a float computation that
      // does not end in a Quant gets Concrete-ML's calibrated output quantizer (model_outputs
      // bits, unsigned, fitted on the calibrated range).
      let consumer = Node(op: .identity, inputs: [out], name: nodes[out].name)
      if case .chain(let source, let steps, nil, let members) = lowered[out], materialized[out] == nil {
        guard let calibration else {
          throw .unsupported(node: nodes[out].name, message: "a float graph output needs calibration statistics")
        }
        let (s, z) = QuantMath.fitParameters(
          rmin: calibration.minimum[out], rmax: calibration.maximum[out], bits: bits.modelOutputs, qat: false, float32Range: true)
        let q = Quantizer(bits: bits.modelOutputs, isSigned: false, scale: s, zeroPoint: z)
        let n = append(.lookup(x: source, function: FusedFunction(steps: steps, rounding: .quantize(q))), shape: program.nodes[source].shape, name: nodes[out].name)
        program.nodes[n].sources = members
        materialized[out] = (n, q)
      }
      program.outputs.append(try integers(out, for: consumer, operand: 0))
    }
    for k in inputs.indices where !quantizedInputs.contains(k) && calibratedInputs[k] == nil {
      throw .unsupported(node: nodes[inputs[k]].name, message: "graph input is not used by the computation")
    }
    program.pruneDeadNodes()
    return program
  }
}
