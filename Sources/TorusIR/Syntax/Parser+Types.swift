extension OpAsmParser {
  /// Parses any type.
  public func parseType() throws(ParseError) -> IRType {
    try checkLexError()
    switch token.kind {
    case .lParen: return try parseFunctionType()
    case .exclamationIdentifier: return try parseDialectOrAliasType()
    case .bareIdentifier: break
    default: throw wrongTokenError("expected non-function type")
    }
    let start = token.start
    let word = text(token)
    if let t = OpAsmParser.integerType(word) {
      consume()
      return t
    }
    if let k = FloatKind(rawValue: word) {
      consume()
      return .float(k)
    }
    switch word {
    case "index":
      consume()
      return .index
    case "none":
      consume()
      return .none
    case "tensor": return try parseTensorType()
    case "memref": return try parseMemRefType()
    case "vector": return try parseVectorType()
    case "tuple":
      consume()
      var types: [IRType] = []
      try parse(.less, "expected '<' in tuple type")
      if !parseOptional(.greater) {
        try parseCommaSeparated { () throws(ParseError) in types.append(try parseType()) }
        try parse(.greater, "expected '>' in tuple type")
      }
      return .tuple(types)
    case "complex":
      consume()
      try parse(.less, "expected '<' in complex type")
      let offset = token.start
      let e = try parseType()
      guard e.isInteger || e.isFloat else { throw error("invalid element type for complex", at: offset) }
      try parse(.greater, "expected '>' in complex type")
      return .complex(e)
    default:
      throw error("expected non-function type", at: start)
    }
  }

  static func integerType(_ word: String) -> IRType? {
    let u = Array(word.utf8)
    var prefix = 0
    let signedness: Signedness
    if u.starts(with: Array("si".utf8)) {
      prefix = 2
      signedness = .signed
    } else if u.starts(with: Array("ui".utf8)) {
      prefix = 2
      signedness = .unsigned
    } else if u.first == UInt8(ascii: "i") {
      prefix = 1
      signedness = .signless
    } else {
      return nil
    }
    guard u.count > prefix, u[prefix...].allSatisfy(Lexer.isDigit),
      let w = Int(String(decoding: u[prefix...], as: UTF8.self)), w <= 16_777_215
    else { return nil }
    return .integer(width: w, signedness: signedness)
  }

  func parseFunctionType() throws(ParseError) -> IRType {
    var inputs: [IRType] = []
    try parseList(open: .lParen, close: .rParen, context: "function type") { () throws(ParseError) in
      inputs.append(try parseType())
    }
    try parse(.arrow, "expected '->' in function type")
    return .function(inputs: inputs, results: try parseFunctionResultTypes())
  }

  /// A result type list: one non-function type or a parenthesised list.
  public func parseFunctionResultTypes() throws(ParseError) -> [IRType] {
    if token.kind == .lParen {
      var results: [IRType] = []
      try parseList(open: .lParen, close: .rParen, context: "function result types") { () throws(ParseError) in
        results.append(try parseType())
      }
      return results
    }
    return [try parseType()]
  }

  private func parseDialectOrAliasType() throws(ParseError) -> IRType {
    let identifier = String(text(token).dropFirst())
    guard let dot = identifier.firstIndex(of: ".") else {
      consume()
      // `!dialect<…>`: the opaque form of a dialect type (the body kept verbatim, brackets included).
      if token.kind == .less && token.start == previousEnd {
        let body = try parseBalancedBody()
        if !registry.isRegistered(dialect: identifier) && !registry.allowUnregisteredDialects {
          throw error("dialect '\(identifier)' is unknown; use --allow-unregistered-dialect to accept its types", at: previousEnd)
        }
        return .opaque(dialect: identifier, body: body)
      }
      guard let t = typeAliases[identifier] else { throw error("undefined symbol alias id '\(identifier)'") }
      return t
    }
    let bodyStart = identifier.index(after: dot)
    let dialect = String(identifier[..<dot])
    var body = String(identifier[bodyStart...])
    consume()
    if token.kind == .less && token.start == previousEnd { body += try parseBalancedBody() }
    if let d = registry.dialects[dialect] {
      do { try d.verifyType(body: body) } catch { throw self.error(error.message, at: previousEnd) }
    } else if !registry.allowUnregisteredDialects {
      throw error("dialect '\(dialect)' is unknown; use --allow-unregistered-dialect to accept its types", at: previousEnd)
    }
    return .opaque(dialect: dialect, body: body)
  }

  /// Raw text from `<` to its matching `>`, nesting over brackets and skipping strings.
  func parseBalancedBody() throws(ParseError) -> String {
    let start = token.start
    var depth = 0
    var i = start
    var stack: [UInt8] = []
    while true {
      let c = buf[i]
      if i >= buf.count - 1 { throw error("unbalanced '<' character in pretty dialect name", at: start) }
      switch c {
      case UInt8(ascii: "<"), UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
        stack.append(c)
        depth += 1
      case UInt8(ascii: "-") where buf[i + 1] == UInt8(ascii: ">"), UInt8(ascii: ">") where buf[i + 1] == UInt8(ascii: "="),
        UInt8(ascii: "<") where buf[i + 1] == UInt8(ascii: "=") && depth > 0:
        i += 1  // `->`, `>=`, `<=` inside a body are not brackets
      case UInt8(ascii: ">"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
        let open: UInt8 = switch c {
        case UInt8(ascii: ">"): UInt8(ascii: "<")
        case UInt8(ascii: ")"): UInt8(ascii: "(")
        case UInt8(ascii: "]"): UInt8(ascii: "[")
        default: UInt8(ascii: "{")
        }
        guard stack.last == open else { throw error("unbalanced '\(Character(UnicodeScalar(c)))' character in pretty dialect name", at: i) }
        stack.removeLast()
        depth -= 1
      case UInt8(ascii: "\""):
        i += 1
        while buf[i] != UInt8(ascii: "\"") {
          if i >= buf.count - 1 { throw error("unterminated string in dialect body", at: i) }
          if buf[i] == UInt8(ascii: "\\") { i += 1 }
          i += 1
        }
      default: break
      }
      i += 1
      if depth == 0 { break }
    }
    let body = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
    lexer.pos = i
    previousEnd = i
    token = lexer.next()
    return body
  }

  /// Parses `NxMx…` dimensions directly from the bytes (the lexer would read `4x8` wrongly).
  /// Returns the dimensions and which were written `[N]` (scalable).
  private func parseDimensions(allowDynamic: Bool, allowScalable: Bool) throws(ParseError) -> (dims: [Int64], scalable: [Bool]) {
    var dims: [Int64] = []
    var scalable: [Bool] = []
    var i = token.start
    func skipSpaces() {
      while buf[i] == UInt8(ascii: " ") || buf[i] == UInt8(ascii: "\t") || buf[i] == UInt8(ascii: "\n") || buf[i] == UInt8(ascii: "\r") { i += 1 }
    }
    while true {
      skipSpaces()
      let save = i
      var isScalable = false
      if allowScalable && buf[i] == UInt8(ascii: "[") {
        isScalable = true
        i += 1
      }
      var dim: Int64
      if buf[i] == UInt8(ascii: "?") {
        guard allowDynamic else { throw error("expected static shape", at: i) }
        dim = dynamicSize
        i += 1
      } else if Lexer.isDigit(buf[i]) {
        var v: Int64 = 0
        while Lexer.isDigit(buf[i]) {
          let (m, o1) = v.multipliedReportingOverflow(by: 10)
          let (a, o2) = m.addingReportingOverflow(Int64(buf[i] - UInt8(ascii: "0")))
          if o1 || o2 { throw error("invalid dimension", at: save) }
          v = a
          i += 1
        }
        dim = v
      } else {
        i = save
        break
      }
      if isScalable {
        guard buf[i] == UInt8(ascii: "]") else { throw error("missing ']' closing scalable dimension", at: i) }
        i += 1
      }
      // Tokens may be separated by blanks, as mlir-opt reads `tensor<3 x i8>` (Concrete's fixtures do).
      skipSpaces()
      guard buf[i] == UInt8(ascii: "x") else {
        throw error("expected 'x' in dimension list", at: i)
      }
      i += 1
      dims.append(dim)
      scalable.append(isScalable)
    }
    lexer.pos = i
    token = lexer.next()
    return (dims, scalable)
  }

  private func parseTensorType() throws(ParseError) -> IRType {
    consume()
    guard token.kind == .less else { throw wrongTokenError("expected '<' in tensor type") }
    if buf[token.end] == UInt8(ascii: "*") {
      consume()
      consume()
      guard token.kind == .bareIdentifier, text(token).first == "x" else { throw wrongTokenError("expected 'x' in unranked tensor type") }
      // `*xf32`: the lexer reads `xf32` as one identifier; re-lex after the `x`.
      lexer.pos = token.start + 1
      token = lexer.next()
      let offset = token.start
      let e = try parseType()
      guard e.isValidTensorElement else { throw error("invalid tensor element type", at: offset) }
      try parse(.greater, "expected '>' in tensor type")
      return .unrankedTensor(element: e)
    }
    lexer.pos = token.end
    token = lexer.next()
    let (dims, _) = try parseDimensions(allowDynamic: true, allowScalable: false)
    let offset = token.start
    let e = try parseType()
    guard e.isValidTensorElement else { throw error("invalid tensor element type", at: offset) }
    var encoding: Attribute?
    if parseOptional(.comma) { encoding = try parseAttribute() }
    try parse(.greater, "expected '>' in tensor type")
    for d in dims where d < 0 && d != dynamicSize { throw error("invalid tensor dimension size", at: offset) }
    return .tensor(shape: dims, element: e, encoding: encoding)
  }

  private func parseMemRefType() throws(ParseError) -> IRType {
    consume()
    guard token.kind == .less else { throw wrongTokenError("expected '<' in memref type") }
    let unranked = buf[token.end] == UInt8(ascii: "*")
    var dims: [Int64] = []
    if unranked {
      consume()
      consume()
      guard token.kind == .bareIdentifier, text(token).first == "x" else { throw wrongTokenError("expected 'x' in unranked memref type") }
      lexer.pos = token.start + 1
      token = lexer.next()
    } else {
      lexer.pos = token.end
      token = lexer.next()
      dims = try parseDimensions(allowDynamic: true, allowScalable: false).dims
    }
    let offset = token.start
    let e = try parseType()
    guard e.isValidMemRefElement else { throw error("invalid memref element type", at: offset) }
    var layout: Attribute?
    var space: Attribute?
    while parseOptional(.comma) {
      let a = try parseAttribute()
      let isLayout: Bool = switch a {
      case .affineMap, .strided: true
      default: false
      }
      if isLayout && layout == nil && space == nil && !unranked { layout = a } else { space = a }
    }
    try parse(.greater, "expected '>' in memref type")
    return unranked ? .unrankedMemref(element: e, memorySpace: space) : .memref(shape: dims, element: e, layout: layout, memorySpace: space)
  }

  private func parseVectorType() throws(ParseError) -> IRType {
    consume()
    guard token.kind == .less else { throw wrongTokenError("expected '<' in vector type") }
    lexer.pos = token.end
    token = lexer.next()
    let (dims, scalable) = try parseDimensions(allowDynamic: false, allowScalable: true)
    if dims.isEmpty { throw error("expected dimension size in vector type") }
    let offset = token.start
    let e = try parseType()
    guard e.isInteger || e.isFloat || e == .index else { throw error("vector elements must be int/index/float type", at: offset) }
    try parse(.greater, "expected '>' in vector type")
    return .vector(shape: dims, scalable: scalable.contains(true) ? scalable : [], element: e)
  }
}
