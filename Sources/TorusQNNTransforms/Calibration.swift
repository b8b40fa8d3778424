import TorusFormats
import TorusQNN

/// Per-node minimum and maximum of the raw float values over a whole inputset.
public struct CalibrationStatistics: Sendable, Equatable {
  /// Indexed by `QGraph` node; constants get their own range.
  public var minimum: [Double]
  public var maximum: [Double]
}

extension QGraph {
  /// Checks an inputset against the graph inputs: one array per input, equal batch sizes, and
  /// per-sample shapes equal to the input shapes without their batch-1 axis.
  public func validateInputset(_ inputset: [NDArray]) throws(QNNError) -> Int {
    guard inputset.count == inputs.count else {
      throw .invalidInputset("expected \(inputs.count) array\(inputs.count == 1 ? "" : "s") (one per graph input), found \(inputset.count)")
    }
    var batch: Int?
    for (k, (arr, node)) in zip(inputset, inputs).enumerated() {
      let expected = Array(nodes[node].shape.dropFirst())
      guard arr.shape.count == expected.count + 1, Array(arr.shape.dropFirst()) == expected else {
        throw .invalidInputset(
          "input \(k) ('\(nodes[node].name)'): expected shape N×\(expected.map(String.init).joined(separator: "×")), found \(arr.shape.map(String.init).joined(separator: "×"))")
      }
      guard arr.shape[0] > 0 else { throw .invalidInputset("input \(k) ('\(nodes[node].name)') is empty") }
      if let b = batch, b != arr.shape[0] {
        throw .invalidInputset("inputs have different sample counts: \(b) and \(arr.shape[0])")
      }
      batch = arr.shape[0]
    }
    return batch ?? 0
  }

  /// Runs the graph in float64 on a batch, as Concrete-ML calibrates a QAT model: Quant nodes emit
  /// their fake-quantized floats, every other op its raw float output. Returns every node's value.
  public func evaluateFloat(_ inputset: [NDArray]) throws(QNNError) -> [FloatTensor] {
    _ = try validateInputset(inputset)
    var values: [FloatTensor] = []
    values.reserveCapacity(nodes.count)
    for node in nodes {
      if case .input(let k) = node.op {
        values.append(FloatTensor(shape: inputset[k].shape, data: inputset[k].doubleValues))
      } else {
        values.append(try floatValue(of: node, inputs: node.inputs.map { values[$0] }, calibrating: true))
      }
    }
    return values
  }

