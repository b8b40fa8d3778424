extension ParameterSet {
  /// The WoP-PBS sets concrete-python 2.11.0 chose for a 64-element table lookup at 11, 12, 14
  /// and 16 bits under `fhe.Configuration()` (config B; `shared/spec/concrete-params.json`):
  /// the classic part (key switch and bootstraps of bit extraction and circuit bootstrapping)
  /// and the packing / circuit-bootstrapping decompositions. Concrete's optimizer picked them
  /// for 128-bit security with binary keys; we inherit that claim (same n, k, N and noise).
  /// Concrete runs them on CRT residues; `WideLookupKey` uses them on one native ciphertext.
  /// The classic part's `precision` is 1: its own bootstraps decide one bit each.
  public static func concreteWideLookup(precision p: Int) -> (classic: ParameterSet, wide: WideLookupParameters)? {
    // (p, n, PBS β×ℓ, small-key noise variance); k = 2, N = 1024, KS 2×7, GLWE and packing noise
    // 8.442253112932959e-31. The decompositions of circuit bootstrapping, of the packing key
    // switch and of the scheme switch are ours (they are not security parameters): Concrete's
    // residues are at most 4 bits, our native outputs up to 12, and circuit bootstrapping 6×2^4
    // (Concrete: 2×2^8 or 2×2^9) lowered the output noise at 12 bits from σ = 2^−12.7 to 2^−17.0
    // (16 lookups each, `torus-bench wide`). Packing 6×2^7 (Concrete: 2×2^16, one key switch per
    // GGSW row): the body row's packing noise reaches the mask rows times the key
    // (`SchemeSwitchingKey`), so its digits must be finer. `wideLookupCandidates` offers others.
    let sets: [(Int, Int, Int, Int, Double)] = [
      (11, 711, 12, 3, 4.084966837164398e-10),
      (12, 709, 9, 4, 4.3866253080790437e-10),
      (14, 710, 9, 4, 4.2331098391807594e-10),
      (16, 736, 9, 4, 1.6765382874904187e-10),
    ]
    guard let s = sets.first(where: { $0.0 == p }) else { return nil }
    let glwe = 8.442253112932959e-31
    let classic = ParameterSet(
      precision: 1, lweDimension: s.1, glweDimension: 2, polynomialSize: 1024, pbsBaseLog: s.2, pbsLevel: s.3,
      ksBaseLog: 2, ksLevel: 7, glweNoiseVariance: glwe, lweNoiseVariance: s.4,
      source: "concrete-python 2.11.0: \(s.0)-bit TLU x64 config B (WoP-PBS set)")
    let wide = WideLookupParameters(
      packingBaseLog: 7, packingLevel: 6, packingNoiseVariance: glwe, circuitBootstrapBaseLog: 4, circuitBootstrapLevel: 6)
    return (classic, wide)
  }

  /// Precisions `concreteWideLookup` knows.
  public static let concreteWideLookupPrecisions = [11, 12, 14, 16]

  /// What the parameter selection may choose from for wide lookups: each of Concrete's WoP-PBS
  /// sets (`concreteWideLookup`) with its bootstrapping key re-decomposed (`withBootstrapLevels`)
  /// and other circuit-bootstrap and packing decompositions. None of these is a security
  /// parameter (dimensions and noise distributions stay Concrete's); they trade time for output
  /// noise. The output noise is what limits a wide lookup: a 16-bit result needs σ below
  /// 2^−20.3, a wide lookup fed by a sum of wide outputs with 2-norm 50 at 11 bits about 2^−21,
  /// while the default decomposition gives 2^−17.6. The grid spans both: more bootstrap levels
  /// (row noise down to the FFT's floor, about 2^−62 in variance), more circuit-bootstrap
  /// levels of a smaller base (fewer bits per CMux digit), finer packing digits (packing key
  /// noise `(kN+1)·ℓ·B²/12·σ²`, which reaches the output times `N` through the mask rows), and
  /// clean first decisions for the low bits of
  /// noisy inputs (`cleanDecisionScaleLog`). Plans pick the cheapest that meets the error target
  /// (`WideLookupNoise.milliseconds`).
  public static func wideLookupCandidates(precisions: [Int] = concreteWideLookupPrecisions)
    -> [(classic: ParameterSet, wide: WideLookupParameters)] {
    var result: [(classic: ParameterSet, wide: WideLookupParameters)] = []
    for p in precisions {
      guard let (base, concreteDefault) = concreteWideLookup(precision: p) else { continue }
      var seen = Set<ParameterSet>()
      let classics = ([base] + (4...8).map { base.withBootstrapLevels($0) }).filter { seen.insert($0).inserted }
      for classic in classics {
        for (cbLevel, cbBase) in [(6, 4), (5, 5), (7, 4), (8, 3), (9, 3), (10, 3), (12, 2), (14, 2)] {
          for (packingLevel, packingBase) in [(4, 9), (5, 8), (6, 7), (7, 6)] {
            for clean in [64, 8, 5] {
              result.append((classic, WideLookupParameters(
                packingBaseLog: packingBase, packingLevel: packingLevel, packingNoiseVariance: concreteDefault.packingNoiseVariance,
                circuitBootstrapBaseLog: cbBase, circuitBootstrapLevel: cbLevel, cleanDecisionScaleLog: clean)))
            }
          }
        }
      }
    }
    return result
  }

  /// What CRT plans (`CrtEncoding`) may choose from. Reading a residue modulo an odd `m` decides
  /// among `2m` points (margin `1/(4m)`), so the key switch and modulus switch noise before the
  /// blind rotation limit the moduli: on the WoP-PBS sets (k = 2, N = 1024) it is σ ≈ 2^−7.8,
  /// which allows no modulus above 9. Concrete's classic sets with N = 2048 and 4096 (σ ≈ 2^−9.2
  /// and below) allow moduli up to 23; with their bootstrapping key re-decomposed to 4–8 levels
  /// and the circuit-bootstrap and packing decompositions of `wideLookupCandidates` (no clean
  /// decisions: a converted residue is a bootstrap output), plus the WoP-PBS sets themselves.
  /// As there, only decompositions change: dimensions and noise are Concrete's (128-bit security).
  public static func crtLookupCandidates() -> [(classic: ParameterSet, wide: WideLookupParameters)] {
    var result = wideLookupCandidates().filter { $0.wide.cleanDecisionScaleLog == 64 }
    let bases = concreteCatalog.filter { [2048, 4096].contains($0.polynomialSize.rawValue) }
    for base in bases {
      var seen = Set<ParameterSet>()
      for classic in (4...8).map({ base.withBootstrapLevels($0) }) where seen.insert(classic).inserted {
        for (cbLevel, cbBase) in [(6, 4), (5, 5), (7, 4), (8, 3), (9, 3), (10, 3), (12, 2), (14, 2)] {
          for (packingLevel, packingBase) in [(4, 9), (5, 8), (6, 7), (7, 6)] {
            result.append((classic, WideLookupParameters(
              packingBaseLog: packingBase, packingLevel: packingLevel, packingNoiseVariance: classic.glweNoiseVariance,
              circuitBootstrapBaseLog: cbBase, circuitBootstrapLevel: cbLevel)))
          }
        }
      }
    }
    return result
  }
}
