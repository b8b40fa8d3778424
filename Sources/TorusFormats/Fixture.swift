import Foundation
import Yams

/// A Concrete end-to-end fixture file: a YAML stream of programs with tests.
///
/// Format: `Spec/Formats.md` and `shared/spec/fhe-dialects.md` §7.
public struct FixtureFile: Sendable, Equatable {
  /// One entry per YAML document, in file order.
  public var documents: [FixtureProgram]

  /// Builds a file from already-parsed programs.
  public init(documents: [FixtureProgram]) { self.documents = documents }

  /// Parses a fixture stream; `fileName` only labels errors.
  public init(yaml: String, fileName: String = "<string>") throws(FixtureError) {
    let parser: Parser
    do { parser = try Parser(yaml: yaml) } catch {
      throw FixtureError(file: fileName, document: nil, message: "invalid yaml: \(error)")
    }
    var documents: [FixtureProgram] = []
    while true {
      let root: Node?
      do { root = try parser.nextRoot() } catch {
        throw FixtureError(file: fileName, document: .init(index: documents.count, description: nil),
                           message: "invalid yaml: \(error)")
      }
      guard let root else { break }
      // An empty document (a trailing `---`) holds no program; Concrete's harness skips it too.
      if let scalar = root.scalar, ["", "~", "null"].contains(scalar.string) { continue }
      let index = documents.count
      do throws(FixtureError.Message) {
        documents.append(try FixtureProgram(node: root))
      } catch {
        let description = root.mapping?["description"]?.scalar?.string
        throw FixtureError(file: fileName, document: .init(index: index, description: description),
                           message: error.text)
      }
    }
    self.documents = documents
  }

  /// Reads and parses a fixture file.
  public init(contentsOf url: URL) throws(FixtureError) {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw FixtureError(file: url.path, document: nil,
                         message: "cannot read file: \(error.localizedDescription)")
    }
    try self.init(yaml: text, fileName: url.lastPathComponent)
  }
}

/// Which integer encoding a program asks for (§0.1 native vs §0.6 CRT).
public enum FixtureEncoding: String, Sendable, Equatable, CaseIterable {
  case auto, native, crt
}

/// One statistical-mode setting: repeat each test and tolerate a binomial error budget.
public struct FixtureErrorRate: Sendable, Equatable {
  /// The global error probability the circuit is compiled for.
  public var globalPError: Double
  /// How many times each test runs.
  public var repetitions: Int

  /// Builds a setting.
  public init(globalPError: Double, repetitions: Int) {
    self.globalPError = globalPError
    self.repetitions = repetitions
  }
}

/// One YAML document: an MLIR program and the tests to run on it.
public struct FixtureProgram: Sendable, Equatable {
  /// The test name.
  public var description: String
  /// MLIR text holding one `func.func @main`.
  public var program: String
  /// Per-PBS error probability, when given (`1e-06` arrives as a YAML string and is coerced).
  public var pError: Double?
  /// The requested encoding; `auto` when absent.
  public var encoding: FixtureEncoding
  /// Explicit CRT moduli, overriding the default table.
  public var largeIntegerCRTDecomposition: [Int]?
  /// Statistical-mode settings; empty for ordinary exact tests.
  public var testErrorRates: [FixtureErrorRate]
  /// Concrete's `use_default_fhe_constraints`; no effect on clear results.
  public var useDefaultFHEConstraints: Bool?
  /// `v0-parameter`: [glweDim, logPolySize, nSmall, brLevel, brLogBase, ksLevel, ksLogBase].
  public var v0Parameter: [Int]?
  /// `v0-constraint`: [p, norm2].
  public var v0Constraint: [Int]?
  /// Tests, each run independently.
  public var tests: [FixtureTest]

  /// Builds a program from its parts.
  public init(description: String, program: String, pError: Double? = nil,
              encoding: FixtureEncoding = .auto, largeIntegerCRTDecomposition: [Int]? = nil,
              testErrorRates: [FixtureErrorRate] = [], useDefaultFHEConstraints: Bool? = nil,
              v0Parameter: [Int]? = nil, v0Constraint: [Int]? = nil, tests: [FixtureTest]) {
    self.description = description
    self.program = program
    self.pError = pError
    self.encoding = encoding
    self.largeIntegerCRTDecomposition = largeIntegerCRTDecomposition
    self.testErrorRates = testErrorRates
    self.useDefaultFHEConstraints = useDefaultFHEConstraints
    self.v0Parameter = v0Parameter
    self.v0Constraint = v0Constraint
    self.tests = tests
  }
}

