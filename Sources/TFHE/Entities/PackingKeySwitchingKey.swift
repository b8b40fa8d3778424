import Dispatch

/// Private functional packing key-switching keys (Chillotti et al., TFHE §2.2; Concrete's
/// "packing keyswitch" of the WoP-PBS): they turn an LWE ciphertext under the big key into a GLWE
/// ciphertext under the GLWE key whose phase polynomial is `f(φ)`, `φ` the LWE phase, for the
/// `k + 1` linear maps circuit bootstrapping needs to build a GGSW row by row:
/// `f_c(φ) = −S_c·φ` for mask row `c < k` and `f_k(φ) = φ` (a constant polynomial) for the body row.
///
/// Writing `φ = b − Σ a_i s_i = Σ_{i ≤ kN} a'_i·s'_i` with `a' = (a, b)` and `s' = (−s, 1)`, key
/// entry `(c, i, level)` is a GLWE encryption of `f_c(s'_i)·2^64/B^level`, so that
/// `Σ_i Σ_level digit_level(a'_i)·K[c][i][level]` encrypts `f_c(φ)` (`f_c` is linear).
///
/// Layout: `data[(((c·(kN+1) + i)·ℓ + level − 1)·(k+1)·N) ..< +(k+1)·N]`. Holds no secret
/// (GLWE ciphertexts only). Size: `(k+1)·(kN+1)·ℓ·(k+1)·N` words, Concrete's packing-key size.
public struct PackingKeySwitchingKey: Sendable {
  /// Dimension `kN` of the input LWE key (the big key).
  public let inputLweDimension: LweDimension
  public let glweDimension: GlweDimension
  public let polynomialSize: PolynomialSize
  public let baseLog: DecompositionBaseLog
  public let levelCount: DecompositionLevelCount
  public let data: [UInt64]

  public init(inputLweDimension: LweDimension, glweDimension: GlweDimension, polynomialSize: PolynomialSize,
              baseLog: DecompositionBaseLog, levelCount: DecompositionLevelCount, data: [UInt64]) {
    let k1 = glweDimension.glweSize
    precondition(data.count == k1 * (inputLweDimension.rawValue + 1) * levelCount.rawValue * k1 * polynomialSize.rawValue,
                 "packing key-switching key has \(data.count) words, expected (k+1)·(kN+1)·ℓ·(k+1)·N")
    self.inputLweDimension = inputLweDimension
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
    self.baseLog = baseLog
    self.levelCount = levelCount
    self.data = data
  }

  /// Number of maps (`k + 1`: one per GGSW component).
  public var functionCount: Int { glweDimension.glweSize }
  public var byteCount: Int { data.count * 8 }
  var glweWords: Int { glweDimension.glweSize * polynomialSize.rawValue }

