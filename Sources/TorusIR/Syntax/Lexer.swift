/// Kinds of MLIR tokens.
public enum TokenKind: Equatable, Sendable {
  case eof, error
  case bareIdentifier  // foo, i32, func.func
  case atIdentifier  // @foo, @"foo bar"
  case hashIdentifier  // #foo
  case percentIdentifier  // %foo
  case caretIdentifier  // ^bb0
  case exclamationIdentifier  // !foo
  case integer, float, string
  case lParen, rParen, lBrace, rBrace, lSquare, rSquare, less, greater
  case colon, comma, equal, arrow, question, star, plus, minus, vbar
  case fileMetadataBegin  // {-#
  case fileMetadataEnd  // #-}
  case ellipsis
}

/// A token: its kind and byte range in the buffer (trivially copyable: the parser copies many).
public struct Token: Sendable {
  public var kind: TokenKind
  public var start: Int
  public var end: Int
  /// For `.error`: the offset the lexer's message points at (the message is `Lexer.errorMessage`).
  public var errorOffset: Int = 0

  public func `is`(_ k: TokenKind) -> Bool { kind == k }
}

/// Splits an MLIR buffer into tokens. The buffer ends with a 0 sentinel byte.
struct Lexer {
  let buf: UnsafeBufferPointer<UInt8>
  var pos: Int
  /// Message of the last `.error` token.
  var errorMessage: StaticString = "unexpected character"

  init(buffer: UnsafeBufferPointer<UInt8>, start: Int = 0) {
    buf = buffer
    pos = start
  }