/// One test: positional argument values and expected results.
///
/// Either list may be nil (`inputs:` with nothing means no arguments; absent
/// `outputs` means nothing is checked). Only the first `outputs.count` results compare.
public struct FixtureTest: Sendable, Equatable {
  /// Argument values, or nil when the key is absent or null.
  public var inputs: [FixtureValue]?
  /// Expected results, or nil when the key is absent or null.
  public var outputs: [FixtureValue]?

  /// Builds a test.
  public init(inputs: [FixtureValue]?, outputs: [FixtureValue]?) {
    self.inputs = inputs
    self.outputs = outputs
  }
}

/// One argument or result value: a scalar or a row-major tensor of 64-bit patterns.
///
/// Invariant: `1 <= width <= 64`, and every value fits the C container Concrete picks
/// for (`width`, `signed`): ≤ 8 → (u)int8, ≤ 16 → (u)int16, ≤ 32 → (u)int32, else
/// (u)int64. Signed values are stored sign-extended to 64 bits, so
/// `Int64(bitPattern:)` recovers them.
public struct FixtureValue: Sendable, Equatable {
  /// Scalar or tensor payload.
  public enum Payload: Sendable, Equatable {
    /// One value.
    case scalar(UInt64)
    /// Values flattened row-major, with the tensor's shape.
    case tensor([UInt64], shape: [Int])
  }

  /// The values.
  public var payload: Payload
  /// Declared width in bits (default 64).
  public var width: Int
  /// Declared signedness (default false).
  public var signed: Bool

  /// Builds a value; the caller guarantees the invariant.
  public init(_ payload: Payload, width: Int = 64, signed: Bool = false) {
    self.payload = payload
    self.width = width
    self.signed = signed
  }

  /// True for `scalar:` values.
  public var isScalar: Bool { if case .scalar = payload { true } else { false } }

  /// The shape: empty for a scalar.
  public var shape: [Int] {
    switch payload {
    case .scalar: []
    case .tensor(_, let shape): shape
    }
  }

  /// All values as 64-bit patterns, row-major (one element for a scalar).
  public var bitPatterns: [UInt64] {
    switch payload {
    case .scalar(let v): [v]
    case .tensor(let values, _): values
    }
  }

  /// All values as `Int64` (bit patterns reinterpreted).
  public var int64Values: [Int64] { bitPatterns.map { Int64(bitPattern: $0) } }

  /// Bits of the C container Concrete stores this value in: 8, 16, 32 or 64.
  public var containerBits: Int { FixtureValue.containerBits(width: width) }

  /// The container width for a declared width.
  public static func containerBits(width: Int) -> Int {
    width <= 8 ? 8 : width <= 16 ? 16 : width <= 32 ? 32 : 64
  }

  /// The value as an `int64` array (bit patterns kept), shape `[]` for a scalar.
  public var ndArray: NDArray { NDArray(int64Values, shape: shape) }
}

/// A fixture that could not be read, located by file and document.
public struct FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Where in the stream the problem is.
  public struct Location: Sendable, Equatable {
    /// Zero-based document index.
    public var index: Int
    /// The document's `description`, when it has one.
    public var description: String?
  }

  /// The file name given to the parser.
  public var file: String
  /// The document, when the problem is inside one.
  public var document: Location?
  /// What is wrong.
  public var message: String

  /// `'fhe.yaml' document 3 ('add_eint'): tests[0].inputs[1]: width 65 exceeds 64`.
  public var description: String {
    var where_ = "'\(file)'"
    if let document {
      where_ += " document \(document.index)"
      if let d = document.description { where_ += " ('\(d)')" }
    }
    return "\(where_): \(message)"
  }

  /// An error inside one document, before the file is known.
  struct Message: Error {
    var text: String
    init(_ text: String) { self.text = text }
  }
}

typealias FixtureFailure = FixtureError.Message

