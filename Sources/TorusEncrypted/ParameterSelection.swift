import Foundation
import TFHE
import TorusIR

/// The error probabilities parameters must meet (Concrete's `global_p_error` and `p_error`).
public struct ErrorTarget: Sendable, Equatable {
  /// Probability that one run of the circuit has any wrong lookup.
  public var global: Double
  /// Probability that one given lookup is wrong (nil: only the global target applies).
  public var perLookup: Double?

  public init(global: Double = 1e-5, perLookup: Double? = nil) {
    self.global = global
    self.perLookup = perLookup
  }

  /// Checks that both are probabilities in (0, 1).
  public func validated() throws(ParameterSelectionError) -> ErrorTarget {
    for (name, v) in [("global error probability", global), ("per-lookup error probability", perLookup ?? 0.5)] where !(v > 0 && v < 1) {
      throw ParameterSelectionError(description: "the \(name) must be in (0, 1), got \(v)")
    }
    return self
  }
}

/// Time of one KS + PBS on one core with a given parameter set, from a cost model fitted (within
/// 8 %) to `torus-bench pbs --threads 1` on the 2-core reference machine (x86-64, AVX2) for
/// Concrete's config-B sets p = 1…8: forward/backward FFTs `n(k+1)(ℓ+1)·N log2 N`, Fourier
/// multiply-adds `n(k+1)²ℓ·N`, key switch `kN·ℓ_ks·n`.
public enum BootstrapCost {
  public static func milliseconds(_ p: ParameterSet) -> Double {
    let n = Double(p.lweDimension.rawValue), k1 = Double(p.glweDimension.glweSize)
    let bigN = Double(p.polynomialSize.rawValue), level = Double(p.pbsLevel.rawValue)
    let ffts = n * k1 * (level + 1) * bigN * log2(bigN)
    let multiplyAdds = n * k1 * k1 * level * bigN
    let keySwitch = Double(p.bigLweDimension.rawValue) * Double(p.ksLevel.rawValue) * n
    return 2.22e-7 * ffts + 3.59e-7 * multiplyAdds + 3.04e-7 * keySwitch
  }
}

/// The crypto parameters chosen for a circuit, and why.
public struct EncryptionPlan: Sendable, CustomStringConvertible {
  public var parameters: ParameterSet
  /// Widest table-lookup input.
  public var maxLookupWidth: Int
  /// Largest squared norm at a lookup input.
  public var maxSquaredNorm: Double
  /// Table-lookup bootstraps per run, by input width.
  public var bootstrapsPerWidth: [Int: Int]
  /// Bootstraps of exact rounding and lsb per run.
  public var roundingBootstraps: Int
  /// Bits one step of exact rounding clears with these parameters (`RoundingSteps`).
  public var bitExtractionChunk: Int
  /// Estimated probability that one run has any wrong lookup.
  public var globalErrorProbability: Double
  public var targetErrorProbability: Double

  public var bootstrapCount: Int { bootstrapsPerWidth.values.reduce(0, +) + roundingBootstraps }

  /// Estimated server time of one run on `threads` cores (bootstraps dominate; they spread over
  /// cores almost perfectly, see Benchmarks/encrypted).
  public func estimatedSeconds(threads: Int) -> Double {
    Double(bootstrapCount) * BootstrapCost.milliseconds(parameters) / 1000 / Double(max(threads, 1))
  }

  public var description: String {
    let p = parameters
    var lines = [
      "parameters: \(p)",
      "  lookups: \(bootstrapCount) bootstraps per run (" + (bootstrapsPerWidth.sorted { $0.key < $1.key }.map { "\($0.value) at \($0.key) bits" }
        + (roundingBootstraps > 0 ? ["\(roundingBootstraps) for exact rounding / lsb, up to \(bitExtractionChunk) bit(s) per step"] : [])).joined(separator: ", ") + ")",
      "  widest lookup input: \(maxLookupWidth) bits; largest 2-norm at a lookup input: \(String(format: "%.1f", maxSquaredNorm.squareRoot()))",
      "  global error probability: \(String(format: "%.2e", globalErrorProbability)) (target \(String(format: "%.0e", targetErrorProbability)))",
      "  keys: bootstrapping \(megabytes(p.bootstrapKeyBytes)), key switching \(megabytes(p.keySwitchingKeyBytes))",
      "  estimated run time: " + String(format: "%.1f s on 1 core, %.1f s on %d cores", estimatedSeconds(threads: 1), estimatedSeconds(threads: cores), cores)
        + String(format: " (%.1f ms per bootstrap on one core)", BootstrapCost.milliseconds(p)),
    ]
    lines.append("  source: \(p.source)")
    return lines.joined(separator: "\n")
  }

