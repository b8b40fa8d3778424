import TorusFormats
import TorusQNN

/// One float step of a fused chain, applied per element; per-channel constants index axis 1.
public enum FloatStep: Sendable, Equatable {
  /// Accumulator to float: `((acc + final) - sumW[c]) · m + bias[c]` (Conv/Gemm continuation).
  case accumulator(m: Double, final: Double, sumW: [Double], bias: [Double])
  /// `s · (q - z)`.
  case dequantize(scale: Double, zeroPoint: Int64)
  /// `((x - mean[c]) / d[c]) · gamma[c] + beta[c]`, `d` computed in float32.
  case batchNorm(mean: [Double], denominator: [Double], gamma: [Double], beta: [Double])
  case relu
  case sigmoid
  /// Brevitas fake quantization `(roundHalfEven(clip(x/S + Z)) - Z) · S`.
  case fakeQuant(BrevitasQuant)
  /// A univariate activation (Tanh, Erf, LeakyRelu, Clip, …).
  case unary(UnaryFunction)
  /// `x ∘ c[channel]`, or `c[channel] ∘ x` when `constantFirst` (one value broadcasts).
  case constant(BinaryFunction, [Double], constantFirst: Bool)
  /// `lhs(x) ∘ rhs(x)`: a binary op of two float chains of the same integer tensor (SiLU's
  /// `x · sigmoid(x)`, GELU), both applied to this step's input.
  indirect case combine(BinaryFunction, [FloatStep], [FloatStep])

  @inline(__always) static func at(_ a: [Double], _ c: Int) -> Double { a.isEmpty ? 0 : a[a.count == 1 ? 0 : c] }

  @inline(__always) func apply(_ x: Double, channel c: Int) -> Double {
    switch self {
    case .accumulator(let m, let final, let sumW, let bias):
      return ((x + final) - FloatStep.at(sumW, c)) * m + FloatStep.at(bias, c)
    case .dequantize(let s, let z): return s * (x - Double(z))
    case .batchNorm(let mean, let d, let g, let b): return ((x - mean[c]) / d[c]) * g[c] + b[c]
    case .relu: return max(x, 0)
    case .sigmoid: return QuantMath.sigmoid(x)
    case .fakeQuant(let q): return q.fakeQuantize(x)
    case .unary(let f): return f.apply(x)
    case .constant(let f, let k, let first): return first ? f.apply(FloatStep.at(k, c), x) : f.apply(x, FloatStep.at(k, c))
    case .combine(let f, let lhs, let rhs):
      var a = x, b = x
      for s in lhs { a = s.apply(a, channel: c) }
      for s in rhs { b = s.apply(b, channel: c) }
      return f.apply(a, b)
    }
  }

  var channelCount: Int {
    switch self {
    case .accumulator(_, _, let s, let b): max(s.count, b.count)
    case .batchNorm(let m, _, _, _): m.count
    case .constant(_, let k, _): k.count
    case .combine(_, let lhs, let rhs): (lhs + rhs).map(\.channelCount).max() ?? 1
    default: 1
    }
  }
}

/// A univariate integer function: float steps, then a final integer rounding.
/// This is the content of one table lookup (one table per channel when constants differ).
public struct FusedFunction: Sendable, Equatable {
  /// How the float result becomes an integer.
  public enum Rounding: Sendable, Equatable {
    /// `clip(roundHalfEven(x/s + z), lo, hi)`.
    case quantize(Quantizer)
    /// `roundHalfEven(x/s + z)` without clipping (Concrete-ML 1.9's operand rescale of an Add).
    case rescale(scale: Double, zeroPoint: Int64)
  }
  public var steps: [FloatStep]
  public var rounding: Rounding

  public init(steps: [FloatStep], rounding: Rounding) {
    self.steps = steps
    self.rounding = rounding
  }

  /// Number of distinct channel functions (1 when no step has per-channel constants).
  public var channelCount: Int { steps.map(\.channelCount).max() ?? 1 }

  @inline(__always) public func apply(_ v: Int64, channel c: Int) -> Int64 {
    var x = Double(v)
    for s in steps { x = s.apply(x, channel: c) }
    switch rounding {
    case .quantize(let q): return q.quantize(x)
    case .rescale(let s, let z): return Int64(roundHalfEven(x / s + Double(z)))
    }
  }
}

/// How accumulators lose their low bits before a lookup (Concrete-ML's `rounding_threshold_bits`).
public struct AccumulatorRounding: Sendable, Equatable {
  public enum Method: String, Sendable, CaseIterable {
    /// `FHE.round`: exact in every mode; costs bit-extraction bootstraps (one per dropped bit, or
    /// two per chunk of bits), and the accumulator's noise must stay below its full width.
    case exact
    /// Reinterpret the ciphertext at the lower precision, so that the next lookup's own bootstrap
    /// rounds: no extra bootstrap. The accumulator gets one more bit, so that rounding up at the
    /// top of its range carries instead of wrapping. In the clear `(x + 2^(l-1)) >> l`, as
    /// `exact` where nothing wraps; encrypted, a value whose dropped bits sit within the noise of
    /// the half-way point may round the other way (one step off).
    case approximate
  }

