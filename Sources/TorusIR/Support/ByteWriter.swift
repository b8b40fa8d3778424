/// An append-only byte buffer the printer writes into; far cheaper than String concatenation
/// when a module holds megabytes of dense constants.
public struct ByteWriter {
  public var bytes: [UInt8] = []
  /// When set, attributes that MLIR hoists into `#map`-style aliases print as alias references.
  public var aliases: AliasTable?
  /// When set, full buffers are handed over here (streamed output) instead of growing.
  public var sink: (([UInt8]) -> Void)?
  public static let flushThreshold = 1 << 20

  /// Hands the buffer to the sink once it is large, keeping memory flat on huge outputs.
  @inlinable public mutating func flushIfLarge() {
    if let sink, bytes.count >= ByteWriter.flushThreshold {
      sink(bytes)
      bytes.removeAll(keepingCapacity: true)
    }
  }

  public mutating func flush() {
    if let sink, !bytes.isEmpty {
      sink(bytes)
      bytes.removeAll(keepingCapacity: true)
    }
  }

  public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  @inlinable public mutating func write(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }

  @inlinable public mutating func write(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  @inlinable public mutating func write(byte: UInt8) { bytes.append(byte) }

  @inlinable public mutating func write(_ value: Int) {
    if value >= 0 && value < 10 {
      bytes.append(UInt8(ascii: "0") + UInt8(value))
    } else {
      write(String(value))
    }
  }

  @inlinable public mutating func write(_ value: Int64) { write(String(value)) }
  @inlinable public mutating func write(_ value: UInt64) { write(String(value)) }

  /// Writes `items`, separated by `separator`, each through `body`.
  @inlinable public mutating func interleave<C: Collection>(
    _ items: C, separator: StaticString = ", ", _ body: (inout ByteWriter, C.Element) -> Void
  ) {
    var first = true
    for item in items {
      if !first { write(separator) }
      first = false
      body(&self, item)
    }
  }

  public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Values that print themselves in MLIR's textual syntax.
public protocol MLIRPrintable: CustomStringConvertible {
  func print(to out: inout ByteWriter)
}

extension MLIRPrintable {
  public var description: String {
    var out = ByteWriter()
    print(to: &out)
    return out.string
  }
}

/// Aliases the printer hoists to the top of the file (`#map`, `#set`, `#distinct`), named in
/// order of first use.
public final class AliasTable {
  public private(set) var definitions: [(name: String, value: Attribute)] = []
  private var names: [Attribute: String] = [:]
  private var counters: [String: Int] = [:]

  public init() {}

  /// The alias name for `attribute`, assigning `#prefix`, `#prefix1`, … on first use.
  public func name(for attribute: Attribute, prefix: String) -> String {
    if let n = names[attribute] { return n }
    let k = counters[prefix, default: 0]
    counters[prefix] = k + 1
    let n = "#" + prefix + (k == 0 ? "" : String(k))
    names[attribute] = n
    definitions.append((n, attribute))
    return n
  }
}
