import Foundation
import TFHE
import TorusIR

/// The error probabilities parameters must meet (Concrete's `global_p_error` and `p_error`).
public struct ErrorTarget: Sendable, Equatable {
  /// Probability that one run of the circuit has any wrong lookup.
  public var global: Double
  /// Probability that one given lookup is wrong (nil: only the global target applies).
  public var perLookup: Double?
  /// Put the values in residues (CRT) even where a native plan meets the targets (by default a
  /// CRT plan is made only when none does).
  public var residues: Bool

  public init(global: Double = 1e-5, perLookup: Double? = nil, residues: Bool = false) {
    self.global = global
    self.perLookup = perLookup
    self.residues = residues
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
/// 14 %, relative least squares) on the 2-core reference machine (x86-64, AVX2) to
/// `torus-bench pbs --threads 1 --count 16` for Concrete's config-B sets p = 1…8 and to the blind
/// rotations of `torus-bench wide --threads 1` (bit extraction per bit) on the WoP-PBS set
/// re-decomposed to 6–8 levels: forward/backward FFTs `n(k+1)(ℓ+1)·N log2 N`, Fourier
/// multiply-adds `n(k+1)²ℓ·N`, key switch `kN·ℓ_ks·n`. Refitted after the FFT kernels and the
/// padded digits (2026-12-07; the previous fit, 2.22e-7 / 3.59e-7 / 3.04e-7, was 25–45 % high).
public enum BootstrapCost {
  public static func milliseconds(_ p: ParameterSet) -> Double {
    let n = Double(p.lweDimension.rawValue), k1 = Double(p.glweDimension.glweSize)
    let bigN = Double(p.polynomialSize.rawValue), level = Double(p.pbsLevel.rawValue)
    let ffts = n * k1 * (level + 1) * bigN * log2(bigN)
    let multiplyAdds = n * k1 * k1 * level * bigN
    let keySwitch = Double(p.bigLweDimension.rawValue) * Double(p.ksLevel.rawValue) * n
    return 1.47e-7 * ffts + 2.10e-7 * multiplyAdds + 4.88e-7 * keySwitch
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
  /// Wide lookups (bit extraction → circuit bootstrapping → vertical packing, `WideLookupKey`):
  /// their parameters, and the widest table a classic bootstrap still reads (wider ones go wide).
  public var wide: WideLookupParameters? = nil
  public var classicLookupMaxWidth: Int = 16
  /// Wide lookups per run, by input width (also counted in `bootstrapsPerWidth`).
  public var wideLookupsPerWidth: [Int: Int] = [:]
  /// Values in residues (`TFHECrtDomain`): every lookup is a CRT lookup with `wide`'s keys.
  public var crt: CrtEncoding? = nil

  /// The moduli a CRT lookup of `w` bits reads.
  func crtModuli(bits w: Int) -> [Int] {
    crt?.moduliRead(forBits: w) ?? []
  }

  /// Blind rotations per run (a wide lookup of `w` bits costs `w`).
  public var bootstrapCount: Int {
    if crt != nil, let wide {
      let model = WideLookupNoise(classic: parameters, wide: wide)
      return bootstrapsPerWidth.map { w, c in c * model.crtBootstraps(moduli: crtModuli(bits: w)) }.reduce(0, +)
    }
    return bootstrapsPerWidth.map { w, c in wideLookupsPerWidth[w] != nil ? c * wideBootstraps(bits: w) : c }.reduce(0, +) + roundingBootstraps
  }

  /// Blind rotations of one wide lookup of `w` bits (`WideLookupNoise.bootstraps`).
  func wideBootstraps(bits w: Int) -> Int {
    wide.map { WideLookupNoise(classic: parameters, wide: $0).bootstraps(bits: w) } ?? w
  }

  /// Estimated server time of one run on `threads` cores (bootstraps dominate; they spread over
  /// cores almost perfectly, see Benchmarks/encrypted).
  public func estimatedSeconds(threads: Int) -> Double {
    let br = BootstrapCost.milliseconds(parameters)
    if let crt, let wide {
      let model = WideLookupNoise(classic: parameters, wide: wide)
      let ms = bootstrapsPerWidth.map { w, c in
        Double(c) * model.crtMilliseconds(moduli: crtModuli(bits: w), outputs: crt.moduli.count, blindRotationMilliseconds: br)
      }.reduce(0, +)
      return ms / 1000 / Double(max(threads, 1))
    }
    var ms = Double(bootstrapCount) * br
    if let wide {
      let model = WideLookupNoise(classic: parameters, wide: wide)
      for (w, c) in wideLookupsPerWidth { ms += Double(c) * (model.milliseconds(bits: w, blindRotationMilliseconds: br) - Double(wideBootstraps(bits: w)) * br) }
    }
    return ms / 1000 / Double(max(threads, 1))
  }

  /// Estimated single-core milliseconds of one table lookup of `w` bits: a classic bootstrap,
  /// a wide lookup (`WideLookupNoise.milliseconds`) or a CRT lookup (`crtMilliseconds`).
  public func lookupMilliseconds(bits w: Int) -> Double {
    let br = BootstrapCost.milliseconds(parameters)
    guard let wide else { return br }
    let model = WideLookupNoise(classic: parameters, wide: wide)
    if let crt { return model.crtMilliseconds(moduli: crtModuli(bits: w), outputs: crt.moduli.count, blindRotationMilliseconds: br) }
    return w > classicLookupMaxWidth ? model.milliseconds(bits: w, blindRotationMilliseconds: br) : br
  }

  public var description: String {
    let p = parameters
    var widths: [String] = bootstrapsPerWidth.sorted { $0.key < $1.key }.map { (w: Int, c: Int) -> String in
      if crt != nil, let wide {
        let moduli = crtModuli(bits: w)
        return "\(c) at \(w) bits reading \(moduli.map(String.init).joined(separator: "·")), \(WideLookupNoise(classic: p, wide: wide).crtBootstraps(moduli: moduli)) each"
      }
      return wideLookupsPerWidth[w] != nil ? "\(c) wide at \(w) bits, \(wideBootstraps(bits: w)) each" : "\(c) at \(w) bits"
    }
    if roundingBootstraps > 0 { widths.append("\(roundingBootstraps) for exact rounding / lsb, up to \(bitExtractionChunk) bit(s) per step") }
    let packing: String = wide.map { ", packing \(megabytes(packingKeyBytes($0)))" } ?? ""
    let errors: String = String(format: "%.2e (target %.0e)", globalErrorProbability, targetErrorProbability)
    var lines: [String] = [
      "parameters: \(p)",
      "  lookups: \(bootstrapCount) bootstraps per run (" + widths.joined(separator: ", ") + ")",
      "  widest lookup input: \(maxLookupWidth) bits; largest 2-norm at a lookup input: \(String(format: "%.1f", maxSquaredNorm.squareRoot()))",
      "  global error probability: " + errors,
      "  keys: bootstrapping \(megabytes(p.bootstrapKeyBytes)), key switching \(megabytes(p.keySwitchingKeyBytes))" + packing,
      "  estimated run time: " + String(format: "%.1f s on 1 core, %.1f s on %d cores", estimatedSeconds(threads: 1), estimatedSeconds(threads: cores), cores)
        + String(format: " (%.1f ms per bootstrap on one core)", BootstrapCost.milliseconds(p)),
    ]
    if let wide, let crt {
      lines.append("  values in residues (\(crt)): each lookup converts the odd residues it reads by a full-domain bootstrap, extracts the bits of all, circuit bootstrapping \(wide.circuitBootstrapLevel.rawValue)×2^\(wide.circuitBootstrapBaseLog.rawValue), packing key switch \(wide.packingLevel.rawValue)×2^\(wide.packingBaseLog.rawValue), scheme switch \(wide.schemeSwitchingLevel.rawValue)×2^\(wide.schemeSwitchingBaseLog.rawValue), vertical packing of \(crt.moduli.count) output residues")
    } else if let wide {
      lines.append("  wide lookups (above \(classicLookupMaxWidth) bits): bit extraction, circuit bootstrapping \(wide.circuitBootstrapLevel.rawValue)×2^\(wide.circuitBootstrapBaseLog.rawValue), packing key switch \(wide.packingLevel.rawValue)×2^\(wide.packingBaseLog.rawValue), scheme switch \(wide.schemeSwitchingLevel.rawValue)×2^\(wide.schemeSwitchingBaseLog.rawValue), vertical packing"
                   + (wide.cleanDecisionScaleLog < 64 ? "; bits read at scale 2^\(wide.cleanDecisionScaleLog) or more decided clean first" : ""))
    }
    lines.append("  source: \(p.source)")
    return lines.joined(separator: "\n")
  }

  /// Bytes of all evaluation keys.
  public var evaluationKeyBytes: Int {
    parameters.bootstrapKeyBytes + parameters.keySwitchingKeyBytes + (wide.map(packingKeyBytes) ?? 0)
  }

  func packingKeyBytes(_ w: WideLookupParameters) -> Int { Self.packingKeyBytes(w, classic: parameters) }

  /// The packing and scheme-switching keys of wide lookups (`WideLookupKey.keyBytes`).
  static func packingKeyBytes(_ w: WideLookupParameters, classic: ParameterSet) -> Int {
    WideLookupKey.keyBytes(parameters: classic, wide: w)
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
  /// Probability that a run has any wrong decision (every lookup and result `count` times), and
  /// the largest single one, from each lookup's error probability.
  static func errorProbabilities(_ a: NoiseAnalysis, error: (NoiseAnalysis.Lookup) -> Double) -> (global: Double, worst: Double) {
    var logSuccess = 0.0, worst = 0.0
    for l in a.lookups + a.results {
      let e = error(l)
      worst = max(worst, e)
      logSuccess += Double(l.count) * log1p(-min(e, 0.999_999))
    }
    return (logSuccess == 0 ? 0 : -expm1(logSuccess), worst)
  }

  /// One classic decision (a bootstrap after key switch and modulus switch, or the client's
  /// decryption) for a lookup whose input carries `input` variance before its scale.
  static func classicError(_ l: NoiseAnalysis.Lookup, input: Double, model: NoiseModel) -> Double {
    let scaled = input * l.inputScale * l.inputScale
    let variance = l.isDecryption ? scaled : model.decisionVariance(inputVariance: scaled)
    return erfc(pow(2.0, -Double(l.precision + 2)) / (variance.squareRoot() * 2.0.squareRoot()))
  }

  /// The fastest CRT plan (`EncryptionPlan.crt`) meeting the targets, if any: the moduli cover
  /// the widest lookup input and result; a residue's decision margin is `1/(4m)` in a
  /// conversion and `1/(2m)` when the client decrypts it; lookup outputs carry the vertical
  /// packing's output noise for the most bits any lookup reads.
  static func crtPlan(function a: NoiseAnalysis, target: Double, perLookup: Double?,
                      candidates: [(classic: ParameterSet, wide: WideLookupParameters)], memory: UInt64?) -> EncryptionPlan? {
    guard !a.lookups.isEmpty, !a.lookups.contains(where: \.isBitExtraction) else { return nil }
    let widest = (a.lookups + a.results).map(\.precision).max() ?? 1
    // With a power-of-two modulus, read directly by lookups up to some width (fewer rotations;
    // wider, noisier inputs may need odd moduli only, so one more of them), or odd moduli only.
    var encodings: [CrtEncoding] = CrtEncoding(coveringBits: max(widest, 1), pool: CrtEncoding.oddPool).map { [$0] } ?? []
    let widths = Set(a.lookups.map(\.precision)).sorted()
    for extra in 0...1 {
      guard let minimal = CrtEncoding(coveringBits: max(widest, 1), pool: CrtEncoding.pool),
            minimal.moduli.count + extra <= CrtEncoding.pool.count else { continue }
      for cutoff in widths {
        encodings.append(CrtEncoding(moduli: Array(CrtEncoding.pool.prefix(minimal.moduli.count + extra)), directReadMaxBits: cutoff))
      }
    }
    var best: (plan: EncryptionPlan, seconds: Double)?
    for encoding in encodings {
      let moduli = encoding.moduliRead(forBits:)
      guard a.lookups.allSatisfy({ encoding.moduliIndices(forBits: $0.precision) != nil }) else { continue }
      let readBits = a.lookups.map { moduli($0.precision).reduce(0) { $0 + CrtEncoding.bits($1) } }.max() ?? 0
      for (classic, wide) in candidates where wide.cleanDecisionScaleLog == 64 {
        if let memory, UInt64(classic.bootstrapKeyBytes + classic.keySwitchingKeyBytes
                              + EncryptionPlan.packingKeyBytes(wide, classic: classic)) > memory { continue }
        let model = NoiseModel(classic), wideModel = WideLookupNoise(classic: classic, wide: wide)
        let output = wideModel.outputVariance(bits: readBits)
        let (global, worst) = errorProbabilities(a) { l in
          let v = l.noise.variance(fresh: classic.glweNoiseVariance, bootstrapped: model.bootstrapVariance, wide: output)
          guard l.isDecryption else { return wideModel.crtErrorProbability(inputVariance: v, moduli: moduli(l.precision)) }
          return min(1, moduli(l.precision).reduce(0) { $0 + erfc(1 / (2 * Double($1)) / (v.squareRoot() * 2.0.squareRoot())) })
        }
        guard global <= target, perLookup.map({ worst <= $0 }) ?? true else { continue }
        var perWidth: [Int: Int] = [:]
        for l in a.lookups { perWidth[l.precision, default: 0] += l.count }
        var plan = EncryptionPlan(
          parameters: classic, maxLookupWidth: a.lookups.map(\.precision).max() ?? 0, maxSquaredNorm: a.maxLookupSquaredNorm,
          bootstrapsPerWidth: perWidth, roundingBootstraps: 0, bitExtractionChunk: 1, globalErrorProbability: global,
          targetErrorProbability: target)
        plan.wide = wide
        plan.classicLookupMaxWidth = 0
        plan.wideLookupsPerWidth = perWidth
        plan.crt = encoding
        let seconds = plan.estimatedSeconds(threads: 1)
        if best.map({ seconds < $0.seconds }) ?? true { best = (plan, seconds) }
      }
    }
    return best?.plan
  }

  /// A CRT plan replaces a native wide one when its estimate is below this fraction of the native one.
  public static let residuesAdvantage = 0.8

  public static func plan(
    for function: TorusIR.Operation, target errorTarget: ErrorTarget = ErrorTarget(),
    candidates: [ParameterSet] = ParameterSet.concreteCatalogWithDecompositions,
    wideCandidates: [(classic: ParameterSet, wide: WideLookupParameters)] = ParameterSet.wideLookupCandidates(),
    crtCandidates: [(classic: ParameterSet, wide: WideLookupParameters)] = ParameterSet.crtLookupCandidates(),
    memory: UInt64? = nil
  ) throws(ParameterSelectionError) -> EncryptionPlan {
    let target = try errorTarget.validated().global, perLookup = errorTarget.perLookup
    // The chunk width of exact rounding depends on the set, and with it the bootstraps and noise.
    var analyses: [String: NoiseAnalysis] = [:]
    func analysis(chunk c: Int, wideAbove: Int? = nil) throws(ParameterSelectionError) -> NoiseAnalysis {
      let key = "\(c) \(wideAbove ?? -1)"
      if let a = analyses[key] { return a }
      do {
        let a = try NoiseAnalysis(function: function, bitExtractionChunk: c, wideAbove: wideAbove)
        analyses[key] = a
        return a
      } catch {
        throw ParameterSelectionError(description: error.description)
      }
    }
    let tables = try analysis(chunk: 1).lookups.filter { !$0.isBitExtraction }
    let widest = tables.map(\.precision).max() ?? 1
    // Sets whose keys would not fit in memory are left out here, so a wide plan can take over.
    let fitting = candidates.filter { (c: ParameterSet) -> Bool in
      guard c.polynomialSize.rawValue >> widest >= 2 else { return false }
      guard let memory else { return true }
      return UInt64(c.bootstrapKeyBytes + c.keySwitchingKeyBytes) <= memory
    }
    var best: (plan: EncryptionPlan, seconds: Double)?
    for p in fitting {
      let model = NoiseModel(p)
      let chunk = model.bitExtractionChunk
      let a = try analysis(chunk: chunk)
      let (global, worst) = errorProbabilities(a) { l in
        classicError(l, input: l.noise.variance(fresh: p.glweNoiseVariance, bootstrapped: model.bootstrapVariance), model: model)
      }
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
    // Lookups too wide or too noisy for one classic bootstrap: bit extraction, circuit
    // bootstrapping and vertical packing with Concrete's WoP-PBS sets (`WideLookupKey`), in the
    // decompositions of `ParameterSet.wideLookupCandidates`.
    var cleanestWideOutput = Double.infinity
    for (classic, wide) in wideCandidates {
      if let memory, UInt64(classic.bootstrapKeyBytes + classic.keySwitchingKeyBytes
                            + EncryptionPlan.packingKeyBytes(wide, classic: classic)) > memory { continue }
      let model = NoiseModel(classic), wideModel = WideLookupNoise(classic: classic, wide: wide)
      let classicMax = wideModel.classicLookupMaxWidth
      let a = try analysis(chunk: model.bitExtractionChunk, wideAbove: classicMax)
      let fresh = classic.glweNoiseVariance
      let wideWidths = a.lookups.filter { !$0.isBitExtraction && $0.precision > classicMax }.map(\.precision)
      // Wide outputs are bounded by the widest wide lookup's output variance.
      let wideOutput = wideModel.outputVariance(bits: wideWidths.max() ?? 0)
      if !wideWidths.isEmpty { cleanestWideOutput = min(cleanestWideOutput, wideOutput) }
      let (global, worst) = errorProbabilities(a) { l in
        let input = l.noise.variance(fresh: fresh, bootstrapped: model.bootstrapVariance, wide: wideOutput)
        return l.isDecryption || l.isBitExtraction || l.precision <= classicMax
          ? classicError(l, input: input, model: model)
          : wideModel.errorProbability(inputVariance: input * l.inputScale * l.inputScale, bits: l.precision)
      }
      guard global <= target, perLookup.map({ worst <= $0 }) ?? true else { continue }
      var perWidth: [Int: Int] = [:], widePerWidth: [Int: Int] = [:]
      for l in a.lookups where !l.isBitExtraction {
        perWidth[l.precision, default: 0] += l.count
        if l.precision > classicMax { widePerWidth[l.precision, default: 0] += l.count }
      }
      var plan = EncryptionPlan(
        parameters: classic, maxLookupWidth: widest, maxSquaredNorm: a.maxLookupSquaredNorm,
        bootstrapsPerWidth: perWidth, roundingBootstraps: a.lookups.filter(\.isBitExtraction).reduce(0) { $0 + $1.count },
        bitExtractionChunk: model.bitExtractionChunk, globalErrorProbability: global, targetErrorProbability: target)
      // A set of this family may also win for a circuit with no wide lookup (its bootstraps
      // have three or four levels): then it is an ordinary classic plan.
      if !widePerWidth.isEmpty {
        plan.wide = wide
        plan.classicLookupMaxWidth = classicMax
        plan.wideLookupsPerWidth = widePerWidth
      }
      let seconds = plan.estimatedSeconds(threads: 1)
      if best.map({ seconds < $0.seconds }) ?? true { best = (plan, seconds) }
    }
    // Values in residues (`TFHECrtDomain`) when no native plan reaches the target: a 2-norm of
    // 100 in front of a 13–16-bit lookup leaves a native input too noisy, while each residue
    // (at most 5 bits) tolerates it. Every lookup reads the moduli covering its width; exact
    // rounding has no residue form, so circuits with it stay native.
    // Residues also replace a native plan with wide lookups when estimated clearly faster: by a
    // fifth, more than the estimates' error on measured runs (native 1–10 % off, CRT 20–25 % high).
    if best == nil || errorTarget.residues || best?.plan.wide != nil,
       let crt = try crtPlan(function: analysis(chunk: 1, wideAbove: 0), target: target, perLookup: perLookup,
                             candidates: crtCandidates, memory: memory),
       best.map({ errorTarget.residues || crt.estimatedSeconds(threads: 1) < Self.residuesAdvantage * $0.seconds }) ?? true {
      return crt
    }
    if errorTarget.residues {
      let rounding = try analysis(chunk: 1).lookups.contains(where: \.isBitExtraction)
      throw ParameterSelectionError(description: "no plan in residues (CRT) reaches a global error probability of \(target) for this circuit"
                                    + (rounding ? ": exact rounding (round, lsb) has no residue form" : ""))
    }
    if let best { return best.plan }
    let perLookupText = perLookup.map { " and \($0) per lookup" } ?? ""
    let tooLarge = candidates.count - fitting.count - candidates.filter { $0.polynomialSize.rawValue >> widest < 2 }.count
    let cleanestText = cleanestWideOutput.isFinite
      ? String(format: " (the cleanest wide lookups here leave σ ≈ 2^%.1f of noise on their outputs)", log2(cleanestWideOutput.squareRoot()))
      : ""
    let memoryText = tooLarge > 0 ? String(format: "; %d larger sets were left out: their keys exceed the %.1f GB of memory", tooLarge, Double(memory ?? 0) / 1e9) : ""
    throw ParameterSelectionError(description: "no parameter set reaches a global error probability of \(target)\(perLookupText) for this circuit (widest lookup \(widest) bits, 2-norm \(String(format: "%.1f", try analysis(chunk: 1).maxLookupSquaredNorm.squareRoot())) at a lookup input); reduce the accumulator norms or round before lookups\(cleanestText)\(memoryText)")
  }
}