  /// Significant bits kept (Concrete-ML accepts 2…8).
  public var thresholdBits: Int
  public var method: Method

  public init(thresholdBits: Int, method: Method = .exact) {
    self.thresholdBits = thresholdBits
    self.method = method
  }
}

/// The integer circuit a QAT graph becomes: leveled integer ops and fused table lookups.
public struct IntegerProgram: Sendable {
  public enum Op: Sendable, Equatable {
    case input(index: Int, quantizer: Quantizer)
    /// Convolution of integers with integer weights `O×I×kh×kw`; padding filled with `padValue`.
    case conv(x: Int, weights: IntTensor, pads: [Int], strides: [Int], group: Int, padValue: Int64)
    /// `x[…, K] · weights[K, N]`.
    case matmul(x: Int, weights: IntTensor)
    /// Window maximum (`FHELinalg.maxpool2d`), no padding.
    case maxPool(x: Int, kernel: [Int], strides: [Int])
    /// Integer reshape (flatten): same values, new batch-1 shape.
    case reshape(x: Int)
    /// Encrypted addition, or subtraction when `negate` (`a + (-1)·b`, as Concrete traces it).
    case add(Int, Int, negate: Bool = false)
    /// Encrypted multiplication of two encrypted tensors (`FHELinalg.mul_eint`).
    case mul(Int, Int)
    /// `x + c` for a clear integer `c` (`FHELinalg.add_eint_int`).
    case addScalar(x: Int, value: Int64)
    /// `x + c` for a clear integer tensor `c`, numpy broadcasting (`FHELinalg.add_eint_int`): a
    /// Brevitas-quantized bias added to its accumulator.
    case addConstant(x: Int, values: IntTensor)
    /// `x - c` for a clear integer `c` (`FHELinalg.sub_eint_int`).
    case subScalar(x: Int, value: Int64)
    /// `x` (rank 4) embedded in a tensor filled with `value`; `pads` = `[top, left, bottom, right]`.
    case pad(x: Int, pads: [Int], value: Int64)
    /// Strided slice of the non-batch axes (`tensor.extract_slice`; steps positive).
    case slice(x: Int, begin: [Int], size: [Int], step: [Int])
    /// Permutation of the non-batch axes (`FHELinalg.transpose`; `perm[0] = 0`).
    case transpose(x: Int, perm: [Int])
    /// Constant indices along an axis, which becomes the indices' shape: one scalar index
    /// (`indexShape` empty, the axis removed: `tensor.extract_slice` + `collapse_shape`) or a
    /// tensor of them (`FHELinalg.fancy_index`). Indices are non-negative here.
    case gather(x: Int, axis: Int, indices: [Int], indexShape: [Int])
    /// Concatenation of integer tensors along an axis (`FHELinalg.concat`).
    case concat([Int], axis: Int)
    /// Sum over axes of a batch-1 tensor (`FHELinalg.sum`).
    case sum(x: Int, axes: [Int], keepDims: Bool)
    /// Table lookup, per channel (axis 1) when the function has per-channel constants.
    case lookup(x: Int, function: FusedFunction)
    /// `round_bit_pattern`: `((x + 2^(l-1)) >> l) << l` (`rounding_threshold_bits`).
    case round(x: Int, lsbs: Int)
  }

  public struct Node: Sendable {
    public var op: Op
    /// Batch-1 shape.
    public var shape: [Int]
    /// Name of the graph node this comes from.
    public var name: String
    /// The `QGraph` nodes this node computes (all ops fused into a lookup).
    public var sources: [Int] = []

    public init(op: Op, shape: [Int], name: String, sources: [Int] = []) {
      self.op = op
      self.shape = shape
      self.name = name
      self.sources = sources
    }
  }

  public init() {}

  /// Drops the nodes no output depends on (a Quant's table made for a consumer that then fused
  /// the float values instead; Concrete prunes them too), renumbering the rest.
  public mutating func pruneDeadNodes() {
    var live = [Bool](repeating: false, count: nodes.count)
    for o in outputs { live[o.node] = true }
    for i in nodes.indices.reversed() {
      if case .input = nodes[i].op { live[i] = true }
      if live[i] { for x in nodes[i].op.operands { live[x] = true } }
    }
    guard live.contains(false) else { return }
    var newIndex = [Int](repeating: -1, count: nodes.count)
    var kept: [Node] = []
    for i in nodes.indices where live[i] {
      newIndex[i] = kept.count
      var n = nodes[i]
      n.op = n.op.mapOperands { newIndex[$0] }
      kept.append(n)
    }
    nodes = kept
    outputs = outputs.map { (newIndex[$0.node], $0.quantizer) }
  }

