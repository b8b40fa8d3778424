/// A source buffer with its name, for turning byte offsets into line:column.
///
/// The bytes live in one allocation ending with a 0 sentinel, which the lexer reads in place
/// (a 100 MB circuit is never copied).
public final class SourceFile: @unchecked Sendable {
  public let name: String
  private let storage: UnsafeMutableBufferPointer<UInt8>
  /// The text, valid as long as this object lives.
  public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: storage[0..<(storage.count - 1)]) }
  /// The text followed by a 0 byte.
  var terminatedBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(storage) }
  /// Line number added to every reported line (for `--split-input-file` chunks: 0).
  public let lineOffset: Int
  private lazy var lineStarts: [Int] = {
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
    return starts
  }()

  public init(name: String, bytes: some Collection<UInt8>, lineOffset: Int = 0) {
    self.name = name
    storage = .allocate(capacity: bytes.count + 1)
    _ = storage.initialize(from: bytes)
    storage[bytes.count] = 0
    self.lineOffset = lineOffset
  }

  /// Takes ownership of `count` initialized bytes at `buffer`, which has room for one more.
  public init(name: String, adopting buffer: UnsafeMutableBufferPointer<UInt8>, count: Int, lineOffset: Int = 0) {
    precondition(buffer.count > count, "buffer of \(buffer.count) bytes has no room for the sentinel after \(count) bytes")
    self.name = name
    storage = UnsafeMutableBufferPointer(rebasing: buffer[0..<(count + 1)])
    storage[count] = 0
    self.lineOffset = lineOffset
  }

  deinit { storage.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() } }

  public convenience init(name: String, text: String) {
    self.init(name: name, bytes: Array(text.utf8))
  }

  /// 1-based line and byte column of `offset`.
  public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
    var lo = 0
    var hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
    }
    return (lo + 1, offset - lineStarts[lo] + 1)
  }

  /// The text of 1-based line `line`, without its line break.
  public func lineText(_ line: Int) -> String {
    guard line >= 1 && line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] : bytes.count
    while end > start && (bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r")) { end -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
  }

  public func location(of offset: Int) -> Location {
    let (l, c) = lineColumn(of: offset)
    return .fileLineCol(file: name, line: l + lineOffset, column: c)
  }
}

/// Severity of a diagnostic.
public enum Severity: String, Sendable {
  case error, warning, note, remark
}

/// A message tied to a location, with notes: what a user sees as `file:line:col: error: …`.
public struct Diagnostic: Error, CustomStringConvertible, Sendable {
  public var severity: Severity
  public var location: Location
  public var message: String
  public var notes: [Diagnostic]

  public init(_ severity: Severity = .error, at location: Location, _ message: String, notes: [Diagnostic] = []) {
    self.severity = severity
    self.location = location
    self.message = message
    self.notes = notes
  }

  /// `file:line:col: error: message`, then each note on its own line.
  public var description: String {
    var lines = [Diagnostic.header(location) + "\(severity.rawValue): \(message)"]
    for n in notes { lines.append(n.description) }
    return lines.joined(separator: "\n")
  }

  static func header(_ location: Location) -> String {
    if let (f, l, c) = location.fileLineCol { return "\(f):\(l):\(c): " }
    return "<unknown>:0: "
  }

  /// The diagnostic with the source line and a caret under the column, as mlir-opt prints it.
  public func rendered(sources: [String: SourceFile]) -> String {
    var out = Diagnostic.header(location) + "\(severity.rawValue): \(message)"
    if let (f, l, c) = location.fileLineCol, let src = sources[f] {
      let text = src.lineText(l - src.lineOffset)
      out += "\n" + text + "\n" + String(repeating: " ", count: max(0, c - 1)) + "^"
    }
    for n in notes { out += "\n" + n.rendered(sources: sources) }
    return out
  }
}

/// A parse failure at a byte offset of the buffer being parsed.
public struct ParseError: Error, CustomStringConvertible {
  public var offset: Int
  public var message: String
  public var notes: [(offset: Int, message: String)]

  public init(at offset: Int, _ message: String, notes: [(offset: Int, message: String)] = []) {
    self.offset = offset
    self.message = message
    self.notes = notes
  }

  public var description: String { message }

  public func diagnostic(in file: SourceFile) -> Diagnostic {
    Diagnostic(
      at: file.location(of: offset), message,
      notes: notes.map { Diagnostic(.note, at: file.location(of: $0.offset), $0.message) })
  }
}
