import Foundation

/// One TFHE parameter set for the KS → PBS atomic pattern over the native 2^64 torus.
///
/// Inputs and PBS outputs are LWE ciphertexts under the "big" key (the GLWE key read as a flat
/// LWE key of dimension `k·N`); the key switch goes to the "small" key of dimension `n`, which is
/// the input of the blind rotation. Noise variances are torus-normalised (integer variance / 2^128).
public struct ParameterSet: Hashable, Sendable, CustomStringConvertible {
  /// Message width `p` (bits, without the padding bit) this set is meant for.
  public var precision: Int
  /// Small LWE dimension `n` (key-switch output, blind-rotation input).
  public var lweDimension: LweDimension
  /// GLWE dimension `k`.
  public var glweDimension: GlweDimension
  /// GLWE polynomial size `N`.
  public var polynomialSize: PolynomialSize
  /// Bootstrapping-key gadget decomposition.
  public var pbsBaseLog: DecompositionBaseLog
  public var pbsLevel: DecompositionLevelCount
  /// Key-switching-key gadget decomposition.
  public var ksBaseLog: DecompositionBaseLog
  public var ksLevel: DecompositionLevelCount
  /// Variance of fresh noise under the GLWE / big LWE key (bootstrapping key, client inputs).
  public var glweNoiseVariance: Double
  /// Variance of fresh noise under the small LWE key (key-switching key).
  public var lweNoiseVariance: Double
  /// Where the set comes from (documentation only; not part of the fingerprint).
  public var source: String

  public init(precision: Int, lweDimension: Int, glweDimension: Int, polynomialSize: Int,
              pbsBaseLog: Int, pbsLevel: Int, ksBaseLog: Int, ksLevel: Int,
              glweNoiseVariance: Double, lweNoiseVariance: Double, source: String) {
    precondition(precision >= 1 && precision <= 16, "precision must be in 1...16, got \(precision)")
    precondition(pbsBaseLog * pbsLevel < 64 && ksBaseLog * ksLevel < 64,
                 "decomposition must keep fewer than 64 bits")
    precondition(polynomialSize >> precision >= 2,
                 "polynomial size \(polynomialSize) too small for \(precision)-bit lookups")
    self.precision = precision
    self.lweDimension = LweDimension(lweDimension)
    self.glweDimension = GlweDimension(glweDimension)
    self.polynomialSize = PolynomialSize(polynomialSize)
    self.pbsBaseLog = DecompositionBaseLog(pbsBaseLog)
    self.pbsLevel = DecompositionLevelCount(pbsLevel)
    self.ksBaseLog = DecompositionBaseLog(ksBaseLog)
    self.ksLevel = DecompositionLevelCount(ksLevel)
    self.glweNoiseVariance = glweNoiseVariance
    self.lweNoiseVariance = lweNoiseVariance
    self.source = source
  }

  /// Dimension `k·N` of the big LWE key (inputs and PBS outputs).
  public var bigLweDimension: LweDimension {
    LweDimension(glweDimension.rawValue * polynomialSize.rawValue)
  }

  /// Standard deviation of fresh GLWE noise as an integer on the 2^64 torus.
  public var glweNoiseStdDev: Double { glweNoiseVariance.squareRoot() * 0x1p64 }
  /// Standard deviation of fresh LWE (key-switching key) noise as an integer on the 2^64 torus.
  public var lweNoiseStdDev: Double { lweNoiseVariance.squareRoot() * 0x1p64 }

  /// Bytes of the Fourier bootstrapping key: `n·(k+1)²·ℓ·N·8` (same as Concrete's u64 key).
  public var bootstrapKeyBytes: Int {
    let k1 = glweDimension.glweSize
    return lweDimension.rawValue * k1 * k1 * pbsLevel.rawValue * polynomialSize.rawValue * 8
  }
  /// Bytes of the key-switching key: `kN·ℓ·(n+1)·8`.
  public var keySwitchingKeyBytes: Int {
    bigLweDimension.rawValue * ksLevel.rawValue * (lweDimension.rawValue + 1) * 8
  }

  /// Eight u32 fields and two f64 variances.
  static let canonicalByteCount = 8 * 4 + 2 * 8

  /// The canonical byte encoding of the cryptographic fields (used in files and the fingerprint).
  var canonicalBytes: [UInt8] {
    var w = ByteWriter()
    for v in [precision, lweDimension.rawValue, glweDimension.rawValue, polynomialSize.rawValue,
              pbsBaseLog.rawValue, pbsLevel.rawValue, ksBaseLog.rawValue, ksLevel.rawValue] {
      w.append(UInt32(v))
    }
    w.append(glweNoiseVariance.bitPattern)
    w.append(lweNoiseVariance.bitPattern)
    return w.bytes
  }

  /// 64-bit fingerprint of the cryptographic fields (FNV-1a of `canonicalBytes`).
  public var fingerprint: UInt64 { Checksum.fnv1a(canonicalBytes) }

  public var description: String {
    "p=\(precision) n=\(lweDimension) k=\(glweDimension) N=\(polynomialSize) "
      + "pbs=\(pbsLevel)x\(pbsBaseLog) ks=\(ksLevel)x\(ksBaseLog) "
      + "fingerprint=\(String(fingerprint, radix: 16))"
  }
}

