import Foundation

/// Why a JSON tensor could not be read or written.
public enum JSONTensorError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The text is not JSON; `offset` is the UTF-8 byte where parsing stopped.
  case syntax(offset: Int, message: String)
  /// The JSON is valid but not a tensor.
  case notATensor(String)
  /// The `dtype` field names no supported type.
  case unsupportedDType(String)
  /// An element does not fit the declared dtype.
  case badElement(index: Int, dtype: DType, found: String)
  /// Nested lists are ragged, or disagree with the declared shape.
  case shapeMismatch(expected: String, found: String)
  /// A float is NaN or infinite, which JSON cannot spell.
  case nonFinite(index: Int)
  /// Reading or writing the file failed.
  case io(path: String, reason: String)

  /// The message shown to users.
  public var description: String {
    switch self {
    case let .syntax(offset, message): "invalid json at byte \(offset): \(message)"
    case let .notATensor(why): "not a json tensor: \(why)"
    case let .unsupportedDType(name):
      "unsupported dtype '\(name)': expected one of \(DType.allCases.map(\.rawValue).joined(separator: ", "))"
    case let .badElement(index, dtype, found):
      "element \(index): expected \(dtype), found \(found)"
    case let .shapeMismatch(expected, found): "shape mismatch: expected \(expected), found \(found)"
    case let .nonFinite(index): "element \(index): expected a finite number, found nan or infinity"
    case let .io(path, reason): "cannot access '\(path)': \(reason)"
    }
  }
}

/// A small JSON tensor format: `{"shape":[2,3],"dtype":"int64","data":[1,2,3,4,5,6]}`.
///
/// Reading also accepts nested `data` and plain nested lists (`[[1,2],[3,4]]`), whose
/// shape comes from the nesting and dtype from the numbers (`int64` when all are
/// integers, `float64` when any is not, `bool` when all are booleans). Numbers are
/// parsed from their text, so 64-bit integers are exact.
public enum JSONTensor {
  /// Reads an array from JSON text.
  public static func decode(_ text: String) throws(JSONTensorError) -> NDArray {
    var parser = JSONParser(Array(text.utf8))
    let root = try parser.parseDocument()
    if case .object(let fields) = root {
      let lookup = Dictionary(fields, uniquingKeysWith: { _, last in last })
      guard let dataValue = lookup["data"] else { throw .notATensor("missing key 'data'") }
      let (leaves, nestedShape) = try flatten(dataValue)
      var shape = nestedShape
      if let shapeValue = lookup["shape"] {
        guard case .array(let dims) = shapeValue else {
          throw .notATensor("expected 'shape' to be a list of integers")
        }
        shape = try dims.map { (d) throws(JSONTensorError) -> Int in
          guard case .number(let t) = d, let n = Int(t), n >= 0 else {
            throw .notATensor("expected 'shape' to be a list of non-negative integers")
          }
          return n
        }
        // A flat list fills any shape with the same count; a nested one must match.
        if nestedShape.count > 1 && nestedShape != shape {
          throw .shapeMismatch(expected: formatShape(shape), found: formatShape(nestedShape))
        }
      }
      let dtype: DType
      if let dtypeValue = lookup["dtype"] {
        guard case .string(let name) = dtypeValue else {
          throw .notATensor("expected 'dtype' to be a string")
        }
        guard let d = DType(rawValue: name) else { throw .unsupportedDType(name) }
        dtype = d
      } else {
        dtype = inferDType(leaves)
      }
      guard NDArray.elementCount(shape) == leaves.count else {
        throw .shapeMismatch(expected: "\(NDArray.elementCount(shape) ?? -1) elements for \(formatShape(shape))",
                             found: "\(leaves.count)")
      }
      return NDArray(unchecked: shape, try convert(leaves, to: dtype))
    }
    let (leaves, shape) = try flatten(root)
    return NDArray(unchecked: shape, try convert(leaves, to: inferDType(leaves)))
  }

  /// Reads an array from a JSON file.
  public static func read(contentsOf url: URL) throws(JSONTensorError) -> NDArray {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
    return try decode(String(decoding: data, as: UTF8.self))
  }

  /// The object form of `array`, with flat `data`; floats use the shortest exact text.
  public static func encode(_ array: NDArray) throws(JSONTensorError) -> String {
    let items = try elementTexts(array)
    let shape = array.shape.map(String.init).joined(separator: ",")
    return "{\"shape\":[\(shape)],\"dtype\":\"\(array.dtype)\",\"data\":[\(items.joined(separator: ","))]}"
  }

