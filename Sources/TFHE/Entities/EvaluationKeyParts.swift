/// Bootstrapping key in the Fourier domain: `n` GGSW encryptions of the small key bits under
/// the GLWE key, each made of `(k+1)·ℓ` GLWE rows of `k+1` polynomials, each polynomial stored
/// as `N` doubles (the split-complex FFT of N/2 points, see `FourierPlan`).
///
/// Layout: `data[(((i·(k+1)ℓ + row)·(k+1) + column)·N ..< +N]`, row = `component·ℓ + (level−1)`.
/// Holds no secret (GGSW ciphertexts only).
public struct FourierBootstrapKey: Sendable {
  public let inputLweDimension: LweDimension
  public let glweDimension: GlweDimension
  public let polynomialSize: PolynomialSize
  public let baseLog: DecompositionBaseLog
  public let levelCount: DecompositionLevelCount
  /// The Fourier coefficients, 64-byte aligned.
  public let data: AlignedDoubles

  public init(inputLweDimension: LweDimension, glweDimension: GlweDimension, polynomialSize: PolynomialSize,
              baseLog: DecompositionBaseLog, levelCount: DecompositionLevelCount, data: AlignedDoubles) {
    let k1 = glweDimension.glweSize
    precondition(data.count == inputLweDimension.rawValue * k1 * levelCount.rawValue * k1 * polynomialSize.rawValue,
                 "bootstrapping key has \(data.count) doubles, expected n·(k+1)²·ℓ·N")
    self.inputLweDimension = inputLweDimension
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
    self.baseLog = baseLog
    self.levelCount = levelCount
    self.data = data
  }

  /// Doubles per GGSW ciphertext.
  var ggswStride: Int { glweDimension.glweSize * glweDimension.glweSize * levelCount.rawValue * polynomialSize.rawValue }
  public var byteCount: Int { data.count * 8 }
}

/// LWE key-switching key from the big key (`k·N`) to the small key (`n`).
///
/// For input coefficient `i` and level `j = 1…ℓ`, an LWE encryption under the small key of
/// `s_big[i] · 2^64 / B^j`. Layout: `data[((i·ℓ + j−1)·(n+1)) ..< +(n+1)]`.
public struct LweKeySwitchingKey: Sendable {
  public let inputLweDimension: LweDimension
  public let outputLweDimension: LweDimension
  public let baseLog: DecompositionBaseLog
  public let levelCount: DecompositionLevelCount
  public let data: [UInt64]

  public init(inputLweDimension: LweDimension, outputLweDimension: LweDimension,
              baseLog: DecompositionBaseLog, levelCount: DecompositionLevelCount, data: [UInt64]) {
    precondition(data.count == inputLweDimension.rawValue * levelCount.rawValue * (outputLweDimension.rawValue + 1),
                 "key-switching key has \(data.count) words, expected kN·ℓ·(n+1)")
    self.inputLweDimension = inputLweDimension
    self.outputLweDimension = outputLweDimension
    self.baseLog = baseLog
    self.levelCount = levelCount
    self.data = data
  }
  public var byteCount: Int { data.count * 8 }
}
