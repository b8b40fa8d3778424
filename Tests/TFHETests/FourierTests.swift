import Testing
import TFHE

@Suite struct FourierTests {
  /// Schoolbook product in Z[X]/(X^N + 1), wrapping.
  func negacyclic(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    let n = a.count
    var c = [UInt64](repeating: 0, count: n)
    for i in 0..<n {
      for j in 0..<n {
        let p = a[i] &* b[j]
        if i + j < n { c[i + j] &+= p } else { c[i + j - n] &-= p }
      }
    }
    return c
  }

  @Test(arguments: [32, 64, 256, 2048])
  func fourierProductIsNegacyclic(_ n: Int) {
    var rng = SecureRandom(seed: UInt64(n))
    // Signed digits of 20 bits times signed values of 20 bits: exact in f64 for these N.
    let a = (0..<n).map { _ in UInt64(bitPattern: Int64(rng.next() % (1 << 20)) - (1 << 19)) }
    let b = (0..<n).map { _ in UInt64(bitPattern: Int64(rng.next() % (1 << 20)) - (1 << 19)) }
    let plan = FourierPlan.shared(for: n)
    var fa = [Double](repeating: 0, count: n), fb = fa
    a.withUnsafeBufferPointer { p in fa.withUnsafeMutableBufferPointer { plan.forward(signed: p.baseAddress!, into: $0.baseAddress!) } }
    b.withUnsafeBufferPointer { p in fb.withUnsafeMutableBufferPointer { plan.forward(signed: p.baseAddress!, into: $0.baseAddress!) } }
    let m = n / 2
    var prod = [Double](repeating: 0, count: n)
    for j in 0..<m {
      prod[j] = fa[j] * fb[j] - fa[j + m] * fb[j + m]
      prod[j + m] = fa[j] * fb[j + m] + fa[j + m] * fb[j]
    }
    var out = [UInt64](repeating: 0, count: n)
    prod.withUnsafeMutableBufferPointer { f in out.withUnsafeMutableBufferPointer { plan.backwardAdd(f.baseAddress!, into: $0.baseAddress!) } }
    #expect(out == negacyclic(a, b))
  }

  /// The C kernels (AVX2 builds) must give bit-for-bit what the portable Swift passes give:
  /// key files, conformance results and seeded tests do not depend on the machine.
  @Test(arguments: [32, 1024, 2048, 4096])
  func nativeKernelsMatchPortableSwiftBitForBit(_ n: Int) {
    #if arch(x86_64)
    #expect(FourierPlan.nativeKernelsAvailable)
    #endif
    let native = FourierPlan(polynomialSize: n), portable = FourierPlan(polynomialSize: n, nativeKernels: false)
    var rng = SecureRandom(seed: 77 + UInt64(n))
    let poly = (0..<n).map { _ in rng.next() }
    var fn = [Double](repeating: 0, count: n), fp = fn
    poly.withUnsafeBufferPointer { p in
      fn.withUnsafeMutableBufferPointer { native.forward(signed: p.baseAddress!, into: $0.baseAddress!) }
      fp.withUnsafeMutableBufferPointer { portable.forward(signed: p.baseAddress!, into: $0.baseAddress!) }
    }
    #expect(fn.map(\.bitPattern) == fp.map(\.bitPattern))
    // Inverse of a random spectrum with large values (rounding exercised), added to a random polynomial.
    let spectrum = (0..<n).map { _ in Double(Int64(bitPattern: rng.next()) >> 4) }
    var sn = spectrum, sp = spectrum, an = poly, ap = poly
    sn.withUnsafeMutableBufferPointer { f in an.withUnsafeMutableBufferPointer { native.backwardAdd(f.baseAddress!, into: $0.baseAddress!) } }
    sp.withUnsafeMutableBufferPointer { f in ap.withUnsafeMutableBufferPointer { portable.backwardAdd(f.baseAddress!, into: $0.baseAddress!) } }
    #expect(an == ap)
    #expect(an != poly)
  }

  @Test func backwardConversionWrapsLargeValuesModulo2to64() {
    // Transform of the constant polynomial c, scaled so coefficients exceed 2^64.
    let n = 32
    let plan = FourierPlan.shared(for: n)
    var poly = [UInt64](repeating: 0, count: n)
    poly[0] = 1 << 40
    var f = [Double](repeating: 0, count: n)
    poly.withUnsafeBufferPointer { p in f.withUnsafeMutableBufferPointer { plan.forward(signed: p.baseAddress!, into: $0.baseAddress!) } }
    for i in 0..<n { f[i] *= 0x1p26 }  // coefficient 0 becomes 2^66 ≡ 0 (mod 2^64), others ~0
    var out = [UInt64](repeating: 5, count: n)
    f.withUnsafeMutableBufferPointer { g in out.withUnsafeMutableBufferPointer { plan.backwardAdd(g.baseAddress!, into: $0.baseAddress!) } }
    // Exact up to the f64 rounding of values near 2^66 (ulp 2^14).
    #expect(out.allSatisfy { abs(Int64(bitPattern: $0 &- 5)) < 1 << 18 })
  }
}
