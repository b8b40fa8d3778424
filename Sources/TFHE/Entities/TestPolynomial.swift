/// The polynomial a blind rotation rotates: coefficient `μ` is the output phase for a modulus-
/// switched input phase `μ` (out of `2N`; `μ ≥ N` gives the negated coefficient `μ − N`).
///
/// `inputOffset` is added to the input phase before the key switch (`2^62` for signed inputs,
/// as Concrete does), so a `TestPolynomial` fully describes one table lookup.
public struct TestPolynomial: Hashable, Sendable {
  /// `N` output phases.
  public var coefficients: [UInt64]
  /// Added (wrapping) to the input ciphertext before the PBS.
  public var inputOffset: UInt64

  public init(coefficients: [UInt64], inputOffset: UInt64 = 0) {
    _ = PolynomialSize(coefficients.count)
    self.coefficients = coefficients
    self.inputOffset = inputOffset
  }

  public var polynomialSize: PolynomialSize { PolynomialSize(coefficients.count) }

  /// Concrete's table-lookup layout (fhe-dialects.md §0.7) for a `p`-bit input.
  ///
  /// `outputPhases[i]` is the output phase for input `i` (already scaled, e.g. `L[i]·Δ_q`);
  /// 2^p entries. With `box = N/2^p`: coefficients `[0, box/2)` hold entry 0,
  /// `[box/2 + (i−1)·box, box/2 + i·box)` hold entry `i`, the last `box/2` hold `−entry 0`.
  /// For a signed input the table is read by two's complement (`entry j ← L[(j + 2^(p−1)) mod 2^p]`)
  /// and the input gets `+2^62` before the bootstrap.
  public static func lookupTable(outputPhases: [UInt64], inputBits p: Int, signed: Bool,
                                 polynomialSize: PolynomialSize) -> TestPolynomial {
    precondition(p >= 1 && p <= 16, "input width must be in 1...16, got \(p)")
    precondition(outputPhases.count == 1 << p,
                 "table for \(p)-bit input needs \(1 << p) entries, got \(outputPhases.count)")
    let n = polynomialSize.rawValue
    let box = n >> p
    precondition(box >= 2, "polynomial size \(n) too small for a \(p)-bit table")
    let half = 1 << (p - 1)
    let entries = signed ? (0..<(1 << p)).map { outputPhases[($0 + half) % (1 << p)] } : outputPhases
    var c = [UInt64](repeating: 0, count: n)
    for j in 0..<n {
      // index of the box that coefficient j rounds to
      let i = (j + box / 2) / box
      c[j] = i < (1 << p) ? entries[i] : 0 &- entries[0]
    }
    return TestPolynomial(coefficients: c, inputOffset: signed ? 1 << 62 : 0)
  }

  /// Table lookup from integer values: entry `i` becomes `values[i]·Δ_q` with `Δ_q = 2^(63−q)`.
  public static func lookupTable(values: [Int64], inputBits p: Int, outputBits q: Int, signed: Bool,
                                 polynomialSize: PolynomialSize) -> TestPolynomial {
    precondition(q >= 0 && q <= 62, "output width must be in 0...62, got \(q)")
    let phases = values.map { UInt64(bitPattern: $0) &* Encoding.delta(bits: q) }
    return lookupTable(outputPhases: phases, inputBits: p, signed: signed, polynomialSize: polynomialSize)
  }

  /// Every coefficient equal to `phase` (e.g. `−2^(62−w)` for bit extraction).
  public static func constant(_ phase: UInt64, polynomialSize: PolynomialSize) -> TestPolynomial {
    TestPolynomial(coefficients: [UInt64](repeating: phase, count: polynomialSize.rawValue))
  }
}

/// Plaintext encoding of Concrete's native mode: `m·Δ_p` with `Δ_p = 2^(63−p)` (bit 63 = padding).
public enum Encoding {
  /// `Δ_p = 2^(63−p)`.
  public static func delta(bits p: Int) -> UInt64 {
    precondition(p >= 0 && p <= 63, "width must be in 0...63, got \(p)")
    return 1 << UInt64(63 - p)
  }

  /// The phase `m·Δ_p` (wrapping; bits of `m` above `p+1` are lost).
  public static func encode(message m: Int64, bits p: Int) -> UInt64 {
    UInt64(bitPattern: m) &* delta(bits: p)
  }

  /// Rounded message `((T + 2^(62−p)) >> (63−p)) mod 2^(p+1)`: unsigned in `[0, 2^(p+1))`,
  /// signed: `m ≥ 2^(p−1)` gives `(m mod 2^p) − 2^p`.
  public static func decode(phase t: UInt64, bits p: Int, signed: Bool = false) -> Int64 {
    precondition(p >= 1 && p <= 62, "width must be in 1...62, got \(p)")
    let m = Int64(((t &+ (1 << UInt64(62 - p))) >> UInt64(63 - p)) & ((1 << UInt64(p + 1)) - 1))
    if signed && m >= 1 << Int64(p - 1) { return (m & ((1 << Int64(p)) - 1)) - (1 << Int64(p)) }
    return m
  }
}
