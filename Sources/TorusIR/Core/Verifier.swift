/// Checks the structure of IR (arity, terminators, dominance, isolation, symbols) and runs each
/// registered op's own verifier. The first failure is reported as a diagnostic at the op.
public struct Verifier {
  public init() {}

  public func verify(_ root: Operation) throws(Diagnostic) {
    try verifyOp(root)
  }

  private func fail(_ op: Operation, _ message: String, prefix: Bool = true, notes: [String] = []) -> Diagnostic {
    let text = prefix ? "'\(op.name)' op \(message)" : message
    return Diagnostic(at: op.location, text, notes: notes.map { Diagnostic(.note, at: op.location, $0) })
  }

  private func verifyOp(_ op: Operation) throws(Diagnostic) {
    if let def = op.definition {
      let s = def.shape
      if let n = s.operands, n != op.operands.count {
        throw fail(op, "requires \(n) operand\(n == 1 ? "" : "s"), but found \(op.operands.count)")
      }
      if let n = s.results, n != op.results.count {
        throw fail(op, "requires \(n) result\(n == 1 ? "" : "s"), but found \(op.results.count)")
      }
      if let n = s.regions, n != op.regions.count {
        throw fail(op, "requires \(n) region\(n == 1 ? "" : "s"), but found \(op.regions.count)")
      }
      if let n = s.successors, n != op.successors.count {
        throw fail(op, "requires \(n) successor\(n == 1 ? "" : "s"), but found \(op.successors.count)")
      }
      if def.traits.contains(.terminator), let block = op.parentBlock, block.operations.last !== op {
        throw fail(op, "must be the last operation in the parent block")
      }
    }
    for (i, region) in op.regions.enumerated() {
      try verifyRegion(region, index: i, of: op)
    }
    if op.hasTrait(.symbolTable) { try verifySymbolTable(op) }
    if let def = op.definition {
      do { try def.verify(op) } catch {
        throw fail(op, error.message, prefix: error.prefixOpName, notes: error.notes)
      }
    }
  }

  private func verifyRegion(_ region: Region, index: Int, of op: Operation) throws(Diagnostic) {
    let checksDominance = op.isRegistered && !op.hasTrait(.graphRegions)
    let isolated = op.hasTrait(.isolatedFromAbove)
    let dominance = checksDominance ? DominanceInfo(region) : nil
    for block in region.blocks {
      if checksDominance && !op.hasTrait(.noTerminator) {
        guard let last = block.operations.last else {
          throw fail(op, "empty block: expect at least a terminator")
        }
        if last.isRegistered && !last.hasTrait(.terminator) {
          throw Diagnostic(at: last.location, "block with no terminator, has \(opSummary(last))")
        }
      }
      for (oi, inner) in block.operations.enumerated() {
        for (k, v) in inner.operands.enumerated() {
          if isolated, !isDefined(v, inside: region) {
            throw Diagnostic(
              at: inner.location, "using value defined outside the region",
              notes: [Diagnostic(.note, at: op.location, "required by region isolation constraints")])
          }
          if let dominance, !dominates(v, user: inner, userIndex: oi, in: block, region: region, dominance) {
            throw Diagnostic(
              at: inner.location, "operand #\(k) does not dominate this use",
              notes: [Diagnostic(.note, at: inner.location, "see current operation: \(opSummary(inner))")])
          }
        }
        try verifyOp(inner)
      }
    }
  }

  private func opSummary(_ op: Operation) -> String { "'\(op.name)'" }

  /// Whether `v` is defined in `region` or nested inside it.
  private func isDefined(_ v: Value, inside region: Region) -> Bool {
    var block = v.parentBlock
    while let b = block {
      if b.parentRegion === region { return true }
      block = b.parentOp?.parentBlock
    }
    return false
  }

  /// SSA dominance for a use inside `block` of `region` (an SSACFG region).
  private func dominates(_ v: Value, user: Operation, userIndex: Int, in block: Block, region: Region, _ dom: DominanceInfo) -> Bool {
    guard let defBlock = v.parentBlock else { return false }
    if defBlock.parentRegion !== region {
      // Defined in an enclosing region: dominance was checked where that region's op is used,
      // unless it is defined in a region nested inside this one (not visible here).
      var b: Block? = defBlock
      while let cur = b {
        if cur.parentRegion === region { return false }
        b = cur.parentOp?.parentBlock
      }
      return true
    }
    if defBlock === block {
      guard case .result = v.owner, let defOp = v.definingOp else { return true }
      guard let defIndex = block.index(of: defOp) else { return false }
      return defIndex < userIndex
    }
    return dom.dominates(defBlock, block)
  }

  private func verifySymbolTable(_ op: Operation) throws(Diagnostic) {
    var seen: [String: Operation] = [:]
    for region in op.regions {
      for block in region.blocks {
        for inner in block.operations {
          guard let name = inner.attribute("sym_name")?.stringValue else { continue }
          if seen[name] != nil {
            throw Diagnostic(at: inner.location, "redefinition of symbol named '\(name)'")
          }
          seen[name] = inner
        }
      }
    }
  }
}

/// Block dominance within one region (iterative data-flow over the successor graph).
struct DominanceInfo {
  private var index: [ObjectIdentifier: Int] = [:]
  private var dominators: [Set<Int>] = []
  /// Blocks reachable from the entry; uses in unreachable blocks are not checked, as upstream.
  private var reachable: Set<Int> = []

  init(_ region: Region) {
    let blocks = region.blocks
    guard blocks.count > 1 else { return }
    for (i, b) in blocks.enumerated() { index[ObjectIdentifier(b)] = i }
    var preds = [[Int]](repeating: [], count: blocks.count)
    for (i, b) in blocks.enumerated() {
      for s in b.operations.last?.successors ?? [] {
        if let j = index[ObjectIdentifier(s)] { preds[j].append(i) }
      }
    }
    var succs = [[Int]](repeating: [], count: blocks.count)
    for (j, ps) in preds.enumerated() { for p in ps { succs[p].append(j) } }
    var stack = [0]
    reachable = [0]
    while let b = stack.popLast() {
      for s in succs[b] where !reachable.contains(s) {
        reachable.insert(s)
        stack.append(s)
      }
    }
    let all = Set(0..<blocks.count)
    dominators = [Set<Int>](repeating: all, count: blocks.count)
    dominators[0] = [0]
    var changed = true
    while changed {
      changed = false
      for i in 1..<blocks.count {
        var d = preds[i].isEmpty ? Set<Int>() : preds[i].reduce(all) { $0.intersection(dominators[$1]) }
        d.insert(i)
        if d != dominators[i] {
          dominators[i] = d
          changed = true
        }
      }
    }
  }

  func dominates(_ a: Block, _ b: Block) -> Bool {
    guard let i = index[ObjectIdentifier(a)], let j = index[ObjectIdentifier(b)] else { return a === b }
    return !reachable.contains(j) || dominators[j].contains(i)
  }
}