  public var nodes: [Node] = []
  /// Quantizer of each graph input (what `quantize_input` uses).
  public var inputQuantizers: [Quantizer] = []
  /// Returned nodes and the quantizers that dequantize them.
  public var outputs: [(node: Int, quantizer: Quantizer)] = []
  /// How `round` nodes are lowered (their clear value is the same either way).
  public var roundingMethod: AccumulatorRounding.Method = .exact

  /// Quantizes inputs with the input quantizers (`clip(roundHalfEven(x/s + z))`).
  public func quantizeInputs(_ inputs: [NDArray]) -> [IntTensor] {
    zip(inputs, inputQuantizers).map { a, q in IntTensor(shape: a.shape, data: a.doubleValues.map(q.quantize)) }
  }

  /// Dequantizes output `k` (`s · (q - z)`).
  public func dequantizeOutput(_ k: Int, _ q: IntTensor) -> FloatTensor {
    let quantizer = outputs[k].quantizer
    return FloatTensor(shape: q.shape, data: quantizer.dequantize(q.data, shape: q.shape))
  }

  /// Runs the integer circuit on a batch (axis 0) of quantized inputs; returns every node's value.
  public func evaluate(_ inputs: [IntTensor]) -> [IntTensor] {
    var values: [IntTensor] = []
    values.reserveCapacity(nodes.count)
    for i in nodes.indices { values.append(evaluateNode(i, inputs: inputs, values: values)) }
    return values
  }

  /// The value of node `i`, given the inputs and the values of the nodes before it.
  public func evaluateNode(_ i: Int, inputs: [IntTensor], values: [IntTensor]) -> IntTensor {
    let node = nodes[i]
    switch node.op {
    case .input(let k, _): return inputs[k]
    case .conv(let x, let w, let pads, let strides, let group, let padValue):
      // Weights, pads and strides are in 2-D form; a 1-D input runs at height 1.
      let xs = values[x].shape
      let x4 = xs.count == 3 ? [xs[0], xs[1], 1, xs[2]] : xs
      let (d, s) = Kernels.conv2d(values[x].data, x4, w.data, w.shape, pads: pads, strides: strides, group: group, padValue: padValue)
      return IntTensor(shape: xs.count == 3 ? [s[0], s[1], s[3]] : s, data: d)
    case .matmul(let x, let w):
      let a = values[x]
      let k = w.shape[0], n = w.shape[1]
      let m = a.count / k
      return IntTensor(shape: Array(a.shape.dropLast()) + [n], data: Kernels.matmul(a.data, m: m, k: k, w.data, n: n))
    case .maxPool(let x, let k, let strides):
      let (d, s) = Kernels.maxPool(values[x].data, values[x].shape, kernel: k, strides: strides)
      return IntTensor(shape: s, data: d)
    case .reshape(let x):
      // The batch scales the leading axis, as calibration reshapes (which checked the sizes).
      let a = values[x]
      var shape = node.shape.isEmpty ? [1] : node.shape
      shape[0] *= a.count / max(node.shape.reduce(1, *), 1)
      return IntTensor(shape: shape, data: a.data)
    case .add(let a, let b, let negate):
      let (d, s) = Kernels.broadcast(values[a].data, values[a].shape, values[b].data, values[b].shape) { negate ? $0 - $1 : $0 + $1 }
      return IntTensor(shape: s, data: d)
    case .mul(let a, let b):
      let (d, s) = Kernels.broadcast(values[a].data, values[a].shape, values[b].data, values[b].shape, *)
      return IntTensor(shape: s, data: d)
    case .addScalar(let x, let c):
      return IntTensor(shape: values[x].shape, data: values[x].data.map { $0 + c })
    case .addConstant(let x, let c):
      let (d, s) = Kernels.broadcast(values[x].data, values[x].shape, c.data, c.shape, +)
      return IntTensor(shape: s, data: d)
    case .subScalar(let x, let c):
      return IntTensor(shape: values[x].shape, data: values[x].data.map { $0 - c })
    case .pad(let x, let pads, let value):
      let xs = values[x].shape
      let (d, s) = Kernels.pad(values[x].data, shape: xs, pads: [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], value: value)
      return IntTensor(shape: s, data: d)
    case .slice(let x, let begin, let size, let step):
      // The batch axis is kept whole.
      let xs = values[x].shape
      let d = Kernels.slice(values[x].data, shape: xs, begin: [0] + begin.dropFirst(), size: [xs[0]] + size.dropFirst(), step: step)
      return IntTensor(shape: [xs[0]] + size.dropFirst(), data: d)
    case .transpose(let x, let perm):
      let (d, s) = Kernels.transpose(values[x].data, shape: values[x].shape, perm: perm)
      return IntTensor(shape: s, data: d)
    case .gather(let x, let axis, let indices, let indexShape):
      let (d, s) = Kernels.gather(values[x].data, shape: values[x].shape, axis: axis, indices: indices, indexShape: indexShape)
      return IntTensor(shape: s, data: d)
    case .concat(let xs, let axis):
      let (d, s) = Kernels.concat(xs.map { values[$0].data }, shapes: xs.map { values[$0].shape }, axis: axis)
      return IntTensor(shape: s, data: d)
    case .sum(let x, let axes, let keep):
      let (d, s) = Kernels.sum(values[x].data, shape: values[x].shape, axes: axes, keepDims: keep)
      return IntTensor(shape: s, data: d)
    case .lookup(let x, let f):
      return Self.lookup(values[x], f)
    case .round(let x, let l):
      guard l > 0 else { return values[x] }
      let half = Int64(1) << Int64(l - 1)
      return IntTensor(shape: values[x].shape, data: values[x].data.map { (($0 + half) >> Int64(l)) << Int64(l) })
    }
  }

