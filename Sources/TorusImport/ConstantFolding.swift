import TorusFormats
import TorusONNX
import TorusQNN
import TorusQNNTransforms

/// Import-time folding of the constant shape arithmetic exporters emit around `Pad` (`F.pad`
/// exports its pads as `ConstantOfShape -> Concat -> Reshape -> Slice -> Transpose -> Reshape ->
/// Cast`): a node of one of these ops whose inputs are all constants becomes a constant, as
/// Concrete-ML folds it, so that no unsupported-op error names it.
enum ConstantFolding {
  /// The ops folded here (when all their inputs are constants).
  static let ops: Set<String> = [
    "ConstantOfShape", "Cast", "Slice", "Concat", "Reshape", "Transpose", "Unsqueeze", "Squeeze", "Identity",
  ]

  /// The node's value, nil when it cannot be folded (an op not listed, a missing input, bad data).
  static func fold(_ node: ONNXNode, _ constants: [String: NDArray]) -> NDArray? {
    guard ops.contains(node.opType) else { return nil }
    let names = node.inputs
    var ins: [NDArray?] = []
    for n in names { ins.append(n.isEmpty ? nil : constants[n]) }
    for (n, v) in zip(names, ins) where !n.isEmpty && v == nil { return nil }
    guard let x = ins.first ?? nil else { return nil }
    let integer = !x.dtype.isFloatingPoint
    func make(_ values: [Double], _ shape: [Int], integer: Bool) -> NDArray {
      integer ? NDArray(values.map { Int64($0) }, shape: shape) : NDArray(float64: values, shape: shape)
    }
    func ints(_ k: Int) -> [Int]? { k < ins.count ? ins[k].map { $0.int64Values.map { Int($0) } } : nil }
    switch node.opType {
    case "Identity":
      return x
    case "ConstantOfShape":
      let shape = x.int64Values.map { Int($0) }
      guard shape.allSatisfy({ $0 >= 0 }) else { return nil }
      let fill = node.attributes["value"]?.tensorValue
      let v = fill?.doubleValues.first ?? 0
      return make([Double](repeating: v, count: shape.reduce(1, *)), shape, integer: fill.map { !$0.dtype.isFloatingPoint } ?? false)
    case "Cast":
      guard let to = node.attributes["to"]?.intValue else { return nil }
      // ONNX TensorProto types: 1 float, 10 float16, 11 double, 16 bfloat16; the rest integers/bool.
      let toFloat = [1, 10, 11, 16].contains(to)
      return make(x.doubleValues.map { toFloat ? $0 : $0.rounded(.towardZero) }, x.shape, integer: !toFloat)
    case "Reshape":
      guard let target = ints(1) else { return nil }
      var out = target.enumerated().map { k, d in d == 0 && k < x.shape.count ? x.shape[k] : d }
      if let k = out.firstIndex(of: -1) { out[k] = x.count / max(out.filter { $0 != -1 }.reduce(1, *), 1) }
      guard out.reduce(1, *) == x.count else { return nil }
      return make(x.doubleValues, out, integer: integer)
    case "Transpose":
      let perm = node.attributes["perm"]?.intsValue.map { $0.map { Int($0) } } ?? Array((0..<x.shape.count).reversed())
      guard perm.sorted() == Array(0..<x.shape.count) else { return nil }
      let (d, s) = Kernels.transpose(x.doubleValues, shape: x.shape, perm: perm)
      return make(d, s, integer: integer)
    case "Concat":
      guard let a = node.attributes["axis"]?.intValue else { return nil }
      let parts = ins.compactMap { $0 }
      let axis = Int(a) < 0 ? Int(a) + x.shape.count : Int(a)
      guard (0..<x.shape.count).contains(axis),
        parts.allSatisfy({ p in p.shape.count == x.shape.count && p.shape.indices.allSatisfy { $0 == axis || p.shape[$0] == x.shape[$0] } })
      else { return nil }
      var out: [Double] = []
      let outer = x.shape[..<axis].reduce(1, *)
      for o in 0..<outer {
        for p in parts {
          let block = p.shape[axis...].reduce(1, *)
          out.append(contentsOf: p.doubleValues[(o * block)..<((o + 1) * block)])
        }
      }
      var shape = x.shape
      shape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
      return make(out, shape, integer: integer)
    case "Unsqueeze", "Squeeze":
      let axes = ints(1) ?? node.attributes["axes"]?.intsValue.map { $0.map { Int($0) } } ?? []
      var shape = x.shape
      if node.opType == "Unsqueeze" {
        let r = shape.count + axes.count
        for a in axes.map({ $0 < 0 ? $0 + r : $0 }).sorted() {
          guard (0...shape.count).contains(a) else { return nil }
          shape.insert(1, at: a)
        }
      } else {
        let drop = Set(axes.isEmpty ? shape.indices.filter { shape[$0] == 1 } : axes.map { $0 < 0 ? $0 + shape.count : $0 })
        shape = shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
      }
      return make(x.doubleValues, shape, integer: integer)
    case "Slice":
      guard let starts = ints(1), let ends = ints(2) else { return nil }
      let axes = ints(3) ?? Array(0..<starts.count)
      let steps = ints(4) ?? [Int](repeating: 1, count: starts.count)
      guard let (begin, size, step) = SliceMath.normalize(x.shape, starts: starts, ends: ends, axes: axes, steps: steps) else { return nil }
      return make(Kernels.slice(x.doubleValues, shape: x.shape, begin: begin, size: size, step: step), size, integer: integer)
    default:
      return nil
    }
  }
}
