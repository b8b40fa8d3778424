/// An operand reference read before its type is known: `%name` or `%name#2`.
public struct UnresolvedOperand: Sendable {
  public var name: String
  public var number: Int
  public var offset: Int
}

/// A named entry-block argument read by a custom parser (`%a: i32 {attrs} loc(…)`).
public struct ArgumentDefinition {
  public var operand: UnresolvedOperand
  public var type: IRType
  public var attributes: AttributeDictionary
  public var location: Location?
}

/// One `{-# dialect_resources: … #-}` entry: `dialect.key` and its value text or blob bytes.
public struct ResourceEntry: Hashable, Sendable {
  public var dialect: String
  public var key: String
  public enum Value: Hashable, Sendable {
    case blob([UInt8])
    case string([UInt8])
    case bool(Bool)
  }
  public var value: Value
}

/// A parsed top-level module with the file-level resources it was read with.
public final class Module {
  public let operation: Operation
  public var resources: [ResourceEntry]

  public init(operation: Operation, resources: [ResourceEntry] = []) {
    self.operation = operation
    self.resources = resources
  }

  /// The module's single body block.
  public var body: Block { operation.regions[0].blocks[0] }
}

/// The MLIR text parser, also the interface custom op parsers read their syntax through.
public final class OpAsmParser {
  public let file: SourceFile
  public let registry: DialectRegistry
  let buf: UnsafeBufferPointer<UInt8>
  var lexer: Lexer
  public internal(set) var token: Token
  /// End offset of the last consumed token.
  var previousEnd = 0
  var typeAliases: [String: IRType] = [:]
  var attributeAliases: [String: Attribute] = [:]
  var resources: [ResourceEntry] = []
  var deferredLocationAliases: Set<String> = []
  static let deferredLocationPrefix = "\u{0}#"

  struct ValueGroup {
    var values: [Value]
    var offset: Int
  }
  final class IsolatedScope {
    var scopes: [[String: ValueGroup]] = [[:]]
    var forwardRefs: [String: [Int: (value: Value, offset: Int)]] = [:]
  }
  var isolatedScopes: [IsolatedScope] = [IsolatedScope()]
  struct BlockEntry {
    var block: Block
    var defined: Bool
    var offset: Int
  }
  var blockScopes: [[String: BlockEntry]] = []
  var defaultDialects: [String] = []

  public init(file: SourceFile, registry: DialectRegistry) {
    self.file = file
    self.registry = registry
    buf = file.terminatedBytes
    lexer = Lexer(buffer: buf)
    token = Token(kind: .eof, start: 0, end: 0)
    token = lexer.next()
  }


  // MARK: Tokens

