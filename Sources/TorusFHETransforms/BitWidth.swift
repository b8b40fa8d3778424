import TorusFHE
import TorusIR
import TorusPasses

extension PassRegistry {
  /// Registers the FHE analysis passes.
  public mutating func registerFHEPasses() {
    register(BitWidthReportPass.self)
    register(MaxBitWidthPass.self)
  }
}

/// Encrypted bit widths of a function or module: per op, table lookups per width, maximum.
public struct BitWidthAnalysis {
  /// One op with an encrypted result.
  public struct Entry {
    public var op: Operation
    public var width: Int
  }
  /// Ops with an encrypted result, in program order.
  public private(set) var entries: [Entry] = []
  /// Programmable bootstraps per input width (a tensor op counts one per element).
  public private(set) var lookupsPerWidth: [Int: Int] = [:]
  /// The widest encrypted integer (arguments included).
  public private(set) var maxWidth = 0
  /// Keeps the analyzed IR alive: entries refer to its ops, whose use lists point into it.
  private let root: Operation

  /// Analyzes every op nested in `root`.
  public init(function root: Operation) {
    self.root = root
    root.walk { op in
      for r in op.regions { for b in r.blocks { for a in b.arguments { if let e = a.type.encryptedElement { maxWidth = max(maxWidth, e.width) } } } }
      guard let r = op.results.first, let e = r.type.encryptedElement else {
        if let n = Self.lookups(op) { lookupsPerWidth[n.width, default: 0] += n.count }
        return
      }
      entries.append(Entry(op: op, width: e.width))
      maxWidth = max(maxWidth, e.width)
      if let n = Self.lookups(op) { lookupsPerWidth[n.width, default: 0] += n.count }
    }
  }

  static func count(_ t: IRType) -> Int { t.isRankedTensor ? t.staticShape.reduce(1, *) : 1 }

  /// Number of bootstraps an op costs and their input width; nil for leveled ops.
  static func lookups(_ op: Operation) -> (width: Int, count: Int)? {
    guard let input = op.operands.first, let e = input.type.encryptedElement else { return nil }
    let n = count(input.type)
    let out = op.results.first.map { count($0.type) } ?? 1
    switch op.name.rawValue {
    case "FHE.apply_lookup_table", "FHELinalg.apply_lookup_table", "FHELinalg.apply_multi_lookup_table",
      "FHELinalg.apply_mapped_lookup_table", "FHE.lsb", "FHELinalg.lsb", "FHE.max_eint", "FHE.gen_gate",
      "FHE.and", "FHE.or", "FHE.nand", "FHE.xor":
      return (e.width, n)
    case "FHE.mux": return (e.width, 2)
    case "FHE.mul_eint", "FHELinalg.mul_eint": return (e.width, 2 * out)
    case "FHELinalg.dot_eint_eint": return (e.width, 2 * n)
    case "FHELinalg.matmul_eint_eint":
      let k = input.type.staticShape.last ?? 1
      return (e.width, 2 * out * k)
    case "FHE.round", "FHELinalg.round":
      let q = op.results[0].type.encryptedElement?.width ?? e.width
      return (e.width, n * (e.width - q))
    case "FHELinalg.maxpool2d":
      let k = FHELinalg.Maxpool2dOp(unchecked: op).kernelShape.reduce(1, *)
      return (e.width, out * k)
    default: return nil
    }
  }

  /// Ops that compute on the phase without decoding it: a wider result of these is fine as long
  /// as a precision cast brings it back under the limit before anything decodes it (concrete-python's
  /// approximate rounding adds an offset at 62 bits this way).
  static let phaseOps: Set<String> = [
    "FHE.reinterpret_precision", "FHELinalg.reinterpret_precision", "FHE.add_eint_int", "FHELinalg.add_eint_int",
    "FHE.sub_eint_int", "FHELinalg.sub_eint_int", "FHE.add_eint", "FHELinalg.add_eint", "FHE.sub_eint",
    "FHELinalg.sub_eint", "FHE.neg_eint", "FHELinalg.neg_eint", "FHE.mul_eint_int", "FHELinalg.mul_eint_int",
    "FHE.to_signed", "FHE.to_unsigned", "FHELinalg.to_signed", "FHELinalg.to_unsigned",
  ]

