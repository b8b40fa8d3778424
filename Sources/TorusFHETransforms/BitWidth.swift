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

  /// Ops that read or write encrypted values but declare no `FHECostInterface`: their lookups
  /// are unknown, so the counts above are incomplete while this is not empty.
  public private(set) var missingInterfaces: [Operation] = []

  /// Analyzes every op nested in `root`.
  public init(function root: Operation) {
    self.root = root
    root.walk { op in
      for r in op.regions { for b in r.blocks { for a in b.arguments { if let e = a.type.encryptedElement { maxWidth = max(maxWidth, e.width) } } } }
      if let e = op.results.first?.type.encryptedElement {
        entries.append(Entry(op: op, width: e.width))
        maxWidth = max(maxWidth, e.width)
      }
      guard op.results.contains(where: { $0.type.isEncrypted }) else { return }
      guard let cost = op.fheCost else {
        missingInterfaces.append(op)
        return
      }
      // Counted as Concrete spends them: one bootstrap per rounded bit.
      for g in cost.bootstrapGroups { lookupsPerWidth[g.inputWidth, default: 0] += g.bootstraps(chunk: 1) }
    }
  }

  /// The diagnostic for the first op without cost interface, if any.
  public var missingInterfaceDiagnostic: Diagnostic? {
    guard let op = missingInterfaces.first else { return nil }
    return Diagnostic(
      at: op.location,
      "'\(op.name)' op has encrypted results but declares no FHE cost interface (FHECostInterface); its table lookups cannot be counted")
  }

  /// Whether `value` is only ever used by phase ops whose results come back under `limit`
  /// (or are themselves such values) — it is never encrypted, decrypted or bootstrapped as is.
  static func neverDecoded(_ value: Value, limit: Int, depth: Int = 0) -> Bool {
    guard depth < 16 else { return false }
    for use in value.uses {
      let user = use.owner
      guard user.view is any PhaseOp else { return false }
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
    if let d = a.missingInterfaceDiagnostic { throw PassFailure(d) }
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
    options: [max.spec])
  static let max = PassOption<Int>("max", default: 16, help: "widest encrypted integer allowed")
  let limit: Int
  public init(options: PassOptions) throws(PassOptionError) { limit = options[Self.max] }

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
