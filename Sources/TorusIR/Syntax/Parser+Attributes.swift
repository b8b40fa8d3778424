extension OpAsmParser {
  /// Parses `{name = value, flag, …}`.
  public func parseAttributeDictionary() throws(ParseError) -> AttributeDictionary {
    var dict = AttributeDictionary()
    try parse(.lBrace, "expected '{' in attribute dictionary")
    if parseOptional(.rBrace) { return dict }
    try parseCommaSeparated { () throws(ParseError) in
      let name: String
      switch token.kind {
      case .bareIdentifier: name = text(token)
      case .string:
        let bytes = Lexer.decodeString(buf, token)
        if bytes.isEmpty { throw error("expected valid attribute name") }
        name = String(decoding: bytes, as: UTF8.self)
      default:
        try checkLexError()
        throw wrongTokenError("expected attribute name")
      }
      if dict[name] != nil { throw error("duplicate key '\(name)' in dictionary attribute") }
      consume()
      if parseOptional(.equal) {
        dict[name] = try parseAttribute()
      } else {
        dict[name] = .unit
      }
    }
    guard token.kind == .rBrace else {
      try checkLexError()
      throw wrongTokenError("expected '}' in attribute dictionary")
    }
    consume()
    return dict
  }

  public func parseOptionalAttributeDictionary() throws(ParseError) -> AttributeDictionary {
    token.kind == .lBrace ? try parseAttributeDictionary() : AttributeDictionary()
  }

  /// Parses `@name` (bare or quoted) and returns the name.
  public func parseSymbolName() throws(ParseError) -> String {
    try checkLexError()
    guard token.kind == .atIdentifier else { throw wrongTokenError("expected valid '@'-identifier for symbol name") }
    let name = symbolText(token)
    consume()
    return name
  }

  func symbolText(_ t: Token) -> String {
    if buf[t.start + 1] == UInt8(ascii: "\"") { return String(decoding: Lexer.decodeString(buf, t), as: UTF8.self) }
    return String(text(t).dropFirst())
  }

  /// Parses any attribute; `type`, when given, is the type an untyped literal takes.
  public func parseAttribute(type: IRType? = nil) throws(ParseError) -> Attribute {
    try checkLexError()
    switch token.kind {
    case .lSquare:
      var elements: [Attribute] = []
      try parseList(open: .lSquare, close: .rSquare, context: "array") { () throws(ParseError) in
        elements.append(try parseAttribute())
      }
      return .array(elements)
    case .lBrace:
      return .dictionary(try parseAttributeDictionary())
    case .atIdentifier:
      let root = symbolText(token)
      consume()
      var nested: [String] = []
      while token.kind == .colon && buf[token.end] == UInt8(ascii: ":") {
        consume()
        consume()
        nested.append(try parseSymbolName())
      }
      return .symbolRef(root: root, nested: nested)
    case .string:
      let bytes = Lexer.decodeString(buf, token)
      consume()
      if parseOptional(.colon) { return .string(bytes, type: try parseType()) }
      return .string(bytes, type: nil)
    case .integer, .float, .minus:
      return try parseNumberAttribute(type: type)
    case .hashIdentifier:
      return try parseHashAttribute()
    case .bareIdentifier:
      switch text(token) {
      case "true", "false":
        let v = text(token) == "true"
        consume()
        if parseOptional(.colon) {
          let t = try parseType()
          guard t == .i1 else { throw error("expected i1 type for 'true' or 'false' values") }
        }
        return .bool(v)
      case "unit":
        consume()
        return .unit
      case "dense": return try parseDenseElements()
      case "dense_resource": return try parseDenseResource()
      case "array": return try parseDenseArray()
      case "affine_map":
        consume()
        return .affineMap(try parseBracketedText())
      case "affine_set":
        consume()
        return .integerSet(try parseBracketedText())
      case "strided": return try parseStrided()
      case "distinct": return try parseDistinct()
      case "loc": return .location(try parseLocationLiteral())
      default:
        return .type(try parseType())
      }
    default:
      return .type(try parseType())
    }
  }

  /// The text between `<` and its matching `>`, without the brackets.
  func parseBracketedText() throws(ParseError) -> String {
    guard token.kind == .less else { throw wrongTokenError("expected '<'") }
    let body = try parseBalancedBody()
    return String(body.dropFirst().dropLast())
  }

  private func parseHashAttribute() throws(ParseError) -> Attribute {
    let identifier = String(text(token).dropFirst())
    guard let dot = identifier.firstIndex(of: ".") else {
      consume()
      // `#dialect<…>`: the opaque form of a dialect attribute (the body kept verbatim).
      if token.kind == .less && token.start == previousEnd {
        let body = try parseBalancedBody()
        if !registry.isRegistered(dialect: identifier) && !registry.allowUnregisteredDialects {
          throw error("dialect '\(identifier)' is unknown; use --allow-unregistered-dialect to accept its attributes", at: previousEnd)
        }
        if parseOptional(.colon) { _ = try parseType() }
        return .opaque(dialect: identifier, body: body)
      }
      guard let a = attributeAliases[identifier] else { throw error("undefined symbol alias id '\(identifier)'") }
      return a
    }
    let dialect = String(identifier[..<dot])
    var body = String(identifier[identifier.index(after: dot)...])
    consume()
    if token.kind == .less && token.start == previousEnd { body += try parseBalancedBody() }
    if !registry.isRegistered(dialect: dialect) && !registry.allowUnregisteredDialects {
      throw error("dialect '\(dialect)' is unknown; use --allow-unregistered-dialect to accept its attributes", at: previousEnd)
    }
    if parseOptional(.colon) { _ = try parseType() }
    return .opaque(dialect: dialect, body: body)
  }

  // MARK: Numbers

  /// A literal number token, with its sign.
  struct NumberLiteral {
    var negative: Bool
    var token: Token
    var isFloat: Bool
    var isHex: Bool
  }

  func parseNumberLiteral() throws(ParseError) -> NumberLiteral {
    let negative = parseOptional(.minus)
    guard token.kind == .integer || token.kind == .float else {
      throw wrongTokenError("expected constant integer or floating point value")
    }
    let t = token
    consume()
    let isHex = t.end - t.start > 1 && buf[t.start + 1] == UInt8(ascii: "x")
    return NumberLiteral(negative: negative, token: t, isFloat: t.kind == .float, isHex: isHex)
  }

  func literalDouble(_ lit: NumberLiteral) -> Double {
    let v = Double(text(lit.token)) ?? 0
    return lit.negative ? -v : v
  }

  /// The integer a literal denotes at `type` (an integer or index type), or nil when out of range.
  func integerValue(_ lit: NumberLiteral, type: IRType) -> APInt? {
    let digits = UnsafeBufferPointer(rebasing: buf[lit.token.start..<lit.token.end])
    let magnitude = APInt.parseMagnitude(lit.isHex ? UnsafeBufferPointer(rebasing: digits[2...]) : digits, hex: lit.isHex)
    let width = type == .index ? 64 : (type.intOrFloatBitWidth ?? 64)
    let unbounded = APInt(width: magnitude.count * 64, words: magnitude)
    if unbounded.activeBits > width { return nil }
    var result = APInt(width: width, words: magnitude)
    if width == 0 { return lit.negative ? nil : result }
    if lit.negative {
      result = result.negated()
      if !result.signBit { return nil }
    } else if case .integer(_, .signed) = type, result.signBit {
      return nil
    }
    return result
  }

  private func parseNumberAttribute(type hint: IRType?) throws(ParseError) -> Attribute {
    let literalOffset = token.start
    let lit = try parseNumberLiteral()
    var type = hint
    if parseOptional(.colon) { type = try parseType() }
    if lit.isFloat {
      let t = type ?? .float(.f64)
      guard case .float(let kind) = t else { throw error("floating point value not valid for specified type") }
      return .float(FloatBits(kind: kind, value: literalDouble(lit)), t)
    }
    let t = type ?? .i64
    if case .float(let kind) = t {
      if lit.isHex {
        guard !lit.negative else { throw error("hexadecimal float literal should not have a leading minus", at: literalOffset) }
        guard let bits = integerValue(lit, type: .i(kind.bitWidth)) else { throw error("hexadecimal float constant out of range for type", at: literalOffset) }
        return .float(FloatBits(kind: kind, bits: bits), t)
      }
      return .float(FloatBits(kind: kind, value: literalDouble(lit)), t)
    }
    guard t.isIntegerOrIndex else { throw error("integer literal not valid for specified type", at: literalOffset) }
    guard let v = integerValue(lit, type: t) else { throw error("integer constant out of range for attribute", at: literalOffset) }
    return .integer(v, t)
  }

  // MARK: Dense elements

  private func parseShapedType() throws(ParseError) -> IRType {
    let offset = token.start
    let t = try parseType()
    switch t {
    case .tensor, .vector:
      guard t.staticElementCount != nil else { throw error("elements literal type must have static shape", at: offset) }
      return t
    default: throw error("elements literal must be a shaped type", at: offset)
    }
  }

  private func parseDenseElements() throws(ParseError) -> Attribute {
    consume()
    try parse(.less, "expected '<' after 'dense'")
    var literal: DenseLiteral?
    var hex: [UInt8]?
    var hexOffset = 0
    if token.kind == .string, buf[token.start + 1] == UInt8(ascii: "0"), buf[token.start + 2] == UInt8(ascii: "x") {
      hexOffset = token.start
      let raw = UnsafeBufferPointer(rebasing: buf[(token.start + 3)..<(token.end - 1)])
      guard let bytes = OpAsmParser.decodeHex(raw) else { throw error("expected string containing hex digits starting with `0x`") }
      hex = bytes
      consume()
    } else if token.kind == .lSquare, let fast = scanIntegerList(from: token.start) {
      // Plain decimal integer lists (the bulk of big constants) skip the token-by-token path.
      lexer.pos = fast.end
      previousEnd = fast.end
      token = lexer.next()
      try parse(.greater, "expected '>'")
      try parse(.colon, "expected ':'")
      let type = try parseShapedType()
      if let attr = denseFromIntegers(fast.values, shape: fast.shape, type: type) { return .denseElements(attr) }
      // Out of range or not an integer type: re-read with the general path for its exact error.
      lexer.pos = fast.start
      token = lexer.next()
      literal = try parseDenseLiteral()
    } else if token.kind != .greater {
      literal = try parseDenseLiteral()
    }
    try parse(.greater, "expected '>'")
    let colonOffset = token.start
    try parse(.colon, "expected ':'")
    let typeOffset = token.start
    let type = try parseShapedType()
    // mlir-opt reports some element errors at the token after the type (where its parser stands).
    let afterType = token.start
    let element = type.elementType!
    let n = type.staticElementCount!
    if let hex {
      return .denseElements(try denseFromHex(hex, type: type, element: element, count: n, at: hexOffset, typeOffset: typeOffset))
    }
    guard let literal else {
      guard n == 0 else { throw error("parsed zero elements, but type (\(type)) expected at least 1", at: colonOffset) }
      return .denseElements(DenseElementsAttr(type: type, storage: .raw([]), isSplat: false))
    }
    let shape = type.shape!
    if literal.shape != shape.map({ Int($0) }) {
      if literal.shape.isEmpty {
        // A scalar literal is a splat.
      } else if n == 0 && literal.elements.isEmpty {
        return .denseElements(DenseElementsAttr(type: type, storage: .raw([]), isSplat: false))
      } else {
        throw error("inferred shape of elements literal ([\(literal.shape.map(String.init).joined(separator: ", "))]) does not match type ([\(shape.map(String.init).joined(separator: ", "))])", at: colonOffset)
      }
    }
    let attr = try denseFromLiteral(literal, type: type, element: element, at: colonOffset, afterType: afterType)
    return .denseElements(attr)
  }

  /// Scans `[[1, -2], [3, 4]]` of short decimal integers directly from the bytes; nil when the
  /// literal holds anything else (floats, hex, long numbers, ragged rows), left to the general path.
  func scanIntegerList(from start: Int) -> (values: [Int64], shape: [Int], start: Int, end: Int)? {
    var values: [Int64] = []
    var i = start
    var depth = 0
    var dims: [Int] = []  // length of the lists at each level, -1 until one closes
    var counts: [Int] = []  // elements seen in the open list at each level
    var leafDepth = 0  // the level scalars live at (all must agree)
    func skip() {
      while true {
        let c = buf[i]
        if c == 32 || c == 10 || c == 13 || c == 9 { i += 1 } else { return }
      }
    }
    while true {
      skip()
      let c = buf[i]
      if c == UInt8(ascii: "[") {
        if leafDepth != 0 && depth >= leafDepth { return nil }
        depth += 1
        if counts.count < depth {
          counts.append(0)
          dims.append(-1)
        }
        counts[depth - 1] = 0
        i += 1
        continue
      }
      if c == UInt8(ascii: "]") {
        guard depth > 0 else { return nil }
        let n = counts[depth - 1]
        if dims[depth - 1] == -1 { dims[depth - 1] = n } else if dims[depth - 1] != n { return nil }
        depth -= 1
        i += 1
        if depth == 0 { break }
        counts[depth - 1] += 1
        skip()
        if buf[i] == UInt8(ascii: ",") { i += 1 } else if buf[i] != UInt8(ascii: "]") { return nil }
        continue
      }
      guard depth > 0 else { return nil }
      if leafDepth == 0 { leafDepth = depth } else if leafDepth != depth { return nil }
      var negative = false
      if c == UInt8(ascii: "-") {
        negative = true
        i += 1
      }
      let digitsStart = i
      var m: Int64 = 0
      while Lexer.isDigit(buf[i]) {
        m = m &* 10 &+ Int64(buf[i] &- 48)
        i += 1
      }
      let nDigits = i - digitsStart
      guard nDigits > 0, nDigits <= 18 else { return nil }
      if buf[i] == UInt8(ascii: ".") || buf[i] == UInt8(ascii: "x") || Lexer.isLetter(buf[i]) { return nil }
      if negative && m == 0 { return nil }
      values.append(negative ? -m : m)
      counts[depth - 1] += 1
      skip()
      if buf[i] == UInt8(ascii: ",") {
        i += 1
      } else if buf[i] != UInt8(ascii: "]") {
        return nil
      }
    }
    // Empty lists at the leaves (`[[]]`) are left to the general path.
    guard leafDepth == dims.count, dims.reduce(1, *) == values.count else { return nil }
    return (values, dims, start, i)
  }

  /// Elements from scanned integers when `type` has a matching shape and an integer element type
  /// they fit (else nil, and the general path reports the exact error).
  func denseFromIntegers(_ values: [Int64], shape: [Int], type: IRType) -> DenseElementsAttr? {
    guard let tshape = type.shape, tshape.map({ Int($0) }) == shape, let element = type.elementType else { return nil }
    let width: Int
    var signed = false
    switch element {
    case .integer(let w, let s):
      width = w
      signed = s == .signed
    case .index: width = 64
    default: return nil
    }
    guard width >= 2, width <= 64 else { return nil }
    let size = DenseElementsAttr.bytesPerElement(element)
    let limit: UInt64 = width == 64 ? UInt64.max : (UInt64(1) << UInt64(width)) - 1
    let half = UInt64(1) << UInt64(width - 1)
    var ok = true
    let bytes = [UInt8](unsafeUninitializedCapacity: values.count * size) { dst, initialized in
      var k = 0
      for v in values {
        let bits: UInt64
        if v < 0 {
          let m = UInt64(-v)
          guard m <= half else {
            ok = false
            break
          }
          bits = (0 &- m) & limit
        } else {
          let m = UInt64(v)
          guard m <= limit, !signed || m < half else {
            ok = false
            break
          }
          bits = m
        }
        for b in 0..<size {
          dst[k] = b < 8 ? UInt8(truncatingIfNeeded: bits >> UInt64(8 * b)) : 0
          k += 1
        }
      }
      initialized = ok ? k : 0
    }
    guard ok else { return nil }
    return DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: false).canonicalized()
  }

  private func denseFromHex(_ bytes: [UInt8], type: IRType, element: IRType, count n: Int, at offset: Int, typeOffset: Int) throws(ParseError)
    -> DenseElementsAttr
  {
    if case .integer(1, _) = element {
      if bytes.count == 1 && (bytes[0] == 0 || bytes[0] == 0xFF) {
        return DenseElementsAttr(type: type, storage: .raw([bytes[0] & 1]), isSplat: true)
      }
      guard bytes.count == (n + 7) / 8 else { throw error("elements hex data size is invalid for provided type: '\(type)'", at: typeOffset) }
      var unpacked = [UInt8](repeating: 0, count: n)
      for i in 0..<n { unpacked[i] = (bytes[i / 8] >> UInt8(i % 8)) & 1 }
      return DenseElementsAttr(type: type, storage: .raw(unpacked), isSplat: false).canonicalized()
    }
    let size = DenseElementsAttr.bytesPerElement(element)
    guard size > 0 else { throw error("expected integer or floating point element type for a hex dense literal", at: offset) }
    if bytes.count == size && n != 1 {
      return DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: true)
    }
    guard bytes.count == size * n else { throw error("elements hex data size is invalid for provided type: '\(type)'", at: typeOffset) }
    return DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: false).canonicalized()
  }

  /// A parsed nested literal: flattened scalars and the inferred shape.
  struct DenseLiteral {
    enum Scalar {
      case number(NumberLiteral, offset: Int)
      case bool(Bool, offset: Int)
      case string(Token)
      case complex(NumberLiteral, NumberLiteral, offset: Int)
    }
    var elements: [Scalar] = []
    var shape: [Int] = []
  }

  private func parseDenseLiteral() throws(ParseError) -> DenseLiteral {
    var literal = DenseLiteral()
    if token.kind == .lSquare {
      literal.shape = try parseDenseList(into: &literal.elements)
    } else {
      literal.elements.append(try parseDenseScalar())
    }
    return literal
  }

  private func parseDenseList(into elements: inout [DenseLiteral.Scalar]) throws(ParseError) -> [Int] {
    var dims: [Int]?
    var size = 0
    try parseList(open: .lSquare, close: .rSquare, context: "tensor literal") { () throws(ParseError) in
      var thisDims: [Int] = []
      if token.kind == .lSquare {
        thisDims = try parseDenseList(into: &elements)
      } else {
        elements.append(try parseDenseScalar())
      }
      size += 1
      if let d = dims {
        if d != thisDims { throw error("tensor literal is invalid; ranks are not consistent between elements") }
      } else {
        dims = thisDims
      }
    }
    return [size] + (dims ?? [])
  }

  private func parseDenseScalar() throws(ParseError) -> DenseLiteral.Scalar {
    let offset = token.start
    switch token.kind {
    case .bareIdentifier where isKeyword("true") || isKeyword("false"):
      let v = isKeyword("true")
      consume()
      return .bool(v, offset: offset)
    case .string:
      let t = token
      consume()
      return .string(t)
    case .lParen:
      consume()
      let re = try parseNumberLiteral()
      try parse(.comma, "expected ',' between complex parts")
      let im = try parseNumberLiteral()
      try parse(.rParen, "expected ')' after complex value")
      return .complex(re, im, offset: offset)
    default:
      return .number(try parseNumberLiteral(), offset: offset)
    }
  }

  private func denseFromLiteral(_ literal: DenseLiteral, type: IRType, element: IRType, at offset: Int, afterType: Int) throws(ParseError)
    -> DenseElementsAttr
  {
    if literal.elements.contains(where: { if case .string = $0 { true } else { false } }) {
      var strings: [[UInt8]] = []
      for e in literal.elements {
        guard case .string(let t) = e else { throw error("expected all string elements", at: offset) }
        strings.append(Lexer.decodeString(buf, t))
      }
      let splat = literal.shape.isEmpty
      return DenseElementsAttr(type: type, storage: .strings(strings), isSplat: splat).canonicalized()
    }
    let size = DenseElementsAttr.bytesPerElement(element)
    guard size > 0 else { throw error("expected integer or floating point element type", at: offset) }
    var bytes = [UInt8]()
    bytes.reserveCapacity(size * literal.elements.count)
    for e in literal.elements {
      try appendScalar(e, element: element, size: size, to: &bytes, afterType: afterType)
    }
    return DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: literal.shape.isEmpty).canonicalized()
  }

  private func appendScalar(_ e: DenseLiteral.Scalar, element: IRType, size: Int, to bytes: inout [UInt8], afterType: Int) throws(ParseError) {
    switch (e, element) {
    case (.bool(let b, let offset), _):
      guard case .integer(1, _) = element else { throw error("expected i1 type for 'true' or 'false' values", at: offset) }
      bytes.append(b ? 1 : 0)
    case (.number(let lit, let offset), _) where element.isIntegerOrIndex:
      guard !lit.isFloat else { throw error("expected integer elements, but parsed floating-point", at: offset) }
      if let v = smallInteger(lit, element: element) {
        for k in 0..<size { bytes.append(k < 8 ? UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) : 0) }
        return
      }
      guard let v = integerValue(lit, type: element) else { throw error("integer constant out of range for type", at: offset) }
      OpAsmParser.appendBytes(v, size: size, to: &bytes)
    case (.number(let lit, let offset), .float(let kind)):
      if lit.isHex {
        guard let bits = integerValue(lit, type: .i(kind.bitWidth)) else { throw error("hexadecimal float constant out of range for type", at: offset) }
        OpAsmParser.appendBytes(bits, size: size, to: &bytes)
      } else if !lit.isFloat {
        // A decimal integer does not stand for a float element (mlir-opt refuses `dense<1> : tensor<2xf32>`).
        throw error("expected floating-point elements, but parsed integer", at: afterType)
      } else {
        OpAsmParser.appendBytes(FloatBits(kind: kind, value: literalDouble(lit)).bits, size: size, to: &bytes)
      }
    case (.complex(let re, let im, let offset), .complex(let inner)):
      let half = size / 2
      for part in [re, im] {
        try appendScalar(.number(part, offset: offset), element: inner, size: half, to: &bytes, afterType: afterType)
      }
    case (.number(_, let offset), _), (.complex(_, _, let offset), _):
      throw error("expected \(element) element", at: offset)
    case (.string, _):
      throw error("unexpected string element")
    }
  }

  /// The stored bits of a short decimal literal for an integer type of at most 64 bits, or nil
  /// when the general (APInt) path must decide (long literals, hex, out of range).
  @inline(__always)
  func smallInteger(_ lit: NumberLiteral, element: IRType) -> UInt64? {
    let width: Int
    var signed = false
    switch element {
    case .integer(let w, let s):
      width = w
      signed = s == .signed
    case .index: width = 64
    default: return nil
    }
    guard !lit.isHex, width >= 2, width <= 64, lit.token.end - lit.token.start <= 18 else { return nil }
    var m: UInt64 = 0
    for i in lit.token.start..<lit.token.end { m = m &* 10 &+ UInt64(buf[i] &- 48) }
    let limit: UInt64 = width == 64 ? UInt64.max : (UInt64(1) << UInt64(width)) - 1
    let half: UInt64 = UInt64(1) << UInt64(width - 1)
    if lit.negative {
      guard m != 0, m <= half else { return nil }
      return (0 &- m) & limit
    }
    guard m <= limit, !signed || m < half else { return nil }
    return m
  }

  static func appendBytes(_ v: APInt, size: Int, to bytes: inout [UInt8]) {
    if size == 1 && v.width <= 1 {
      bytes.append(UInt8(v.words[0] & 1))
      return
    }
    for k in 0..<size {
      let word = k / 8 < v.words.count ? v.words[k / 8] : 0
      bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(8 * (k % 8))))
    }
  }

  private func parseDenseResource() throws(ParseError) -> Attribute {
    consume()
    try parse(.less, "expected '<' after 'dense_resource'")
    guard token.kind == .bareIdentifier || token.kind == .string else { throw wrongTokenError("expected identifier key for 'resource' entry") }
    let key = token.kind == .string ? String(decoding: Lexer.decodeString(buf, token), as: UTF8.self) : text(token)
    consume()
    try parse(.greater, "expected '>'")
    try parse(.colon, "expected ':'")
    let type = try parseShapedType()
    return .denseResource(key: key, type: type)
  }

  private func parseDenseArray() throws(ParseError) -> Attribute {
    consume()
    try parse(.less, "expected '<' after 'array'")
    let offset = token.start
    let element = try parseType()
    guard element.isInteger || element.isFloat else { throw error("expected integer or float type, got: \(element)", at: offset) }
    var values: [Int64] = []
    if parseOptional(.colon) {
      try parseCommaSeparated { () throws(ParseError) in
        let o = token.start
        if case .integer(1, _) = element, isKeyword("true") || isKeyword("false") {
          values.append(isKeyword("true") ? 1 : 0)
          consume()
          return
        }
        let lit = try parseNumberLiteral()
        switch element {
        case .float(let kind):
          values.append(Int64(bitPattern: FloatBits(kind: kind, value: literalDouble(lit)).bits.words[0]))
        default:
          guard !lit.isFloat, let v = integerValue(lit, type: element) else { throw error("integer constant out of range for type", at: o) }
          if case .integer(_, .unsigned) = element {
            values.append(Int64(bitPattern: v.zeroExtendedValue ?? 0))
          } else {
            values.append(v.signExtendedValue ?? 0)
          }
        }
      }
    }
    try parse(.greater, "expected '>' to close an array attribute")
    return .denseArray(element: element, values: values)
  }

  private func parseStrided() throws(ParseError) -> Attribute {
    consume()
    try parse(.less, "expected '<' after 'strided'")
    var strides: [Int64] = []
    try parseList(open: .lSquare, close: .rSquare, context: "strides") { () throws(ParseError) in
      if parseOptional(.question) { strides.append(dynamicSize) } else { strides.append(try parseInteger()) }
    }
    var offset: Int64 = 0
    if parseOptional(.comma) {
      try parseKeyword("offset")
      try parse(.colon, "expected ':' after 'offset'")
      offset = parseOptional(.question) ? dynamicSize : try parseInteger()
    }
    try parse(.greater, "expected '>'")
    return .strided(strides: strides, offset: offset)
  }

  private func parseDistinct() throws(ParseError) -> Attribute {
    consume()
    try parse(.lSquare, "expected '[' after 'distinct'")
    let id = Int(try parseInteger())
    try parse(.rSquare, "expected ']'")
    try parse(.less, "expected '<' after distinct ID")
    var referenced = Attribute.unit
    if token.kind != .greater { referenced = try parseAttribute() }
    try parse(.greater, "expected '>' to close distinct attribute")
    return .distinct(id: id, referenced: referenced)
  }

  // MARK: Locations

  /// Parses `loc(…)`.
  public func parseLocationLiteral() throws(ParseError) -> Location {
    try parseKeyword("loc")
    try parse(.lParen, "expected '(' in location")
    let l = try parseLocationBody()
    try parse(.rParen, "expected ')' in location")
    return l
  }

  func parseLocationBody() throws(ParseError) -> Location {
    switch token.kind {
    case .hashIdentifier:
      let name = String(text(token).dropFirst())
      consume()
      if case .location(let l)? = attributeAliases[name] { return l }
      // Aliases may be defined after their use: a marker, resolved at the end of the file.
      deferredLocationAliases.insert(name)
      return .name(OpAsmParser.deferredLocationPrefix + name, child: nil)
    case .string:
      let s = String(decoding: Lexer.decodeString(buf, token), as: UTF8.self)
      consume()
      if parseOptional(.colon) {
        let line = Int(try parseInteger())
        try parse(.colon, "expected ':' in FileLineColLoc")
        let col = Int(try parseInteger())
        return .fileLineCol(file: s, line: line, column: col)
      }
      if parseOptional(.lParen) {
        let child = try parseLocationBody()
        try parse(.rParen, "expected ')' after child location of NameLoc")
        return .name(s, child: child)
      }
      return .name(s, child: nil)
    case .bareIdentifier:
      switch text(token) {
      case "unknown":
        consume()
        return .unknown
      case "callsite":
        consume()
        try parse(.lParen, "expected '(' in callsite location")
        let callee = try parseLocationBody()
        try parseKeyword("at")
        let caller = try parseLocationBody()
        try parse(.rParen, "expected ')' in callsite location")
        return .callSite(callee: callee, caller: caller)
      case "fused":
        consume()
        var metadata: Attribute?
        if parseOptional(.less) {
          metadata = try parseAttribute()
          try parse(.greater, "expected '>' after fused location metadata")
        }
        var locs: [Location] = []
        try parseList(open: .lSquare, close: .rSquare, context: "fused location") { () throws(ParseError) in
          locs.append(try parseLocationBody())
        }
        return .fused(metadata: metadata, locations: locs)
      default: break
      }
    default: break
    }
    throw wrongTokenError("expected location instance")
  }
}
