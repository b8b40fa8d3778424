/// Per-call working memory of a bootstrap (one per thread; never shared).
final class BootstrapScratch {
  let acc: UnsafeMutablePointer<UInt64>      // (k+1)·N
  let rot: UnsafeMutablePointer<UInt64>      // N
  /// `(k+1)·ℓ` digit polynomials, `digitRowStride(N)` doubles apart, imaginary parts at
  /// `digitImaginaryOffset(N)` (padded: see `digitRowStride`).
  let digits: UnsafeMutablePointer<Double>
  let product: UnsafeMutablePointer<Double>  // (k+1)·N
  let sizes: (Int, Int, Int)

  init(glweSize k1: Int, polynomialSize n: Int, levels ell: Int) {
    func aligned<T>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
      UnsafeMutableRawPointer.allocate(byteCount: count * 8, alignment: 64).bindMemory(to: T.self, capacity: count)
    }
    acc = aligned(k1 * n, UInt64.self)
    rot = aligned(n, UInt64.self)
    digits = aligned(k1 * ell * Self.digitRowStride(n), Double.self)
    product = aligned(k1 * n, Double.self)
    sizes = (k1, n, ell)
  }
  deinit {
    acc.deallocate(); rot.deallocate(); digits.deallocate(); product.deallocate()
  }

  /// Doubles between digit polynomials. Unpadded, the `2·(k+1)·ℓ` real and imaginary streams of
  /// the decomposition (written) and of the multiply-accumulate (read) lay a multiple of 4 KiB
  /// apart: one L1 set for all of them (8 ways), and 4K-aliasing stalls between stores and loads.
  /// Padded, each stream has its own set.
  @inline(__always) static func digitRowStride(_ n: Int) -> Int { n + 16 }
  /// Offset of the imaginary parts within a digit polynomial (real parts at 0).
  @inline(__always) static func digitImaginaryOffset(_ n: Int) -> Int { n / 2 + 8 }
}

/// `out = X^shift · input  (mod X^N + 1)`, `shift ∈ [0, 2N)`.
@inline(__always)
func rotate(_ input: UnsafePointer<UInt64>, by shift: Int, n: Int, into out: UnsafeMutablePointer<UInt64>) {
  let negate = shift >= n
  let s = negate ? shift - n : shift
  if negate {
    for j in 0..<s { out[j] = input[j - s + n] }
    for j in s..<n { out[j] = 0 &- input[j - s] }
  } else {
    for j in 0..<s { out[j] = 0 &- input[j - s + n] }
    for j in s..<n { out[j] = input[j - s] }
  }
}

/// `out = X^shift · input − input  (mod X^N + 1)`, `shift ∈ [0, 2N)`, in one pass.
@inline(__always)
func rotateSubtract(_ input: UnsafePointer<UInt64>, by shift: Int, n: Int, into out: UnsafeMutablePointer<UInt64>) {
  let negate = shift >= n
  let s = negate ? shift - n : shift
  if negate {
    for j in 0..<s { out[j] = input[j - s + n] &- input[j] }
    for j in s..<n { out[j] = 0 &- input[j - s] &- input[j] }
  } else {
    for j in 0..<s { out[j] = 0 &- input[j - s + n] &- input[j] }
    for j in s..<n { out[j] = input[j - s] &- input[j] }
  }
}

extension FourierBootstrapKey {
  /// Modulus switch of one torus word to `Z_{2N}` (round to nearest).
  @inline(__always)
  func modulusSwitch(_ x: UInt64, log2TwoN: Int) -> Int {
    Int(((x >> UInt64(63 - log2TwoN)) &+ 1) >> 1) & ((1 << log2TwoN) - 1)
  }

