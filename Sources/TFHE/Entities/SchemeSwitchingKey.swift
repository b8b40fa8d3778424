/// GGSW encryptions of `−S_c`, each polynomial of the GLWE key negated, under that same key: the
/// external product of a GLWE encryption of `φ` with GGSW(`−S_c`) is a GLWE encryption of
/// `−S_c·φ` (a "scheme switch"). Circuit bootstrapping makes the mask rows of a GGSW this way
/// from its body row, instead of one packing key switch per row: `k` external products (about
/// 40 FFTs each) replace `k` key switches of `(kN+1)·ℓ·(k+1)·N` multiply-adds.
///
/// The price is noise: a mask row carries the body row's noise times the key, `−S_c·E`, and the
/// body row's packing-key noise `E` is a whole polynomial (not a scalar like the level's), so it
/// reaches the lookup output `N` times larger than a row of its own did. Packing keys with finer
/// digits keep it below the level noise (`WideLookupNoise`).
///
/// Layout: `k` GGSWs of `(k+1)·ℓ` rows × `(k+1)` polynomials in `FourierGgswLayout`, the
/// bootstrapping key's. Holds no secret (GLWE ciphertexts only).
public struct SchemeSwitchingKey: Sendable {
  public let glweDimension: GlweDimension
  public let polynomialSize: PolynomialSize
  public let baseLog: DecompositionBaseLog
  public let levelCount: DecompositionLevelCount
  public let data: AlignedDoubles

  public init(glweDimension: GlweDimension, polynomialSize: PolynomialSize, baseLog: DecompositionBaseLog,
              levelCount: DecompositionLevelCount, data: AlignedDoubles) {
    let k1 = glweDimension.glweSize
    precondition(data.count == glweDimension.rawValue * k1 * levelCount.rawValue * k1 * polynomialSize.rawValue,
                 "scheme-switching key has \(data.count) doubles, expected k·(k+1)·ℓ·(k+1)·N")
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
    self.baseLog = baseLog
    self.levelCount = levelCount
    self.data = data
  }

  /// Doubles of one GGSW.
  public var ggswStride: Int {
    let k1 = glweDimension.glweSize
    return k1 * levelCount.rawValue * k1 * polynomialSize.rawValue
  }

  public var byteCount: Int { data.count * 8 }

  /// Bytes of the key for these dimensions and decomposition.
  public static func byteCount(glweDimension k: Int, polynomialSize n: Int, levels: Int) -> Int {
    k * (k + 1) * levels * (k + 1) * n * 8
  }

  /// Generates the key for `glweKey` with fresh noise of integer standard deviation `noiseStdDev`.
  public init(glweKey: GlweSecretKey, baseLog: DecompositionBaseLog, levelCount: DecompositionLevelCount,
              noiseStdDev: Double, using rng: inout SecureRandom) {
    let n = glweKey.polynomialSize.rawValue, k = glweKey.glweDimension.rawValue, k1 = k + 1
    let ell = levelCount.rawValue, b = baseLog.rawValue
    let plan = FourierPlan.shared(for: n)
    let keyF = glweKey.fourierPolynomials(plan: plan)
    let stride = k1 * ell * k1 * n
    let bits = glweKey.bits
    var ct = [UInt64](repeating: 0, count: k1 * n)
    var scratch = [Double](repeating: 0, count: n)
    var limb = [UInt64](repeating: 0, count: n)
    let rowMajor = UnsafeMutablePointer<Double>.allocate(capacity: stride)
    defer { rowMajor.deallocate() }
    let data = AlignedDoubles(count: k * stride) { out in
      keyF.withUnsafeBufferPointer { kf in
        ct.withUnsafeMutableBufferPointer { t in
          scratch.withUnsafeMutableBufferPointer { sc in
            limb.withUnsafeMutableBufferPointer { l in
              for c in 0..<k {
                // Row (c', j) = encryption of 0 + M·2^64/B^j in component c', M = −S_c.
                for row in 0..<(k1 * ell) {
                  let component = row / ell, level = row % ell + 1
                  glweKey.encryptZero(into: t.baseAddress!, keyFourier: kf.baseAddress!, noiseStdDev: noiseStdDev,
                                      plan: plan, using: &rng, scratch: sc.baseAddress!, limb: l.baseAddress!)
                  let g: UInt64 = 1 << UInt64(64 - b * level)
                  for x in 0..<n where bits[c * n + x] != 0 { t[component * n + x] &-= g }
                  for col in 0..<k1 {
                    plan.forward(signed: t.baseAddress! + col * n, into: rowMajor + (row * k1 + col) * n)
                  }
                }
                FourierGgswLayout.interleave(rowMajor, into: out.baseAddress! + c * stride, rows: k1 * ell, columns: k1, n: n)
              }
            }
          }
        }
      }
    }
    self.init(glweDimension: glweKey.glweDimension, polynomialSize: glweKey.polynomialSize, baseLog: baseLog,
              levelCount: levelCount, data: data)
  }

  /// A scratch for `maskRow` (its digits hold `ℓ` levels).
  func makeScratch() -> BootstrapScratch {
    BootstrapScratch(glweSize: glweDimension.glweSize, polynomialSize: polynomialSize.rawValue, levels: levelCount.rawValue)
  }

  /// `scratch.acc ←` a GLWE encryption of `−S_c·φ` for the GLWE ciphertext `glwe` of phase `φ`
  /// (`(k+1)·N` words).
  func maskRow(_ glwe: UnsafePointer<UInt64>, component c: Int, scratch: BootstrapScratch) {
    precondition(c >= 0 && c < glweDimension.rawValue, "no key component \(c)")
    let n = polynomialSize.rawValue, k1 = glweDimension.glweSize
    scratch.acc.initialize(repeating: 0, count: k1 * n)
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    data.withUnsafeBufferPointer { d in
      externalProductAdd(d.baseAddress! + c * ggswStride, glweSize: k1, polynomialSize: n, levels: levelCount.rawValue,
                         decomposer: dec, scratch: scratch, plan: FourierPlan.shared(for: n)) { component, out in
        out.update(from: glwe + component * n, count: n)
      }
    }
  }

  /// A GLWE encryption of `−S_c·φ` for `glwe` of phase `φ`.
  public func maskRow(_ glwe: GlweCiphertext, component c: Int) -> GlweCiphertext {
    precondition(glwe.glweDimension == glweDimension && glwe.polynomialSize == polynomialSize,
                 "GLWE ciphertext does not match the scheme-switching key's (k, N)")
    let scratch = makeScratch()
    glwe.storage.withUnsafeBufferPointer { maskRow($0.baseAddress!, component: c, scratch: scratch) }
    return GlweCiphertext(storage: Array(UnsafeBufferPointer(start: scratch.acc, count: glwe.storage.count)),
                          glweDimension: glweDimension, polynomialSize: polynomialSize)
  }
}
