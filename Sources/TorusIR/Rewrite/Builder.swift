/// Creates ops at an insertion point.
public struct Builder {
  public let registry: DialectRegistry
  /// Where new ops go: before `anchor` in `block`, or at the end when `anchor` is nil.
  public var block: Block?
  public var anchor: Operation?

  public init(registry: DialectRegistry) { self.registry = registry }

  public mutating func setInsertionPoint(before op: Operation) {
    block = op.parentBlock
    anchor = op
  }

  public mutating func setInsertionPointToEnd(of b: Block) {
    block = b
    anchor = nil
  }

  /// Creates an op of a registered kind (or an unregistered one) and inserts it.
  @discardableResult
  public func create(
    _ name: OpName, operands: [Value] = [], resultTypes: [IRType] = [],
    attributes: AttributeDictionary = AttributeDictionary(), properties: Attribute? = nil,
    location: Location = .unknown
  ) -> Operation {
    var state = OperationState(name: name, definition: registry.lookup(name), location: location)
    state.operands = operands
    state.resultTypes = resultTypes
    state.attributes = attributes
    state.properties = properties
    state.normalizeInherentAttributes()
    return insert(Operation(state))
  }

  /// Creates an op of the registered kind `Op` and returns its typed view. The op is registered
  /// (it carries `Op`'s definition, so it is verified like a parsed one) even when the builder's
  /// registry lacks the dialect.
  @discardableResult
  public func create<Op: OpDefinition>(
    _ kind: Op.Type, operands: [Value] = [], resultTypes: [IRType] = [],
    attributes: AttributeDictionary = AttributeDictionary(), location: Location = .unknown
  ) -> Op {
    var state = OperationState(name: Op.name, definition: registry.lookup(Op.name) ?? RegisteredOp(Op.self), location: location)
    state.operands = operands
    state.resultTypes = resultTypes
    state.attributes = attributes
    state.normalizeInherentAttributes()
    return Op(unchecked: insert(Operation(state)))
  }

  @discardableResult
  public func insert(_ op: Operation) -> Operation {
    guard let block else { return op }
    if let anchor { block.insert(op, before: anchor) } else { block.append(op) }
    return op
  }

  /// `arith.constant` for an integer, float or dense elements attribute.
  public func constant(_ value: Attribute, location: Location = .unknown) -> Value? {
    guard let t = value.valueType else { return nil }
    return create(
      ArithDialect.ConstantOp.name, resultTypes: [t],
      properties: .dictionary(AttributeDictionary([NamedAttribute("value", value)])), location: location
    ).results[0]
  }
}

/// Whether a pattern changed the IR.
public enum RewriteOutcome {
  case applied
  case noMatch
}

/// The only way patterns change IR, so that the driver sees every change.
public final class PatternRewriter {
  public var builder: Builder
  var changed = false
  var erased: Set<ObjectIdentifier> = []
  var created: [Operation] = []

  public init(registry: DialectRegistry) { builder = Builder(registry: registry) }

  /// Creates an op before `op` (the one being rewritten).
  @discardableResult
  public func create(
    before op: Operation, _ name: OpName, operands: [Value] = [], resultTypes: [IRType] = [],
    attributes: AttributeDictionary = AttributeDictionary(), properties: Attribute? = nil
  ) -> Operation {
    builder.setInsertionPoint(before: op)
    let new = builder.create(
      name, operands: operands, resultTypes: resultTypes, attributes: attributes, properties: properties,
      location: op.location)
    created.append(new)
    changed = true
    return new
  }

  /// Replaces all uses of `op`'s results with `values`, then erases it.
  public func replace(_ op: Operation, with values: [Value]) {
    precondition(values.count == op.results.count, "replacement count (\(values.count)) does not match result count (\(op.results.count)) of '\(op.name)'")
    for (r, v) in zip(op.results, values) { r.replaceAllUses(with: v) }
    erase(op)
  }