  /// Blind rotation: a GLWE encryption of `X^{−round(2N·phase/2^64)} · testPolynomial` under
  /// the GLWE key, from an LWE ciphertext under the small key.
  public func blindRotate(_ input: LweCiphertext, testPolynomial: TestPolynomial) -> GlweCiphertext {
    let k1 = glweDimension.glweSize, n = polynomialSize.rawValue
    let scratch = BootstrapScratch(glweSize: k1, polynomialSize: n, levels: levelCount.rawValue)
    blindRotate(input, testPolynomial: testPolynomial, scratch: scratch)
    return GlweCiphertext(storage: Array(UnsafeBufferPointer(start: scratch.acc, count: k1 * n)),
                          glweDimension: glweDimension, polynomialSize: polynomialSize)
  }

  /// Blind rotation into `scratch.acc`.
  func blindRotate(_ input: LweCiphertext, testPolynomial: TestPolynomial, scratch: BootstrapScratch) {
    blindRotateMany([input], testPolynomials: [testPolynomial], scratches: [scratch])
  }

  /// Blind rotations of several ciphertexts in lockstep: GGSW_i is applied to every ciphertext
  /// before GGSW_{i+1}, so each part of the key is read from memory once per group instead of
  /// once per ciphertext. Each result is bit-for-bit what a lone blind rotation gives.
  func blindRotateMany(_ inputs: [LweCiphertext], testPolynomials: [TestPolynomial], scratches: [BootstrapScratch]) {
    precondition(inputs.count == testPolynomials.count && inputs.count <= scratches.count,
                 "one test polynomial and one scratch per input")
    let n = polynomialSize.rawValue, k = glweDimension.rawValue
    let log2TwoN = polynomialSize.log2 + 1
    for (b, input) in inputs.enumerated() {
      precondition(input.dimension == inputLweDimension,
                   "mismatch between LWE dimension of ciphertext (\(input.dimension)) and bootstrapping key input (\(inputLweDimension))")
      precondition(testPolynomials[b].coefficients.count == n,
                   "test polynomial has \(testPolynomials[b].coefficients.count) coefficients, key has N = \(polynomialSize)")
      // ACC = (0, …, 0, X^{−b̃} · TV)
      let acc = scratches[b].acc
      for j in 0..<(k * n) { acc[j] = 0 }
      let bTilde = modulusSwitch(input.body, log2TwoN: log2TwoN)
      testPolynomials[b].coefficients.withUnsafeBufferPointer { tv in
        rotate(tv.baseAddress!, by: (2 * n - bTilde) % (2 * n), n: n, into: acc + k * n)
      }
    }
    let plan = FourierPlan.shared(for: n)
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    // Modulus-switched masks, ciphertext after ciphertext.
    let dimension = inputLweDimension.rawValue
    var switched = [Int](repeating: 0, count: inputs.count * dimension)
    for (b, input) in inputs.enumerated() {
      for i in 0..<dimension { switched[b * dimension + i] = modulusSwitch(input.storage[i], log2TwoN: log2TwoN) }
    }
    data.withUnsafeBufferPointer { bskBuffer in
      let bsk = bskBuffer.baseAddress!
      for i in 0..<dimension {
        let ggsw = bsk + i * ggswStride
        for b in 0..<inputs.count {
          let a = switched[b * dimension + i]
          if a == 0 { continue }
          cmux(ggsw, rotation: a, scratch: scratches[b], plan: plan, dec: dec)
        }
      }
    }
  }

  /// `ACC ← ACC + GGSW ⊡ (X^a·ACC − ACC)` on `scratch.acc`.
  @inline(__always)
  func cmux(_ ggsw: UnsafePointer<Double>, rotation a: Int, scratch: BootstrapScratch, plan: FourierPlan,
            dec: Decomposer) {
    let n = polynomialSize.rawValue
    let acc = scratch.acc
    externalProductAdd(ggsw, glweSize: glweDimension.glweSize, polynomialSize: n, levels: levelCount.rawValue,
                       decomposer: dec, scratch: scratch, plan: plan) { c, out in
      rotateSubtract(acc + c * n, by: a, n: n, into: out)
    }
  }

