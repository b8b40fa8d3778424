/// Signedness of an integer type: `i8` (signless), `si8`, `ui8`.
public enum Signedness: Hashable, Sendable {
  case signless, signed, unsigned
}

/// The builtin floating-point types.
public enum FloatKind: String, Hashable, Sendable, CaseIterable {
  case f16, bf16, f32, f64, f80, f128, tf32
  case f8E4M3FN, f8E5M2, f8E4M3FNUZ, f8E5M2FNUZ, f8E4M3B11FNUZ

  /// Total storage bits of one value.
  public var bitWidth: Int {
    switch self {
    case .f16, .bf16: 16
    case .f32: 32
    case .f64: 64
    case .f80: 80
    case .f128: 128
    case .tf32: 19
    default: 8
    }
  }

  /// Bits of precision (significand including the implicit bit).
  public var precision: Int {
    switch self {
    case .f16: 11
    case .bf16: 8
    case .f32: 24
    case .f64: 53
    case .f80: 64
    case .f128: 113
    case .tf32: 11
    case .f8E4M3FN, .f8E4M3FNUZ, .f8E4M3B11FNUZ: 4
    case .f8E5M2, .f8E5M2FNUZ: 3
    }
  }
}

/// Marker for a dynamic dimension in a shaped type (`?`).
public let dynamicSize: Int64 = Int64.min

/// An MLIR type: an immutable value compared structurally.
///
/// Types of dialects that are not built in are kept as `opaque` with their body verbatim, as
/// MLIR does for unregistered dialects; registered dialects give typed views over that body.
public indirect enum IRType: Hashable, Sendable {
  case integer(width: Int, signedness: Signedness)
  case index
  case float(FloatKind)
  case none
  case tensor(shape: [Int64], element: IRType, encoding: Attribute?)
  case unrankedTensor(element: IRType)
  case memref(shape: [Int64], element: IRType, layout: Attribute?, memorySpace: Attribute?)
  case unrankedMemref(element: IRType, memorySpace: Attribute?)
  case vector(shape: [Int64], scalable: [Bool], element: IRType)
  case tuple([IRType])
  case complex(IRType)
  case function(inputs: [IRType], results: [IRType])
  /// `!dialect.body`, e.g. `!FHE.eint<4>` is `opaque(dialect: "FHE", body: "eint<4>")`.
  case opaque(dialect: String, body: String)

  public static func i(_ width: Int) -> IRType { .integer(width: width, signedness: .signless) }
  public static let i1 = IRType.i(1)
  public static let i64 = IRType.i(64)

  public var isInteger: Bool { if case .integer = self { true } else { false } }
  public var isIntegerOrIndex: Bool { isInteger || self == .index }
  public var isFloat: Bool { if case .float = self { true } else { false } }

  /// Bit width of an integer, index (64) or float type.
  public var intOrFloatBitWidth: Int? {
    switch self {
    case .integer(let w, _): w
    case .index: 64
    case .float(let k): k.bitWidth
    default: nil
    }
  }

  /// Shape of a ranked shaped type.
  public var shape: [Int64]? {
    switch self {
    case .tensor(let s, _, _), .memref(let s, _, _, _), .vector(let s, _, _): s
    default: nil
    }
  }

  /// Element type of a shaped type.
  public var elementType: IRType? {
    switch self {
    case .tensor(_, let e, _), .unrankedTensor(let e), .memref(_, let e, _, _),
      .unrankedMemref(let e, _), .vector(_, _, let e):
      e
    default: nil
    }
  }

  public var isShaped: Bool { elementType != nil }

  /// Number of elements of a statically shaped type.
  public var staticElementCount: Int? {
    guard let shape, !shape.contains(dynamicSize) else { return nil }
    return shape.reduce(1) { $0 * Int($1) }
  }

  /// Whether values of this type may be elements of a tensor.
  public var isValidTensorElement: Bool {
    switch self {
    case .integer, .index, .float, .complex, .vector, .opaque, .memref, .unrankedMemref, .tuple,
      .none:
      true
    default: false
    }
  }

  /// Whether values of this type may be elements of a memref (opaque types are not, upstream).
  public var isValidMemRefElement: Bool {
    switch self {
    case .integer, .index, .float, .complex, .vector, .memref, .unrankedMemref: true
    default: false
    }
  }
}

