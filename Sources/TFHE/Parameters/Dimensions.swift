/// Number of coefficients of an LWE mask (the LWE secret key length).
public struct LweDimension: Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public var description: String { "\(rawValue)" }
}

/// Number of mask polynomials `k` in a GLWE ciphertext.
public struct GlweDimension: Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  /// `k + 1`: the number of polynomials in a GLWE ciphertext (masks and body).
  public var glweSize: Int { rawValue + 1 }
  public var description: String { "\(rawValue)" }
}

/// Number of coefficients `N` of the GLWE polynomials (a power of two, at least 32).
public struct PolynomialSize: Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ rawValue: Int) {
    precondition(rawValue >= 32 && rawValue & (rawValue - 1) == 0,
                 "polynomial size must be a power of two >= 32, got \(rawValue)")
    self.rawValue = rawValue
  }
  /// `log2(N)`.
  public var log2: Int { rawValue.trailingZeroBitCount }
  public var description: String { "\(rawValue)" }
}

/// Number of bits `log2(B)` of one digit in a gadget decomposition.
public struct DecompositionBaseLog: Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public var description: String { "\(rawValue)" }
}

/// Number of digits `ℓ` kept by a gadget decomposition (taken from the top of the word).
public struct DecompositionLevelCount: Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public var description: String { "\(rawValue)" }
}