  /// Sample extraction of coefficient `t` of `scratch.acc`: coefficient `t` of `A·S` is
  /// `Σ_{i≤t} A[t−i]·S[i] − Σ_{i>t} A[N+t−i]·S[i]`, so the LWE mask is `A[t−i]` then `−A[N+t−i]`.
  func sampleExtract(_ scratch: BootstrapScratch, coefficient t: Int) -> LweCiphertext {
    let n = polynomialSize.rawValue, k = glweDimension.rawValue
    precondition(t >= 0 && t < n, "coefficient \(t) outside 0..<\(n)")
    var out = [UInt64](repeating: 0, count: k * n + 1)
    let acc = scratch.acc
    out.withUnsafeMutableBufferPointer { o in
      for c in 0..<k {
        let a = acc + c * n, m = o.baseAddress! + c * n
        for i in 0...t { m[i] = a[t - i] }
        for i in (t + 1)..<max(t + 1, n) { m[i] = 0 &- a[n + t - i] }
      }
      o[k * n] = acc[k * n + t]
    }
    return LweCiphertext(storage: out)
  }

  /// Sample extraction of coefficient 0 of `scratch.acc` as an LWE ciphertext under the big key.
  func sampleExtract(_ scratch: BootstrapScratch) -> LweCiphertext { sampleExtract(scratch, coefficient: 0) }

  /// Bootstrap of an LWE ciphertext under the SMALL key: modulus switch, blind rotation and
  /// sample extraction. The result, under the big key, has phase `TV[μ]` (or `−TV[μ−N]`) for
  /// `μ = round(2N · phase / 2^64)`, plus fresh bootstrap noise.
  public func bootstrap(_ input: LweCiphertext, testPolynomial: TestPolynomial) -> LweCiphertext {
    let scratch = BootstrapScratch(glweSize: glweDimension.glweSize, polynomialSize: polynomialSize.rawValue,
                                   levels: levelCount.rawValue)
    return bootstrap(input, testPolynomial: testPolynomial, scratch: scratch)
  }

  func bootstrap(_ input: LweCiphertext, testPolynomial: TestPolynomial, scratch: BootstrapScratch) -> LweCiphertext {
    blindRotate(input, testPolynomial: testPolynomial, scratch: scratch)
    return sampleExtract(scratch)
  }

  func makeScratch() -> BootstrapScratch {
    BootstrapScratch(glweSize: glweDimension.glweSize, polynomialSize: polynomialSize.rawValue,
                     levels: levelCount.rawValue)
  }
}

/// The layout of a GGSW in the Fourier domain, as external products read it: the `N/2` complex
/// points in blocks of 8; per block, per output column, per row (`component·ℓ + level − 1`): 8
/// real parts, then 8 imaginary parts. The multiply-accumulate then reads the GGSW as one
/// sequential stream. (Row-major polynomials made it `2·(k+1)²·ℓ` streams at once, more than the
/// hardware prefetchers follow: half of a blind rotation went to waiting for those loads.)
/// Key files keep row-major polynomials (`deinterleave`), so their format does not depend on it.
enum FourierGgswLayout {
  static let block = 8

  /// Row-major polynomials (`src[(row·(k+1) + col)·N + q]`, `q < N/2` real parts, then imaginary
  /// parts) into the blocked layout.
  static func interleave(_ src: UnsafePointer<Double>, into dst: UnsafeMutablePointer<Double>, rows: Int, columns k1: Int, n: Int) {
    forEachRun(rows: rows, columns: k1, n: n) { rowMajor, blocked in (dst + blocked).update(from: src + rowMajor, count: block) }
  }

  /// The blocked layout back into row-major polynomials.
  static func deinterleave(_ src: UnsafePointer<Double>, into dst: UnsafeMutablePointer<Double>, rows: Int, columns k1: Int, n: Int) {
    forEachRun(rows: rows, columns: k1, n: n) { rowMajor, blocked in (dst + rowMajor).update(from: src + blocked, count: block) }
  }

