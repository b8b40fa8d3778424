import Testing
import TFHE

@Suite struct NoiseTests {
  /// Measured standard deviations after a key switch and after a PBS (blind rotation) are within
  /// 2× of `NoiseModel` (Concrete's sets where the bootstrapping-key noise dominates the FFT error).
  /// The third set is the second with a two-level bootstrapping key (the low-noise sets exact
  /// rounding picks): 2^7 times less noise than the one-level set, still as the model says.
  @Test(arguments: [ParameterSet.concrete(precision: 2), .concrete(precision: 4), .concrete(precision: 4).withBootstrapLevels(2)])
  func measuredNoiseMatchesModel(_ params: ParameterSet) {
    let (client, server) = KeyCache.shared.keys(params)
    let m = NoiseMeasurement.measure(client: client, server: server, keySwitchSamples: 150, bootstraps: 2)
    let ks = m.keySwitchMeasured / m.keySwitchPredicted
    let br = m.bootstrapMeasured / m.bootstrapPredicted
    #expect(ks > 0.5 && ks < 2, "key switch: measured \(m.keySwitchMeasured), model \(m.keySwitchPredicted)")
    #expect(br > 0.5 && br < 2, "bootstrap: measured \(m.bootstrapMeasured), model \(m.bootstrapPredicted) over \(m.bootstrapSamples) samples")
  }

  /// More levels keep the set's dimensions and noise (its security) and lower the output noise.
  @Test func redecomposedSetsKeepSecurityAndLowerNoise() {
    for p in ParameterSet.concreteCatalog where p.pbsLevel.rawValue == 1 {
      let two = p.withBootstrapLevels(2)
      #expect(two.lweDimension == p.lweDimension && two.polynomialSize == p.polynomialSize && two.glweDimension == p.glweDimension)
      #expect(two.glweNoiseVariance == p.glweNoiseVariance && two.lweNoiseVariance == p.lweNoiseVariance)
      #expect(two.pbsLevel.rawValue == 2 && two.fingerprint != p.fingerprint)
      #expect(NoiseModel(two).bootstrapVariance < NoiseModel(p).bootstrapVariance)
      #expect(NoiseModel(two).bitExtractionChunk >= 1 && NoiseModel(two).bitExtractionChunk <= p.precision + 1)
    }
    #expect(ParameterSet.concreteCatalogWithDecompositions.count > 2 * ParameterSet.concreteCatalog.count)
  }

  /// The model reproduces Concrete's per-PBS error probability for its own sets (within 3×);
  /// Concrete's figure is for a fresh input (its benchmark circuit is one lookup).
  @Test(arguments: 1...8)
  func modelAgreesWithConcretesErrorProbability(_ p: Int) {
    let concrete: [Int: Double] = [
      1: 1.4579037528491583e-07, 2: 1.5197063319902307e-07, 3: 1.46770885262266e-07, 4: 1.5485586997387975e-07,
      5: 1.5559726970095561e-07, 6: 1.4017472217885283e-07, 7: 1.241865085302936e-07, 8: 1.2778378017816933e-07,
    ]
    let ours = NoiseModel(.concrete(precision: p)).pError
    #expect(ours < 3 * concrete[p]! && ours > concrete[p]! / 3, "p=\(p): model \(ours), Concrete \(concrete[p]!)")
  }
}
