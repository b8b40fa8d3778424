import Foundation

/// Why a `.npy` file could not be read or written.
public enum NpyError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file does not start with `\x93NUMPY`.
  case badMagic(found: [UInt8])
  /// The format version is not 1.0, 2.0 or 3.0.
  case unsupportedVersion(major: UInt8, minor: UInt8)
  /// The file ends inside the fixed preamble or the header.
  case truncatedHeader(expected: Int, found: Int)
  /// The header text is not the Python dict literal numpy writes.
  case malformedHeader(String)
  /// The header lacks a required key.
  case missingKey(String)
  /// The array is stored in Fortran (column-major) order.
  case fortranOrder
  /// The dtype descriptor names a type we do not read (objects, structs, float16, …).
  case unsupportedDType(String)
  /// The data is shorter than the header declares.
  case truncatedData(shape: [Int], dtype: DType, expected: Int, found: Int)
  /// Bytes remain after the data the header declares.
  case trailingData(expected: Int, found: Int)
  /// Reading or writing the file failed.
  case io(path: String, reason: String)

  /// The message shown to users.
  public var description: String {
    switch self {
    case let .badMagic(found):
      "bad magic: expected '\\x93NUMPY', found \(found.map { String(format: "%02x", $0) }.joined(separator: " "))"
    case let .unsupportedVersion(major, minor):
      "unsupported .npy version: expected 1.0, 2.0 or 3.0, found \(major).\(minor)"
    case let .truncatedHeader(expected, found):
      "truncated header: expected \(expected) bytes, file has \(found)"
    case let .malformedHeader(why):
      "malformed header: \(why)"
    case let .missingKey(key):
      "malformed header: missing key '\(key)'"
    case .fortranOrder:
      "unsupported layout: expected 'fortran_order': False, found True"
    case let .unsupportedDType(descr):
      "unsupported dtype '\(descr)': expected one of b1, i1, i2, i4, i8, u1, u2, u4, u8, f4, f8"
    case let .truncatedData(shape, dtype, expected, found):
      "truncated data: header declares \(formatShape(shape)) \(dtype) (\(expected) bytes), file has \(found)"
    case let .trailingData(expected, found):
      "trailing data: header declares \(expected) data bytes, file has \(found)"
    case let .io(path, reason):
      "cannot access '\(path)': \(reason)"
    }
  }
}

/// NumPy `.npy` reading and writing (format versions 1.0, 2.0 and 3.0; C order only).
///
/// The writer emits version 1.0 with the header padded so that the data starts at a
/// multiple of 64 bytes, byte-for-byte what `numpy.save` writes for the same array.
public enum Npy {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

