/// Properties of ops the framework understands (verification, CSE, dead-code removal).
public struct OpTraits: OptionSet, Hashable, Sendable {
  public let rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }
  /// No side effects: may be removed when unused and merged by CSE.
  public static let pure = OpTraits(rawValue: 1 << 0)
  /// Ends a block.
  public static let terminator = OpTraits(rawValue: 1 << 1)
  /// Values from outside may not be used inside its regions.
  public static let isolatedFromAbove = OpTraits(rawValue: 1 << 2)
  /// Defines a symbol table (`sym_name` of nested ops are unique).
  public static let symbolTable = OpTraits(rawValue: 1 << 3)
  /// Its regions have no dominance requirement (like a module body).
  public static let graphRegions = OpTraits(rawValue: 1 << 4)
  /// Produces a constant; its `value` attribute is the folded result.
  public static let constantLike = OpTraits(rawValue: 1 << 5)
  /// Results are commutative in their first two operands.
  public static let commutative = OpTraits(rawValue: 1 << 6)
  /// Has no regions' block terminator requirement (single implicit block).
  public static let noTerminator = OpTraits(rawValue: 1 << 7)
}

/// Fixed operand/result/region counts of an op (nil: variadic).
public struct OpShape: Hashable, Sendable {
  public var operands: Int?
  public var results: Int?
  public var regions: Int?
  public var successors: Int?
  public init(operands: Int? = nil, results: Int? = nil, regions: Int? = 0, successors: Int? = 0) {
    self.operands = operands
    self.results = results
    self.regions = regions
    self.successors = successors
  }
  public static let variadic = OpShape(operands: nil, results: nil, regions: nil, successors: nil)
}

/// An error found by a verifier: the message, the op it concerns and notes.
public struct VerifyError: Error, CustomStringConvertible {
  public var message: String
  public var notes: [String]
  /// Whether the diagnostic reads `'dialect.op' op <message>` (MLIR's emitOpError) or just the message.
  public var prefixOpName: Bool
  public init(_ message: String, notes: [String] = [], prefixOpName: Bool = true) {
    self.message = message
    self.notes = notes
    self.prefixOpName = prefixOpName
  }
  public var description: String { message }
}

/// The result of folding one op: an existing value or a constant attribute.
public enum FoldResult {
  case value(Value)
  case attribute(Attribute)
}

/// A typed view over an `Operation` of a registered op kind, with its verifier.
public protocol OpDefinition {
  static var name: OpName { get }
  static var shape: OpShape { get }
  static var traits: OpTraits { get }
  /// Attributes printed as properties `<{…}>` in generic form.
  static var inherentAttributes: [String] { get }
  /// A one-line description for documentation.
  static var summary: String { get }
  var operation: Operation { get }
  init(unchecked operation: Operation)
  /// The op's own rules; arity and traits were checked before.
  func verify() throws(VerifyError)
  /// Folds the op given the constant values of its operands (nil where not constant).
  func fold(constants: [Attribute?]) -> [FoldResult]?
}

extension OpDefinition {
  public static var shape: OpShape { .variadic }
  public static var traits: OpTraits { [] }
  public static var inherentAttributes: [String] { [] }
  public static var summary: String { "" }
  public func verify() throws(VerifyError) {}
  public func fold(constants: [Attribute?]) -> [FoldResult]? { nil }

  /// The typed view when `op` is of this kind.
  public init?(_ op: Operation) {
    guard op.name == Self.name else { return nil }
    self.init(unchecked: op)
  }
}

/// Ops with a custom (pretty) assembly form besides the generic one.
public protocol CustomAssemblyOp: OpDefinition {
  /// Parses the text after the op name; the parser creates the op from the returned state.
  static func parseAssembly(_ parser: OpAsmParser, _ state: inout OperationState) throws(ParseError)
  /// Prints the text after the op name.
  func printAssembly(_ printer: inout OpAsmPrinter)
  /// Suggested SSA name prefix for results in pretty form (e.g. `c1_i32`, `cst`).
  func resultNameHint() -> String?
}

extension CustomAssemblyOp {
  public func resultNameHint() -> String? { nil }
}

/// What the framework keeps of one registered op kind.
public final class RegisteredOp: @unchecked Sendable {
  public let name: OpName
  /// The Swift type that defines the op: analyses ask it which interfaces the op adopts.
  public let type: any OpDefinition.Type
  public let shape: OpShape
  public let traits: OpTraits
  public let summary: String
  public let inherentAttributes: [String]
  let verifyHook: (Operation) throws(VerifyError) -> Void
  let foldHook: (Operation, [Attribute?]) -> [FoldResult]?
  let parseHook: ((OpAsmParser, inout OperationState) throws(ParseError) -> Void)?
  let printHook: ((Operation, inout OpAsmPrinter) -> Void)?
  let nameHintHook: ((Operation) -> String?)?