extension ParameterSet {
  /// The set concrete-python 2.11 picks for a 64-element table lookup at precision `p`
  /// under `fhe.Configuration()` (global_p_error = 1e-5, "config B"), p = 1…10.
  ///
  /// Source: `shared/spec/concrete-params.json` (entries with tensor_elements = 64, field `B`),
  /// read from Concrete's compiled program info. Concrete's optimizer chose them for 128-bit
  /// security with binary keys and Gaussian noise; our noise model (`NoiseModel`) re-derives
  /// their per-PBS error probability (about 1.5e-7).
  public static func concrete(precision p: Int) -> ParameterSet {
    let gv256 = 6.429662658896972e-19, gv512 = 7.040630965929754e-23
    let gv1k = 8.442253112932959e-31, gvMin = 4.70197740328915e-38
    let src = "concrete-python 2.11.0, 64-element TLU, config B (shared/spec/concrete-params.json)"
    switch p {
    case 1: return .init(precision: 1, lweDimension: 615, glweDimension: 5, polynomialSize: 256,
                         pbsBaseLog: 15, pbsLevel: 1, ksBaseLog: 3, ksLevel: 3,
                         glweNoiseVariance: gv256, lweNoiseVariance: 1.2485466177590711e-08, source: src)
    case 2: return .init(precision: 2, lweDimension: 721, glweDimension: 5, polynomialSize: 256,
                         pbsBaseLog: 15, pbsLevel: 1, ksBaseLog: 4, ksLevel: 3,
                         glweNoiseVariance: gv256, lweNoiseVariance: 2.8607408101396e-10, source: src)
    case 3: return .init(precision: 3, lweDimension: 742, glweDimension: 3, polynomialSize: 512,
                         pbsBaseLog: 18, pbsLevel: 1, ksBaseLog: 3, ksLevel: 5,
                         glweNoiseVariance: gv512, lweNoiseVariance: 1.3539027231504103e-10, source: src)
    case 4: return .init(precision: 4, lweDimension: 807, glweDimension: 2, polynomialSize: 1024,
                         pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 3, ksLevel: 5,
                         glweNoiseVariance: gv1k, lweNoiseVariance: 1.336510293118502e-11, source: src)
    case 5: return .init(precision: 5, lweDimension: 836, glweDimension: 1, polynomialSize: 2048,
                         pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 2, ksLevel: 8,
                         glweNoiseVariance: gv1k, lweNoiseVariance: 4.756781897906491e-12, source: src)
    case 6: return .init(precision: 6, lweDimension: 901, glweDimension: 1, polynomialSize: 8192,
                         pbsBaseLog: 22, pbsLevel: 1, ksBaseLog: 4, ksLevel: 4,
                         glweNoiseVariance: gvMin, lweNoiseVariance: 4.695675590251059e-13, source: src)
    case 7: return .init(precision: 7, lweDimension: 930, glweDimension: 1, polynomialSize: 16384,
                         pbsBaseLog: 22, pbsLevel: 1, ksBaseLog: 3, ksLevel: 6,
                         glweNoiseVariance: gvMin, lweNoiseVariance: 1.6712407499705774e-13, source: src)
    case 8: return .init(precision: 8, lweDimension: 1021, glweDimension: 1, polynomialSize: 32768,
                         pbsBaseLog: 15, pbsLevel: 2, ksBaseLog: 4, ksLevel: 5,
                         glweNoiseVariance: gvMin, lweNoiseVariance: 6.533980003398984e-15, source: src)
    case 9: return .init(precision: 9, lweDimension: 1052, glweDimension: 1, polynomialSize: 65536,
                         pbsBaseLog: 14, pbsLevel: 2, ksBaseLog: 3, ksLevel: 7,
                         glweNoiseVariance: gvMin, lweNoiseVariance: 2.1655924447486994e-15, source: src)
    case 10: return .init(precision: 10, lweDimension: 1143, glweDimension: 1, polynomialSize: 131072,
                          pbsBaseLog: 14, pbsLevel: 2, ksBaseLog: 4, ksLevel: 6,
                          glweNoiseVariance: gvMin, lweNoiseVariance: 8.466726131318324e-17, source: src)
    default:
      preconditionFailure("no Concrete classic-PBS parameter set for precision \(p) (supported: 1...10)")
    }
  }

  /// A small, INSECURE set for fast functional tests at precision `p` (1…8): tiny `n`, low noise.
  ///
  /// It exercises exactly the same code paths as the real sets but with far less work.
  /// Never use it to protect data.
  public static func insecureTest(precision p: Int) -> ParameterSet {
    precondition(p >= 1 && p <= 8, "test sets exist for precision 1...8, got \(p)")
    // N so that the half box (N / 2^(p+1) of the 2N modulus-switch grid) is >= 8 units,
    // and the modulus-switch noise sqrt((n/2+1)/12) with n = 32 stays ~1.7 units.
    let polynomialSize = max(256, 16 << p)
    return .init(precision: p, lweDimension: 32, glweDimension: 1, polynomialSize: polynomialSize,
                 pbsBaseLog: 20, pbsLevel: 2, ksBaseLog: 6, ksLevel: 5,
                 glweNoiseVariance: 0x1p-100, lweNoiseVariance: 0x1p-70,
                 source: "insecure test set (not secure: n = 32)")
  }
}
