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
    options: [globalPError.spec, pError.spec])
  static let globalPError = PassOption<String>("global-p-error", default: "1e-5", help: "probability of any wrong lookup in one run")
  static let pError = PassOption<String>(
    "p-error", default: "", help: "probability of one given lookup being wrong (empty: no per-lookup target)")
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
    target = ErrorTarget(global: try probability(Self.globalPError) ?? 1e-5, perLookup: try probability(Self.pError))
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
      } catch {
        throw PassFailure(Diagnostic(at: f.location, "'\(name)' cannot run encrypted: \(error)"))
      }
    }
    context.output(text)
  }
}
