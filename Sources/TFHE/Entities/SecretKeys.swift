/// Binary LWE secret key `s ∈ {0,1}^n`.
public struct LweSecretKey: Hashable, Sendable {
  /// Key bits as words 0 or 1.
  public var bits: [UInt64]
  public var dimension: LweDimension { LweDimension(bits.count) }

  public init(bits: [UInt64]) {
    precondition(bits.allSatisfy { $0 <= 1 }, "LWE secret key must be binary")
    self.bits = bits
  }

  /// A fresh uniform binary key.
  public init(dimension: LweDimension, using rng: inout SecureRandom) {
    var out = [UInt64](repeating: 0, count: dimension.rawValue)
    var i = 0
    while i < out.count {
      let w = rng.next()
      for b in 0..<64 where i + b < out.count { out[i + b] = (w >> UInt64(b)) & 1 }
      i += 64
    }
    bits = out
  }
}

/// Binary GLWE secret key: `k` polynomials of `N` binary coefficients.
///
/// Read as a flat LWE key of dimension `k·N` (polynomial after polynomial), it is the "big" key
/// under which client inputs and PBS outputs live.
public struct GlweSecretKey: Hashable, Sendable {
  /// `k·N` words 0 or 1, polynomial `i` at `[i·N, (i+1)·N)`.
  public var bits: [UInt64]
  public let glweDimension: GlweDimension
  public let polynomialSize: PolynomialSize

  public init(bits: [UInt64], glweDimension: GlweDimension, polynomialSize: PolynomialSize) {
    precondition(bits.count == glweDimension.rawValue * polynomialSize.rawValue,
                 "GLWE key has \(bits.count) bits, expected k·N = \(glweDimension.rawValue * polynomialSize.rawValue)")
    precondition(bits.allSatisfy { $0 <= 1 }, "GLWE secret key must be binary")
    self.bits = bits
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
  }

  public init(glweDimension: GlweDimension, polynomialSize: PolynomialSize, using rng: inout SecureRandom) {
    let flat = LweSecretKey(dimension: LweDimension(glweDimension.rawValue * polynomialSize.rawValue), using: &rng)
    self.init(bits: flat.bits, glweDimension: glweDimension, polynomialSize: polynomialSize)
  }

  /// The same key read as an LWE key of dimension `k·N`.
  public var asLweKey: LweSecretKey { LweSecretKey(bits: bits) }
}