  public func erase(_ op: Operation) {
    op.walk { erased.insert(ObjectIdentifier($0)) }
    op.erase()
    changed = true
  }

  /// Records an in-place change of `op` (attributes, operands).
  public func modified(_ op: Operation) { changed = true }
}

/// A rewrite of ops of one name (or any op).
public protocol RewritePattern {
  /// The op kind this pattern matches, nil for any.
  var rootName: OpName? { get }
  func matchAndRewrite(_ op: Operation, rewriter: PatternRewriter) -> RewriteOutcome
}

/// A pattern over a typed op view.
public protocol OpRewritePattern: RewritePattern {
  associatedtype Op: OpDefinition
  func matchAndRewrite(_ op: Op, rewriter: PatternRewriter) -> RewriteOutcome
}

extension OpRewritePattern {
  public var rootName: OpName? { Op.name }
  public func matchAndRewrite(_ op: Operation, rewriter: PatternRewriter) -> RewriteOutcome {
    guard let typed = Op(op) else { return .noMatch }
    return matchAndRewrite(typed, rewriter: rewriter)
  }
}

/// A set of patterns, looked up by root op name.
public struct RewritePatternSet {
  var byName: [OpName: [any RewritePattern]] = [:]
  var generic: [any RewritePattern] = []
  public init() {}
  public mutating func add(_ p: any RewritePattern) {
    if let n = p.rootName { byName[n, default: []].append(p) } else { generic.append(p) }
  }
  func patterns(for name: OpName) -> [any RewritePattern] { (byName[name] ?? []) + generic }
  public var isEmpty: Bool { byName.isEmpty && generic.isEmpty }
}

/// Applies patterns and folding until nothing changes (or `maxIterations` sweeps), removing
/// pure ops whose results are unused. Returns whether the IR changed.
@discardableResult
public func applyPatternsGreedily(
  to root: Operation, _ patterns: RewritePatternSet, registry: DialectRegistry, fold: Bool = true,
  maxIterations: Int = 10
) -> Bool {
  let rewriter = PatternRewriter(registry: registry)
  var everChanged = false
  for _ in 0..<maxIterations {
    rewriter.changed = false
    var worklist: [Operation] = []
    root.walkPostOrder { if $0 !== root { worklist.append($0) } }
    for op in worklist {
      if rewriter.erased.contains(ObjectIdentifier(op)) || op.parentBlock == nil { continue }
      if op.hasTrait(.pure) && !op.results.isEmpty && op.results.allSatisfy({ !$0.hasUses }) && op.regions.isEmpty {
        rewriter.erase(op)
        continue
      }
      if fold, tryFold(op, rewriter: rewriter) { continue }
      for p in patterns.patterns(for: op.name) {
        if p.matchAndRewrite(op, rewriter: rewriter) == .applied { break }
      }
    }
    if !rewriter.changed { break }
    everChanged = true
  }
  return everChanged
}

/// Folds `op` into constants or existing values when its definition can.
private func tryFold(_ op: Operation, rewriter: PatternRewriter) -> Bool {
  guard let def = op.definition, !op.hasTrait(.constantLike), !op.results.isEmpty else { return false }
  let constants: [Attribute?] = op.operands.map { v in
    guard let d = v.definingOp, d.hasTrait(.constantLike) else { return nil }
    return d.attribute("value")
  }
  guard let results = def.fold(op, constants: constants), results.count == op.results.count else { return false }
  var values: [Value] = []
  for (r, fr) in zip(op.results, results) {
    switch fr {
    case .value(let v): values.append(v)
    case .attribute(let a):
      guard a.valueType == r.type else { return false }
      let c = rewriter.create(
        before: op, ArithDialect.ConstantOp.name, resultTypes: [r.type],
        properties: .dictionary(AttributeDictionary([NamedAttribute("value", a)])))
      values.append(c.results[0])
    }
  }
  rewriter.replace(op, with: values)
  return true
}
