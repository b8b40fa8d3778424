/// One use of a value: operand `index` of `owner`.
public struct Use: Hashable {
  public unowned(unsafe) let owner: Operation
  public let index: Int

  public static func == (a: Use, b: Use) -> Bool { a.owner === b.owner && a.index == b.index }
  public func hash(into h: inout Hasher) {
    h.combine(ObjectIdentifier(owner))
    h.combine(index)
  }
}

/// An SSA value: an operation result or a block argument. Identity matters, so it is a class.
public final class Value: Hashable, CustomStringConvertible {
  public enum Owner {
    case result(index: Int)
    case argument(index: Int)
  }
  public internal(set) var type: IRType
  public let owner: Owner
  /// The defining operation of a result.
  public internal(set) weak var definingOp: Operation?
  /// The block of a block argument.
  public internal(set) weak var ownerBlock: Block?
  /// Location of a block argument (results use their op's).
  public var location: Location?
  /// Every operand slot that reads this value.
  public internal(set) var uses: [Use] = []

  init(type: IRType, owner: Owner) {
    self.type = type
    self.owner = owner
  }

  public static func == (a: Value, b: Value) -> Bool { a === b }
  public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

  public var hasUses: Bool { !uses.isEmpty }

  /// Replaces every use of this value by `other`.
  public func replaceAllUses(with other: Value) {
    guard other !== self else { return }
    for use in uses { use.owner.setOperand(use.index, other) }
  }

  /// The block in which this value is defined.
  public var parentBlock: Block? {
    switch owner {
    case .result: definingOp?.parentBlock
    case .argument: ownerBlock
    }
  }

  public var description: String {
    switch owner {
    case .result(let i): "<result \(i) of \(definingOp?.name.description ?? "?") : \(type)>"
    case .argument(let i): "<block argument \(i) : \(type)>"
    }
  }
}

/// The name of an operation, `dialect.mnemonic`.
public struct OpName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(_ raw: String) { rawValue = raw }
  public init(stringLiteral value: String) { rawValue = value }
  public var description: String { rawValue }

  /// The dialect namespace: text before the first dot.
  public var dialect: Substring {
    rawValue.firstIndex(of: ".").map { rawValue[..<$0] } ?? ""
  }
}

/// A generic operation: the one IR node type. Ops of registered dialects are typed views over it.
public final class Operation {
  public let name: OpName
  /// The registered definition, or nil for an unregistered op.
  public let definition: RegisteredOp?
  public private(set) var operands: [Value]
  public private(set) var results: [Value] = []
  /// Discardable attributes (the `{…}` dictionary).
  public var attributes: AttributeDictionary
  /// Properties (`<{…}>`): inherent attributes of a registered op, or what an unregistered op carried.
  public var properties: Attribute?
  public private(set) var regions: [Region] = []
  public var successors: [Block]
  public var location: Location
  public internal(set) weak var parentBlock: Block?

  public init(
    name: OpName, definition: RegisteredOp? = nil, operands: [Value] = [], resultTypes: [IRType] = [],
    attributes: AttributeDictionary = AttributeDictionary(), properties: Attribute? = nil,
    regionCount: Int = 0, regions: [Region] = [], successors: [Block] = [],
    location: Location = .unknown
  ) {
    self.name = name
    self.definition = definition
    self.operands = operands
    self.attributes = attributes
    self.properties = properties
    self.successors = successors
    self.location = location
    for (i, v) in operands.enumerated() { v.uses.append(Use(owner: self, index: i)) }
    results = resultTypes.enumerated().map { i, t in
      let v = Value(type: t, owner: .result(index: i))
      v.definingOp = self
      return v
    }
    self.regions = regions
    for r in regions { r.parentOp = self }
    for _ in 0..<regionCount { self.regions.append(Region(parent: self)) }
  }