  /// Generates the keys for `inputKey` (the big LWE key, i.e. `glweKey` read flat) with fresh
  /// noise of integer standard deviation `noiseStdDev` under `glweKey`.
  public init(inputKey: LweSecretKey, glweKey: GlweSecretKey, baseLog: DecompositionBaseLog,
              levelCount: DecompositionLevelCount, noiseStdDev: Double,
              using rng: inout SecureRandom, threads: Int = defaultThreadCount) {
    let n = glweKey.polynomialSize.rawValue, k = glweKey.glweDimension.rawValue, k1 = k + 1
    let inputs = inputKey.dimension.rawValue + 1, ell = levelCount.rawValue, b = baseLog.rawValue
    let words = k1 * n
    let total = k1 * inputs * ell * words
    let plan = FourierPlan.shared(for: n)
    let keyF = glweKey.fourierPolynomials(plan: plan)
    let chunks = max(1, min(threads, k1 * inputs))
    let forks = (0..<chunks).map { _ in rng.fork() }
    let sBits = inputKey.bits, glweBits = glweKey.bits
    let data = [UInt64](unsafeUninitializedCapacity: total) { buffer, initialized in
      adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: total * 8)
      let out = SharedPointer(base: buffer.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var r = forks[chunk]
        var scratch = [Double](repeating: 0, count: n)
        var limb = [UInt64](repeating: 0, count: n)
        keyF.withUnsafeBufferPointer { kf in
          scratch.withUnsafeMutableBufferPointer { sc in
            limb.withUnsafeMutableBufferPointer { l in
              for flat in chunkRange(chunk, of: chunks, count: k1 * inputs) {
                let c = flat / inputs, i = flat % inputs
                // s'_i: −s_i for a mask coefficient, 1 for the body.
                let sPrime: Int64 = i < inputs - 1 ? -Int64(sBits[i]) : 1
                for level in 1...ell {
                  let ct = out.base + ((flat * ell) + level - 1) * words
                  glweKey.encryptZero(into: ct, keyFourier: kf.baseAddress!, noiseStdDev: noiseStdDev, plan: plan,
                                      using: &r, scratch: sc.baseAddress!, limb: l.baseAddress!)
                  if sPrime == 0 { continue }
                  let g = UInt64(bitPattern: sPrime) &* (1 << UInt64(64 - b * level))
                  let body = ct + k * n
                  if c == k {
                    body[0] &+= g                                   // f_k(s') = s'
                  } else {
                    for j in 0..<n where glweBits[c * n + j] != 0 { body[j] &-= g }  // f_c(s') = −S_c·s'
                  }
                }
              }
            }
          }
        }
      }
      initialized = total
    }
    self.init(inputLweDimension: inputKey.dimension, glweDimension: glweKey.glweDimension,
              polynomialSize: glweKey.polynomialSize, baseLog: baseLog, levelCount: levelCount, data: data)
  }

  /// Writes into `out` (`(k+1)·N` words) a GLWE encryption of `f_c(φ)` for the LWE ciphertext
  /// `input` (under the big key) of phase `φ`.
  func pack(_ input: LweCiphertext, function c: Int, into out: UnsafeMutablePointer<UInt64>) {
    precondition(input.dimension == inputLweDimension,
                 "packing key switch expects dimension \(inputLweDimension), got \(input.dimension)")
    precondition(c >= 0 && c < functionCount, "no packing function \(c)")
    let words = glweWords, ell = levelCount.rawValue, inputs = inputLweDimension.rawValue + 1
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    for j in 0..<words { out[j] = 0 }
    data.withUnsafeBufferPointer { keyBuffer in
      input.storage.withUnsafeBufferPointer { a in
        let key = keyBuffer.baseAddress! + c * inputs * ell * words
        for i in 0..<inputs {
          var state = dec.closest(a[i])
          // Digits come least significant first, i.e. level ℓ first.
          var level = ell
          while level >= 1 {
            let d = dec.nextDigit(&state)
            if d != 0 {
              let row = key + (i * ell + level - 1) * words
              let v = UInt64(bitPattern: d)
              for j in 0..<words { out[j] &+= row[j] &* v }
            }
            level -= 1
          }
        }
      }
    }
  }

  /// `pack` into a new GLWE ciphertext.
  public func pack(_ input: LweCiphertext, function c: Int) -> GlweCiphertext {
    var storage = [UInt64](repeating: 0, count: glweWords)
    storage.withUnsafeMutableBufferPointer { pack(input, function: c, into: $0.baseAddress!) }
    return GlweCiphertext(storage: storage, glweDimension: glweDimension, polynomialSize: polynomialSize)
  }

  /// `pack` of many inputs with the same function: each key row is read once for all of them
  /// (the key, 0.1–0.3 GB per function, is far larger than the caches; one input per pass
  /// would be memory-bound). `outputs[b]` receives `(k+1)·N` words for `inputs[b]`.
  func packMany(_ inputs: [LweCiphertext], function c: Int, into outputs: [UnsafeMutablePointer<UInt64>]) {
    precondition(inputs.count == outputs.count, "one output per input")
    precondition(c >= 0 && c < functionCount, "no packing function \(c)")
    let words = glweWords, ell = levelCount.rawValue, rows = inputLweDimension.rawValue + 1
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    // Digits of every input word, level 1 (most significant) first.
    var digits = [Int64](repeating: 0, count: inputs.count * rows * ell)
    for (b, input) in inputs.enumerated() {
      precondition(input.dimension == inputLweDimension,
                   "packing key switch expects dimension \(inputLweDimension), got \(input.dimension)")
      for i in 0..<rows {
        var state = dec.closest(input.storage[i])
        var level = ell
        while level >= 1 {
          digits[(b * rows + i) * ell + level - 1] = dec.nextDigit(&state)
          level -= 1
        }
      }
    }
    for out in outputs { out.initialize(repeating: 0, count: words) }
    precondition(words % 4 == 0, "GLWE size must be a multiple of 4 words")
    data.withUnsafeBufferPointer { keyBuffer in
      let key = keyBuffer.baseAddress! + c * rows * ell * words
      for i in 0..<rows {
        for level in 0..<ell {
          let row = UnsafeRawPointer(key + (i * ell + level) * words)
          for (b, out) in outputs.enumerated() {
            let d = digits[(b * rows + i) * ell + level]
            if d == 0 { continue }
            let v = SIMD4<UInt64>(repeating: UInt64(bitPattern: d))
            let o = UnsafeMutableRawPointer(out)
            var j = 0
            while j < words {
              let offset = j * 8
              let r = row.loadUnaligned(fromByteOffset: offset, as: SIMD4<UInt64>.self)
              let x = o.loadUnaligned(fromByteOffset: offset, as: SIMD4<UInt64>.self)
              o.storeBytes(of: x &+ r &* v, toByteOffset: offset, as: SIMD4<UInt64>.self)
              j += 4
            }
          }
        }
      }
    }
  }
}