  @inline(__always) static func isLetter(_ c: UInt8) -> Bool {
    (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
  }
  @inline(__always) static func isDigit(_ c: UInt8) -> Bool {
    c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
  }
  @inline(__always) static func isHexDigit(_ c: UInt8) -> Bool {
    isDigit(c) || ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f"))
  }
  @inline(__always) static func isIdentifierChar(_ c: UInt8) -> Bool {
    isLetter(c) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c == UInt8(ascii: ".")
  }
  /// Characters of `%name`, `^name`, `#name`, `!name` after the sigil (adds `-`).
  @inline(__always) static func isSuffixChar(_ c: UInt8) -> Bool {
    isIdentifierChar(c) || c == UInt8(ascii: "-")
  }

  @inline(__always) func peek(_ offset: Int = 0) -> UInt8 {
    let i = pos + offset
    return i < buf.count ? buf[i] : 0
  }

  var atEnd: Bool { pos >= buf.count - 1 }

  private func make(_ kind: TokenKind, _ start: Int) -> Token { Token(kind: kind, start: start, end: pos) }

  private mutating func error(_ message: StaticString, at offset: Int, start: Int) -> Token {
    errorMessage = message
    return Token(kind: .error, start: start, end: pos, errorOffset: offset)
  }

  mutating func skipTrivia() {
    while true {
      let c = peek()
      if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
        pos += 1
      } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
        while !atEnd && peek() != UInt8(ascii: "\n") && peek() != UInt8(ascii: "\r") { pos += 1 }
      } else {
        return
      }
    }
  }

  mutating func next() -> Token {
    skipTrivia()
    let start = pos
    if atEnd { return make(.eof, start) }
    let c = buf[pos]
    pos += 1
    switch c {
    case UInt8(ascii: "("): return make(.lParen, start)
    case UInt8(ascii: ")"): return make(.rParen, start)
    case UInt8(ascii: "{"):
      if peek() == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "#") {
        pos += 2
        return make(.fileMetadataBegin, start)
      }
      return make(.lBrace, start)
    case UInt8(ascii: "}"): return make(.rBrace, start)
    case UInt8(ascii: "["): return make(.lSquare, start)
    case UInt8(ascii: "]"): return make(.rSquare, start)
    case UInt8(ascii: "<"): return make(.less, start)
    case UInt8(ascii: ">"): return make(.greater, start)
    case UInt8(ascii: ":"): return make(.colon, start)
    case UInt8(ascii: ","): return make(.comma, start)
    case UInt8(ascii: "="): return make(.equal, start)
    case UInt8(ascii: "?"): return make(.question, start)
    case UInt8(ascii: "*"): return make(.star, start)
    case UInt8(ascii: "+"): return make(.plus, start)
    case UInt8(ascii: "|"): return make(.vbar, start)
    case UInt8(ascii: "."):
      if peek() == UInt8(ascii: ".") && peek(1) == UInt8(ascii: ".") {
        pos += 2
        return make(.ellipsis, start)
      }
      return error("unexpected character", at: start, start: start)
    case UInt8(ascii: "-"):
      if peek() == UInt8(ascii: ">") {
        pos += 1
        return make(.arrow, start)
      }
      return make(.minus, start)
    case UInt8(ascii: "\""): return lexString(start)
    case UInt8(ascii: "@"):
      if peek() == UInt8(ascii: "\"") {
        pos += 1
        let s = lexString(start)
        return s.kind == .error ? s : make(.atIdentifier, start)
      }
      guard Lexer.isLetter(peek()) || peek() == UInt8(ascii: "_") else {
        return error("@ identifier expected to start with letter or '_'", at: start, start: start)
      }
      while Lexer.isIdentifierChar(peek()) { pos += 1 }
      return make(.atIdentifier, start)
    case UInt8(ascii: "#"):
      if peek() == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "}") {
        pos += 2
        return make(.fileMetadataEnd, start)
      }
      return lexPrefixed(.hashIdentifier, start, what: "#")
    case UInt8(ascii: "%"): return lexPrefixed(.percentIdentifier, start, what: "%")
    case UInt8(ascii: "^"): return lexPrefixed(.caretIdentifier, start, what: "^")
    case UInt8(ascii: "!"): return lexPrefixed(.exclamationIdentifier, start, what: "!")
    default:
      if Lexer.isDigit(c) { return lexNumber(start) }
      if Lexer.isLetter(c) || c == UInt8(ascii: "_") {
        while Lexer.isIdentifierChar(peek()) { pos += 1 }
        return make(.bareIdentifier, start)
      }
      return error("unexpected character", at: start, start: start)
    }
  }

  private mutating func lexPrefixed(_ kind: TokenKind, _ start: Int, what: String) -> Token {
    let c = peek()
    if Lexer.isDigit(c) {
      while Lexer.isDigit(peek()) { pos += 1 }
      return make(kind, start)
    }
    guard Lexer.isSuffixChar(c) else {
      let message: StaticString = switch kind {
      case .percentIdentifier: "invalid SSA name"
      case .caretIdentifier: "invalid block name"
      case .hashIdentifier: "invalid attribute alias name"
      default: "invalid type alias name"
      }
      return error(message, at: start, start: start)
    }
    while Lexer.isSuffixChar(peek()) { pos += 1 }
    return make(kind, start)
  }

  private mutating func lexNumber(_ start: Int) -> Token {
    if buf[start] == UInt8(ascii: "0") && peek() == UInt8(ascii: "x") && Lexer.isHexDigit(peek(1)) {
      pos += 1
      while Lexer.isHexDigit(peek()) { pos += 1 }
      return make(.integer, start)
    }
    while Lexer.isDigit(peek()) { pos += 1 }
    guard peek() == UInt8(ascii: ".") else { return make(.integer, start) }
    pos += 1
    while Lexer.isDigit(peek()) { pos += 1 }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      let signOrDigit = peek(1)
      if Lexer.isDigit(signOrDigit)
        || ((signOrDigit == UInt8(ascii: "-") || signOrDigit == UInt8(ascii: "+")) && Lexer.isDigit(peek(2)))
      {
        pos += 2
        while Lexer.isDigit(peek()) { pos += 1 }
      }
    }
    return make(.float, start)
  }

  /// Lexes after the opening quote (already consumed).
  private mutating func lexString(_ start: Int) -> Token {
    while true {
      if atEnd || peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
        return error("expected '\"' in string literal", at: pos, start: start)
      }
      let c = buf[pos]
      pos += 1
      if c == UInt8(ascii: "\"") { return make(.string, start) }
      if c == UInt8(ascii: "\\") {
        let e = peek()
        if e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") || e == UInt8(ascii: "n") || e == UInt8(ascii: "t") {
          pos += 1
        } else if Lexer.isHexDigit(e) && Lexer.isHexDigit(peek(1)) {
          pos += 2
        } else {
          return error("unknown escape in string literal", at: pos - 1, start: start)
        }
      }
    }
  }

  /// Decodes the bytes of a string token (quotes and escapes).
  static func decodeString(_ buf: UnsafeBufferPointer<UInt8>, _ token: Token) -> [UInt8] {
    var i = token.start
    while buf[i] != UInt8(ascii: "\"") { i += 1 }
    i += 1
    let end = token.end - 1
    var out: [UInt8] = []
    out.reserveCapacity(end - i)
    while i < end {
      let c = buf[i]
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      let e = buf[i + 1]
      switch e {
      case UInt8(ascii: "n"): out.append(10); i += 2
      case UInt8(ascii: "t"): out.append(9); i += 2
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e); i += 2
      default:
        out.append(hexValue(buf[i + 1]) << 4 | hexValue(buf[i + 2]))
        i += 3
      }
    }
    return out
  }

  @inline(__always) static func hexValue(_ c: UInt8) -> UInt8 {
    if isDigit(c) { return c - UInt8(ascii: "0") }
    return (c | 0x20) - UInt8(ascii: "a") + 10
  }
}