extension IRType: MLIRPrintable {
  public func print(to out: inout ByteWriter) {
    switch self {
    case .integer(let width, let signedness):
      switch signedness {
      case .signless: out.write("i")
      case .signed: out.write("si")
      case .unsigned: out.write("ui")
      }
      out.write(width)
    case .index: out.write("index")
    case .float(let kind): out.write(kind.rawValue)
    case .none: out.write("none")
    case .tensor(let shape, let element, let encoding):
      out.write("tensor<")
      IRType.printDims(shape, scalable: nil, to: &out)
      element.print(to: &out)
      if let encoding {
        out.write(", ")
        encoding.print(to: &out)
      }
      out.write(">")
    case .unrankedTensor(let element):
      out.write("tensor<*x")
      element.print(to: &out)
      out.write(">")
    case .memref(let shape, let element, let layout, let space):
      out.write("memref<")
      IRType.printDims(shape, scalable: nil, to: &out)
      element.print(to: &out)
      if let layout {
        out.write(", ")
        layout.print(to: &out)
      }
      if let space {
        out.write(", ")
        IRType.printMemorySpace(space, to: &out)
      }
      out.write(">")
    case .unrankedMemref(let element, let space):
      out.write("memref<*x")
      element.print(to: &out)
      if let space {
        out.write(", ")
        IRType.printMemorySpace(space, to: &out)
      }
      out.write(">")
    case .vector(let shape, let scalable, let element):
      out.write("vector<")
      IRType.printDims(shape, scalable: scalable, to: &out)
      element.print(to: &out)
      out.write(">")
    case .tuple(let types):
      out.write("tuple<")
      out.interleave(types) { $1.print(to: &$0) }
      out.write(">")
    case .complex(let element):
      out.write("complex<")
      element.print(to: &out)
      out.write(">")
    case .function(let inputs, let results):
      out.write("(")
      out.interleave(inputs) { $1.print(to: &$0) }
      out.write(") -> ")
      IRType.printResultTypes(results, to: &out)
    case .opaque(let dialect, let body):
      out.write("!")
      out.write(dialect)
      if !body.hasPrefix("<") { out.write(".") }  // `!dialect<…>` is the opaque form
      out.write(body)
    }
  }

  /// Result list of a function type: parenthesised unless it is one non-function type.
  public static func printResultTypes(_ results: [IRType], to out: inout ByteWriter) {
    if results.count == 1, case .function = results[0] {
      out.write("(")
      results[0].print(to: &out)
      out.write(")")
    } else if results.count == 1 {
      results[0].print(to: &out)
    } else {
      out.write("(")
      out.interleave(results) { $1.print(to: &$0) }
      out.write(")")
    }
  }

  /// Memory spaces elide the default `i64` of an integer, as upstream prints them.
  static func printMemorySpace(_ space: Attribute, to out: inout ByteWriter) {
    if case .integer(let v, let t) = space, t == .i64 {
      Attribute.printInteger(v, type: t, to: &out)
    } else {
      space.print(to: &out)
    }
  }

  static func printDims(_ shape: [Int64], scalable: [Bool]?, to out: inout ByteWriter) {
    for (i, d) in shape.enumerated() {
      let isScalable = scalable.map { i < $0.count && $0[i] } ?? false
      if isScalable { out.write("[") }
      if d == dynamicSize { out.write("?") } else { out.write(d) }
      if isScalable { out.write("]") }
      out.write("x")
    }
  }
}