  /// One node's float64 output given its inputs' values (batch on axis 0): the calibration
  /// forward, and constant folding (a node whose inputs are all constants).
  ///
  /// When `calibrating`, a per-channel BatchNormalization's output is clipped to its 0.1 and
  /// 99.9 percentiles before it is passed on, as Concrete-ML's `QuantizedBatchNormalization
  /// .calibrate` does (it changes the calibrated ranges after it, e.g. an Add's common scale).
  func floatValue(of node: Node, inputs ins: [FloatTensor], calibrating: Bool = false) throws(QNNError) -> FloatTensor {
    func fail(_ m: String) -> QNNError { .unsupported(node: node.name, message: m) }
    let out: FloatTensor
    switch node.op {
    case .input: throw fail("a graph input has no value here")
    case .constant(let t): out = t
    case .quant(let q): out = FloatTensor(shape: ins[0].shape, data: ins[0].data.map(q.fakeQuantize))
    case .identity: out = ins[0]
    case .relu: out = FloatTensor(shape: ins[0].shape, data: ins[0].data.map { max($0, 0) })
    case .sigmoid: out = FloatTensor(shape: ins[0].shape, data: ins[0].data.map(QuantMath.sigmoid))
    case .batchNorm(let eps):
      let x = ins[0]
      let c = x.shape[1]
      let inner = x.shape.dropFirst(2).reduce(1, *)
      var data = x.data
      for i in data.indices {
        let ch = (i / inner) % c
        let d = QuantMath.batchNormDenominator(variance: Float(ins[4].data[ch]), epsilon: eps)
        data[i] = ((data[i] - ins[3].data[ch]) / d) * ins[1].data[ch] + ins[2].data[ch]
      }
      if calibrating && (ins[1].count > 1 || ins[2].count > 1) {
        let sorted = data.sorted()
        let lo = QuantMath.percentile(sorted: sorted, 0.1), hi = QuantMath.percentile(sorted: sorted, 99.9)
        data = data.map { min(max($0, lo), hi) }
      }
      out = FloatTensor(shape: x.shape, data: data)
    case .conv(let group, let pads, let strides):
      // A 1-D convolution runs as a 2-D one of height 1.
      let (xs, ws, p, st) = Kernels.conv2dForm(ins[0].shape, ins[1].shape, pads: pads, strides: strides)
      let (d, s4) = Kernels.conv2d(ins[0].data, xs, ins[1].data, ws, pads: p, strides: st, group: group, padValue: 0.0)
      let s = ins[0].shape.count == 3 ? [s4[0], s4[1], s4[3]] : s4
      var data = d
      if ins.count > 2 {
        let inner = s4[2] * s4[3]
        for i in data.indices { data[i] += ins[2].data[(i / inner) % s4[1]] }
      }
      out = FloatTensor(shape: s, data: data)
    case .averagePool(let k, let pads, let strides):
      let c = ins[0].shape[1]
      let ones = [Double](repeating: 1, count: c * k[0] * k[1])
      let (d, s) = Kernels.conv2d(
        ins[0].data, ins[0].shape, ones, [c, 1, k[0], k[1]], pads: pads, strides: strides, group: c, padValue: 0.0)
      let norm = 1.0 / Double(k[0] * k[1])
      out = FloatTensor(shape: s, data: d.map { $0 * norm })
    case .maxPool(let k, let strides):
      let (d, s) = Kernels.maxPool(ins[0].data, ins[0].shape, kernel: k, strides: strides)
      out = FloatTensor(shape: s, data: d)
    case .gemm(let alpha, let beta, let ta, let tb):
      var a = ins[0], b = ins[1]
      if ta { a = FloatTensor(shape: [a.shape[1], a.shape[0]], data: Kernels.transpose2(a.data, rows: a.shape[0], cols: a.shape[1])) }
      if tb { b = FloatTensor(shape: [b.shape[1], b.shape[0]], data: Kernels.transpose2(b.data, rows: b.shape[0], cols: b.shape[1])) }
      var data = Kernels.matmul(a.data, m: a.shape[0], k: a.shape[1], b.data, n: b.shape[1])
      if alpha != 1 { data = data.map { $0 * alpha } }
      var t = FloatTensor(shape: [a.shape[0], b.shape[1]], data: data)
      if ins.count > 2 && beta != 0 {
        let c = ins[2]
        let (r, s) = Kernels.broadcast(t.data, t.shape, c.data.map { $0 * beta }, c.shape, +)
        t = FloatTensor(shape: s, data: r)
      }
      out = t
    case .matmul:
      let a = ins[0], b = ins[1]
      let k = a.shape.last!
      let m = a.count / k
      out = FloatTensor(shape: Array(a.shape.dropLast()) + [b.shape[1]], data: Kernels.matmul(a.data, m: m, k: k, b.data, n: b.shape[1]))
    case .flatten(let axis):
      let x = ins[0]
      out = FloatTensor(shape: [x.shape[..<axis].reduce(1, *), x.shape[axis...].reduce(1, *)], data: x.data)
    case .reshape:
      var shape = node.shape
      shape[0] = ins[0].shape[0] * shape[0] / max(nodes[node.inputs[0]].shape[0], 1)
      guard shape.reduce(1, *) == ins[0].count else { throw fail("reshape of a batch needs the batch on axis 0") }
      out = FloatTensor(shape: shape, data: ins[0].data)
    case .unary(let f): out = FloatTensor(shape: ins[0].shape, data: ins[0].data.map(f.apply))
    case .binary(let f):
      // The batch axis of the inputset can make shapes that agreed for one sample disagree.
      _ = try Self.broadcast(ins[0].shape, ins[1].shape) { .shapeMismatch(node: node.name, message: $0) }
      let (r, s) = Kernels.broadcast(ins[0].data, ins[0].shape, ins[1].data, ins[1].shape, f.apply)
      out = FloatTensor(shape: s, data: r)
    case .pad(let pads, let value):
      let (r, s) = Kernels.pad(ins[0].data, shape: ins[0].shape, pads: pads.map { Int($0) }, value: value)
      out = FloatTensor(shape: s, data: r)
    case .squeeze:
      out = FloatTensor(shape: [ins[0].shape[0]] + node.shape.dropFirst(), data: ins[0].data)
    case .slice(let starts, let ends, let axes, let steps):
      guard let (begin, size, step) = SliceMath.normalize(ins[0].shape, starts: starts, ends: ends, axes: axes, steps: steps) else {
        throw fail("malformed slice")
      }
      let r = Kernels.slice(ins[0].data, shape: ins[0].shape, begin: begin, size: size, step: step)
      out = FloatTensor(shape: size, data: r)
    case .gather(let axis, let indices, let indexShape):
      let (r, s) = Kernels.gather(ins[0].data, shape: ins[0].shape, axis: axis, indices: indices, indexShape: indexShape)
      out = FloatTensor(shape: s, data: r)
    case .concat(let axis):
      let (r, s) = Kernels.concat(ins.map(\.data), shapes: ins.map(\.shape), axis: axis)
      out = FloatTensor(shape: s, data: r)
    case .reduceSum(let axes, let keep):
      let (r, s) = Kernels.sum(ins[0].data, shape: ins[0].shape, axes: axes, keepDims: keep)
      out = FloatTensor(shape: s, data: r)
    case .transpose(let perm):
      let p = perm.isEmpty ? Array((0..<ins[0].shape.count).reversed()) : perm
      let (r, s) = Kernels.transpose(ins[0].data, shape: ins[0].shape, perm: p)
      out = FloatTensor(shape: s, data: r)
    }
    return out
  }

  /// Calibration statistics: min and max of every node's raw float output over the inputset.
  public func calibrate(_ inputset: [NDArray]) throws(QNNError) -> CalibrationStatistics {
    let values = try evaluateFloat(inputset)
    return CalibrationStatistics(
      minimum: values.map { $0.data.min() ?? 0 }, maximum: values.map { $0.data.max() ?? 0 })
  }
}
