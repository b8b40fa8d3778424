import Foundation
import TorusIR
import TorusPasses

/// Prints, for each function of the circuit, what an encrypted run would cost: the parameters
/// chosen for it, bootstraps per precision, key sizes, the estimated error probability and the
/// estimated run time — without generating any key.
/// Example: torus-opt circuit.mlir --fhe-cost-report='global-p-error=1e-5'
public struct CostReportPass: Pass {
  public static let info = PassInfo(
    argument: "fhe-cost-report",
    summary: "Report the crypto parameters, bootstraps, key sizes and estimated time of an encrypted run",
    options: [globalPError.spec, pError.spec, encoding.spec])
  static let globalPError = PassOption<String>("global-p-error", default: "1e-5", help: "probability of any wrong lookup in one run")
  static let pError = PassOption<String>(
    "p-error", default: "", help: "probability of one given lookup being wrong (empty: no per-lookup target)")
  static let encoding = PassOption<String>(
    "encoding", default: "auto", help: "auto (native, residues when no native plan fits) or residues (CRT even where a native plan fits)")
  let target: ErrorTarget

  public init(options: PassOptions) throws(PassOptionError) {
    func probability(_ option: PassOption<String>) throws(PassOptionError) -> Double? {
      let text = options[option]
      let name = option.spec.name
      if text.isEmpty { return nil }
      guard let v = Double(text), v > 0, v < 1 else {
        throw PassOptionError("option '\(name)' of pass '\(Self.info.argument)' expects a probability in (0, 1), got '\(text)'")
      }
      return v
    }
    let encoding = options[Self.encoding]
    guard ["auto", "residues"].contains(encoding) else {
      throw PassOptionError("option 'encoding' of pass '\(Self.info.argument)' expects 'auto' or 'residues', got '\(encoding)'")
    }
    target = ErrorTarget(global: try probability(Self.globalPError) ?? 1e-5, perLookup: try probability(Self.pError),
                         residues: encoding == "residues")
  }

  /// Bootstraps by width, estimated time and share per source layer (the ONNX node of a compiled
  /// model, else the op's location), most expensive first.
  static func layerTable(_ graph: CircuitGraph) -> String {
    let rows = graph.perSource.sorted { $0.share > $1.share }
    guard !rows.isEmpty else { return "" }
    let width = min(48, max(12, rows.map(\.source.count).max() ?? 12))
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
    var out = "  per layer:\n    " + pad("layer", width) + "  bootstraps (by width)              est. ms   share\n"
    for r in rows {
      let total = r.bootstrapsByWidth.values.reduce(0, +)
      let widths = r.bootstrapsByWidth.sorted { $0.key < $1.key }.map { "\($0.value)@\($0.key)b" }.joined(separator: " ")
      out += "    " + pad(r.source, width) + "  " + pad("\(total) (\(widths))", 32)
        + String(format: "%9.1f  %5.1f%%", r.milliseconds ?? 0, r.share * 100) + "\n"
    }
    return out
  }

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    var functions: [TorusIR.Operation] = []
    op.walk { o in if o.name.rawValue == "func.func" { functions.append(o) } }
    if functions.isEmpty && op.name.rawValue != "builtin.module" { functions = [op] }
    var text = "// fhe-cost-report\n"
    for f in functions {
      let name = f.attribute("sym_name")?.stringValue ?? f.name.rawValue
      do {
        let plan = try ParameterSelection.plan(for: f, target: target)
        text += "@\(name): \(plan)\n"
        if let fn = FuncDialect.FuncOp(f) { text += Self.layerTable(CircuitGraph(function: fn, plan: plan)) }
      } catch {
        throw PassFailure(Diagnostic(at: f.location, "'\(name)' cannot run encrypted: \(error)"))
      }
    }
    context.output(text)
  }
}


/// Writes the cost facts of `--fhe-cost-report` onto the ops as attributes, so that they show in
/// the circuit text: `fhe.bootstraps` (per run), `fhe.share` (of the function's bootstraps) and
/// `fhe.estimated_ms` (one core, with the parameters the report would choose).
/// Example: torus-opt circuit.mlir --fhe-annotate
public struct AnnotateCostPass: Pass {
  public static let info = PassInfo(
    argument: "fhe-annotate", summary: "Annotate ops with their bootstraps, run-time share and estimated ms (attributes fhe.*)")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    for f in op.functionDefinitions {
      let graph = CircuitGraph(function: f)
      guard let body = f.body else { continue }
      // The graph numbers arguments first, then the ops that touch ciphertexts, in order.
      var id = body.arguments.count
      for o in body.operations where o.touchesEncryptedValues {
        let node = graph.nodes[id]
        id += 1
        guard node.bootstraps > 0 else { continue }
        o.attributes["fhe.bootstraps"] = .integer(APInt(width: 64, truncating: UInt64(node.bootstraps)), .i64)
        o.attributes["fhe.share"] = .float(FloatBits(kind: .f64, value: (node.share * 1e4).rounded() / 1e4), .float(.f64))
        if let ms = node.milliseconds {
          o.attributes["fhe.estimated_ms"] = .float(FloatBits(kind: .f64, value: (ms * 10).rounded() / 10), .float(.f64))
        }
      }
    }
  }
}
