/// LWE ciphertext over the 2^64 torus: mask `a_1 … a_n`, then body `b`; phase `b − Σ a_i s_i`.
///
/// All arithmetic wraps modulo 2^64.
public struct LweCiphertext: Hashable, Sendable {
  /// `a_1 … a_n`, then `b`.
  public var storage: [UInt64]
  public var dimension: LweDimension { LweDimension(storage.count - 1) }

  public init(storage: [UInt64]) {
    precondition(!storage.isEmpty, "an LWE ciphertext has at least a body")
    self.storage = storage
  }

  /// The trivial (noiseless, zero-mask) encryption of `phase` at `dimension`.
  public init(trivial phase: UInt64, dimension: LweDimension) {
    storage = [UInt64](repeating: 0, count: dimension.rawValue + 1)
    storage[dimension.rawValue] = phase
  }

  public var body: UInt64 {
    get { storage[storage.count - 1] }
    set { storage[storage.count - 1] = newValue }
  }
}

/// GLWE ciphertext: `k` mask polynomials then the body, each of `N` words (flat storage).
public struct GlweCiphertext: Hashable, Sendable {
  public var storage: [UInt64]
  public let glweDimension: GlweDimension
  public let polynomialSize: PolynomialSize

  public init(storage: [UInt64], glweDimension: GlweDimension, polynomialSize: PolynomialSize) {
    precondition(storage.count == glweDimension.glweSize * polynomialSize.rawValue,
                 "GLWE storage has \(storage.count) words, expected (k+1)·N")
    self.storage = storage
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
  }
}
