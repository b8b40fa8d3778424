/// A name-value pair in an attribute dictionary.
public struct NamedAttribute: Hashable, Sendable {
  public var name: String
  public var value: Attribute
  public init(_ name: String, _ value: Attribute) {
    self.name = name
    self.value = value
  }
}

/// An attribute dictionary, kept sorted by name byte-wise as MLIR stores it.
public struct AttributeDictionary: Hashable, Sendable, Sequence {
  public private(set) var entries: [NamedAttribute] = []

  public init() {}

  /// Builds a dictionary; a later entry with the same name replaces an earlier one.
  public init(_ entries: [NamedAttribute]) {
    for e in entries { self[e.name] = e.value }
  }

  public var isEmpty: Bool { entries.isEmpty }
  public var count: Int { entries.count }
  public func makeIterator() -> IndexingIterator<[NamedAttribute]> { entries.makeIterator() }

  private func search(_ name: String) -> (found: Bool, index: Int) {
    var lo = 0
    var hi = entries.count
    let key = Array(name.utf8)
    while lo < hi {
      let mid = (lo + hi) / 2
      if entries[mid].name.utf8.lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
    }
    return (lo < entries.count && entries[lo].name == name, lo)
  }

  public subscript(name: String) -> Attribute? {
    get {
      let (found, i) = search(name)
      return found ? entries[i].value : nil
    }
    set {
      let (found, i) = search(name)
      switch (found, newValue) {
      case (true, let v?): entries[i].value = v
      case (true, nil): entries.remove(at: i)
      case (false, let v?): entries.insert(NamedAttribute(name, v), at: i)
      case (false, nil): break
      }
    }
  }
}

/// A floating-point value stored as its bit pattern in the semantics of its type.
public struct FloatBits: Hashable, Sendable {
  public var kind: FloatKind
  public var bits: APInt

  public init(kind: FloatKind, bits: APInt) {
    self.kind = kind
    self.bits = bits
  }

  /// Rounds `value` to `kind` (exact for f64 and f32; f16 and bf16 round to nearest even).
  public init(kind: FloatKind, value: Double) {
    self.kind = kind
    switch kind {
    case .f64: bits = APInt(width: 64, truncating: value.bitPattern)
    case .f32: bits = APInt(width: 32, truncating: UInt64(Float(value).bitPattern))
    case .f16: bits = APInt(width: 16, truncating: UInt64(FloatConversion.toHalf(value)))
    case .bf16: bits = APInt(width: 16, truncating: UInt64(FloatConversion.toBFloat16(value)))
    case .f80, .f128: bits = ExactFloat.fromDouble(value, kind: kind)  // exact: both hold every double
    default:
      bits = APInt(width: kind.bitWidth, truncating: FloatConversion.toSmallFloat(value, kind: kind))
    }
  }

  /// The value as a Double (exact for every kind narrower than f64).
  public var doubleValue: Double {
    let raw = bits.words[0]
    switch kind {
    case .f64: return Double(bitPattern: raw)
    case .f32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
    case .f16: return FloatConversion.fromHalf(UInt16(truncatingIfNeeded: raw))
    case .bf16: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw) << 16))
    case .f80, .f128: return ExactFloat.doubleValue(self)
    default: return FloatConversion.fromSmallFloat(raw, kind: kind)
    }
  }
}

/// An MLIR attribute: an immutable value compared structurally.
public indirect enum Attribute: Hashable, Sendable {
  case unit
  /// An integer of any width; `i1` integers print as `true` / `false`.
  case integer(APInt, IRType)
  case float(FloatBits, IRType)
  case string([UInt8], type: IRType?)
  case type(IRType)
  case array([Attribute])
  case dictionary(AttributeDictionary)
  /// `@root::@nested…`
  case symbolRef(root: String, nested: [String])
  case denseElements(DenseElementsAttr)
  case denseResource(key: String, type: IRType)
  /// `array<i32: 1, 2>`: values are sign-extended integers or f64/f32 bit patterns.
  case denseArray(element: IRType, values: [Int64])
  /// `affine_map<…>`, kept as its source text.
  case affineMap(String)
  /// `affine_set<…>`, kept as its source text.
  case integerSet(String)
  case strided(strides: [Int64], offset: Int64)
  case distinct(id: Int, referenced: Attribute)
  /// `#dialect.body` for dialects without attribute parsers, kept verbatim.
  case opaque(dialect: String, body: String)
  case location(Location)

  public static func integer(_ value: Int64, _ type: IRType) -> Attribute {
    .integer(APInt(width: type.intOrFloatBitWidth ?? 64, signExtending: value), type)
  }

  public static func bool(_ value: Bool) -> Attribute {
    .integer(APInt(width: 1, truncating: value ? 1 : 0), .i1)
  }

  public static func string(_ s: String) -> Attribute { .string(Array(s.utf8), type: nil) }

  /// The integer value, sign-extended unless the type is unsigned.
  public var integerValue: Int64? {
    guard case .integer(let v, let t) = self else { return nil }
    if case .integer(_, .unsigned) = t { return v.zeroExtendedValue.map { Int64(bitPattern: $0) } }
    return v.signExtendedValue
  }

  public var stringValue: String? {
    if case .string(let b, _) = self { String(decoding: b, as: UTF8.self) } else { nil }
  }

  public var typeValue: IRType? { if case .type(let t) = self { t } else { nil } }
  public var arrayValue: [Attribute]? { if case .array(let a) = self { a } else { nil } }
  public var dictionaryValue: AttributeDictionary? {
    if case .dictionary(let d) = self { d } else { nil }
  }

  /// The type of a typed attribute (integer, float, elements).
  public var valueType: IRType? {
    switch self {
    case .integer(_, let t), .float(_, let t): t
    case .denseElements(let d): d.type
    case .denseResource(_, let t): t
    case .string(_, let t): t
    default: nil
    }
  }
}

