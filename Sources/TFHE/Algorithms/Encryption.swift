extension LweSecretKey {
  /// Encrypts `phase` with fresh Gaussian noise of integer standard deviation `noiseStdDev`.
  public func encrypt(phase: UInt64, noiseStdDev: Double, using rng: inout SecureRandom) -> LweCiphertext {
    var storage = [UInt64](repeating: 0, count: bits.count + 1)
    storage.withUnsafeMutableBufferPointer { out in
      rng.fill(UnsafeMutableBufferPointer(rebasing: out[0..<bits.count]))
      out[bits.count] = encryptBody(mask: UnsafePointer(out.baseAddress!), phase: phase,
                                    noise: rng.nextGaussian(stdDev: noiseStdDev))
    }
    return LweCiphertext(storage: storage)
  }

  /// `Σ a_i s_i + phase + noise`.
  func encryptBody(mask: UnsafePointer<UInt64>, phase: UInt64, noise: UInt64) -> UInt64 {
    var b = phase &+ noise
    bits.withUnsafeBufferPointer { s in
      for i in 0..<s.count { b &+= mask[i] & (0 &- s[i]) }
    }
    return b
  }

  /// The phase `b − Σ a_i s_i` (message plus noise).
  public func decryptPhase(_ c: LweCiphertext) -> UInt64 {
    precondition(c.dimension == dimension,
                 "mismatch between LWE dimension of ciphertext (\(c.dimension)) and key (\(dimension))")
    var acc: UInt64 = c.body
    c.storage.withUnsafeBufferPointer { a in
      bits.withUnsafeBufferPointer { s in
        for i in 0..<s.count { acc &-= a[i] & (0 &- s[i]) }
      }
    }
    return acc
  }
}

extension GlweSecretKey {
  /// Key polynomials in the Fourier domain (k·N doubles), for exact products with masks.
  func fourierPolynomials(plan: FourierPlan) -> [Double] {
    let n = polynomialSize.rawValue
    var out = [Double](repeating: 0, count: glweDimension.rawValue * n)
    bits.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { o in
        for i in 0..<glweDimension.rawValue {
          plan.forward(signed: s.baseAddress! + i * n, into: o.baseAddress! + i * n)
        }
      }
    }
    return out
  }

  /// Writes into `out` ((k+1)·N words) a GLWE encryption of the zero polynomial:
  /// uniform masks, body `Σ a_i·s_i + e`.
  func encryptZero(into out: UnsafeMutablePointer<UInt64>, keyFourier: UnsafePointer<Double>,
                   noiseStdDev: Double, plan: FourierPlan, using rng: inout SecureRandom,
                   scratch: UnsafeMutablePointer<Double>, limb: UnsafeMutablePointer<UInt64>) {
    let n = polynomialSize.rawValue, k = glweDimension.rawValue
    rng.fill(UnsafeMutableBufferPointer(start: out, count: k * n))
    let body = out + k * n
    rng.fillGaussian(UnsafeMutableBufferPointer(start: body, count: n), stdDev: noiseStdDev)
    for i in 0..<k {
      PolynomialArithmetic.multiplyAdd(body, out + i * n, sFourier: keyFourier + i * n, plan: plan,
                                       scratch: scratch, limb: limb)
    }
  }

  /// Phase polynomial `B − Σ A_i·S_i` of a GLWE ciphertext (exact).
  public func decryptPhase(_ c: GlweCiphertext) -> [UInt64] {
    precondition(c.glweDimension == glweDimension && c.polynomialSize == polynomialSize,
                 "GLWE ciphertext does not match the key's (k, N)")
    let n = polynomialSize.rawValue, k = glweDimension.rawValue
    let plan = FourierPlan.shared(for: n)
    let keyF = fourierPolynomials(plan: plan)
    var prod = [UInt64](repeating: 0, count: n)
    var scratch = [Double](repeating: 0, count: n)
    var limb = [UInt64](repeating: 0, count: n)
    c.storage.withUnsafeBufferPointer { a in
      keyF.withUnsafeBufferPointer { kf in
        prod.withUnsafeMutableBufferPointer { p in
          scratch.withUnsafeMutableBufferPointer { sc in
            limb.withUnsafeMutableBufferPointer { l in
              for i in 0..<k {
                PolynomialArithmetic.multiplyAdd(p.baseAddress!, a.baseAddress! + i * n,
                                                 sFourier: kf.baseAddress! + i * n, plan: plan,
                                                 scratch: sc.baseAddress!, limb: l.baseAddress!)
              }
            }
          }
        }
      }
    }
    return (0..<n).map { c.storage[k * n + $0] &- prod[$0] }
  }
}
