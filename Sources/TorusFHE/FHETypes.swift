import TorusIR

/// The encrypted scalar types of the `FHE` dialect: `!FHE.eint<p>`, `!FHE.esint<p>`, `!FHE.ebool`.
///
/// They are kept in the IR as opaque types (`.opaque(dialect: "FHE", body: "eint<4>")`); this
/// view parses the body. An `ebool` occupies width 2 (it is encoded like `eint<2>`).
public enum EncryptedType: Hashable, Sendable, CustomStringConvertible {
  case eint(Int)
  case esint(Int)
  case ebool

  /// Reads an IR type (scalar only); nil for anything else.
  public init?(_ type: IRType) {
    guard case .opaque("FHE", let body) = type else { return nil }
    self.init(body: body)
  }

  /// Reads a type body such as `eint<4>`.
  public init?(body: String) {
    if body == "ebool" { self = .ebool; return }
    for (prefix, make) in [("eint<", EncryptedType.eint), ("esint<", EncryptedType.esint)] as [(String, (Int) -> EncryptedType)] {
      if body.hasPrefix(prefix), body.hasSuffix(">"),
        let p = Int(String(body.dropFirst(prefix.count).dropLast()).trimmedSpaces())
      {
        self = make(p)
        return
      }
    }
    return nil
  }

  /// Precision in bits (2 for `ebool`).
  public var width: Int {
    switch self {
    case .eint(let p), .esint(let p): p
    case .ebool: 2
    }
  }

  /// True for `esint`.
  public var isSigned: Bool { if case .esint = self { true } else { false } }
  /// True for `ebool`.
  public var isBool: Bool { self == .ebool }

  /// The integers an input of this type may hold: two's complement for `esint`, else unsigned.
  public var valueRange: ClosedRange<Int64> {
    isSigned ? -(1 << Int64(width - 1))...((1 << Int64(width - 1)) - 1) : 0...((1 << Int64(min(width, 62))) - 1)
  }

  /// The IR type.
  public var irType: IRType { .opaque(dialect: "FHE", body: body) }

  /// The type body, e.g. `eint<4>`.
  public var body: String {
    switch self {
    case .eint(let p): "eint<\(p)>"
    case .esint(let p): "esint<\(p)>"
    case .ebool: "ebool"
    }
  }

  public var description: String { "!FHE.\(body)" }
}

extension String {
  fileprivate func trimmedSpaces() -> String {
    let set: Character = " "
    var s = Substring(self)
    while s.first == set { s = s.dropFirst() }
    while s.last == set { s = s.dropLast() }
    return String(s)
  }
}

extension IRType {
  /// The encrypted scalar type, or the encrypted element type of a tensor.
  public var encryptedElement: EncryptedType? { EncryptedType(elementType ?? self) }
  /// The encrypted scalar type when this is a scalar.
  public var encryptedScalar: EncryptedType? { EncryptedType(self) }
  /// True for eint/esint/ebool scalars and tensors of them.
  public var isEncrypted: Bool { encryptedElement != nil }
  /// Static shape of a ranked tensor as `Int`s; `[]` for scalars.
  public var staticShape: [Int] { (shape ?? []).map { Int($0) } }
  /// True for a ranked tensor.
  public var isRankedTensor: Bool { if case .tensor = self { true } else { false } }
}

/// Formats a shape as Concrete does in messages: `<2x3>` (empty: `<>`).
public func formatDims<T: BinaryInteger>(_ dims: [T]) -> String {
  "<" + dims.map { "\($0)" }.joined(separator: "x") + ">"
}