  /// `body(rowMajorOffset, blockedOffset)` for every run of `block` doubles, in blocked order.
  @inline(__always)
  private static func forEachRun(rows: Int, columns k1: Int, n: Int, _ body: (Int, Int) -> Void) {
    let m = n / 2
    var blocked = 0
    for jb in stride(from: 0, to: m, by: block) {
      for col in 0..<k1 {
        for row in 0..<rows {
          let rowMajor = (row * k1 + col) * n + jb
          body(rowMajor, blocked)
          body(rowMajor + m, blocked + block)
          blocked += 2 * block
        }
      }
    }
  }
}

/// `scratch.acc ← scratch.acc + GGSW ⊡ G` for a GLWE ciphertext `G` whose component `c` the
/// closure writes into the buffer it is given (N words): the external product of TFHE, with the
/// GGSW in `FourierGgswLayout` (`(k+1)·ℓ` rows of `k+1` polynomials, row = component·ℓ + level − 1).
/// Shared by blind rotation, circuit bootstrapping and vertical packing; `scratch` must hold at
/// least `levels` digit polynomials per component.
@inline(__always)
func externalProductAdd(_ ggsw: UnsafePointer<Double>, glweSize k1: Int, polynomialSize n: Int, levels ell: Int,
                        decomposer dec: Decomposer, scratch: BootstrapScratch, plan: FourierPlan,
                        input: (Int, UnsafeMutablePointer<UInt64>) -> Void) {
  let m = n / 2
  let acc = scratch.acc, rot = scratch.rot, digits = scratch.digits, product = scratch.product
  let rowCount = k1 * ell
  let stride = BootstrapScratch.digitRowStride(n), im = BootstrapScratch.digitImaginaryOffset(n)
  // Decompose G, component by component, into folded digit polynomials.
  for c in 0..<k1 {
    input(c, rot)
    let base = digits + c * ell * stride
    plan.twistRe.withUnsafeBufferPointer { tr in
      plan.twistIm.withUnsafeBufferPointer { ti in
        dec.decomposeFolded(rot, half: m, into: base, stride: stride, imaginaryOffset: im,
                            twistRe: tr.baseAddress!, twistIm: ti.baseAddress!)
      }
    }
    for level in 0..<ell { plan.fft(base + level * stride, base + level * stride + im) }
  }
  // Fourier-domain multiply-accumulate: for 8 points at a time and each output column, sum
  // over the rows in registers (8 independent accumulators, one store per output vector); the
  // GGSW is read in order (`FourierGgswLayout`).
  var g = ggsw
  var j = 0
  while j < m {
    for col in 0..<k1 {
      var rr0 = SIMD4<Double>(), ii0 = SIMD4<Double>(), ri0 = SIMD4<Double>(), ir0 = SIMD4<Double>()
      var rr1 = SIMD4<Double>(), ii1 = SIMD4<Double>(), ri1 = SIMD4<Double>(), ir1 = SIMD4<Double>()
      for r in 0..<rowCount {
        let d = digits + r * stride + j
        let xr0 = load4(d), xi0 = load4(d + im), yr0 = load4(g), yi0 = load4(g + 8)
        let xr1 = load4(d + 4), xi1 = load4(d + im + 4), yr1 = load4(g + 4), yi1 = load4(g + 12)
        rr0 = rr0.addingProduct(xr0, yr0); ii0 = ii0.addingProduct(xi0, yi0)
        ri0 = ri0.addingProduct(xr0, yi0); ir0 = ir0.addingProduct(xi0, yr0)
        rr1 = rr1.addingProduct(xr1, yr1); ii1 = ii1.addingProduct(xi1, yi1)
        ri1 = ri1.addingProduct(xr1, yi1); ir1 = ir1.addingProduct(xi1, yr1)
        g += 16
      }
      let o = product + col * n + j
      store(rr0 - ii0, o); store(ri0 + ir0, o + m)
      store(rr1 - ii1, o + 4); store(ri1 + ir1, o + m + 4)
    }
    j += 8
  }
  for col in 0..<k1 { plan.backwardAdd(product + col * n, into: acc + col * n) }
}