extension FixtureProgram {
  init(node: Node) throws(FixtureFailure) {
    guard let map = node.mapping else { throw FixtureFailure("expected a mapping, found \(node.kindName)") }
    let known: Set<String> = [
      "description", "program", "tests", "p-error", "encoding", "use_default_fhe_constraints",
      "v0-parameter", "v0-constraint", "large-integer-crt-decomposition", "test-error-rates",
    ]
    for key in map.keys {
      guard let k = key.scalar?.string, known.contains(k) else {
        throw FixtureFailure("unknown key '\(key.scalar?.string ?? key.kindName)'")
      }
    }
    description = try map.requiredString("description")
    program = try map.requiredString("program")
    if let p = map["p-error"], !p.isNull {
      // YAML 1.1 resolves `1e-06` (no dot) as a string, so parse the text ourselves.
      guard let text = p.scalar?.string, let d = Double(text) else {
        throw FixtureFailure("'p-error': expected a number, found \(p.kindName)")
      }
      pError = d
    } else {
      pError = nil
    }
    if let e = map["encoding"], !e.isNull {
      guard let text = e.scalar?.string, let enc = FixtureEncoding(rawValue: text) else {
        throw FixtureFailure("'encoding': expected 'auto', 'native' or 'crt', found \(e.kindName)")
      }
      encoding = enc
    } else {
      encoding = .auto
    }
    useDefaultFHEConstraints = try map.optionalBool("use_default_fhe_constraints")
    v0Parameter = try map.optionalIntList("v0-parameter")
    v0Constraint = try map.optionalIntList("v0-constraint")
    largeIntegerCRTDecomposition = try map.optionalIntList("large-integer-crt-decomposition")
    testErrorRates = []
    if let rates = map["test-error-rates"], !rates.isNull {
      guard let seq = rates.sequence else {
        throw FixtureFailure("'test-error-rates': expected a list, found \(rates.kindName)")
      }
      for (i, r) in seq.enumerated() {
        let ctx = "test-error-rates[\(i)]"
        guard let m = r.mapping, let g = m["global-p-error"]?.scalar?.string, let gp = Double(g),
              let n = m["nb-repetition"]?.scalar?.string, let reps = Int(n), reps >= 0
        else {
          throw FixtureFailure("\(ctx): expected {global-p-error: float, nb-repetition: int}")
        }
        testErrorRates.append(FixtureErrorRate(globalPError: gp, repetitions: reps))
      }
    }
    guard let testsNode = map["tests"] else { throw FixtureFailure("missing key 'tests'") }
    guard let seq = testsNode.sequence else {
      throw FixtureFailure("'tests': expected a list, found \(testsNode.kindName)")
    }
    tests = []
    for (i, t) in seq.enumerated() {
      tests.append(try FixtureTest(node: t, context: "tests[\(i)]"))
    }
  }
}

extension FixtureTest {
  init(node: Node, context: String) throws(FixtureFailure) {
    guard let map = node.mapping else {
      throw FixtureFailure("\(context): expected a mapping with 'inputs'/'outputs', found \(node.kindName)")
    }
    for key in map.keys where !["inputs", "outputs"].contains(key.scalar?.string ?? "") {
      throw FixtureFailure("\(context): unknown key '\(key.scalar?.string ?? key.kindName)'")
    }
    inputs = try FixtureTest.values(map["inputs"], context: "\(context).inputs")
    outputs = try FixtureTest.values(map["outputs"], context: "\(context).outputs")
  }

  static func values(_ node: Node?, context: String) throws(FixtureFailure) -> [FixtureValue]? {
    guard let node, !node.isNull else { return nil }
    guard let seq = node.sequence else {
      throw FixtureFailure("\(context): expected a list, found \(node.kindName)")
    }
    var out: [FixtureValue] = []
    for (i, v) in seq.enumerated() {
      out.append(try FixtureValue(node: v, context: "\(context)[\(i)]"))
    }
    return out
  }
}

extension FixtureValue {
  init(node: Node, context: String) throws(FixtureFailure) {
    guard let map = node.mapping else {
      throw FixtureFailure("\(context): expected a mapping with 'scalar' or 'tensor', found \(node.kindName)")
    }
    var width = 64
    if let w = map["width"], !w.isNull {
      guard let text = w.scalar?.string, let n = Int(text) else {
        throw FixtureFailure("\(context).width: expected an integer, found \(w.kindName)")
      }
      guard n >= 1 else { throw FixtureFailure("\(context).width: expected 1 to 64, found \(n)") }
      guard n <= 64 else { throw FixtureFailure("\(context).width: width \(n) exceeds 64") }
      width = n
    }
    let signed: Bool
    do throws(FixtureFailure) {
      signed = try map.optionalBool("signed") ?? false
    } catch {
      throw FixtureFailure("\(context).\(error.text)")
    }
    let bits = FixtureValue.containerBits(width: width)
    func number(_ node: Node, _ where_: String) throws(FixtureFailure) -> UInt64 {
      guard let text = node.scalar?.string else {
        throw FixtureFailure("\(where_): expected an integer, found \(node.kindName)")
      }
      guard let v = FixtureValue.parseInteger(text, bits: bits, signed: signed) else {
        let range = signed
          ? "-2^\(bits - 1) to 2^\(bits - 1)-1" : "0 to 2^\(bits)-1"
        throw FixtureFailure(
          "\(where_): expected an integer in \(range) (width \(width), \(signed ? "signed" : "unsigned")), found '\(text)'")
      }
      return v
    }
    // Concrete checks `scalar` first, so it wins when both keys are present.
    if let s = map["scalar"] {
      self.init(.scalar(try number(s, "\(context).scalar")), width: width, signed: signed)
      return
    }
    guard let t = map["tensor"] else {
      throw FixtureFailure("\(context): expected key 'scalar' or 'tensor', found neither")
    }
    guard let seq = t.sequence else {
      throw FixtureFailure("\(context).tensor: expected a flat list of integers, found \(t.kindName)")
    }
    var values: [UInt64] = []
    values.reserveCapacity(seq.count)
    for (i, v) in seq.enumerated() { values.append(try number(v, "\(context).tensor[\(i)]")) }
    guard let shapeNode = map["shape"], let shapeSeq = shapeNode.sequence else {
      throw FixtureFailure("\(context).shape: expected a list of dimensions for the tensor")
    }
    var shape: [Int] = []
    for d in shapeSeq {
      guard let text = d.scalar?.string, let n = Int(text), n >= 0 else {
        throw FixtureFailure("\(context).shape: expected non-negative integers, found \(d.kindName)")
      }
      shape.append(n)
    }
    guard NDArray.elementCount(shape) == values.count else {
      throw FixtureFailure(
        "\(context): shape \(formatShape(shape)) needs \(NDArray.elementCount(shape) ?? -1) values, found \(values.count)")
    }
    self.init(.tensor(values, shape: shape), width: width, signed: signed)
  }

