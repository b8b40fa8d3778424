import Foundation
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

  /// A GLWE encryption of `f_c(φ)` for the LWE ciphertext `input` (under the big key) of phase `φ`.
  public func pack(_ input: LweCiphertext, function c: Int) -> GlweCiphertext {
    var storage = [UInt64](repeating: 0, count: glweWords)
    storage.withUnsafeMutableBufferPointer { packMany([input], function: c, into: [$0.baseAddress!]) }
    return GlweCiphertext(storage: storage, glweDimension: glweDimension, polynomialSize: polynomialSize)
  }

  /// `pack` of many inputs with the same function, as one product `digits × key` modulo 2^64.
  ///
  /// Each key word is split into two 32-bit limbs held as doubles. With digits of at most
  /// 2^(β−1) in magnitude, `flushRows` rows of limb products sum to less than 2^53, so the
  /// double-precision multiply-adds are exact; every `flushRows` rows the two sums move into a
  /// 64-bit integer accumulator (`lo + hi·2^32`, modulo 2^64). Columns are processed in tiles so
  /// that the accumulators of all inputs stay in cache while the key (too large for any cache)
  /// is read once, and eight rows are applied per accumulator update.
  /// `outputs[b]` receives `(k+1)·N` words for `inputs[b]`.
  func packMany(_ inputs: [LweCiphertext], function c: Int, into outputs: [UnsafeMutablePointer<UInt64>]) {
    precondition(inputs.count == outputs.count, "one output per input")
    precondition(c >= 0 && c < functionCount, "no packing function \(c)")
    let words = glweWords, ell = levelCount.rawValue, rows = (inputLweDimension.rawValue + 1) * ell
    let count = inputs.count
    precondition(words % Self.tile == 0, "GLWE size must be a multiple of \(Self.tile) words")
    // Exactness: flushRows · 2^(β−1) · (2^32 − 1) < 2^53.
    let flushRows = ((1 << max(0, 22 - baseLog.rawValue)) / Self.rowBlock) * Self.rowBlock
    precondition(flushRows >= Self.rowBlock, "packing decomposition too wide for exact limbs (base 2^\(baseLog.rawValue))")
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    // Digits of every input word as doubles, row = i·ℓ + level − 1 (level 1 most significant).
    var digits = [Double](repeating: 0, count: count * rows)
    for (b, input) in inputs.enumerated() {
      precondition(input.dimension == inputLweDimension,
                   "packing key switch expects dimension \(inputLweDimension), got \(input.dimension)")
      for i in 0...inputLweDimension.rawValue {
        var state = dec.closest(input.storage[i])
        var level = ell
        while level >= 1 {
          digits[b * rows + i * ell + level - 1] = Double(dec.nextDigit(&state))
          level -= 1
        }
      }
    }
    let tile = Self.tile
    let accumulators = UnsafeMutablePointer<Double>.allocate(capacity: count * 2 * tile)
    let totals = UnsafeMutablePointer<UInt64>.allocate(capacity: count * tile)
    let limbs = UnsafeMutablePointer<Double>.allocate(capacity: Self.rowBlock * 2 * tile)
    defer { accumulators.deallocate(); totals.deallocate(); limbs.deallocate() }
    let stride2 = 2 * tile
    /// Moves the exact double sums into the integer totals.
    func flush() {
      for b in 0..<count {
        let acc = accumulators + b * stride2, total = totals + b * tile
        for j in 0..<tile {
          let lo = UInt64(bitPattern: Int64(acc[j])), hi = UInt64(bitPattern: Int64(acc[tile + j]))
          total[j] = total[j] &+ lo &+ (hi << 32)
        }
      }
      accumulators.initialize(repeating: 0, count: count * stride2)
    }
    data.withUnsafeBufferPointer { keyBuffer in
      digits.withUnsafeBufferPointer { digitBuffer in
        let key = keyBuffer.baseAddress! + c * rows * words, dig = digitBuffer.baseAddress!
        for t in stride(from: 0, to: words, by: tile) {
          accumulators.initialize(repeating: 0, count: count * stride2)
          totals.initialize(repeating: 0, count: count * tile)
          var r = 0, sinceFlush = 0
          while r < rows {
            let block = min(Self.rowBlock, rows - r)
            for q in 0..<Self.rowBlock {
              let l = limbs + q * stride2
              if q < block {
                // Limbs to doubles with the 2^52 trick: (limb | bits of 2^52) − 2^52 is exact.
                let row = UnsafeRawPointer(key + (r + q) * words + t)
                let m = SIMD4<UInt64>(repeating: 0xFFFF_FFFF), magic = SIMD4<UInt64>(repeating: 0x4330_0000_0000_0000)
                let two52 = SIMD4<Double>(repeating: 0x1p52)
                var j = 0
                while j < tile {
                  let w = row.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<UInt64>.self)
                  store(unsafeBitCast((w & m) | magic, to: SIMD4<Double>.self) - two52, l + j)
                  store(unsafeBitCast((w &>> 32) | magic, to: SIMD4<Double>.self) - two52, l + tile + j)
                  j += 4
                }
              } else {
                l.initialize(repeating: 0, count: stride2)
              }
            }
            // Eight rows per accumulator update, in two independent multiply-add chains.
            for b in 0..<count {
              let d = dig + b * rows + r
              @inline(__always) func digit(_ q: Int) -> SIMD4<Double> { SIMD4(repeating: q < block ? d[q] : 0) }
              let v0 = digit(0), v1 = digit(1), v2 = digit(2), v3 = digit(3)
              let v4 = digit(4), v5 = digit(5), v6 = digit(6), v7 = digit(7)
              let acc = accumulators + b * stride2
              var j = 0
              while j < stride2 {
                let x = load4(acc + j).addingProduct(v0, load4(limbs + j)).addingProduct(v1, load4(limbs + stride2 + j))
                  .addingProduct(v2, load4(limbs + 2 * stride2 + j)).addingProduct(v3, load4(limbs + 3 * stride2 + j))
                let y = (v4 * load4(limbs + 4 * stride2 + j)).addingProduct(v5, load4(limbs + 5 * stride2 + j))
                  .addingProduct(v6, load4(limbs + 6 * stride2 + j)).addingProduct(v7, load4(limbs + 7 * stride2 + j))
                store(x + y, acc + j)
                j += 4
              }
            }
            r += Self.rowBlock
            sinceFlush += Self.rowBlock
            if sinceFlush == flushRows {
              flush()
              sinceFlush = 0
            }
          }
          flush()
          for b in 0..<count { (outputs[b] + t).update(from: totals + b * tile, count: tile) }
        }
      }
    }
  }

  /// Columns per tile of `packMany` (all inputs' accumulators for a tile stay in L2).
  static let tile = 64
  /// Key rows applied per accumulator update.
  static let rowBlock = 8
}