  func text(_ t: Token) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: buf[t.start..<t.end]), as: UTF8.self)
  }

  public var tokenText: String { text(token) }

  func consume() {
    previousEnd = token.end
    token = lexer.next()
  }

  /// Throws the lexer's own message when the current token is an error.
  func checkLexError() throws(ParseError) {
    if token.kind == .error {
      throw ParseError(at: token.errorOffset, lexer.errorMessage.description)
    }
  }

  public func error(_ message: String, at offset: Int? = nil) -> ParseError {
    if let offset { return ParseError(at: offset, message) }
    // At the end of the buffer, point at the last character rather than past it.
    return ParseError(at: token.kind == .eof ? max(0, token.start - 1) : token.start, message)
  }

  /// An error about the current token, placed after the previous token when the current one starts
  /// a later line (as MLIR does for "expected …" messages).
  public func wrongTokenError(_ message: String) -> ParseError {
    if token.kind == .error { return ParseError(at: token.errorOffset, lexer.errorMessage.description) }
    var i = token.start
    while true {
      while i > 0 && (buf[i - 1] == UInt8(ascii: " ") || buf[i - 1] == UInt8(ascii: "\t")) { i -= 1 }
      if i == 0 { return ParseError(at: token.start, message) }
      let c = buf[i - 1]
      if c != UInt8(ascii: "\n") && c != UInt8(ascii: "\r") { return ParseError(at: i, message) }
      i -= 1
      // Skip a `//` comment on the preceding line.
      var lineStart = i
      while lineStart > 0 && buf[lineStart - 1] != UInt8(ascii: "\n") && buf[lineStart - 1] != UInt8(ascii: "\r") { lineStart -= 1 }
      var k = lineStart
      while k + 1 < i {
        if buf[k] == UInt8(ascii: "/") && buf[k + 1] == UInt8(ascii: "/") {
          i = k
          break
        }
        k += 1
      }
    }
  }

  public func parseOptional(_ kind: TokenKind) -> Bool {
    if token.kind == kind {
      consume()
      return true
    }
    return false
  }

  public func parse(_ kind: TokenKind, _ message: String) throws(ParseError) {
    if token.kind != kind { throw wrongTokenError(message) }
    consume()
  }

  public func isKeyword(_ kw: String) -> Bool {
    token.kind == .bareIdentifier && token.end - token.start == kw.utf8.count && text(token) == kw
  }

  public func parseOptionalKeyword(_ kw: String) -> Bool {
    if isKeyword(kw) {
      consume()
      return true
    }
    return false
  }

  public func parseKeyword(_ kw: String) throws(ParseError) {
    guard parseOptionalKeyword(kw) else { throw wrongTokenError("expected '\(kw)'") }
  }

  public func parseOptionalKeyword() -> String? {
    guard token.kind == .bareIdentifier else { return nil }
    let s = text(token)
    consume()
    return s
  }

  public var currentOffset: Int { token.start }
  public func location(at offset: Int) -> Location { file.location(of: offset) }

  /// Parses `elem (, elem)*`.
  public func parseCommaSeparated(_ element: () throws(ParseError) -> Void) throws(ParseError) {
    repeat { try element() } while parseOptional(.comma)
  }

  /// Parses a delimited, possibly empty, comma-separated list.
  public func parseList(
    open: TokenKind, close: TokenKind, context: String, _ element: () throws(ParseError) -> Void
  ) throws(ParseError) {
    try parse(open, "expected '\(OpAsmParser.spelling(open))'")
    if parseOptional(close) { return }
    try parseCommaSeparated(element)
    if token.kind != close {
      throw wrongTokenError("expected ',' or '\(OpAsmParser.spelling(close))' in \(context)")
    }
    consume()
  }

  static func spelling(_ k: TokenKind) -> String {
    switch k {
    case .lParen: "("
    case .rParen: ")"
    case .lBrace: "{"
    case .rBrace: "}"
    case .lSquare: "["
    case .rSquare: "]"
    case .less: "<"
    case .greater: ">"
    case .colon: ":"
    case .comma: ","
    case .equal: "="
    case .arrow: "->"
    default: "\(k)"
    }
  }

  public func parseInteger() throws(ParseError) -> Int64 {
    let negative = parseOptional(.minus)
    guard token.kind == .integer else { throw wrongTokenError("expected integer value") }
    let digits = UnsafeBufferPointer(rebasing: buf[token.start..<token.end])
    let hex = digits.count > 1 && digits[1] == UInt8(ascii: "x")
    let words = APInt.parseMagnitude(hex ? UnsafeBufferPointer(rebasing: digits[2...]) : digits, hex: hex)
    guard words.count == 1, words[0] <= UInt64(Int64.max) else { throw error("integer value too large") }
    consume()
    return negative ? -Int64(words[0]) : Int64(words[0])
  }

  // MARK: Top level

  /// Parses a whole buffer into a module (wrapping top-level ops unless they are one module).
  public func parseModule() throws(ParseError) -> Module {
    let top = Block()
    while token.kind != .eof {
      try checkLexError()
      switch token.kind {
      case .hashIdentifier where peekIsAliasDefinition():
        try parseAttributeAliasDefinition()
      case .exclamationIdentifier where peekIsAliasDefinition():
        try parseTypeAliasDefinition()
      case .fileMetadataBegin:
        try parseFileMetadata()
      default:
        try parseOperation(into: top)
      }
    }
    try finishIsolatedScope()
    if !deferredLocationAliases.isEmpty { try resolveDeferredLocations(top) }
    let module: Operation
    if top.operations.count == 1, top.operations[0].name == BuiltinDialect.ModuleOp.name {
      module = top.operations[0]
      top.removeAll { _ in true }
    } else {
      module = Operation(
        name: BuiltinDialect.ModuleOp.name, definition: registry.lookup(BuiltinDialect.ModuleOp.name),
        regionCount: 1, location: file.location(of: 0))
      let body = Block()
      module.regions[0].append(body)
      let ops = top.operations
      top.removeAll { _ in true }
      for op in ops { body.append(op) }
    }
    return Module(operation: module, resources: resources)
  }

  /// Replaces markers of `loc(#alias)` uses that preceded the alias definition.
  private func resolveDeferredLocations(_ top: Block) throws(ParseError) {
    var missing: String?
    func resolve(_ l: Location) -> Location {
      switch l {
      case .name(let n, nil) where n.hasPrefix(OpAsmParser.deferredLocationPrefix):
        let alias = String(n.dropFirst(OpAsmParser.deferredLocationPrefix.count))
        if case .location(let target)? = attributeAliases[alias] { return target }
        missing = alias
        return .unknown
      case .name(let n, let c?): return .name(n, child: resolve(c))
      case .callSite(let a, let b): return .callSite(callee: resolve(a), caller: resolve(b))
      case .fused(let m, let ls): return .fused(metadata: m, locations: ls.map(resolve))
      default: return l
      }
    }
    for op in top.operations {
      op.walk { o in
        o.location = resolve(o.location)
        for r in o.regions { for b in r.blocks { for a in b.arguments { a.location = a.location.map(resolve) } } }
      }
    }
    if let missing { throw error("operation location alias was never defined: '#\(missing)'", at: 0) }
  }

  private func peekIsAliasDefinition() -> Bool {
    var l = lexer
    return l.next().kind == .equal
  }

  private func parseAttributeAliasDefinition() throws(ParseError) {
    let name = String(text(token).dropFirst())
    let offset = token.start
    if name.contains(".") { throw error("attribute names with a '.' are reserved for dialect-defined names", at: offset) }
    if attributeAliases[name] != nil { throw error("redefinition of attribute alias id '\(name)'", at: offset) }
    consume()
    try parse(.equal, "expected '=' in attribute alias definition")
    attributeAliases[name] = try parseAttribute()
  }

  private func parseTypeAliasDefinition() throws(ParseError) {
    let name = String(text(token).dropFirst())
    let offset = token.start
    if name.contains(".") { throw error("type names with a '.' are reserved for dialect-defined names", at: offset) }
    if typeAliases[name] != nil { throw error("redefinition of type alias id '\(name)'", at: offset) }
    consume()
    try parse(.equal, "expected '=' in type alias definition")
    typeAliases[name] = try parseType()
  }

  /// `{-# dialect_resources: { dialect: { key: value, … } }, external_resources: … #-}`
  private func parseFileMetadata() throws(ParseError) {
    consume()
    if parseOptional(.fileMetadataEnd) { return }
    try parseCommaSeparated { () throws(ParseError) in
      guard token.kind == .bareIdentifier else { throw wrongTokenError("expected identifier key in file metadata dictionary") }
      let section = text(token)
      consume()
      try parse(.colon, "expected ':'")
      guard section == "dialect_resources" || section == "external_resources" else {
        throw error("unknown key '\(section)' in file metadata dictionary", at: previousEnd)
      }
      try parseList(open: .lBrace, close: .rBrace, context: "resource section") { () throws(ParseError) in
        guard token.kind == .bareIdentifier || token.kind == .string else { throw wrongTokenError("expected identifier key for 'resource' entry") }
        let dialect = token.kind == .string ? String(decoding: Lexer.decodeString(buf, token), as: UTF8.self) : text(token)
        consume()
        try parse(.colon, "expected ':'")
        try parseList(open: .lBrace, close: .rBrace, context: "resource entries") { () throws(ParseError) in
          guard token.kind == .bareIdentifier || token.kind == .string else { throw wrongTokenError("expected identifier key for 'resource' entry") }
          let key = token.kind == .string ? String(decoding: Lexer.decodeString(buf, token), as: UTF8.self) : text(token)
          consume()
          try parse(.colon, "expected ':'")
          let valueOffset = token.start
          let value: ResourceEntry.Value
          if isKeyword("true") || isKeyword("false") {
            value = .bool(isKeyword("true"))
            consume()
          } else if token.kind == .string {
            let bytes = Lexer.decodeString(buf, token)
            if bytes.count >= 2 && bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "x") {
              guard let blob = OpAsmParser.decodeHex(bytes[2...]), blob.count >= 4 else {
                throw error("expected hex string blob for key '\(key)' to encode alignment in first 4 bytes", at: valueOffset)
              }
              value = .blob(blob)
            } else {
              value = .string(bytes)
            }
            consume()
          } else {
            throw wrongTokenError("expected 'true', 'false' or a string for resource '\(key)'")
          }
          if section == "dialect_resources" { resources.append(ResourceEntry(dialect: dialect, key: key, value: value)) }
        }
      }
    }
    try parse(.fileMetadataEnd, "expected '#-}' to end file metadata")
  }

  static func decodeHex(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
    bytes.withUnsafeBufferPointer { decodeHex($0) }
  }

  static func decodeHex(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    guard bytes.count % 2 == 0 else { return nil }
    var ok = true
    let out = [UInt8](unsafeUninitializedCapacity: bytes.count / 2) { dst, initialized in
      var i = 0
      var k = 0
      while i < bytes.count {
        let a = bytes[i]
        let b = bytes[i + 1]
        guard Lexer.isHexDigit(a), Lexer.isHexDigit(b) else {
          ok = false
          break
        }
        dst[k] = Lexer.hexValue(a) << 4 | Lexer.hexValue(b)
        k += 1
        i += 2
      }
      initialized = k
    }
    return ok ? out : nil
  }

  // MARK: SSA values

  var currentIsolatedScope: IsolatedScope { isolatedScopes[isolatedScopes.count - 1] }

  /// Parses `%name` or `%name#N`.
  public func parseOperand() throws(ParseError) -> UnresolvedOperand {
    try checkLexError()
    guard token.kind == .percentIdentifier else { throw wrongTokenError("expected SSA operand") }
    let offset = token.start
    let name = text(token)
    consume()
    var number = 0
    if token.kind == .hashIdentifier, token.start == previousEnd {
      let digits = text(token).dropFirst()
      guard let n = Int(digits) else { throw error("invalid SSA value result number") }
      number = n
      consume()
    }
    return UnresolvedOperand(name: name, number: number, offset: offset)
  }

  public func parseOptionalOperand() throws(ParseError) -> UnresolvedOperand? {
    token.kind == .percentIdentifier ? try parseOperand() : nil
  }

  /// The value an operand names, checking the type against earlier uses or its definition.
  public func resolveOperand(_ operand: UnresolvedOperand, type: IRType) throws(ParseError) -> Value {
    let scope = currentIsolatedScope
    for s in scope.scopes.reversed() {
      if let group = s[operand.name] {
        guard operand.number < group.values.count else {
          throw error("reference to invalid result number", at: operand.offset)
        }
        let v = group.values[operand.number]
        try checkUseType(v, type, operand, priorOffset: group.offset)
        return v
      }
    }
    if let ref = scope.forwardRefs[operand.name]?[operand.number] {
      try checkUseType(ref.value, type, operand, priorOffset: ref.offset)
      return ref.value
    }
    let placeholder = Value(type: type, owner: .result(index: operand.number))
    scope.forwardRefs[operand.name, default: [:]][operand.number] = (placeholder, operand.offset)
    return placeholder
  }

  private func checkUseType(_ v: Value, _ type: IRType, _ operand: UnresolvedOperand, priorOffset: Int) throws(ParseError) {
    guard v.type != type else { return }
    let name = operand.number == 0 ? operand.name : "\(operand.name)#\(operand.number)"
    throw ParseError(
      at: operand.offset,
      "use of value '\(name)' expects different type than prior uses: '\(type)' vs '\(v.type)'",
      notes: [(priorOffset, "prior use here")])
  }

  /// Binds `name` to `values` in the innermost scope, resolving forward references.
  func define(_ name: String, _ values: [Value], offset: Int) throws(ParseError) {
    let scope = currentIsolatedScope
    for s in scope.scopes.reversed() {
      if let prior = s[name] {
        throw ParseError(at: offset, "redefinition of SSA value '\(name)'", notes: [(prior.offset, "previously defined here")])
      }
    }
    if let refs = scope.forwardRefs.removeValue(forKey: name) {
      for (number, ref) in refs {
        guard number < values.count else {
          throw error("reference to invalid result number", at: ref.offset)
        }
        if ref.value.type != values[number].type {
          throw ParseError(
            at: ref.offset,
            "use of value '\(name)' expects different type than prior uses: '\(ref.value.type)' vs '\(values[number].type)'",
            notes: [(offset, "prior use here")])
        }
        ref.value.replaceAllUses(with: values[number])
      }
    }
    scope.scopes[scope.scopes.count - 1][name] = ValueGroup(values: values, offset: offset)
  }

  func finishIsolatedScope() throws(ParseError) {
    let scope = currentIsolatedScope
    let pending = scope.forwardRefs.values.flatMap { $0.values.map(\.offset) }
    if let first = pending.min() { throw error("use of undeclared SSA value name", at: first) }
  }

  // MARK: Operations

  func parseOperation(into block: Block) throws(ParseError) {
    try checkLexError()
    let start = token.start
    var groups: [(name: String, count: Int, offset: Int)] = []
    if token.kind == .percentIdentifier {
      try parseCommaSeparated { () throws(ParseError) in
        guard token.kind == .percentIdentifier else { throw wrongTokenError("expected valid ssa identifier") }
        let name = text(token)
        let offset = token.start
        consume()
        var count = 1
        if parseOptional(.colon) {
          guard token.kind == .integer, let n = Int(text(token)), n >= 1 else {
            throw wrongTokenError("expected integer number of results")
          }
          count = n
          consume()
        }
        groups.append((name, count, offset))
      }
      try parse(.equal, "expected '=' after SSA name")
    }
    let op: Operation
    switch token.kind {
    case .string: op = try parseGenericOperation()
    case .bareIdentifier: op = try parseCustomOperation()
    case .error: throw error(lexer.errorMessage.description, at: token.errorOffset)
    default: throw wrongTokenError("expected operation name in quotes")
    }
    if !groups.isEmpty {
      let total = groups.reduce(0) { $0 + $1.count }
      if op.results.isEmpty { throw error("cannot name an operation with no results", at: start) }
      if total != op.results.count {
        throw error("operation defines \(op.results.count) results but was provided \(total) to bind", at: start)
      }
      var k = 0
      for g in groups {
        try define(g.name, Array(op.results[k..<k + g.count]), offset: g.offset)
        k += g.count
      }
    }
    if isKeyword("loc") { op.location = try parseLocationLiteral() }
    block.append(op)
  }

  func lookupOperation(_ name: OpName, at offset: Int) throws(ParseError) -> RegisteredOp? {
    if let def = registry.lookup(name) { return def }
    let dialect = name.dialect
    if registry.isRegistered(dialect: dialect) {
      throw error("unregistered operation '\(name)' found in dialect ('\(dialect)') that does not allow unknown operations", at: offset)
    }
    if !registry.allowUnregisteredDialects {
      throw error("operation being parsed with an unregistered dialect. If this is intended, please use -allow-unregistered-dialect with the MLIR tool used", at: offset)
    }
    return nil
  }

  func parseGenericOperation() throws(ParseError) -> Operation {
    let nameOffset = token.start
    let name = OpName(String(decoding: Lexer.decodeString(buf, token), as: UTF8.self))
    if name.rawValue.isEmpty { throw error("empty operation name is invalid") }
    consume()
    let definition = try lookupOperation(name, at: nameOffset)
    var state = OperationState(name: name, definition: definition, location: file.location(of: nameOffset))
    var operands: [UnresolvedOperand] = []
    try parseList(open: .lParen, close: .rParen, context: "operand list") { () throws(ParseError) in
      operands.append(try parseOperand())
    }
    if token.kind == .lSquare {
      try parseList(open: .lSquare, close: .rSquare, context: "successor list") { () throws(ParseError) in
        state.successors.append(try parseSuccessor())
      }
    }
    if parseOptional(.less) {
      state.properties = try parseAttribute()
      try parse(.greater, "expected '>' to close properties")
    }
    if token.kind == .lParen {
      let isolated = definition?.traits.contains(.isolatedFromAbove) ?? false
      try parseList(open: .lParen, close: .rParen, context: "region list") { () throws(ParseError) in
        state.regions.append(try parseRegion(arguments: [], isolated: isolated))
      }
    }
    if token.kind == .lBrace { state.attributes = try parseAttributeDictionary() }
    guard token.kind == .colon else { throw wrongTokenError("expected ':' followed by operation type") }
    consume()
    let typeOffset = token.start
    guard case .function(let inputs, let results) = try parseType() else {
      throw error("expected function type", at: typeOffset)
    }
    if inputs.count != operands.count {
      throw error("expected \(operands.count) operand type\(operands.count == 1 ? "" : "s") but had \(inputs.count)", at: typeOffset)
    }
    for (o, t) in zip(operands, inputs) { state.operands.append(try resolveOperand(o, type: t)) }
    state.resultTypes = results
    state.normalizeInherentAttributes()
    return Operation(state)
  }

  public func parseSuccessor() throws(ParseError) -> Block {
    guard token.kind == .caretIdentifier else { throw wrongTokenError("expected block name") }
    let name = text(token)
    let offset = token.start
    // Found by the fuzzer: successors of an op at the top level (no enclosing region) crashed.
    guard !blockScopes.isEmpty else { throw error("reference to an undefined block", at: offset) }
    consume()
    if let e = blockScopes[blockScopes.count - 1][name] { return e.block }
    let b = Block()
    blockScopes[blockScopes.count - 1][name] = BlockEntry(block: b, defined: false, offset: offset)
    return b
  }

  func parseCustomOperation() throws(ParseError) -> Operation {
    let nameOffset = token.start
    let spelled = text(token)
    var candidates: [String] = []
    if spelled.contains(".") { candidates.append(spelled) } else {
      candidates.append("builtin." + spelled)
      if let d = defaultDialects.last { candidates.append(d + "." + spelled) }
    }
    var definition: RegisteredOp?
    for c in candidates {
      if let d = registry.lookup(OpName(c)) {
        definition = d
        break
      }
      if let alias = registry.aliases[c], let d = registry.lookup(alias) {
        definition = d
        break
      }
    }
    guard let definition, let parseHook = definition.parseHook else {
      let dialect = OpName(spelled).dialect
      if !spelled.contains(".") || registry.isRegistered(dialect: dialect) {
        throw error("custom op '\(spelled)' is unknown", at: nameOffset)
      }
      throw error("Dialect `\(dialect)' not found for custom op '\(spelled)' ", at: nameOffset)
    }
    consume()
    var state = OperationState(name: definition.name, definition: definition, location: file.location(of: nameOffset))
    defaultDialects.append(String(definition.name.dialect))
    defer { defaultDialects.removeLast() }
    try parseHook(self, &state)
    return Operation(state)
  }

  // MARK: Regions and blocks

  /// Parses `{ … }`; `arguments` become the entry block's arguments (a function's signature).
  public func parseRegion(arguments: [ArgumentDefinition], isolated: Bool) throws(ParseError) -> Region {
    try parse(.lBrace, "expected '{' to begin a region")
    let region = Region()
    if isolated { isolatedScopes.append(IsolatedScope()) } else {
      currentIsolatedScope.scopes.append([:])
    }
    blockScopes.append([:])
    if !arguments.isEmpty && token.kind == .caretIdentifier {
      throw error("invalid block name in region with named arguments")
    }
    if !arguments.isEmpty || (token.kind != .rBrace) {
      let entry = Block()
      region.append(entry)
      for a in arguments {
        let v = entry.addArgument(a.type, location: a.location)
        try define(a.operand.name, [v], offset: a.operand.offset)
      }
      if token.kind == .caretIdentifier {
        try parseBlockHeader(entry)
      }
      try parseBlockBody(entry)
      while token.kind == .caretIdentifier {
        let block = try blockForDefinition()
        region.append(block)
        try parseBlockHeader(block, alreadyNamed: true)
        try parseBlockBody(block)
      }
    }
    try parse(.rBrace, "expected '}' to end a region")
    let undefined = blockScopes.removeLast().values.filter { !$0.defined }.map(\.offset)
    if let first = undefined.min() { throw error("reference to an undefined block", at: first) }
    if isolated {
      try finishIsolatedScope()
      isolatedScopes.removeLast()
    } else {
      currentIsolatedScope.scopes.removeLast()
    }
    return region
  }

  private func blockForDefinition() throws(ParseError) -> Block {
    let name = text(token)
    if let e = blockScopes[blockScopes.count - 1][name] {
      if e.defined { throw error("redefinition of block '\(name)'") }
      blockScopes[blockScopes.count - 1][name] = BlockEntry(block: e.block, defined: true, offset: token.start)
      return e.block
    }
    let b = Block()
    blockScopes[blockScopes.count - 1][name] = BlockEntry(block: b, defined: true, offset: token.start)
    return b
  }

  /// `^name(%a: t loc(…), …):`
  private func parseBlockHeader(_ block: Block, alreadyNamed: Bool = false) throws(ParseError) {
    if !alreadyNamed {
      let name = text(token)
      if blockScopes[blockScopes.count - 1][name] != nil { throw error("redefinition of block '\(name)'") }
      blockScopes[blockScopes.count - 1][name] = BlockEntry(block: block, defined: true, offset: token.start)
    }
    consume()
    if token.kind == .lParen {
      try parseList(open: .lParen, close: .rParen, context: "block argument list") { () throws(ParseError) in
        let operand = try parseOperand()
        try parse(.colon, "expected ':' and type for SSA operand")
        let type = try parseType()
        var loc: Location?
        if isKeyword("loc") { loc = try parseLocationLiteral() }
        let v = block.addArgument(type, location: loc)
        try define(operand.name, [v], offset: operand.offset)
      }
    }
    try parse(.colon, "expected ':' after block name")
  }

  private func parseBlockBody(_ block: Block) throws(ParseError) {
    while token.kind != .caretIdentifier && token.kind != .rBrace {
      if token.kind == .eof { throw wrongTokenError("expected '}' to end a region") }
      try parseOperation(into: block)
    }
  }
}
