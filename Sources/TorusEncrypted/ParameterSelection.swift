import Foundation
import TFHE
import TorusIR

/// The crypto parameters chosen for a circuit, and why.
public struct EncryptionPlan: Sendable, CustomStringConvertible {
  public var parameters: ParameterSet
  /// Widest table-lookup input.
  public var maxLookupWidth: Int
  /// Largest squared norm at a lookup input.
  public var maxSquaredNorm: Double
  /// Bootstraps per run, by input width.
  public var bootstrapsPerWidth: [Int: Int]
  /// Estimated probability that one run has any wrong lookup.
  public var globalErrorProbability: Double
  public var targetErrorProbability: Double

  public var bootstrapCount: Int { bootstrapsPerWidth.values.reduce(0, +) }

  public var description: String {
    let p = parameters
    var lines = [
      "parameters: \(p)",
      "  lookups: \(bootstrapCount) bootstraps per run (" + bootstrapsPerWidth.sorted { $0.key < $1.key }.map { "\($0.value) at \($0.key) bits" }.joined(separator: ", ") + ")",
      "  widest lookup input: \(maxLookupWidth) bits; largest 2-norm at a lookup input: \(String(format: "%.1f", maxSquaredNorm.squareRoot()))",
      "  global error probability: \(String(format: "%.2e", globalErrorProbability)) (target \(String(format: "%.0e", targetErrorProbability)))",
      "  keys: bootstrapping \(megabytes(p.bootstrapKeyBytes)), key switching \(megabytes(p.keySwitchingKeyBytes))",
    ]
    lines.append("  source: \(p.source)")
    return lines.joined(separator: "\n")
  }

  func megabytes(_ b: Int) -> String { String(format: "%.1f MB", Double(b) / 1e6) }
}

/// Why no parameters fit a circuit.
public struct ParameterSelectionError: Error, CustomStringConvertible {
  public var description: String
}

/// Chooses one parameter set for the whole circuit: the smallest of Concrete's classic-PBS sets
/// (precision 1…10) whose noise model keeps the global error probability under the target, given
/// each lookup's input width and the 2-norm of the levelled ops feeding it.
public enum ParameterSelection {
  public static func plan(for function: TorusIR.Operation, globalErrorProbability target: Double = 1e-5,
                          perLookupErrorProbability perLookup: Double? = nil) throws(ParameterSelectionError) -> EncryptionPlan {
    let analysis = NoiseAnalysis(function: function)
    var perWidth: [Int: Int] = [:]
    for l in analysis.lookups { perWidth[l.inputWidth, default: 0] += l.count }
    let widest = analysis.lookups.map(\.inputWidth).max() ?? 1
    guard widest <= 10 else {
      throw ParameterSelectionError(description: "the circuit has \(widest)-bit table lookups; encrypted mode supports up to 10 bits with classic PBS (wider ones need CRT / WoP-PBS, see Spec/Encrypted.md)")
    }
    for precision in max(widest, 1)...10 {
      let p = ParameterSet.concrete(precision: precision)
      let model = NoiseModel(p)
      let freshOrBootstrapped = max(p.glweNoiseVariance, model.bootstrapVariance)
      var logSuccess = 0.0
      var worst = 0.0
      for l in analysis.lookups {
        let variance = model.decisionVariance(inputVariance: l.squaredNorm * freshOrBootstrapped)
        let halfSlot = pow(2.0, -Double(l.inputWidth + 2))
        let e = erfc(halfSlot / (variance.squareRoot() * 2.0.squareRoot()))
        worst = max(worst, e)
        logSuccess += Double(l.count) * log1p(-min(e, 0.999_999))
      }
      let global = -expm1(logSuccess)
      if global <= target, perLookup.map({ worst <= $0 }) ?? true {
        return EncryptionPlan(
          parameters: p, maxLookupWidth: widest, maxSquaredNorm: analysis.maxLookupSquaredNorm,
          bootstrapsPerWidth: perWidth, globalErrorProbability: global, targetErrorProbability: target)
      }
    }
    throw ParameterSelectionError(description: "no parameter set reaches a global error probability of \(target) for this circuit (widest lookup \(widest) bits, 2-norm \(String(format: "%.1f", analysis.maxLookupSquaredNorm.squareRoot())) at a lookup input); reduce the accumulator norms or round before lookups")
  }
}