  init<Op: OpDefinition>(_ op: Op.Type) {
    name = Op.name
    type = op
    shape = Op.shape
    traits = Op.traits
    summary = Op.summary
    inherentAttributes = Op.inherentAttributes
    verifyHook = { (o: Operation) throws(VerifyError) in try Op(unchecked: o).verify() }
    foldHook = { Op(unchecked: $0).fold(constants: $1) }
    if let custom = op as? any CustomAssemblyOp.Type {
      parseHook = RegisteredOp.makeParseHook(custom)
      printHook = RegisteredOp.makePrintHook(custom)
      nameHintHook = RegisteredOp.makeNameHint(custom)
    } else {
      parseHook = nil
      printHook = nil
      nameHintHook = nil
    }
  }

  private static func makeParseHook<C: CustomAssemblyOp>(_ c: C.Type) -> (OpAsmParser, inout OperationState) throws(ParseError) -> Void {
    { (p: OpAsmParser, s: inout OperationState) throws(ParseError) in try C.parseAssembly(p, &s) }
  }
  private static func makePrintHook<C: CustomAssemblyOp>(_ c: C.Type) -> (Operation, inout OpAsmPrinter) -> Void {
    { op, printer in C(unchecked: op).printAssembly(&printer) }
  }
  private static func makeNameHint<C: CustomAssemblyOp>(_ c: C.Type) -> (Operation) -> String? {
    { C(unchecked: $0).resultNameHint() }
  }

  public var hasCustomAssembly: Bool { parseHook != nil }

  public func verify(_ op: Operation) throws(VerifyError) { try verifyHook(op) }
  public func fold(_ op: Operation, constants: [Attribute?]) -> [FoldResult]? { foldHook(op, constants) }
}

extension Operation {
  /// The typed view of a registered op (nil for an unregistered one). Interfaces are asked
  /// through it: `op.view as? any SomeInterface`.
  public var view: (any OpDefinition)? { definition.map { $0.type.init(unchecked: self) } }
}

/// A dialect: a namespace of ops, with optional hooks for its types and attributes.
public protocol Dialect {
  static var namespace: String { get }
  static var ops: [any OpDefinition.Type] { get }
  /// Checks the body of `!namespace.body`; throw to reject it.
  static func verifyType(body: String) throws(VerifyError)
  /// Extra ops whose name is spelled without the namespace in pretty form (`return` for `func.return`).
  static var defaultDialectAliases: [String: OpName] { get }
}

extension Dialect {
  public static func verifyType(body: String) throws(VerifyError) {}
  public static var defaultDialectAliases: [String: OpName] { [:] }
}

/// The dialects and ops known to a parser, verifier and pass manager.
public struct DialectRegistry: @unchecked Sendable {
  public private(set) var dialects: [String: any Dialect.Type] = [:]
  public private(set) var ops: [OpName: RegisteredOp] = [:]
  /// Short names usable in pretty form (`return` → `func.return`).
  public private(set) var aliases: [String: OpName] = [:]
  /// Whether ops and types of unknown dialects are accepted (kept generic).
  public var allowUnregisteredDialects = false

  public init() {}

  public mutating func register(_ dialect: any Dialect.Type) {
    dialects[dialect.namespace] = dialect
    for op in dialect.ops { ops[op.name] = RegisteredOp(op) }
    for (k, v) in dialect.defaultDialectAliases { aliases[k] = v }
  }

  /// Removes a dialect, so that its ops and types become unregistered (`--disable-dialect`).
  public mutating func unregister(namespace: String) {
    dialects[namespace] = nil
    ops = ops.filter { $0.key.dialect != namespace }
    aliases = aliases.filter { $0.value.dialect != namespace }
  }

  public func isRegistered(dialect: some StringProtocol) -> Bool { dialects[String(dialect)] != nil }

  public func lookup(_ name: OpName) -> RegisteredOp? { ops[name] }

  /// The upstream subset every tool has: builtin, func, arith, tensor, cf.
  public static var core: DialectRegistry {
    var r = DialectRegistry()
    r.register(BuiltinDialect.self)
    r.register(FuncDialect.self)
    r.register(ArithDialect.self)
    r.register(TensorDialect.self)
    r.register(ControlFlowDialect.self)
    return r
  }
}