  /// Parses an integer that must fit a `bits`-wide container; returns its 64-bit
  /// pattern (sign-extended when signed).
  ///
  /// Accepts an optional sign, then decimal, `0x` hex, `0o` octal or `0b` binary
  /// digits (the fixtures write `0xFFFFFFFFFFFFFFFF`). A hex/octal/binary literal
  /// gives the bit pattern directly, so `0xFF` with width 8 signed is -1, as a C
  /// parser filling an `int8_t` container would store it.
  static func parseInteger(_ text: String, bits: Int, signed: Bool) -> UInt64? {
    var body = Substring(text)
    var negative = false
    if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
    else if body.hasPrefix("+") { body = body.dropFirst() }
    var radix = 10
    for (prefix, r) in [("0x", 16), ("0X", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
      radix = r
      body = body.dropFirst(2)
    }
    guard !body.isEmpty, let magnitude = UInt64(body, radix: radix) else { return nil }
    let mask: UInt64 = bits == 64 ? .max : (1 << bits) - 1
    if radix != 10 && !negative {
      // A bit pattern: must fit the container; sign-extend it when signed.
      guard magnitude & ~mask == 0 else { return nil }
      guard signed, bits < 64, magnitude >> (bits - 1) & 1 == 1 else { return magnitude }
      return magnitude | ~mask
    }
    if signed {
      let limit = UInt64(1) << (bits - 1)  // |min| of the container
      if negative {
        guard magnitude <= limit else { return nil }
        return 0 &- magnitude
      }
      guard magnitude < limit else { return nil }
      return magnitude
    }
    guard !negative || magnitude == 0 else { return nil }
    guard magnitude & ~mask == 0 else { return nil }
    return magnitude
  }
}

extension Node {
  var isNull: Bool {
    guard let s = scalar else { return false }
    return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
  }

  var kindName: String {
    switch self {
    case .scalar(let s): isNull ? "null" : "'\(s.string)'"
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
  }
}

extension Node.Mapping {
  func requiredString(_ key: String) throws(FixtureFailure) -> String {
    guard let node = self[key] else { throw FixtureFailure("missing key '\(key)'") }
    guard let s = node.scalar?.string, !node.isNull else {
      throw FixtureFailure("'\(key)': expected a string, found \(node.kindName)")
    }
    return s
  }

  func optionalBool(_ key: String) throws(FixtureFailure) -> Bool? {
    guard let node = self[key], !node.isNull else { return nil }
    switch node.scalar?.string.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw FixtureFailure("\(key): expected true or false, found \(node.kindName)")
    }
  }

  func optionalIntList(_ key: String) throws(FixtureFailure) -> [Int]? {
    guard let node = self[key], !node.isNull else { return nil }
    guard let seq = node.sequence else {
      throw FixtureFailure("'\(key)': expected a list of integers, found \(node.kindName)")
    }
    var out: [Int] = []
    for item in seq {
      guard let text = item.scalar?.string, let n = Int(text) else {
        throw FixtureFailure("'\(key)': expected integers, found \(item.kindName)")
      }
      out.append(n)
    }
    return out
  }
}
