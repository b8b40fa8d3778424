import Foundation
import Dispatch

/// The packing key-switching key of circuit bootstrapping (Chillotti et al., TFHE §2.2): it turns
/// an LWE ciphertext under the big key into a GLWE ciphertext under the GLWE key whose phase is
/// the constant polynomial `φ` (the LWE phase) — the body row of a circuit-bootstrapped GGSW.
/// The mask rows (`−S_c·φ`) come from that row by a scheme switch (`SchemeSwitchingKey`), so
/// this key holds one map, not the `k + 1` of a private functional key switch.
///
/// Writing `φ = b − Σ a_i s_i = Σ_{i ≤ kN} a'_i·s'_i` with `a' = (a, b)` and `s' = (−s, 1)`, key
/// entry `(i, level)` is a GLWE encryption of the constant `s'_i·2^64/B^level`, so that
/// `Σ_i Σ_level digit_level(a'_i)·K[i][level]` encrypts `φ`.
///
/// Layout: `data[((i·ℓ + level − 1)·(k+1)·N) ..< +(k+1)·N]`. Holds no secret (GLWE ciphertexts
/// only). Size: `(kN+1)·ℓ·(k+1)·N` words.
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
    precondition(data.count == (inputLweDimension.rawValue + 1) * levelCount.rawValue * k1 * polynomialSize.rawValue,
                 "packing key-switching key has \(data.count) words, expected (kN+1)·ℓ·(k+1)·N")
    self.inputLweDimension = inputLweDimension
    self.glweDimension = glweDimension
    self.polynomialSize = polynomialSize
    self.baseLog = baseLog
    self.levelCount = levelCount
    self.data = data
  }

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
    let total = inputs * ell * words
    let plan = FourierPlan.shared(for: n)
    let keyF = glweKey.fourierPolynomials(plan: plan)
    let chunks = max(1, min(threads, inputs))
    let forks = (0..<chunks).map { _ in rng.fork() }
    let sBits = inputKey.bits
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
              for i in chunkRange(chunk, of: chunks, count: inputs) {
                // s'_i: −s_i for a mask coefficient, 1 for the body.
                let sPrime: Int64 = i < inputs - 1 ? -Int64(sBits[i]) : 1
                for level in 1...ell {
                  let ct = out.base + ((i * ell) + level - 1) * words
                  glweKey.encryptZero(into: ct, keyFourier: kf.baseAddress!, noiseStdDev: noiseStdDev, plan: plan,
                                      using: &r, scratch: sc.baseAddress!, limb: l.baseAddress!)
                  (ct + k * n)[0] &+= UInt64(bitPattern: sPrime) &* (1 << UInt64(64 - b * level))
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

  /// A GLWE encryption of the constant polynomial `φ`, the phase of `input` (under the big key).
  public func pack(_ input: LweCiphertext) -> GlweCiphertext {
    var storage = [UInt64](repeating: 0, count: glweWords)
    storage.withUnsafeMutableBufferPointer { packMany([input], into: [$0.baseAddress!]) }
    return GlweCiphertext(storage: storage, glweDimension: glweDimension, polynomialSize: polynomialSize)
  }

  /// `pack` of many inputs, as one product `digits × key` modulo 2^64.
  ///
  /// Each key word is split into two 32-bit limbs held as doubles. With digits of at most
  /// 2^(β−1) in magnitude, `flushRows` rows of limb products sum to less than 2^53, so the
  /// double-precision multiply-adds are exact; every `flushRows` rows the sums move into 64-bit
  /// integer totals (`lo + hi·2^32`, modulo 2^64). The key (too large for any cache) is read
  /// once: a tile of `tile` columns × `flushRows` rows is converted to limbs (it stays in L2),
  /// then `microKernel` multiplies it into the inputs six at a time, holding 6 inputs × 4
  /// columns × 2 limbs of sums in registers, so each loaded limb vector feeds six fused
  /// multiply-adds (the earlier one-input-at-a-time loop was bound by loads, at about half the
  /// multiply-add rate). `outputs[b]` receives `(k+1)·N` words for `inputs[b]`.
  func packMany(_ inputs: [LweCiphertext], into outputs: [UnsafeMutablePointer<UInt64>]) {
    precondition(inputs.count == outputs.count, "one output per input")
    let words = glweWords, ell = levelCount.rawValue, rows = (inputLweDimension.rawValue + 1) * ell
    let count = inputs.count
    if count == 0 { return }
    let tile = Self.tile, group = Self.inputGroup
    precondition(words % tile == 0, "GLWE size must be a multiple of \(tile) words")
    // Exactness: flushRows · 2^(β−1) · (2^32 − 1) < 2^53.
    let flushRows = 1 << max(0, 22 - baseLog.rawValue)
    precondition(baseLog.rawValue <= 22, "packing decomposition too wide for exact limbs (base 2^\(baseLog.rawValue))")
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    // Digits as doubles, row-major: digits[row·padded + b], row = i·ℓ + level − 1 (level 1 most
    // significant); inputs padded with zero digits to a multiple of the group size.
    let padded = (count + group - 1) / group * group
    var digits = [Double](repeating: 0, count: padded * rows)
    for (b, input) in inputs.enumerated() {
      precondition(input.dimension == inputLweDimension,
                   "packing key switch expects dimension \(inputLweDimension), got \(input.dimension)")
      for i in 0...inputLweDimension.rawValue {
        var state = dec.closest(input.storage[i])
        var level = ell
        while level >= 1 {
          digits[(i * ell + level - 1) * padded + b] = Double(dec.nextDigit(&state))
          level -= 1
        }
      }
    }
    // At most `maximumBlockRows` rows of limbs at once, so that they stay in L2.
    let blockRows = min(flushRows, rows, Self.maximumBlockRows)
    let limbs = UnsafeMutablePointer<Double>.allocate(capacity: blockRows * 2 * tile)
    let totals = UnsafeMutablePointer<UInt64>.allocate(capacity: padded * tile)
    defer { limbs.deallocate(); totals.deallocate() }
    data.withUnsafeBufferPointer { keyBuffer in
      digits.withUnsafeBufferPointer { digitBuffer in
        let key = keyBuffer.baseAddress!, dig = digitBuffer.baseAddress!
        for t in stride(from: 0, to: words, by: tile) {
          totals.initialize(repeating: 0, count: padded * tile)
          var r = 0
          while r < rows {
            let block = min(blockRows, rows - r)
            // Limbs of the tile's rows: per row, per 4 columns, [lo × 4, hi × 4].
            let m = SIMD4<UInt64>(repeating: 0xFFFF_FFFF), magic = SIMD4<UInt64>(repeating: 0x4330_0000_0000_0000)
            let two52 = SIMD4<Double>(repeating: 0x1p52)
            for q in 0..<block {
              let row = UnsafeRawPointer(key + (r + q) * words + t), l = limbs + q * 2 * tile
              var j = 0
              while j < tile {
                // (limb | bits of 2^52) − 2^52 is exact.
                let w = row.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<UInt64>.self)
                store(unsafeBitCast((w & m) | magic, to: SIMD4<Double>.self) - two52, l + 2 * j)
                store(unsafeBitCast((w &>> 32) | magic, to: SIMD4<Double>.self) - two52, l + 2 * j + 4)
                j += 4
              }
            }
            for g in stride(from: 0, to: padded, by: group) {
              for j in stride(from: 0, to: tile, by: 4) {
                Self.microKernel(limbs: limbs + 2 * j, rowStride: 2 * tile, digits: dig + r * padded + g,
                                 digitStride: padded, rows: block, totals: totals + g * tile + j, totalStride: tile)
              }
            }
            r += block
          }
          for b in 0..<count { (outputs[b] + t).update(from: totals + b * tile, count: tile) }
        }
      }
    }
  }

  /// Six inputs × four columns of `packMany`: `totals[m·totalStride + col] += Σ_q digit(q, m) ·
  /// (lo + hi·2^32)(q, col)` over `rows` rows, the double sums exact (see `packMany`).
  @inline(__always)
  static func microKernel(limbs: UnsafePointer<Double>, rowStride: Int, digits: UnsafePointer<Double>, digitStride: Int,
                          rows: Int, totals: UnsafeMutablePointer<UInt64>, totalStride: Int) {
    var lo0 = SIMD4<Double>(), hi0 = SIMD4<Double>(), lo1 = SIMD4<Double>(), hi1 = SIMD4<Double>()
    var lo2 = SIMD4<Double>(), hi2 = SIMD4<Double>(), lo3 = SIMD4<Double>(), hi3 = SIMD4<Double>()
    var lo4 = SIMD4<Double>(), hi4 = SIMD4<Double>(), lo5 = SIMD4<Double>(), hi5 = SIMD4<Double>()
    var l = limbs, d = digits
    for _ in 0..<rows {
      let lo = load4(l), hi = load4(l + 4)
      var v = SIMD4<Double>(repeating: d[0])
      lo0 = lo0.addingProduct(v, lo); hi0 = hi0.addingProduct(v, hi)
      v = SIMD4<Double>(repeating: d[1])
      lo1 = lo1.addingProduct(v, lo); hi1 = hi1.addingProduct(v, hi)
      v = SIMD4<Double>(repeating: d[2])
      lo2 = lo2.addingProduct(v, lo); hi2 = hi2.addingProduct(v, hi)
      v = SIMD4<Double>(repeating: d[3])
      lo3 = lo3.addingProduct(v, lo); hi3 = hi3.addingProduct(v, hi)
      v = SIMD4<Double>(repeating: d[4])
      lo4 = lo4.addingProduct(v, lo); hi4 = hi4.addingProduct(v, hi)
      v = SIMD4<Double>(repeating: d[5])
      lo5 = lo5.addingProduct(v, lo); hi5 = hi5.addingProduct(v, hi)
      l += rowStride
      d += digitStride
    }
    @inline(__always) func add(_ lo: SIMD4<Double>, _ hi: SIMD4<Double>, _ out: UnsafeMutablePointer<UInt64>) {
      for j in 0..<4 {
        out[j] = out[j] &+ UInt64(bitPattern: Int64(lo[j])) &+ (UInt64(bitPattern: Int64(hi[j])) << 32)
      }
    }
    add(lo0, hi0, totals)
    add(lo1, hi1, totals + totalStride)
    add(lo2, hi2, totals + 2 * totalStride)
    add(lo3, hi3, totals + 3 * totalStride)
    add(lo4, hi4, totals + 4 * totalStride)
    add(lo5, hi5, totals + 5 * totalStride)
  }

  /// Columns per tile of `packMany` (the tile's limbs for `flushRows` rows stay in L2).
  static let tile = 64
  /// Inputs per `microKernel` call.
  static let inputGroup = 6
  /// Rows of limbs converted at once: `maximumBlockRows × 2·tile` doubles (256 KB).
  static let maximumBlockRows = 256
}
