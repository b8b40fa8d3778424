import TorusQNN

/// Integer bounds of every circuit node over an inputset, and the widths derived from them.
public struct BitWidthAnalysis: Sendable {
  /// `[lo, hi]` per `IntegerProgram` node (over all rows and elements).
  public var bounds: [(lo: Int64, hi: Int64)]
  /// Original (bounds-derived) width per node; signed iff `lo < 0`.
  public var widths: [Int]
  /// Width after concrete-python's multi-precision sharing (HEAD): the widest original width of
  /// each group of nodes an op forces to share one width.
  public var assigned: [Int]
  /// `maximum_integer_bit_width`: widest original width over nodes and constants.
  public var maximumBitWidth: Int

  public func isSigned(_ node: Int) -> Bool { bounds[node].lo < 0 }
}

extension IntegerProgram {
  /// Evaluates `inputs` (already quantized, batch on axis 0) and derives every node's width.
  /// Bounds over the whole batch equal those of row-by-row evaluation: every op is per sample.
  public func analyzeBitWidths(_ inputs: [IntTensor]) -> BitWidthAnalysis {
    let values = evaluate(inputs)
    let bounds = values.map { (lo: $0.data.min() ?? 0, hi: $0.data.max() ?? 0) }
    let widths = bounds.map { QuantMath.bitWidth(lo: $0.lo, hi: $0.hi) }
    var maximum = widths.max() ?? 0
    for node in nodes {
      switch node.op {
      case .conv(_, let w, _, _, _, _), .matmul(_, let w):
        maximum = max(maximum, QuantMath.bitWidth(lo: w.data.min() ?? 0, hi: w.data.max() ?? 0))
      default: break
      }
    }
    // Union-find over the "share one width" constraints.
    var parent = Array(nodes.indices)
    func find(_ a: Int) -> Int {
      var a = a
      while parent[a] != a {
        parent[a] = parent[parent[a]]
        a = parent[a]
      }
      return a
    }
    func union(_ a: Int, _ b: Int) { parent[find(a)] = find(b) }
    for (i, node) in nodes.enumerated() {
      switch node.op {
      case .conv(let x, _, _, _, _, _), .matmul(let x, _), .reshape(let x), .maxPool(let x, _, _): union(i, x)
      case .add(let a, let b, _):
        union(i, a)
        union(i, b)
      case .addScalar(let x, _), .addConstant(let x, _), .subScalar(let x, _), .sum(let x, _, _), .gather(let x, _, _, _), .slice(let x, _, _, _),
        .transpose(let x, _), .pad(let x, _, _):
        union(i, x)
      case .mul(let a, let b): union(a, b)
      case .concat(let xs, _): for x in xs { union(i, x) }
      case .input, .lookup, .round: break
      }
    }
    var widest: [Int: Int] = [:]
    for i in nodes.indices {
      if case .round = nodes[i].op { continue }
      widest[find(i), default: 0] = max(widest[find(i), default: 0], widths[i])
    }
    if roundingMethod == .approximate {
      // The next lookup's bootstrap does the rounding, so a value that rounds up past the top of
      // its width would wrap to the other end of the table, and with noise near that point land
      // on either side. One more bit for the accumulator's group keeps the carry.
      for node in nodes {
        if case .round(let x, _) = node.op { widest[find(x)] = max(widest[find(x)] ?? 0, widths[x] + 1) }
      }
    }
    // Concrete computes max(a, b) as relu(a − b) + b: the difference of two values of the range
    // needs its own (signed) width, which the whole group of the pooled value then takes.
    for node in nodes {
      if case .maxPool(let x, _, _) = node.op {
        let spread = bounds[x].hi - bounds[x].lo
        widest[find(x)] = max(widest[find(x)] ?? 0, QuantMath.bitWidth(lo: -spread, hi: spread))
      }
    }
    // An encrypted product needs one more bit than each operand (concrete-python's constraint).
    for node in nodes {
      if case .mul(let a, let b) = node.op {
        widest[find(a)] = max(widest[find(a)] ?? 0, widths[a] + 1, widths[b] + 1)
      }
    }
    var assigned = nodes.indices.map { widest[find($0)] ?? widths[$0] }
    // A rounded accumulator keeps its input's width minus the dropped bits. Exact rounding
    // first brings a value held wider than its own width back to that width (concrete-python's
    // round_bit_pattern conversion), so the result has the value's own width minus the bits.
    for (i, node) in nodes.enumerated() {
      if case .round(let x, let l) = node.op { assigned[i] = (roundingMethod == .exact ? min(widths[x], assigned[x]) : assigned[x]) - l }
    }
    return BitWidthAnalysis(bounds: bounds, widths: widths, assigned: assigned, maximumBitWidth: maximum)
  }

  /// Checks Concrete's table-lookup limit on assigned widths.
  public func checkLookupWidths(_ analysis: BitWidthAnalysis, limit: Int = 16) throws(QNNError) {
    for node in nodes {
      if case .lookup(let x, _) = node.op, analysis.assigned[x] > limit {
        throw .bitWidthExceeded(node: nodes[x].name, bits: analysis.assigned[x], limit: limit)
      }
    }
  }
}