  /// Reads an array from the bytes of a `.npy` file.
  public static func decode(_ bytes: [UInt8]) throws(NpyError) -> NDArray {
    guard bytes.count >= 10 else { throw .truncatedHeader(expected: 10, found: bytes.count) }
    guard Array(bytes[0..<6]) == magic else { throw .badMagic(found: Array(bytes.prefix(6))) }
    let major = bytes[6], minor = bytes[7]
    let headerLength: Int, headerStart: Int
    switch (major, minor) {
    case (1, 0):
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case (2, 0), (3, 0):
      guard bytes.count >= 12 else { throw .truncatedHeader(expected: 12, found: bytes.count) }
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
      headerStart = 12
    default:
      throw .unsupportedVersion(major: major, minor: minor)
    }
    let dataStart = headerStart + headerLength
    guard bytes.count >= dataStart else {
      throw .truncatedHeader(expected: dataStart, found: bytes.count)
    }
    let headerBytes = bytes[headerStart..<dataStart]
    // Versions 1 and 2 store latin-1 text, version 3 UTF-8; the keys and values we
    // accept are ASCII either way.
    let text: String
    if major == 3 {
      guard let t = String(validating: headerBytes, as: UTF8.self) else {
        throw .malformedHeader("header is not valid utf-8")
      }
      text = t
    } else {
      text = String(headerBytes.map { Character(Unicode.Scalar($0)) })
    }
    let header = try parseHeader(text)
    let count = NDArray.elementCount(header.shape) ?? Int.max
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: header.dtype.byteSize)
    let available = bytes.count - dataStart
    guard !overflow, available >= byteCount else {
      throw .truncatedData(shape: header.shape, dtype: header.dtype,
                           expected: overflow ? Int.max : byteCount, found: available)
    }
    guard available == byteCount else { throw .trailingData(expected: byteCount, found: available) }
    let storage = bytes.withUnsafeBytes { raw in
      decodeElements(UnsafeRawBufferPointer(rebasing: raw[dataStart..<dataStart + byteCount]),
                     dtype: header.dtype, count: count, bigEndian: header.bigEndian)
    }
    return NDArray(unchecked: header.shape, storage)
  }

  /// Reads an array from a `.npy` file.
  public static func read(contentsOf url: URL) throws(NpyError) -> NDArray {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
    return try decode([UInt8](data))
  }

  /// The bytes of a version 1.0 `.npy` file holding `array`, little-endian.
  public static func encode(_ array: NDArray) -> [UInt8] {
    let descr: String = switch array.dtype {
    case .bool: "|b1"
    case .int8: "|i1"
    case .uint8: "|u1"
    case .int16: "<i2"
    case .int32: "<i4"
    case .int64: "<i8"
    case .uint16: "<u2"
    case .uint32: "<u4"
    case .uint64: "<u8"
    case .float32: "<f4"
    case .float64: "<f8"
    }
    let shapeText: String = switch array.shape.count {
    case 0: "()"
    case 1: "(\(array.shape[0]),)"
    default: "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    // numpy leaves room for the leading dimension to grow to 21 digits in place.
    if let first = array.shape.first {
      header += String(repeating: " ", count: max(0, 21 - String(first).count))
    }
    let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
    // Like numpy, a header that already ends on the boundary gets a full 64 more.
    let padding = 64 - unpadded % 64
    header += String(repeating: " ", count: padding) + "\n"
    let headerLength = header.utf8.count
    var out = magic + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
    out.reserveCapacity(out.count + headerLength + array.count * array.dtype.byteSize)
    out.append(contentsOf: header.utf8)
    appendLittleEndian(array.storage, to: &out)
    return out
  }

  /// Writes `array` to `url` as a version 1.0 `.npy` file.
  public static func write(_ array: NDArray, to url: URL) throws(NpyError) {
    do { try Data(encode(array)).write(to: url) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
  }

  struct Header {
    var dtype: DType
    var bigEndian: Bool
    var shape: [Int]
  }

  static func parseHeader(_ text: String) throws(NpyError) -> Header {
    var parser = PyLiteralParser(text)
    let value: PyLiteral
    do throws(PyLiteralParser.Failure) {
      value = try parser.parseValue()
      parser.skipSpace()
      guard parser.atEnd else { throw PyLiteralParser.Failure("unexpected text after the dict") }
    } catch { throw .malformedHeader(error.message) }
    guard case .dict(let dict) = value else {
      throw .malformedHeader("expected a dict, found \(value.kind)")
    }
    guard let descrValue = dict["descr"] else { throw .missingKey("descr") }
    guard let orderValue = dict["fortran_order"] else { throw .missingKey("fortran_order") }
    guard let shapeValue = dict["shape"] else { throw .missingKey("shape") }
    guard case .string(let descr) = descrValue else {
      throw .unsupportedDType(descrValue.sourceText)
    }
    guard case .bool(let fortran) = orderValue else {
      throw .malformedHeader("expected 'fortran_order' to be True or False, found \(orderValue.kind)")
    }
    if fortran { throw .fortranOrder }
    let dims: [PyLiteral]
    switch shapeValue {
    case .tuple(let items), .list(let items): dims = items
    default:
      throw .malformedHeader("expected 'shape' to be a tuple, found \(shapeValue.kind)")
    }
    var shape: [Int] = []
    for d in dims {
      guard case .int(let n) = d, n >= 0 else {
        throw .malformedHeader("expected 'shape' to hold non-negative integers, found \(d.sourceText)")
      }
      shape.append(n)
    }
    let (dtype, bigEndian) = try parseDescr(descr)
    return Header(dtype: dtype, bigEndian: bigEndian, shape: shape)
  }

  static func parseDescr(_ descr: String) throws(NpyError) -> (DType, Bool) {
    let chars = Array(descr)
    guard chars.count >= 2 else { throw .unsupportedDType(descr) }
    var bigEndian = false
    var body = chars[...]
    switch chars[0] {
    case "<", "=", "|": body = chars.dropFirst()
    case ">": bigEndian = true; body = chars.dropFirst()
    default: break
    }
    let dtype: DType? = switch String(body) {
    case "b1", "?": .bool
    case "i1": .int8
    case "i2": .int16
    case "i4": .int32
    case "i8": .int64
    case "u1": .uint8
    case "u2": .uint16
    case "u4": .uint32
    case "u8": .uint64
    case "f4": .float32
    case "f8": .float64
    default: nil
    }
    guard let dtype else { throw .unsupportedDType(descr) }
    return (dtype, bigEndian && dtype.byteSize > 1)
  }

  static func decodeElements(_ raw: UnsafeRawBufferPointer, dtype: DType, count: Int,
                             bigEndian: Bool) -> NDStorage {
    func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
      (0..<count).map { i in
        let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
        return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
      }
    }
    switch dtype {
    case .bool: return .bool((0..<count).map { raw[$0] != 0 })
    case .int8: return .int8(ints(Int8.self))
    case .int16: return .int16(ints(Int16.self))
    case .int32: return .int32(ints(Int32.self))
    case .int64: return .int64(ints(Int64.self))
    case .uint8: return .uint8(ints(UInt8.self))
    case .uint16: return .uint16(ints(UInt16.self))
    case .uint32: return .uint32(ints(UInt32.self))
    case .uint64: return .uint64(ints(UInt64.self))
    case .float32: return .float32(ints(UInt32.self).map(Float.init(bitPattern:)))
    case .float64: return .float64(ints(UInt64.self).map(Double.init(bitPattern:)))
    }
  }

  static func appendLittleEndian(_ storage: NDStorage, to out: inout [UInt8]) {
    func put<T: FixedWidthInteger>(_ values: [T]) {
      for v in values {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { out.append(contentsOf: $0) }
      }
    }
    switch storage {
    case .bool(let v): out.append(contentsOf: v.map { $0 ? 1 : 0 })
    case .int8(let v): put(v)
    case .int16(let v): put(v)
    case .int32(let v): put(v)
    case .int64(let v): put(v)
    case .uint8(let v): out.append(contentsOf: v)
    case .uint16(let v): put(v)
    case .uint32(let v): put(v)
    case .uint64(let v): put(v)
    case .float32(let v): put(v.map(\.bitPattern))
    case .float64(let v): put(v.map(\.bitPattern))
    }
  }
}

