import Foundation

/// Noise formulas (torus-normalised variances) for the KS → PBS atomic pattern with binary keys.
/// See `Spec/TFHE.md` §4 for their derivation.
public struct NoiseModel: Sendable {
  public let parameters: ParameterSet
  public init(_ parameters: ParameterSet) { self.parameters = parameters }

  /// Variance added by a key switch: `kN·ℓ·(B²+2)/12·σ²_ksk + kN·B^{−2ℓ}/24`.
  public var keySwitchVariance: Double {
    let p = parameters
    let kn = Double(p.bigLweDimension.rawValue), ell = Double(p.ksLevel.rawValue)
    let b = pow(2.0, Double(p.ksBaseLog.rawValue))
    return kn * ell * (b * b + 2) / 12 * p.lweNoiseVariance + kn / 24 * pow(b, -2 * ell)
  }

  /// Variance of the f64 FFT rounding in one external product:
  /// `(k+1)ℓN·(B²+2)/12 · 2^{−106} · 0.75·N`.
  ///
  /// Empirical (Spec/TFHE.md §4.3): `torus-bench noise --levels 1|2|3` measures this term
  /// proportional to `(k+1)ℓN·B²` for B = 2^12…2^23 and growing with N (N = 512…8192), far above
  /// a product rounded once at 2^{−53} relative precision. It is about a third of a one-level set's
  /// output noise and dominates multi-level ones.
  public var fftVariancePerExternalProduct: Double {
    let p = parameters
    let k1 = Double(p.glweDimension.glweSize), ell = Double(p.pbsLevel.rawValue)
    let n = Double(p.polynomialSize.rawValue), b = pow(2.0, Double(p.pbsBaseLog.rawValue))
    return k1 * ell * n * (b * b + 2) / 12 * 0x1p-106 * 0.75 * n
  }

  /// Variance of a PBS output (blind rotation):
  /// `n·[(k+1)ℓN·(B²+2)/12·σ²_bsk + (1 + kN/2)·B^{−2ℓ}/24 + fft]`.
  public var bootstrapVariance: Double {
    let p = parameters
    let k1 = Double(p.glweDimension.glweSize), ell = Double(p.pbsLevel.rawValue)
    let n = Double(p.polynomialSize.rawValue), b = pow(2.0, Double(p.pbsBaseLog.rawValue))
    let kn = Double(p.bigLweDimension.rawValue)
    let perCMux = k1 * ell * n * (b * b + 2) / 12 * p.glweNoiseVariance
      + (1 + kn / 2) * pow(b, -2 * ell) / 24 + fftVariancePerExternalProduct
    return Double(p.lweDimension.rawValue) * perCMux
  }

  /// Variance of the modulus switch to `2N` seen at the blind rotation: `(n/2 + 1)/(12·(2N)²)`.
  public var modulusSwitchVariance: Double {
    let p = parameters
    let twoN = 2 * Double(p.polynomialSize.rawValue)
    return (Double(p.lweDimension.rawValue) / 2 + 1) / (12 * twoN * twoN)
  }

  /// Total variance at the decision point (the modulus switch) of a PBS whose input has
  /// variance `inputVariance`: input + key switch + modulus switch.
  public func decisionVariance(inputVariance: Double) -> Double {
    inputVariance + keySwitchVariance + modulusSwitchVariance
  }

  /// Probability that one PBS at `parameters.precision` picks the wrong table entry for an input
  /// of variance `inputVariance`: `erfc(Δ/2 / (σ·√2))` with the half slot `Δ/2 = 2^{−(p+2)}`.
  public func pError(inputVariance: Double) -> Double {
    let halfSlot = pow(2.0, -Double(parameters.precision + 2))
    return erfc(halfSlot / (decisionVariance(inputVariance: inputVariance).squareRoot() * 2.0.squareRoot()))
  }

  /// Error probability for a fresh input (Concrete's figure for a one-table-lookup circuit).
  public var pError: Double { pError(inputVariance: parameters.glweNoiseVariance) }

  /// Error probability when the input is itself a PBS output (chained lookups).
  public var pErrorAfterBootstrap: Double { pError(inputVariance: bootstrapVariance) }
}

/// Measured noise standard deviations (torus-normalised), for tests and the benchmark.
public struct NoiseMeasurement: Sendable {
  public var keySwitchMeasured: Double
  public var keySwitchPredicted: Double
  public var bootstrapMeasured: Double
  public var bootstrapPredicted: Double
  public var bootstrapSamples: Int