  /// Creates an op from a parsed or built state.
  public convenience init(_ state: OperationState) {
    self.init(
      name: state.name, definition: state.definition, operands: state.operands,
      resultTypes: state.resultTypes, attributes: state.attributes, properties: state.properties,
      regions: state.regions, successors: state.successors, location: state.location)
  }

  public var isRegistered: Bool { definition != nil }
  public var result: Value { results[0] }

  public func hasTrait(_ trait: OpTraits) -> Bool { definition?.traits.contains(trait) ?? false }

  /// An inherent or discardable attribute by name (properties first).
  public func attribute(_ name: String) -> Attribute? {
    if case .dictionary(let d) = properties, let v = d[name] { return v }
    return attributes[name]
  }

  /// Sets an inherent attribute of a registered op (in its properties).
  public func setInherentAttribute(_ name: String, _ value: Attribute?) {
    var d = properties?.dictionaryValue ?? AttributeDictionary()
    d[name] = value
    properties = .dictionary(d)
  }

  public func setOperand(_ index: Int, _ value: Value) {
    let old = operands[index]
    if let k = old.uses.firstIndex(where: { $0.owner === self && $0.index == index }) {
      old.uses.remove(at: k)
    }
    operands[index] = value
    value.uses.append(Use(owner: self, index: index))
  }

  public func setOperands(_ values: [Value]) {
    dropOperandUses()
    operands = values
    for (i, v) in values.enumerated() { v.uses.append(Use(owner: self, index: i)) }
  }

  func dropOperandUses() {
    for (i, v) in operands.enumerated() {
      if let k = v.uses.firstIndex(where: { $0.owner === self && $0.index == i }) {
        v.uses.remove(at: k)
      }
    }
  }

  /// Releases the uses this op and everything nested in it hold, before erasure.
  public func dropAllReferences() {
    dropOperandUses()
    operands = []
    for r in regions { for b in r.blocks { for op in b.operations { op.dropAllReferences() } } }
  }

  /// Removes the op from its block; its results must have no uses left.
  public func erase() {
    dropAllReferences()
    parentBlock?.remove(self)
  }

  public var parentOp: Operation? { parentBlock?.parentRegion?.parentOp }

  /// Walks this op and all nested ops, pre-order.
  public func walk(_ body: (Operation) throws -> Void) rethrows {
    try body(self)
    for r in regions { for b in r.blocks { for op in b.operations { try op.walk(body) } } }
  }

  /// Walks nested ops post-order (children before parents).
  public func walkPostOrder(_ body: (Operation) throws -> Void) rethrows {
    for r in regions { for b in r.blocks { for op in b.operations { try op.walkPostOrder(body) } } }
    try body(self)
  }

  /// Whether `self` is `other` or nested inside it.
  public func isProperAncestor(of other: Operation) -> Bool {
    var cur = other.parentOp
    while let c = cur {
      if c === self { return true }
      cur = c.parentOp
    }
    return false
  }

  /// A deep copy, remapping operands through `mapping` (values defined inside are cloned too).
  public func clone(mapping: inout [ObjectIdentifier: Value]) -> Operation {
    let newOperands = operands.map { mapping[ObjectIdentifier($0)] ?? $0 }
    let copy = Operation(
      name: name, definition: definition, operands: newOperands, resultTypes: results.map(\.type),
      attributes: attributes, properties: properties, regionCount: regions.count,
      successors: successors, location: location)
    for (a, b) in zip(results, copy.results) { mapping[ObjectIdentifier(a)] = b }
    for (r, nr) in zip(regions, copy.regions) {
      var blockMap: [ObjectIdentifier: Block] = [:]
      for b in r.blocks {
        let nb = Block(argumentTypes: b.arguments.map(\.type))
        for (a, na) in zip(b.arguments, nb.arguments) { mapping[ObjectIdentifier(a)] = na }
        blockMap[ObjectIdentifier(b)] = nb
        nr.append(nb)
      }
      for (b, nb) in zip(r.blocks, nr.blocks) {
        for op in b.operations {
          let c = op.clone(mapping: &mapping)
          c.successors = c.successors.map { blockMap[ObjectIdentifier($0)] ?? $0 }
          nb.append(c)
        }
      }
    }
    return copy
  }
}