  /// The plain form of `array`: nested lists (a bare number for rank 0).
  ///
  /// The dtype is not recorded; reading it back infers `bool`, `int64` or `float64`.
  public static func encodeNested(_ array: NDArray) throws(JSONTensorError) -> String {
    let items = try elementTexts(array)
    func nest(_ dims: ArraySlice<Int>, _ offset: Int) -> String {
      guard let d = dims.first else { return items[offset] }
      let stride = NDArray.elementCount(Array(dims.dropFirst())) ?? 0
      return "[" + (0..<d).map { nest(dims.dropFirst(), offset + $0 * stride) }.joined(separator: ",") + "]"
    }
    return nest(array.shape[...], 0)
  }

  static func elementTexts(_ array: NDArray) throws(JSONTensorError) -> [String] {
    switch array.storage {
    case .bool(let v): return v.map { $0 ? "true" : "false" }
    case .float32(let v):
      var items: [String] = []
      for (i, x) in v.enumerated() {
        guard x.isFinite else { throw .nonFinite(index: i) }
        items.append(x.description)
      }
      return items
    case .float64(let v):
      var items: [String] = []
      for (i, x) in v.enumerated() {
        guard x.isFinite else { throw .nonFinite(index: i) }
        items.append(x.description)
      }
      return items
    case .uint64(let v): return v.map(String.init)
    default: return array.int64Values.map(String.init)
    }
  }

  /// Writes the object form of `array` to `url`.
  public static func write(_ array: NDArray, to url: URL) throws(JSONTensorError) {
    let text = try encode(array)
    do { try Data(text.utf8).write(to: url) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
  }

  /// Leaves in C order plus the shape implied by the nesting.
  static func flatten(_ value: JSONValue) throws(JSONTensorError) -> ([JSONValue], [Int]) {
    guard case .array(let items) = value else { return ([value], []) }
    if items.isEmpty { return ([], [0]) }
    var leaves: [JSONValue] = []
    var inner: [Int]? = nil
    for item in items {
      let (l, s) = try flatten(item)
      if let inner, inner != s {
        throw .shapeMismatch(expected: "rows of shape \(formatShape(inner))",
                             found: "a row of shape \(formatShape(s))")
      }
      inner = s
      leaves.append(contentsOf: l)
    }
    return (leaves, [items.count] + (inner ?? []))
  }

  static func inferDType(_ leaves: [JSONValue]) -> DType {
    if !leaves.isEmpty, leaves.allSatisfy({ if case .bool = $0 { true } else { false } }) {
      return .bool
    }
    let allIntegers = leaves.allSatisfy { v in
      if case .number(let t) = v { Int64(t) != nil } else { false }
    }
    return allIntegers ? .int64 : .float64
  }

  static func convert(_ leaves: [JSONValue], to dtype: DType) throws(JSONTensorError) -> NDStorage {
    func texts() throws(JSONTensorError) -> [String] {
      var out: [String] = []
      out.reserveCapacity(leaves.count)
      for (i, v) in leaves.enumerated() {
        switch v {
        case .number(let t): out.append(t)
        case .bool(let b) where dtype == .bool: out.append(b ? "1" : "0")
        default: throw .badElement(index: i, dtype: dtype, found: v.kind)
        }
      }
      return out
    }
    func ints<T: FixedWidthInteger>(_: T.Type) throws(JSONTensorError) -> [T] {
      var out: [T] = []
      for (i, t) in try texts().enumerated() {
        guard let n = T(t) else { throw .badElement(index: i, dtype: dtype, found: t) }
        out.append(n)
      }
      return out
    }
    switch dtype {
    case .bool:
      var out: [Bool] = []
      for (i, t) in try texts().enumerated() {
        guard t == "0" || t == "1" else { throw .badElement(index: i, dtype: dtype, found: t) }
        out.append(t == "1")
      }
      return .bool(out)
    case .int8: return .int8(try ints(Int8.self))
    case .int16: return .int16(try ints(Int16.self))
    case .int32: return .int32(try ints(Int32.self))
    case .int64: return .int64(try ints(Int64.self))
    case .uint8: return .uint8(try ints(UInt8.self))
    case .uint16: return .uint16(try ints(UInt16.self))
    case .uint32: return .uint32(try ints(UInt32.self))
    case .uint64: return .uint64(try ints(UInt64.self))
    case .float32:
      var out: [Float] = []
      for (i, t) in try texts().enumerated() {
        guard let x = Float(t) else { throw .badElement(index: i, dtype: dtype, found: t) }
        out.append(x)
      }
      return .float32(out)
    case .float64:
      var out: [Double] = []
      for (i, t) in try texts().enumerated() {
        guard let x = Double(t) else { throw .badElement(index: i, dtype: dtype, found: t) }
        out.append(x)
      }
      return .float64(out)
    }
  }
}

/// A parsed JSON value; numbers keep their source text so integers stay exact.
enum JSONValue: Equatable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case let (.bool(x), .bool(y)): x == y
    case let (.number(x), .number(y)): x == y
    case let (.string(x), .string(y)): x == y
    case let (.array(x), .array(y)): x == y
    case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0 == $1 }
    default: false
    }
  }

  var kind: String {
    switch self {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .number(let t): t
    case .string(let s): "string \"\(s)\""
    case .array: "a list"
    case .object: "an object"
    }
  }
}

