/// A dense row-major tensor of runtime values (a scalar has shape `[]` and one element).
public struct Tensor<Element: Sendable>: Sendable {
  /// Dimensions.
  public var shape: [Int]
  /// Elements in C order.
  public var elements: [Element]

  public init(shape: [Int], elements: [Element]) {
    precondition(shape.reduce(1, *) == elements.count, "tensor of shape \(shape) built with \(elements.count) elements")
    self.shape = shape
    self.elements = elements
  }

  /// A scalar.
  public init(scalar: Element) {
    shape = []
    elements = [scalar]
  }

  /// Row-major strides.
  public var strides: [Int] { Tensor.strides(shape) }

  static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc *= shape[i]
    }
    return s
  }

  /// The same elements with another shape of equal size.
  public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, elements: elements) }

  /// Applies `f` to every element.
  public func map<T: Sendable>(_ f: (Element) throws(InterpreterError) -> T) throws(InterpreterError) -> Tensor<T> {
    var out: [T] = []
    out.reserveCapacity(elements.count)
    for e in elements { out.append(try f(e)) }
    return Tensor<T>(shape: shape, elements: out)
  }

  /// numpy `broadcast_to`.
  public func broadcast(to out: [Int]) -> Tensor {
    if out == shape { return self }
    let map = Tensor.broadcastIndices(from: shape, to: out)
    return Tensor(shape: out, elements: map.map { elements[$0] })
  }

  /// For each flat index of `out`, the flat index of the broadcast source (numpy rules).
  static func broadcastIndices(from shape: [Int], to out: [Int]) -> [Int] {
    let n = out.reduce(1, *)
    let offset = out.count - shape.count
    let srcStrides = strides(shape)
    var effective = [Int](repeating: 0, count: out.count)
    for i in 0..<shape.count where shape[i] != 1 { effective[i + offset] = srcStrides[i] }
    var result = [Int](repeating: 0, count: n)
    var index = [Int](repeating: 0, count: out.count)
    var flat = 0
    for k in 0..<n {
      result[k] = flat
      var d = out.count - 1
      while d >= 0 {
        index[d] += 1
        flat += effective[d]
        if index[d] < out[d] { break }
        flat -= effective[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return result
  }

  /// numpy transpose: output dim i is input dim `permutation[i]`.
  public func transposed(_ permutation: [Int]) -> Tensor {
    let outShape = permutation.map { shape[$0] }
    let inStrides = strides
    let permStrides = permutation.map { inStrides[$0] }
    let n = elements.count
    var out: [Element] = []
    out.reserveCapacity(n)
    var index = [Int](repeating: 0, count: outShape.count)
    var flat = 0
    for _ in 0..<n {
      out.append(elements[flat])
      var d = outShape.count - 1
      while d >= 0 {
        index[d] += 1
        flat += permStrides[d]
        if index[d] < outShape[d] { break }
        flat -= permStrides[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return Tensor(shape: outShape, elements: out)
  }

  /// numpy concatenate along `axis`.
  public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
    var outShape = parts[0].shape
    outShape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
    let outer = outShape[..<axis].reduce(1, *)
    var out: [Element] = []
    out.reserveCapacity(outShape.reduce(1, *))
    for o in 0..<outer {
      for p in parts {
        let block = p.shape[axis...].reduce(1, *)
        out.append(contentsOf: p.elements[(o * block)..<((o + 1) * block)])
      }
    }
    return Tensor(shape: outShape, elements: out)
  }

  /// The flat indices of a strided window: `offsets[k] + i[k]·strides[k]` for `i < sizes`.
  static func windowIndices(shape: [Int], offsets: [Int], sizes: [Int], strides st: [Int]) -> [Int] {
    let s = Tensor.strides(shape)
    var result: [Int] = [0]
    for d in 0..<shape.count {
      var next: [Int] = []
      next.reserveCapacity(result.count * sizes[d])
      for base in result {
        for i in 0..<sizes[d] { next.append(base + (offsets[d] + i * st[d]) * s[d]) }
      }
      result = next
    }
    return result
  }
}