/// A dense elements attribute: raw little-endian element storage, as MLIR keeps it.
///
/// Integers take `ceil(width/8)` bytes each (`i1` one byte, 0 or 1), floats their storage size,
/// complex numbers two elements. Raw hex payloads are kept byte for byte; a splat stores one element.
public struct DenseElementsAttr: Hashable, Sendable {
  public enum Storage: Hashable, Sendable {
    case raw([UInt8])
    case strings([[UInt8]])
  }
  public var type: IRType
  public var storage: Storage
  public var isSplat: Bool

  public init(type: IRType, storage: Storage, isSplat: Bool) {
    self.type = type
    self.storage = storage
    self.isSplat = isSplat
  }

  public var elementType: IRType { type.elementType ?? .none }
  public var count: Int { type.staticElementCount ?? 0 }

  /// Bytes one element takes in `raw` storage.
  public static func bytesPerElement(_ element: IRType) -> Int {
    switch element {
    case .integer(let w, _): return w <= 1 ? 1 : (w + 7) / 8
    case .index: return 8
    case .float(let k): return (k.bitWidth + 7) / 8
    case .complex(let e): return 2 * bytesPerElement(e)
    default: return 0
    }
  }

  /// Integer element `i`, masked to the element width and sign-extended (zero-extended for `ui`).
  public func int64(at i: Int) -> Int64 {
    guard case .raw(let bytes) = storage else { return 0 }
    let size = DenseElementsAttr.bytesPerElement(elementType)
    let start = isSplat ? 0 : i * size
    var raw: UInt64 = 0
    for k in 0..<min(size, 8) { raw |= UInt64(bytes[start + k]) << UInt64(8 * k) }
    let width = elementType.intOrFloatBitWidth ?? 64
    if width >= 64 { return Int64(bitPattern: raw) }
    let shift = UInt64(64 - width)
    if case .integer(_, .unsigned) = elementType { return Int64(bitPattern: (raw << shift) >> shift) }
    return Int64(bitPattern: raw << shift) >> Int64(shift)
  }

  /// All elements as integers (see `int64(at:)`), expanding a splat.
  public var int64Values: [Int64] { (0..<count).map { int64(at: $0) } }

  /// Builds an integer elements attribute from values (truncated to the element width).
  public static func integers(_ values: [Int64], type: IRType) -> DenseElementsAttr {
    let size = bytesPerElement(type.elementType ?? .i64)
    var bytes = [UInt8]()
    bytes.reserveCapacity(values.count * size)
    for v in values {
      let u = UInt64(bitPattern: v)
      for k in 0..<size { bytes.append(k < 8 ? UInt8(truncatingIfNeeded: u >> UInt64(8 * k)) : (v < 0 ? 0xFF : 0)) }
    }
    if size == 1, case .integer(1, _) = type.elementType { bytes = bytes.map { $0 & 1 } }
    return DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: false).canonicalized()
  }

  /// Collapses all-equal elements into a splat, as MLIR does at construction.
  public func canonicalized() -> DenseElementsAttr {
    guard !isSplat, count > 0 else { return self }
    switch storage {
    case .raw(let bytes):
      let size = DenseElementsAttr.bytesPerElement(elementType)
      guard size > 0, bytes.count == size * count else { return self }
      let allEqual = bytes.withUnsafeBufferPointer { p -> Bool in
        var i = size
        while i < p.count {
          for k in 0..<size where p[i + k] != p[k] { return false }
          i += size
        }
        return true
      }
      return allEqual
        ? DenseElementsAttr(type: type, storage: .raw(Array(bytes[0..<size])), isSplat: true) : self
    case .strings(let strings):
      return strings.allSatisfy({ $0 == strings[0] })
        ? DenseElementsAttr(type: type, storage: .strings([strings[0]]), isSplat: true) : self
    }
  }
}

/// A source location, as `loc(…)` spells it.
public indirect enum Location: Hashable, Sendable {
  case unknown
  case fileLineCol(file: String, line: Int, column: Int)
  case name(String, child: Location?)
  case callSite(callee: Location, caller: Location)
  case fused(metadata: Attribute?, locations: [Location])

  /// The innermost file:line:col, for diagnostics.
  public var fileLineCol: (file: String, line: Int, column: Int)? {
    switch self {
    case .unknown: nil
    case .fileLineCol(let f, let l, let c): (f, l, c)
    case .name(_, let child): child?.fileLineCol
    case .callSite(let callee, _): callee.fileLineCol
    case .fused(_, let locs): locs.lazy.compactMap(\.fileLineCol).first
    }
  }
}