  /// Applies a fused function through per-channel tables built over the observed input range.
  static func lookup(_ a: IntTensor, _ f: FusedFunction) -> IntTensor {
    guard let lo = a.data.min(), let hi = a.data.max() else { return a }
    let channels = f.channelCount
    let c = a.shape.count >= 2 ? a.shape[1] : 1
    let inner = a.shape.count >= 2 ? a.shape.dropFirst(2).reduce(1, *) : 1
    if hi - lo >= Int64(a.count) {
      // A sparse range (very wide accumulators): evaluate each element.
      var out = a.data
      for i in out.indices { out[i] = f.apply(a.data[i], channel: channels == 1 ? 0 : (i / inner) % c) }
      return IntTensor(shape: a.shape, data: out)
    }
    let width = Int(hi - lo + 1)
    var tables = [[Int64]](repeating: [], count: channels)
    for ch in 0..<channels { tables[ch] = (0..<width).map { f.apply(lo + Int64($0), channel: ch) } }
    var out = a.data
    for i in out.indices {
      let ch = channels == 1 ? 0 : (i / inner) % c
      out[i] = tables[ch][Int(a.data[i] - lo)]
    }
    return IntTensor(shape: a.shape, data: out)
  }
}

extension IntegerProgram.Op {
  /// The nodes this op reads.
  public var operands: [Int] {
    switch self {
    case .input: []
    case .conv(let x, _, _, _, _, _), .matmul(let x, _), .maxPool(let x, _, _), .reshape(let x), .lookup(let x, _),
      .round(let x, _), .addScalar(let x, _), .addConstant(let x, _), .subScalar(let x, _), .sum(let x, _, _), .gather(let x, _, _, _),
      .slice(let x, _, _, _), .transpose(let x, _), .pad(let x, _, _):
      [x]
    case .add(let a, let b, _), .mul(let a, let b): [a, b]
    case .concat(let xs, _): xs
    }
  }

  /// The same op reading `f(operand)` instead of each operand.
  public func mapOperands(_ f: (Int) -> Int) -> Self {
    switch self {
    case .input: self
    case .conv(let x, let w, let p, let s, let g, let v): .conv(x: f(x), weights: w, pads: p, strides: s, group: g, padValue: v)
    case .matmul(let x, let w): .matmul(x: f(x), weights: w)
    case .maxPool(let x, let k, let s): .maxPool(x: f(x), kernel: k, strides: s)
    case .reshape(let x): .reshape(x: f(x))
    case .lookup(let x, let fn): .lookup(x: f(x), function: fn)
    case .round(let x, let l): .round(x: f(x), lsbs: l)
    case .addScalar(let x, let c): .addScalar(x: f(x), value: c)
    case .addConstant(let x, let c): .addConstant(x: f(x), values: c)
    case .subScalar(let x, let c): .subScalar(x: f(x), value: c)
    case .sum(let x, let a, let k): .sum(x: f(x), axes: a, keepDims: k)
    case .add(let a, let b, let n): .add(f(a), f(b), negate: n)
    case .mul(let a, let b): .mul(f(a), f(b))
    case .concat(let xs, let axis): .concat(xs.map(f), axis: axis)
    case .gather(let x, let a, let i, let s): .gather(x: f(x), axis: a, indices: i, indexShape: s)
    case .slice(let x, let b, let s, let st): .slice(x: f(x), begin: b, size: s, step: st)
    case .transpose(let x, let p): .transpose(x: f(x), perm: p)
    case .pad(let x, let p, let v): .pad(x: f(x), pads: p, value: v)
    }
  }
}