  /// Key switches of fresh zero encryptions, and blind rotations of random test polynomials
  /// (every GLWE coefficient of the result is one noise sample).
  public static func measure(client: ClientKey, server: ServerKey, keySwitchSamples: Int, bootstraps: Int,
                             seed: UInt64 = 7) -> NoiseMeasurement {
    let p = client.parameters
    var rng = SecureRandom(seed: seed)
    let model = NoiseModel(p)
    func torus(_ x: UInt64) -> Double { Double(Int64(bitPattern: x)) * 0x1p-64 }

    var ks: [Double] = []
    for _ in 0..<keySwitchSamples {
      let c = client.encrypt(phase: 0, using: &rng)
      ks.append(torus(client.lweKey.decryptPhase(server.keySwitch(c))))
    }

    var br: [Double] = []
    let n = p.polynomialSize.rawValue
    let bsk = server.bootstrapKey
    let log2TwoN = p.polynomialSize.log2 + 1
    for _ in 0..<bootstraps {
      let tv = TestPolynomial(coefficients: (0..<n).map { _ in rng.next() })
      let small = client.lweKey.encrypt(phase: rng.next(), noiseStdDev: 0, using: &rng)
      var mu = bsk.modulusSwitch(small.body, log2TwoN: log2TwoN)
      for i in 0..<p.lweDimension.rawValue where client.lweKey.bits[i] == 1 {
        mu -= bsk.modulusSwitch(small.storage[i], log2TwoN: log2TwoN)
      }
      mu = ((mu % (2 * n)) + 2 * n) % (2 * n)
      let glwe = bsk.blindRotate(small, testPolynomial: tv)
      let phase = client.glweKey.decryptPhase(glwe)
      var expected = [UInt64](repeating: 0, count: n)
      tv.coefficients.withUnsafeBufferPointer { t in
        expected.withUnsafeMutableBufferPointer { rotate(t.baseAddress!, by: (2 * n - mu) % (2 * n), n: n, into: $0.baseAddress!) }
      }
      for j in 0..<n { br.append(torus(phase[j] &- expected[j])) }
    }
    func rms(_ v: [Double]) -> Double { (v.reduce(0) { $0 + $1 * $1 } / Double(max(v.count, 1))).squareRoot() }
    return NoiseMeasurement(
      keySwitchMeasured: rms(ks), keySwitchPredicted: (model.keySwitchVariance + p.glweNoiseVariance).squareRoot(),
      bootstrapMeasured: rms(br), bootstrapPredicted: model.bootstrapVariance.squareRoot(), bootstrapSamples: br.count)
  }
}

extension ParameterSet {
  /// The same set with its bootstrapping key decomposed over `levels` levels, at the base that
  /// minimises the bootstrap output noise (`NoiseModel.bootstrapVariance`).
  ///
  /// Dimensions and noise distributions, hence security, are unchanged: the decomposition only
  /// trades run time for output noise, one of the knobs Concrete's optimizer turns itself. More
  /// levels buy the low output noise that exact rounding needs (its bit extractions scale the
  /// accumulator's noise by up to 2^width).
  public func withBootstrapLevels(_ levels: Int) -> ParameterSet {
    precondition(levels >= 1 && levels <= 8, "bootstrap levels must be in 1...8, got \(levels)")
    var best = self, bestVariance = Double.infinity
    for baseLog in 1...(63 / levels) {
      var candidate = self
      candidate.pbsLevel = DecompositionLevelCount(levels)
      candidate.pbsBaseLog = DecompositionBaseLog(baseLog)
      let v = NoiseModel(candidate).bootstrapVariance
      if v < bestVariance { (best, bestVariance) = (candidate, v) }
    }
    if best != self {
      best.source = source + "; bootstrapping key re-decomposed to \(levels) level(s) of base 2^\(best.pbsBaseLog) (same dimensions and noise, same security)"
    }
    return best
  }

  /// `concreteCatalog` plus each of its sets re-decomposed to 2 and 3 bootstrap levels.
  public static let concreteCatalogWithDecompositions: [ParameterSet] = {
    var seen = Set<ParameterSet>()
    return (concreteCatalog + concreteCatalog.flatMap { [$0.withBootstrapLevels(2), $0.withBootstrapLevels(3)] })
      .filter { seen.insert($0).inserted }
  }()
}

extension NoiseModel {
  /// Widest chunk exact rounding clears with two bootstraps under these parameters (see
  /// `RoundingSteps` in TorusInterpreter): `1 + w` for the widest `w ≤ precision` whose lookup
  /// misreads with probability ≤ 2^-40 from the key switch and modulus switch alone (the input's
  /// own noise is counted by the parameter selection, per chunk). At least 1 (Concrete's
  /// one-bit extraction).
  public var bitExtractionChunk: Int {
    let sigma = (keySwitchVariance + modulusSwitchVariance).squareRoot()
    var best = 0
    for w in 1...min(parameters.precision, 7) where parameters.polynomialSize.rawValue >> w >= 2 {
      if erfc(pow(2.0, -Double(w + 2)) / (sigma * 2.0.squareRoot())) <= 0x1p-40 { best = w }
    }
    return 1 + best
  }
}