/// A value of the Python literal subset numpy writes in `.npy` headers.
enum PyLiteral: Equatable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case none
  case tuple([PyLiteral])
  case list([PyLiteral])
  case dict([String: PyLiteral])

  var kind: String {
    switch self {
    case .string: "a string"
    case .int: "an integer"
    case .bool: "a boolean"
    case .none: "None"
    case .tuple: "a tuple"
    case .list: "a list"
    case .dict: "a dict"
    }
  }

  var sourceText: String {
    switch self {
    case .string(let s): "'\(s)'"
    case .int(let n): String(n)
    case .bool(let b): b ? "True" : "False"
    case .none: "None"
    case .tuple(let items):
      "(" + items.map(\.sourceText).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
    case .list(let items): "[" + items.map(\.sourceText).joined(separator: ", ") + "]"
    case .dict: "{…}"
    }
  }
}

/// Recursive-descent parser for `PyLiteral`: dicts, tuples/lists, quoted strings,
/// integers, `True`, `False`, `None`.
struct PyLiteralParser {
  struct Failure: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  let chars: [Character]
  var pos = 0
  var depth = 0

  init(_ text: String) { chars = Array(text) }

  var atEnd: Bool { pos >= chars.count }

  mutating func skipSpace() {
    while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
  }

  mutating func expect(_ c: Character) throws(Failure) {
    skipSpace()
    guard pos < chars.count else { throw Failure("expected '\(c)', found end of header") }
    guard chars[pos] == c else { throw Failure("expected '\(c)', found '\(chars[pos])'") }
    pos += 1
  }

  mutating func parseValue() throws(Failure) -> PyLiteral {
    skipSpace()
    guard pos < chars.count else { throw Failure("expected a value, found end of header") }
    depth += 1
    defer { depth -= 1 }
    guard depth < 32 else { throw Failure("nesting deeper than 32 levels") }
    let c = chars[pos]
    switch c {
    case "{":
      pos += 1
      var dict: [String: PyLiteral] = [:]
      while true {
        skipSpace()
        if pos < chars.count, chars[pos] == "}" { pos += 1; return .dict(dict) }
        guard case .string(let key) = try parseValue() else {
          throw Failure("expected a string key in the dict")
        }
        try expect(":")
        dict[key] = try parseValue()
        skipSpace()
        if pos < chars.count, chars[pos] == "," { pos += 1; continue }
        try expect("}")
        return .dict(dict)
      }
    case "(", "[":
      let close: Character = c == "(" ? ")" : "]"
      pos += 1
      var items: [PyLiteral] = []
      while true {
        skipSpace()
        if pos < chars.count, chars[pos] == close { pos += 1; return c == "(" ? .tuple(items) : .list(items) }
        items.append(try parseValue())
        skipSpace()
        if pos < chars.count, chars[pos] == "," { pos += 1; continue }
        try expect(close)
        return c == "(" ? .tuple(items) : .list(items)
      }
    case "'", "\"":
      pos += 1
      var s = ""
      while pos < chars.count, chars[pos] != c {
        if chars[pos] == "\\" { pos += 1 }
        guard pos < chars.count else { break }
        s.append(chars[pos])
        pos += 1
      }
      guard pos < chars.count else { throw Failure("unterminated string") }
      pos += 1
      return .string(s)
    default:
      var word = ""
      while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "-"
        || chars[pos] == "+" || chars[pos] == "_"
      {
        word.append(chars[pos])
        pos += 1
      }
      switch word {
      case "True": return .bool(true)
      case "False": return .bool(false)
      case "None": return .none
      case "": throw Failure("unexpected character '\(c)'")
      default:
        // Python 2 era files may write dimensions as `3L`.
        let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
        guard let n = Int(digits) else { throw Failure("unexpected token '\(word)'") }
        return .int(n)
      }
    }
  }
}
