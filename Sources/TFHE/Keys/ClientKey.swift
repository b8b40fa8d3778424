import Foundation

/// Lock-protected generator for APIs that encrypt without an explicit generator.
final class LockedRandom: @unchecked Sendable {
  private var rng = SecureRandom()  // guarded by lock
  private let lock = NSLock()
  func withRNG<R>(_ body: (inout SecureRandom) -> R) -> R {
    lock.lock(); defer { lock.unlock() }
    return body(&rng)
  }
}

/// The client's secret material: GLWE key (the big LWE key), the small LWE key and parameters.
///
/// Inputs are encrypted under the big key (dimension `k·N`), like Concrete's inputs; PBS outputs
/// come back under the same key. Thread-safe (`encrypt(phase:)` uses an internal locked CSPRNG).
public final class ClientKey: Sendable {
  public let parameters: ParameterSet
  public let glweKey: GlweSecretKey
  public let lweKey: LweSecretKey
  private let random = LockedRandom()

  /// Builds a client key from existing key material.
  public init(parameters: ParameterSet, glweKey: GlweSecretKey, lweKey: LweSecretKey) {
    precondition(glweKey.glweDimension == parameters.glweDimension && glweKey.polynomialSize == parameters.polynomialSize,
                 "GLWE key shape does not match the parameters")
    precondition(lweKey.dimension == parameters.lweDimension,
                 "LWE key dimension \(lweKey.dimension) does not match n = \(parameters.lweDimension)")
    self.parameters = parameters
    self.glweKey = glweKey
    self.lweKey = lweKey
  }

  /// Fresh keys from `rng` (defaults to a generator keyed by the OS).
  public convenience init(parameters: ParameterSet, using rng: inout SecureRandom) {
    let glwe = GlweSecretKey(glweDimension: parameters.glweDimension, polynomialSize: parameters.polynomialSize, using: &rng)
    let lwe = LweSecretKey(dimension: parameters.lweDimension, using: &rng)
    self.init(parameters: parameters, glweKey: glwe, lweKey: lwe)
  }

  /// Fresh keys from the OS-seeded CSPRNG.
  public convenience init(parameters: ParameterSet) {
    var rng = SecureRandom()
    self.init(parameters: parameters, using: &rng)
  }

  /// The big LWE key (the GLWE key read flat).
  public var bigLweKey: LweSecretKey { glweKey.asLweKey }

  /// Encrypts a phase under the big key with the GLWE noise of the parameters.
  public func encrypt(phase: UInt64, using rng: inout SecureRandom) -> LweCiphertext {
    bigLweKey.encrypt(phase: phase, noiseStdDev: parameters.glweNoiseStdDev, using: &rng)
  }

  /// Encrypts a phase under the big key (internal CSPRNG).
  public func encrypt(phase: UInt64) -> LweCiphertext {
    random.withRNG { encrypt(phase: phase, using: &$0) }
  }

  /// Encrypts the `p`-bit message `m` as `m·Δ_p`.
  public func encrypt(message m: Int64, bits p: Int) -> LweCiphertext {
    encrypt(phase: Encoding.encode(message: m, bits: p))
  }

  /// Phase (message plus noise) of a ciphertext under the big key.
  public func decryptPhase(_ c: LweCiphertext) -> UInt64 {
    precondition(c.dimension == parameters.bigLweDimension,
                 "ciphertext dimension \(c.dimension) is not the big key dimension \(parameters.bigLweDimension)")
    return glweKey.asLweKey.decryptPhase(c)
  }

  /// Decrypts and decodes a `p`-bit message (see `Encoding.decode`).
  public func decrypt(_ c: LweCiphertext, bits p: Int, signed: Bool = false) -> Int64 {
    Encoding.decode(phase: decryptPhase(c), bits: p, signed: signed)
  }

  /// `m·Δ_p`.
  public static func encode(message m: Int64, bits p: Int) -> UInt64 { Encoding.encode(message: m, bits: p) }
  /// Rounded message of a phase.
  public static func decode(phase: UInt64, bits p: Int, signed: Bool = false) -> Int64 {
    Encoding.decode(phase: phase, bits: p, signed: signed)
  }

  /// Generates the evaluation keys (bootstrapping key in the Fourier domain, key-switching key).
  public func makeServerKey(using rng: inout SecureRandom, threads: Int = defaultThreadCount) -> ServerKey {
    let p = parameters
    let bsk = FourierBootstrapKey(lweKey: lweKey, glweKey: glweKey, baseLog: p.pbsBaseLog, levelCount: p.pbsLevel,
                                  noiseStdDev: p.glweNoiseStdDev, using: &rng, threads: threads)
    let ksk = LweKeySwitchingKey(from: bigLweKey, to: lweKey, baseLog: p.ksBaseLog, levelCount: p.ksLevel,
                                 noiseStdDev: p.lweNoiseStdDev, using: &rng, threads: threads)
    return ServerKey(parameters: p, bootstrapKey: bsk, keySwitchingKey: ksk)
  }

  /// Generates the evaluation keys with the OS-seeded CSPRNG.
  public func makeServerKey(threads: Int = defaultThreadCount) -> ServerKey {
    var rng = SecureRandom()
    return makeServerKey(using: &rng, threads: threads)
  }
}