  var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  func megabytes(_ b: Int) -> String { String(format: "%.1f MB", Double(b) / 1e6) }
}

/// Why no parameters fit a circuit.
public struct ParameterSelectionError: Error, CustomStringConvertible {
  public var description: String
}

/// Chooses one parameter set for the whole circuit: of the classic-PBS sets Concrete chose for
/// the circuits in `shared/` (`ParameterSet.concreteCatalog`) and the same sets with more
/// bootstrap levels (lower output noise, which exact rounding needs), the one with the lowest
/// estimated run time (`BootstrapCost` × bootstraps, which depend on the set through the chunk
/// width of exact rounding) whose polynomial holds the widest table and whose noise model keeps
/// the error targets, given each bootstrap's decision width and the noise at its input (fresh and
/// bootstrapped variances, each times the 2-norm² of the levelled ops that carry it there, times
/// the scale of a bit extraction).
public enum ParameterSelection {
  public static func plan(
    for function: TorusIR.Operation, target errorTarget: ErrorTarget = ErrorTarget(),
    candidates: [ParameterSet] = ParameterSet.concreteCatalogWithDecompositions
  ) throws(ParameterSelectionError) -> EncryptionPlan {
    let target = try errorTarget.validated().global, perLookup = errorTarget.perLookup
    // The chunk width of exact rounding depends on the set, and with it the bootstraps and noise.
    var analyses: [Int: NoiseAnalysis] = [:]
    func analysis(chunk c: Int) throws(ParameterSelectionError) -> NoiseAnalysis {
      if let a = analyses[c] { return a }
      do {
        let a = try NoiseAnalysis(function: function, bitExtractionChunk: c)
        analyses[c] = a
        return a
      } catch {
        throw ParameterSelectionError(description: error.description)
      }
    }
    let tables = try analysis(chunk: 1).lookups.filter { !$0.isBitExtraction }
    let widest = tables.map(\.precision).max() ?? 1
    // Concrete itself runs lookups wider than its widest classic set through WoP-PBS.
    let fitting = candidates.filter { $0.polynomialSize.rawValue >> widest >= 2 }
    let most = candidates.map(\.precision).max() ?? 0
    guard widest <= most, !fitting.isEmpty else {
      throw ParameterSelectionError(description: "the circuit has \(widest)-bit table lookups; encrypted mode supports up to \(most) bits with classic PBS (wider ones need CRT / WoP-PBS, see Spec/Encrypted.md)")
    }
    var best: (plan: EncryptionPlan, seconds: Double)?
    for p in fitting {
      let model = NoiseModel(p)
      let chunk = model.bitExtractionChunk
      let a = try analysis(chunk: chunk)
      let bootstrapped = model.bootstrapVariance
      var logSuccess = 0.0
      var worst = 0.0
      for l in a.lookups + a.results {
        let input = l.noise.variance(fresh: p.glweNoiseVariance, bootstrapped: bootstrapped) * l.inputScale * l.inputScale
        let variance = l.isDecryption ? input : model.decisionVariance(inputVariance: input)
        let halfSlot = pow(2.0, -Double(l.precision + 2))
        let e = erfc(halfSlot / (variance.squareRoot() * 2.0.squareRoot()))
        worst = max(worst, e)
        logSuccess += Double(l.count) * log1p(-min(e, 0.999_999))
      }
      let global = logSuccess == 0 ? 0 : -expm1(logSuccess)
      guard global <= target, perLookup.map({ worst <= $0 }) ?? true else { continue }
      var perWidth: [Int: Int] = [:]
      for l in a.lookups where !l.isBitExtraction { perWidth[l.precision, default: 0] += l.count }
      let plan = EncryptionPlan(
        parameters: p, maxLookupWidth: widest, maxSquaredNorm: a.maxLookupSquaredNorm,
        bootstrapsPerWidth: perWidth, roundingBootstraps: a.lookups.filter(\.isBitExtraction).reduce(0) { $0 + $1.count },
        bitExtractionChunk: chunk, globalErrorProbability: global, targetErrorProbability: target)
      let seconds = plan.estimatedSeconds(threads: 1)
      if best.map({ seconds < $0.seconds }) ?? true { best = (plan, seconds) }
    }
    if let best { return best.plan }
    let perLookupText = perLookup.map { " and \($0) per lookup" } ?? ""
    throw ParameterSelectionError(description: "no parameter set reaches a global error probability of \(target)\(perLookupText) for this circuit (widest lookup \(widest) bits, 2-norm \(String(format: "%.1f", try analysis(chunk: 1).maxLookupSquaredNorm.squareRoot())) at a lookup input); reduce the accumulator norms or round before lookups")
  }
}
