import TorusIR

/// The passes of this module, registered by `PassRegistry.standard`.
var standardPasses: [any Pass.Type] {
  [CanonicalizePass.self, CSEPass.self, SymbolDCEPass.self, PrintOpStatsPass.self]
}

/// Folds ops, applies every registered canonicalization pattern and removes dead pure ops.
/// Example: Tests/TorusIRTests/PassTests.swift
public struct CanonicalizePass: Pass {
  public static let info = PassInfo(
    argument: "canonicalize", summary: "Canonicalize operations",
    options: [maxIterationsOption.spec])
  static let maxIterationsOption = PassOption<Int>("max-iterations", default: 10, help: "maximum sweeps of the greedy rewriter")
  let maxIterations: Int
  public init(options: PassOptions) throws(PassOptionError) { maxIterations = options[Self.maxIterationsOption] }

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    var patterns = RewritePatternSet()
    for p in context.canonicalizationPatterns { patterns.add(p) }
    applyPatternsGreedily(to: op, patterns, registry: context.registry, maxIterations: maxIterations)
  }
}

extension PassContext {
  /// Canonicalization patterns dialects contribute (none among the upstream subset yet).
  public var canonicalizationPatterns: [any RewritePattern] { extraPatterns }
}

/// Eliminates common sub-expressions: identical pure ops with the same operands in a dominating position.
public struct CSEPass: Pass {
  public static let info = PassInfo(argument: "cse", summary: "Eliminate common sub-expressions")
  public init(options: PassOptions) throws(PassOptionError) {}

  struct Key: Hashable {
    let name: OpName
    let operands: [ObjectIdentifier]
    let resultTypes: [IRType]
    let attributes: AttributeDictionary
    let properties: Attribute?
  }

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    for region in op.regions { process(region, inherited: [:], isolated: op.hasTrait(.isolatedFromAbove)) }
  }

  private func process(_ region: Region, inherited: [Key: Operation], isolated: Bool) {
    for block in region.blocks {
      // Values from other blocks of a multi-block region are not known to dominate: a fresh scope.
      var known = isolated ? [:] : inherited
      var dead: [Operation] = []
      for inner in block.operations {
        if inner.hasTrait(.pure) && inner.regions.isEmpty && !inner.results.isEmpty {
          let key = Key(
            name: inner.name, operands: inner.operands.map(ObjectIdentifier.init),
            resultTypes: inner.results.map(\.type), attributes: inner.attributes, properties: inner.properties)
          if let existing = known[key] {
            for (a, b) in zip(inner.results, existing.results) { a.replaceAllUses(with: b) }
            dead.append(inner)
            continue
          }
          known[key] = inner
        }
        for r in inner.regions {
          process(r, inherited: known, isolated: inner.hasTrait(.isolatedFromAbove))
        }
      }
      for d in dead { d.dropAllReferences() }
      let deadSet = Set(dead.map(ObjectIdentifier.init))
      block.removeAll { deadSet.contains(ObjectIdentifier($0)) }
    }
  }
}

/// Removes private symbols (functions) nothing refers to.
public struct SymbolDCEPass: Pass {
  public static let info = PassInfo(argument: "symbol-dce", summary: "Eliminate dead symbols")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    var changed = true
    while changed {
      changed = false
      var referenced: Set<String> = []
      op.walk { o in
        for a in o.attributes { collectRefs(a.value, into: &referenced) }
        if let p = o.properties { collectRefs(p, into: &referenced) }
      }
      for region in op.regions {
        for block in region.blocks {
          for inner in block.operations {
            guard inner.attribute("sym_visibility")?.stringValue == "private",
              let name = inner.attribute("sym_name")?.stringValue, !referenced.contains(name)
            else { continue }
            inner.erase()
            changed = true
          }
        }
      }
    }
  }

  private func collectRefs(_ a: Attribute, into set: inout Set<String>) {
    switch a {
    case .symbolRef(let root, _): set.insert(root)
    case .array(let xs): for x in xs { collectRefs(x, into: &set) }
    case .dictionary(let d): for e in d { collectRefs(e.value, into: &set) }
    default: break
    }
  }
}

/// Prints how many ops of each kind the IR holds.
public struct PrintOpStatsPass: Pass {
  public static let info = PassInfo(argument: "print-op-stats", summary: "Print statistics of operations")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    var counts: [String: Int] = [:]
    op.walk { counts[$0.name.rawValue, default: 0] += 1 }
    let width = counts.keys.map(\.count).max() ?? 0
    var lines = ["Operations encountered:", "-----------------------"]
    for (name, n) in counts.sorted(by: { $0.key < $1.key }) {
      lines.append("  " + name + String(repeating: " ", count: width - name.count) + " , \(n)")
    }
    context.output(lines.joined(separator: "\n") + "\n")
  }
}