/// Strict RFC 8259 JSON parser over UTF-8 bytes, with a nesting limit.
struct JSONParser {
  let bytes: [UInt8]
  var pos = 0
  var depth = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ message: String) -> JSONTensorError { .syntax(offset: pos, message: message) }

  mutating func skipSpace() {
    while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
  }

  mutating func parseDocument() throws(JSONTensorError) -> JSONValue {
    let v = try parseValue()
    skipSpace()
    guard pos == bytes.count else { throw fail("unexpected text after the value") }
    return v
  }

  mutating func literal(_ word: String, _ value: JSONValue) throws(JSONTensorError) -> JSONValue {
    let w = Array(word.utf8)
    guard bytes.count - pos >= w.count, Array(bytes[pos..<pos + w.count]) == w else {
      throw fail("unexpected character")
    }
    pos += w.count
    return value
  }

  mutating func parseValue() throws(JSONTensorError) -> JSONValue {
    skipSpace()
    guard pos < bytes.count else { throw fail("expected a value, found end of text") }
    depth += 1
    defer { depth -= 1 }
    guard depth <= 64 else { throw fail("nesting deeper than 64 levels") }
    switch bytes[pos] {
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "["):
      pos += 1
      var items: [JSONValue] = []
      skipSpace()
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
      while true {
        items.append(try parseValue())
        skipSpace()
        guard pos < bytes.count else { throw fail("expected ',' or ']', found end of text") }
        if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
        guard bytes[pos] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
        pos += 1
        return .array(items)
      }
    case UInt8(ascii: "{"):
      pos += 1
      var fields: [(String, JSONValue)] = []
      skipSpace()
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(fields) }
      while true {
        skipSpace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
          throw fail("expected a string key")
        }
        let key = try parseString()
        skipSpace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        pos += 1
        fields.append((key, try parseValue()))
        skipSpace()
        guard pos < bytes.count else { throw fail("expected ',' or '}', found end of text") }
        if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
        guard bytes[pos] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
        pos += 1
        return .object(fields)
      }
    default:
      return .number(try parseNumber())
    }
  }

  mutating func parseNumber() throws(JSONTensorError) -> String {
    let start = pos
    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
    let intStart = pos
    while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
    guard pos > intStart else { throw fail("unexpected character") }
    guard !(bytes[intStart] == UInt8(ascii: "0") && pos - intStart > 1) else {
      throw fail("leading zeros are not allowed")
    }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
      pos += 1
      let fracStart = pos
      while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
      guard pos > fracStart else { throw fail("expected a digit after '.'") }
    }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
      pos += 1
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
        pos += 1
      }
      let expStart = pos
      while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
      guard pos > expStart else { throw fail("expected a digit in the exponent") }
    }
    return String(decoding: bytes[start..<pos], as: UTF8.self)
  }

  mutating func parseString() throws(JSONTensorError) -> String {
    pos += 1  // opening quote
    var out: [UInt8] = []
    while pos < bytes.count {
      let b = bytes[pos]
      pos += 1
      switch b {
      case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard pos < bytes.count else { break }
        let e = bytes[pos]
        pos += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          guard bytes.count - pos >= 4,
                let code = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16)
          else { throw fail("expected four hex digits after '\\u'") }
          pos += 4
          // Lone surrogates become U+FFFD; tensor files carry no such text.
          let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: throw fail("invalid escape")
        }
      case 0..<0x20: throw fail("control character in string")
      default: out.append(b)
      }
    }
    throw fail("unterminated string")
  }
}