  /// Whether `value` is only ever used by phase ops whose results come back under `limit`
  /// (or are themselves such values) — it is never encrypted, decrypted or bootstrapped as is.
  static func neverDecoded(_ value: Value, limit: Int, depth: Int = 0) -> Bool {
    guard depth < 16 else { return false }
    for use in value.uses {
      let user = use.owner
      guard phaseOps.contains(user.name.rawValue) else { return false }
      for r in user.results where (r.type.encryptedElement?.width ?? 0) > limit {
        if !neverDecoded(r, limit: limit, depth: depth + 1) { return false }
      }
    }
    return true
  }

  /// The first op whose encrypted result is wider than `limit` and is decoded (encrypted,
  /// bootstrapped or returned) at that width; nil when every width fits.
  public func firstWideEntry(limit: Int) -> Entry? {
    entries.first { e in e.width > limit && !(e.op.results.first.map { Self.neverDecoded($0, limit: limit) } ?? false) }
  }

  /// The first op whose encrypted result is wider than `limit`, described with the chain of
  /// ops that led to it; nil when every width fits.
  public func firstViolation(limit: Int) -> String? {
    guard let bad = firstWideEntry(limit: limit) else { return nil }
    return "'\(bad.op.name)' produces a \(bad.width)-bit encrypted integer, more than the limit of \(limit) bits; chain: "
      + Self.chain(to: bad.op).joined(separator: " -> ")
  }

  /// The ops leading to `op`, following at each step the widest encrypted operand.
  public static func chain(to op: Operation, limit: Int = 12) -> [String] {
    var steps: [String] = []
    var current: Operation? = op
    while let c = current, steps.count < limit {
      let w = c.results.first?.type.encryptedElement?.width ?? 0
      var where_ = ""
      if let (_, line, col) = c.location.fileLineCol { where_ = " at \(line):\(col)" }
      steps.append("'\(c.name)' (\(w) bits\(where_))")
      let widest = c.operands.filter { $0.type.isEncrypted }.max { ($0.type.encryptedElement?.width ?? 0) < ($1.type.encryptedElement?.width ?? 0) }
      guard let next = widest else { break }
      if let d = next.definingOp { current = d } else {
        steps.append("function argument (\(next.type.encryptedElement?.width ?? 0) bits)")
        break
      }
    }
    return steps.reversed()
  }
}

/// Prints every op's encrypted result width, table lookups per width and the maximum width.
/// Example: torus-opt circuit.mlir --fhe-bitwidth-report
public struct BitWidthReportPass: Pass {
  public static let info = PassInfo(
    argument: "fhe-bitwidth-report", summary: "Report encrypted bit widths, table lookups per width and the maximum width")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    let a = BitWidthAnalysis(function: op)
    var text = "// fhe-bitwidth-report\n"
    for e in a.entries {
      var loc = ""
      if let (_, line, col) = e.op.location.fileLineCol { loc = " (\(line):\(col))" }
      text += "\(e.op.name)\(loc): \(e.width) bits\n"
    }
    text += "table lookups per input width:\n"
    for w in a.lookupsPerWidth.keys.sorted() { text += "  \(w) bits: \(a.lookupsPerWidth[w]!)\n" }
    text += "total table lookups: \(a.lookupsPerWidth.values.reduce(0, +))\n"
    text += "maximum integer bit width: \(a.maxWidth)\n"
    context.output(text)
  }
}

/// Fails when an encrypted integer is wider than the limit, naming the op and the chain of ops
/// that led there. Example: torus-opt circuit.mlir --fhe-max-bitwidth=16
public struct MaxBitWidthPass: Pass {
  public static let info = PassInfo(
    argument: "fhe-max-bitwidth", summary: "Fail when an encrypted integer is wider than the limit",
    options: [.int("max", default: 16, help: "widest encrypted integer allowed")])
  let limit: Int
  public init(options: PassOptions) throws(PassOptionError) { limit = try options.int("max") }

  public func run(on op: Operation, context: PassContext) throws(PassFailure) {
    let a = BitWidthAnalysis(function: op)
    guard let bad = a.firstWideEntry(limit: limit) else { return }
    let chain = BitWidthAnalysis.chain(to: bad.op)
    throw PassFailure(
      Diagnostic(
        at: bad.op.location,
        "'\(bad.op.name)' op produces a \(bad.width)-bit encrypted integer, more than the limit of \(limit) bits",
        notes: [Diagnostic(.note, at: bad.op.location, "chain of ops that led there: " + chain.joined(separator: " -> "))]))
  }
}
