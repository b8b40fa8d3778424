/// Exact negacyclic product helpers (used by key generation and GLWE encryption/decryption).
enum PolynomialArithmetic {
  /// Forward transform of a binary (or small) key polynomial, for `multiplyAdd`.
  static func fourier(ofSmall s: UnsafePointer<UInt64>, plan: FourierPlan) -> [Double] {
    var out = [Double](repeating: 0, count: plan.polynomialSize)
    out.withUnsafeMutableBufferPointer { plan.forward(signed: s, into: $0.baseAddress!) }
    return out
  }

  /// `acc += a · s  (mod X^N + 1, mod 2^64)` exactly, for an arbitrary `a` and a binary `s`
  /// given in the Fourier domain (`sFourier`, from `fourier(ofSmall:)`).
  ///
  /// `a` is split into three limbs of at most 22 bits, so every limb product is an integer below
  /// 2^22·N ≤ 2^39 in magnitude and the f64 FFT rounds it exactly.
  static func multiplyAdd(_ acc: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>,
                          sFourier: UnsafePointer<Double>, plan: FourierPlan,
                          scratch: UnsafeMutablePointer<Double>, limb: UnsafeMutablePointer<UInt64>) {
    let n = plan.polynomialSize, m = plan.half
    for (shift, width) in [(0, 22), (22, 22), (44, 20)] {
      let mask: UInt64 = (1 << UInt64(width)) - 1
      for j in 0..<n { limb[j] = (a[j] >> UInt64(shift)) & mask }
      plan.forward(signed: limb, into: scratch)
      let re = scratch, im = scratch + m, sr = sFourier, si = sFourier + m
      for j in 0..<m {
        let xr = re[j], xi = im[j]
        re[j] = xr * sr[j] - xi * si[j]
        im[j] = xr * si[j] + xi * sr[j]
      }
      for j in 0..<n { limb[j] = 0 }
      plan.backwardAdd(scratch, into: limb)
      for j in 0..<n { acc[j] &+= limb[j] << UInt64(shift) }
    }
  }
}