/// A list of blocks owned by an operation.
public final class Region {
  public internal(set) weak var parentOp: Operation?
  public private(set) var blocks: [Block] = []

  init(parent: Operation?) { parentOp = parent }
  /// A region not yet attached to an op (the op adopts it when created).
  public convenience init() { self.init(parent: nil) }

  public var isEmpty: Bool { blocks.isEmpty }
  public var entryBlock: Block? { blocks.first }

  public func append(_ block: Block) {
    block.parentRegion = self
    blocks.append(block)
  }

  public func remove(_ block: Block) {
    blocks.removeAll { $0 === block }
    block.parentRegion = nil
  }
}

/// A sequence of operations with block arguments.
public final class Block {
  public internal(set) weak var parentRegion: Region?
  public private(set) var arguments: [Value] = []
  public private(set) var operations: [Operation] = []

  public init(argumentTypes: [IRType] = [], locations: [Location?] = []) {
    for t in argumentTypes { _ = addArgument(t) }
    for (a, l) in zip(arguments, locations) { a.location = l }
  }

  @discardableResult
  public func addArgument(_ type: IRType, location: Location? = nil) -> Value {
    let v = Value(type: type, owner: .argument(index: arguments.count))
    v.ownerBlock = self
    v.location = location
    arguments.append(v)
    return v
  }

  public func append(_ op: Operation) {
    op.parentBlock = self
    operations.append(op)
  }

  public func insert(_ op: Operation, at index: Int) {
    op.parentBlock = self
    operations.insert(op, at: index)
  }

  /// Inserts `op` just before `anchor`, which must be in this block.
  public func insert(_ op: Operation, before anchor: Operation) {
    insert(op, at: index(of: anchor) ?? operations.count)
  }

  public func index(of op: Operation) -> Int? { operations.firstIndex { $0 === op } }

  func remove(_ op: Operation) {
    if let i = index(of: op) { operations.remove(at: i) }
    op.parentBlock = nil
  }

  /// Removes every op for which `predicate` holds, in one pass.
  public func removeAll(where predicate: (Operation) -> Bool) {
    operations.removeAll { op in
      if predicate(op) {
        op.parentBlock = nil
        return true
      }
      return false
    }
  }

  public var terminator: Operation? { operations.last }
  public var parentOp: Operation? { parentRegion?.parentOp }

  /// Blocks that branch here (by successor lists in the same region).
  public var predecessors: [Block] {
    guard let region = parentRegion else { return [] }
    var result: [Block] = []
    for b in region.blocks {
      guard let t = b.operations.last else { continue }
      for s in t.successors where s === self { result.append(b) }
    }
    return result
  }
}

/// Everything needed to create an operation; custom parsers and builders fill it in.
public struct OperationState {
  public var name: OpName
  public var definition: RegisteredOp?
  public var operands: [Value] = []
  public var resultTypes: [IRType] = []
  public var attributes = AttributeDictionary()
  public var properties: Attribute?
  public var regions: [Region] = []
  public var successors: [Block] = []
  public var location: Location = .unknown

  public init(name: OpName, definition: RegisteredOp? = nil, location: Location = .unknown) {
    self.name = name
    self.definition = definition
    self.location = location
  }

  /// Moves inherent attributes of a registered op from the attribute dictionary into properties.
  public mutating func normalizeInherentAttributes() {
    guard let def = definition, !def.inherentAttributes.isEmpty else { return }
    var props = properties?.dictionaryValue ?? AttributeDictionary()
    for n in def.inherentAttributes {
      if let v = attributes[n] {
        props[n] = v
        attributes[n] = nil
      }
    }
    properties = props.isEmpty && properties == nil ? nil : .dictionary(props)
  }
}
