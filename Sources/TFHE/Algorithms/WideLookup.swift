import Dispatch
import Foundation

/// Exact table lookups on wide (9–16-bit) native ciphertexts, without padding-bit tricks or large
/// polynomials: the "WoP-PBS" of Carpov–Izabachène–Mollimard / Concrete, on a native encoding.
///
/// 1. **Bit extraction**: bit `i` of the `w`-bit message is moved to the padding position (times
///    `2^(w−i)`; lower bits were already removed, higher bits leave modulo 2^64) and read by
///    bootstraps with constant test polynomials; the bit is subtracted before the next one.
/// 2. **Circuit bootstrapping**: from the same key-switched input, `ℓ_cb` bootstraps give LWE
///    encryptions of `bit·2^64/B^j`; the packing key switch turns each into the body row of a GGSW
///    encryption of the bit (`PackingKeySwitchingKey`), and an external product with GGSW(`−S_c`)
///    makes mask row `c` from it (`SchemeSwitchingKey`).
/// 3. **Vertical packing**: the table is cut into polynomials of `N` entries; a CMux tree over the
///    high bits selects one, a blind rotation by `X^(−2^i)` for each low bit brings entry `x` to
///    coefficient 0, which is sample-extracted. Rotations are by exact powers of `X` (the GGSWs
///    are noisy, the exponents are not), so a table of `2^w` entries needs no `N ≥ 2^(w+1)`.
///
/// Cost for `w` bits: `w` key switches and blind rotations (one multi-value bootstrap per bit),
/// `w·ℓ_cb` packing key switches and `w·ℓ_cb·k` scheme switches, `2^(w − log2 N) − 1 + min(w, log2 N)`
/// external products.
public struct WideLookupParameters: Hashable, Sendable {
  /// At most `maximumPackingBaseLog`: the packing key switch's exact double-precision sums
  /// need digits below 2^18 (`PackingKeySwitchingKey.packMany`).
  public var packingBaseLog: DecompositionBaseLog
  public var packingLevel: DecompositionLevelCount
  /// Variance of the fresh noise of the packing and scheme-switching keys (under the GLWE key).
  public var packingNoiseVariance: Double
  public var circuitBootstrapBaseLog: DecompositionBaseLog
  public var circuitBootstrapLevel: DecompositionLevelCount
  /// Bits read at a scale of `2^cleanDecisionScaleLog` or more (the low bits of a wide input:
  /// bit `i` of `w` is scaled by `2^(w−i)`, and its noise with it) are first decided by a plain
  /// one-bit bootstrap, whose margin is a quarter of the torus, before the multi-value bootstrap
  /// (margin `1/(4(ℓ_cb+1))`) reads the levels from its clean output: one more blind rotation for
  /// such a bit, and an input up to `ℓ_cb + 1` times noisier. 64: never.
  public var cleanDecisionScaleLog: Int
  /// Decomposition of the scheme switch (`SchemeSwitchingKey`): fine enough that its rounding,
  /// multiplied by the key, stays far below the rows' other noise.
  public var schemeSwitchingBaseLog: DecompositionBaseLog
  public var schemeSwitchingLevel: DecompositionLevelCount

  public init(packingBaseLog: Int, packingLevel: Int, packingNoiseVariance: Double,
              circuitBootstrapBaseLog: Int, circuitBootstrapLevel: Int, cleanDecisionScaleLog: Int = 64,
              schemeSwitchingBaseLog: Int = 9, schemeSwitchingLevel: Int = 5) {
    precondition(packingBaseLog * packingLevel < 64 && circuitBootstrapBaseLog * circuitBootstrapLevel < 64
                   && schemeSwitchingBaseLog * schemeSwitchingLevel < 64,
                 "decomposition must keep fewer than 64 bits")
    precondition(packingLevel >= 1 && circuitBootstrapLevel >= 1 && schemeSwitchingLevel >= 1 && schemeSwitchingBaseLog >= 1,
                 "decompositions need at least one level")
    self.schemeSwitchingBaseLog = DecompositionBaseLog(schemeSwitchingBaseLog)
    self.schemeSwitchingLevel = DecompositionLevelCount(schemeSwitchingLevel)
    precondition(packingBaseLog <= Self.maximumPackingBaseLog, "packing base 2^\(packingBaseLog) is over 2^\(Self.maximumPackingBaseLog)")
    self.packingBaseLog = DecompositionBaseLog(packingBaseLog)
    self.packingLevel = DecompositionLevelCount(packingLevel)
    self.packingNoiseVariance = packingNoiseVariance
    self.circuitBootstrapBaseLog = DecompositionBaseLog(circuitBootstrapBaseLog)
    self.circuitBootstrapLevel = DecompositionLevelCount(circuitBootstrapLevel)
    precondition((1...64).contains(cleanDecisionScaleLog), "cleanDecisionScaleLog must be in 1...64, got \(cleanDecisionScaleLog)")
    self.cleanDecisionScaleLog = cleanDecisionScaleLog
  }

  /// Bits of a `w`-bit input that take a clean decision first (`cleanDecisionScaleLog`).
  public func cleanDecisions(bits w: Int) -> Int { max(0, min(w, w - cleanDecisionScaleLog + 1)) }

  public static let maximumPackingBaseLog = 19
}

/// A GGSW ciphertext in the Fourier layout of the bootstrapping key.
public struct FourierGgsw: Sendable {
  public let data: AlignedDoubles
  public let levels: DecompositionLevelCount
  public let baseLog: DecompositionBaseLog
}

/// Evaluation keys for wide lookups: the classic server key (key switch + bootstraps of the bit
/// extraction and circuit bootstrapping), the packing key and the scheme-switching key. No
/// secret material.
public final class WideLookupKey: Sendable {
  public let server: ServerKey
  public let packing: PackingKeySwitchingKey
  public let schemeSwitching: SchemeSwitchingKey
  public let parameters: WideLookupParameters
  /// Tables up to this width stay classic bootstraps (`WideLookupNoise.classicLookupMaxWidth`).
  public let classicLookupMaxWidth: Int

  public init(server: ServerKey, packing: PackingKeySwitchingKey, schemeSwitching: SchemeSwitchingKey,
              parameters: WideLookupParameters) {
    precondition(packing.glweDimension == server.parameters.glweDimension
                   && packing.polynomialSize == server.parameters.polynomialSize
                   && packing.inputLweDimension == server.parameters.bigLweDimension,
                 "packing key does not match the server key's GLWE parameters")
    precondition(packing.baseLog == parameters.packingBaseLog && packing.levelCount == parameters.packingLevel,
                 "packing key does not match the wide-lookup parameters")
    precondition(schemeSwitching.glweDimension == server.parameters.glweDimension
                   && schemeSwitching.polynomialSize == server.parameters.polynomialSize
                   && schemeSwitching.baseLog == parameters.schemeSwitchingBaseLog
                   && schemeSwitching.levelCount == parameters.schemeSwitchingLevel,
                 "scheme-switching key does not match the server key or the wide-lookup parameters")
    self.server = server
    self.packing = packing
    self.schemeSwitching = schemeSwitching
    self.parameters = parameters
    classicLookupMaxWidth = WideLookupNoise(classic: server.parameters, wide: parameters).classicLookupMaxWidth
  }

  /// Blind rotations of one `w`-bit lookup: one per bit, two for a bit decided clean first.
  public func bootstraps(bits w: Int) -> Int { w + parameters.cleanDecisions(bits: w) }

  var polynomialSize: Int { server.parameters.polynomialSize.rawValue }
  var glweSize: Int { server.parameters.glweDimension.glweSize }

  /// `table[x]` for the `w`-bit message `x` of `input` (native encoding under the big key,
  /// `x·2^(63−w)`; a signed message is read as its `w` low bits, two's complement). `table`
  /// holds `2^w` output phases (e.g. `value·Δ_q`). The result is under the big key.
  public func lookup(_ input: LweCiphertext, inputBits w: Int, outputPhases table: [UInt64]) -> LweCiphertext {
    precondition(w >= 1 && w <= 20, "wide lookups take 1...20 input bits, got \(w)")
    precondition(table.count == 1 << w, "a \(w)-bit table has \(1 << w) entries, got \(table.count)")
    return verticalPacking(table, bits: bitsAsGgsw(input, bits: w))
  }

  /// Many independent lookups (`lookup`), spread over `threads` threads: `tables[tableIndex[i]]`
  /// for `inputs[i]` (`tableIndex` defaults to all zeros); `finished` is called after each one.
  /// Each worker takes groups of up to `groupSize` inputs whose bit extractions run in lockstep
  /// (`bitLevelsMany`). Results do not depend on the thread count or the grouping.
  public func lookupBatch(_ inputs: [LweCiphertext], inputBits w: Int, tables: [[UInt64]], tableIndex: [Int]? = nil,
                          threads: Int = defaultThreadCount, finished: (@Sendable () -> Void)? = nil) -> [LweCiphertext] {
    precondition(w >= 1 && w <= 20, "wide lookups take 1...20 input bits, got \(w)")
    precondition(!tables.isEmpty || inputs.isEmpty, "lookupBatch needs at least one table")
    precondition(tables.allSatisfy { $0.count == 1 << w }, "a \(w)-bit table has \(1 << w) entries")
    if let t = tableIndex {
      precondition(t.count == inputs.count && t.allSatisfy { $0 >= 0 && $0 < tables.count }, "tableIndex does not match the inputs and tables")
    }
    let count = inputs.count
    if count == 0 { return [] }
    let workers = max(1, min(threads, count))
    let group = max(1, min(Self.groupSize, (count + workers - 1) / workers))
    let groups = (count + group - 1) / group
    let slots = UnsafeMutableBufferPointer<LweCiphertext>.allocate(capacity: count)
    defer { slots.deallocate() }
    let out = SharedPointer(base: slots.baseAddress!)
    let next = WorkCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let scratches = (0..<group).map { _ in server.bootstrapKey.makeScratch() }
      while true {
        let g = next.take()
        if g >= groups { break }
        let range = (g * group)..<min(count, (g + 1) * group)
        let levels = bitLevelsMany(Array(inputs[range]), bits: w, scratches: scratches)
        for (j, i) in range.enumerated() {
          let bits = circuitBootstrap(levels: levels[j], bits: w)
          (out.base + i).initialize(to: verticalPacking(tables[tableIndex?[i] ?? 0], bits: bits))
          finished?()
        }
      }
    }
    let result = Array(slots)
    _ = slots.baseAddress!.deinitialize(count: count)
    return result
  }

  /// Inputs whose bit extractions `lookupBatch` runs in lockstep. A lone blind rotation streams
  /// the whole bootstrapping key from memory (380 MB with 7 levels at k = 2, N = 1024); a group
  /// shares each read. (Sharing the packing key switch pass too, over the group's ~1,150 level
  /// ciphertexts, measured no faster: its digits then outgrow the caches.)
  public static let groupSize = 8

  /// Bit extraction and circuit bootstrapping: GGSW encryptions of the `w` message bits of
  /// `input`, least significant first.
  ///
  /// Each bit costs one key switch and one blind rotation: the decision is one bit wide, so the
  /// test polynomial holds `m = ℓ_cb + 1` windows of `N/m` coefficients (the circuit-bootstrap
  /// levels `∓g_j/2` and `∓2^(62−w+i)` for the subtraction) and `m` sample extractions at
  /// coefficients `j·N/m` read them all (a multi-value bootstrap). The input is offset to the
  /// middle of the first window, so a rotation error of up to `N/(2m)` coefficients is harmless.
  public func bitsAsGgsw(_ input: LweCiphertext, bits w: Int) -> [FourierGgsw] {
    circuitBootstrap(levels: bitLevels(input, bits: w), bits: w)
  }

  /// The bit extraction of `bitsAsGgsw`: LWE encryptions (under the big key) of
  /// `bit_i·2^64/B^j`, `levels[i·ℓ_cb + j − 1]`, for the `w` bits of `input`, least significant first.
  public func bitLevels(_ input: LweCiphertext, bits w: Int) -> [LweCiphertext] {
    bitLevelsMany([input], bits: w)[0]
  }

  /// `bitLevels` of several inputs in lockstep: the key switches and blind rotations of bit `i`
  /// run for the whole group at once (`keySwitchMany`, `blindRotateMany`), so the keys are read
  /// from memory once per group. Each result is bit-for-bit what `bitLevels` gives alone.
  public func bitLevelsMany(_ inputs: [LweCiphertext], bits w: Int) -> [[LweCiphertext]] {
    bitLevelsMany(inputs, bits: w, scratches: inputs.map { _ in server.bootstrapKey.makeScratch() })
  }

  /// `lsbPosition`: bit 0 of the message weighs `2^lsbPosition` in the phase (native: `63 − w`,
  /// under one padding bit; a residue modulo `2^w` of a CRT value: `64 − w`, no padding). Bit `i`
  /// is read after scaling by `2^(63 − lsbPosition − i)`.
  func bitLevelsMany(_ inputs: [LweCiphertext], bits w: Int, lsbPosition: Int? = nil, scratches: [BootstrapScratch]) -> [[LweCiphertext]] {
    precondition(w >= 1 && w <= 20, "wide lookups take 1...20 input bits, got \(w)")
    let lsb = lsbPosition ?? 63 - w
    precondition(lsb + w <= 64 && lsb >= 1, "bits \(lsb)..<\(lsb + w) do not fit a 64-bit phase")
    precondition(scratches.count >= inputs.count, "one scratch per input")
    let ell = parameters.circuitBootstrapLevel.rawValue, beta = parameters.circuitBootstrapBaseLog.rawValue
    let n = polynomialSize, logN = server.parameters.polynomialSize.log2
    let levelHalves = (1...ell).map { j -> UInt64 in 1 << UInt64(63 - beta * j) }
    let windows = ell + 1, width = n / windows
    let offset = UInt64(width) << UInt64(62 - logN)  // μ = width/2 on the 2N grid
    let bsk = server.bootstrapKey, ksk = server.keySwitchingKey
    let count = inputs.count
    var rest = inputs
    var levels = [[LweCiphertext]](repeating: [], count: count)
    for b in 0..<count { levels[b].reserveCapacity(w * ell) }
    let quarter: UInt64 = 1 << 62
    let sign = [TestPolynomial](repeating: TestPolynomial(coefficients: [UInt64](repeating: 0 &- quarter, count: n)),
                                count: count)
    for i in 0..<w {
      let subtractHalf: UInt64 = 1 << UInt64(lsb + i - 1)
      let scaleLog = 63 - lsb - i
      let halves = levelHalves + [subtractHalf]
      var tv = [UInt64](repeating: 0, count: n)
      for x in 0..<n { tv[x] = 0 &- halves[min(x / width, windows - 1)] }
      var tops = rest.map { $0.multiplied(by: Int64(1) << Int64(scaleLog)) }
      if scaleLog >= parameters.cleanDecisionScaleLog {
        // bit·1/2 + 1/4 reads −1/4 or +1/4 from a constant polynomial; + 1/4 gives bit·1/2, clean.
        bsk.blindRotateMany(ksk.keySwitchMany(tops.map { $0.adding(plaintext: quarter) }), testPolynomials: sign,
                            scratches: scratches)
        tops = (0..<count).map { bsk.sampleExtract(scratches[$0], coefficient: 0).adding(plaintext: quarter) }
      }
      bsk.blindRotateMany(ksk.keySwitchMany(tops.map { $0.adding(plaintext: offset) }),
                          testPolynomials: [TestPolynomial](repeating: TestPolynomial(coefficients: tv), count: count),
                          scratches: scratches)
      for b in 0..<count {
        for j in 0..<ell { levels[b].append(bsk.sampleExtract(scratches[b], coefficient: j * width).adding(plaintext: levelHalves[j])) }
        if i < w - 1 {
          rest[b] = rest[b] - bsk.sampleExtract(scratches[b], coefficient: ell * width).adding(plaintext: subtractHalf)
        }
      }
    }
    return levels
  }

  /// GGSWs of `bits` bits from their LWE encryptions `bit·2^64/B^j` (`levels[bit·ℓ_cb + j − 1]`):
  /// row `(k, j)` is the packing key switch of level `j`, row `(c, j)` for `c < k` its scheme
  /// switch by `−S_c`; all in the Fourier domain.
  public func circuitBootstrap(levels: [LweCiphertext], bits: Int) -> [FourierGgsw] {
    let ell = parameters.circuitBootstrapLevel.rawValue
    precondition(levels.count == ell * bits, "circuit bootstrapping takes \(ell) level ciphertexts per bit, got \(levels.count)")
    let k1 = glweSize, k = k1 - 1, n = polynomialSize, words = k1 * n
    let plan = FourierPlan.shared(for: n)
    // All body rows first (the packing key is read once for every level ciphertext).
    let bodies = UnsafeMutablePointer<UInt64>.allocate(capacity: levels.count * words)
    defer { bodies.deallocate() }
    packing.packMany(levels, into: (0..<levels.count).map { bodies + $0 * words })
    let scratch = schemeSwitching.makeScratch()
    let rowMajor = UnsafeMutablePointer<Double>.allocate(capacity: k1 * ell * k1 * n)
    defer { rowMajor.deallocate() }
    let data = (0..<bits).map { bit in
      AlignedDoubles(count: k1 * ell * k1 * n) { out in
        for j in 0..<ell {
          let body = bodies + (bit * ell + j) * words
          for col in 0..<k1 { plan.forward(signed: body + col * n, into: rowMajor + ((k * ell + j) * k1 + col) * n) }
          for c in 0..<k {
            schemeSwitching.maskRow(body, component: c, scratch: scratch)
            for col in 0..<k1 { plan.forward(signed: scratch.acc + col * n, into: rowMajor + ((c * ell + j) * k1 + col) * n) }
          }
        }
        FourierGgswLayout.interleave(rowMajor, into: out.baseAddress!, rows: k1 * ell, columns: k1, n: n)
      }
    }
    return data.map { FourierGgsw(data: $0, levels: parameters.circuitBootstrapLevel, baseLog: parameters.circuitBootstrapBaseLog) }
  }

  /// Vertical packing: `table[x]` where bit `i` of `x` is the message of `bits[i]`.
  public func verticalPacking(_ table: [UInt64], bits: [FourierGgsw]) -> LweCiphertext {
    let w = bits.count, n = polynomialSize, k1 = glweSize, k = k1 - 1, words = k1 * n
    precondition(table.count == 1 << w, "a \(w)-bit table has \(1 << w) entries, got \(table.count)")
    let low = min(w, server.parameters.polynomialSize.log2)
    let ell = parameters.circuitBootstrapLevel
    let dec = Decomposer(baseLog: parameters.circuitBootstrapBaseLog, levels: ell)
    let plan = FourierPlan.shared(for: n)
    let scratch = BootstrapScratch(glweSize: k1, polynomialSize: n, levels: ell.rawValue)
    let acc = scratch.acc
    // Leaves: trivial GLWE encryptions of the table slices (entry t·2^low + j at coefficient j).
    var layer: [[UInt64]] = (0..<(1 << (w - low))).map { t in
      var g = [UInt64](repeating: 0, count: words)
      for j in 0..<(1 << low) { g[k * n + j] = table[(t << low) + j] }
      return g
    }
    // CMux tree over the high bits: slice(t) ← slice(2t) + GGSW(bit) ⊡ (slice(2t+1) − slice(2t)).
    for bit in low..<w {
      var next: [[UInt64]] = []
      next.reserveCapacity(layer.count / 2)
      for t in stride(from: 0, to: layer.count, by: 2) {
        let zero = layer[t], one = layer[t + 1]
        zero.withUnsafeBufferPointer { z in
          one.withUnsafeBufferPointer { o in
            acc.update(from: z.baseAddress!, count: words)
            bits[bit].data.withUnsafeBufferPointer { g in
              externalProductAdd(g.baseAddress!, glweSize: k1, polynomialSize: n, levels: ell.rawValue, decomposer: dec,
                                 scratch: scratch, plan: plan) { c, out in
                for j in 0..<n { out[j] = o[c * n + j] &- z[c * n + j] }
              }
            }
          }
        }
        next.append(Array(UnsafeBufferPointer(start: acc, count: words)))
      }
      layer = next
    }
    // Blind rotation by the low bits: ACC ← ACC + GGSW(bit_i) ⊡ (X^(−2^i)·ACC − ACC).
    layer[0].withUnsafeBufferPointer { acc.update(from: $0.baseAddress!, count: words) }
    for i in 0..<low {
      bits[i].data.withUnsafeBufferPointer { g in
        externalProductAdd(g.baseAddress!, glweSize: k1, polynomialSize: n, levels: ell.rawValue, decomposer: dec,
                           scratch: scratch, plan: plan) { c, out in
          rotateSubtract(acc + c * n, by: 2 * n - (1 << i), n: n, into: out)
        }
      }
    }
    return server.bootstrapKey.sampleExtract(scratch)
  }
}

extension ClientKey {
  /// The packing and scheme-switching keys for wide lookups, with fresh noise of
  /// `parameters.packingNoiseVariance`.
  public func makeWideLookupKey(server: ServerKey, parameters: WideLookupParameters,
                                threads: Int = defaultThreadCount) -> WideLookupKey {
    var rng = SecureRandom()
    return makeWideLookupKey(server: server, parameters: parameters, using: &rng, threads: threads)
  }

  /// The same from `rng` (seeded generators for reproducible tests and benchmarks only).
  public func makeWideLookupKey(server: ServerKey, parameters: WideLookupParameters, using rng: inout SecureRandom,
                                threads: Int = defaultThreadCount) -> WideLookupKey {
    let noise = parameters.packingNoiseVariance.squareRoot() * 0x1p64
    let packing = PackingKeySwitchingKey(
      inputKey: bigLweKey, glweKey: glweKey, baseLog: parameters.packingBaseLog, levelCount: parameters.packingLevel,
      noiseStdDev: noise, using: &rng, threads: threads)
    let schemeSwitching = SchemeSwitchingKey(
      glweKey: glweKey, baseLog: parameters.schemeSwitchingBaseLog, levelCount: parameters.schemeSwitchingLevel,
      noiseStdDev: noise, using: &rng)
    return WideLookupKey(server: server, packing: packing, schemeSwitching: schemeSwitching, parameters: parameters)
  }
}

/// Noise of wide lookups (`WideLookupKey`) for parameter selection.
public struct WideLookupNoise: Sendable {
  public let classic: ParameterSet
  public let wide: WideLookupParameters
  public init(classic: ParameterSet, wide: WideLookupParameters) {
    self.classic = classic
    self.wide = wide
  }

  /// Half width of a multi-value window as a torus distance: the bootstrap of each bit reads
  /// `ℓ_cb + 1` windows of `N/(ℓ_cb+1)` coefficients on the `2N` grid, the input sits in the middle.
  public var decisionMargin: Double { 1 / (4 * Double(wide.circuitBootstrapLevel.rawValue + 1)) }

  /// Probability that some bit of a `w`-bit lookup input of variance `inputVariance` is extracted
  /// wrongly: bit `i` is read after scaling by `2^(w−i)`, with the noise of the `i` extracted bits
  /// subtracted before it, then key switch and modulus switch.
  public func errorProbability(inputVariance v: Double, bits w: Int) -> Double {
    let model = NoiseModel(classic)
    func miss(_ margin: Double, _ input: Double) -> Double {
      erfc(margin / (model.decisionVariance(inputVariance: input).squareRoot() * 2.0.squareRoot()))
    }
    var p = 0.0
    for i in 0..<w {
      let scaled = pow(4.0, Double(w - i)) * (v + Double(i) * model.bootstrapVariance)
      if w - i >= wide.cleanDecisionScaleLog {
        p += miss(0.25, scaled) + miss(decisionMargin, 1.7 * model.bootstrapVariance)
      } else {
        p += miss(decisionMargin, scaled)
      }
    }
    return min(p, 1)
  }

  /// Noise variance of a circuit-bootstrapped GGSW body row (coefficient 0): the bootstrap output
  /// it was read from, the packing key's noise and the packing decomposition's rounding.
  public var bodyRowVariance: Double { levelVariance + packingKeyVariance }

  /// Noise variance of a coefficient of a mask row `−S_c·(body)`: the level's scalar noise where
  /// `S_c` has a one (half the coefficients), the packing key's noise summed over the key's
  /// `N/2` ones, and the scheme switch's own noise.
  public var maskRowVariance: Double {
    let n = Double(classic.polynomialSize.rawValue)
    return levelVariance / 2 + n / 2 * packingKeyVariance + schemeSwitchVariance
  }

  /// Noise the scheme switch adds to a mask row: the scheme-switching key's noise
  /// (`(k+1)·ℓ·N·E[d²]·σ²`), the rounding of the body row to `ℓ` digits times the key
  /// (`N/2·(1 + kN/2)·B^(−2ℓ)/12`), and the FFT's rounding (`NoiseModel`'s external-product term).
  public var schemeSwitchVariance: Double {
    let n = Double(classic.polynomialSize.rawValue), k1 = Double(classic.glweDimension.glweSize)
    let kn = Double(classic.bigLweDimension.rawValue)
    let ell = Double(wide.schemeSwitchingLevel.rawValue), b = pow(2.0, Double(wide.schemeSwitchingBaseLog.rawValue))
    let digit = (b * b + 2) / 12
    let key = k1 * ell * n * digit * wide.packingNoiseVariance
    let rounding = n / 2 * (1 + kn / 2) * pow(b, -2 * ell) / 12
    let fft = k1 * ell * n * digit * 0x1p-106 * 0.75 * n
    return key + rounding + fft
  }

  /// Noise of one circuit-bootstrap level before packing, as the packing key switch sees it: the
  /// bootstrap output plus the rounding of its coefficients to the packing decomposition. It is
  /// one scalar per level, so the GGSW's mask rows carry it times the key (`e·S_c`). The
  /// bootstrap part is `NoiseModel.bootstrapVariance` × 1.7: on these sets (k = 2, N = 1024) the
  /// level outputs measure 2^−28.0 and 2^−31.6 with 4 and 7 bootstrap levels where the model
  /// says 2^−28.4 and 2^−32.0 (`torus-bench wide --breakdown`, 1,152–1,728 samples each).
  public var levelVariance: Double {
    let kn = Double(classic.bigLweDimension.rawValue)
    let pl = Double(wide.packingLevel.rawValue), pb = pow(2.0, Double(wide.packingBaseLog.rawValue))
    return 1.7 * NoiseModel(classic).bootstrapVariance + kn / 2 * pow(pb, -2 * pl) / 12
  }

  /// Fresh noise the packing key adds to every coefficient of a row, independently.
  public var packingKeyVariance: Double {
    let kn = Double(classic.bigLweDimension.rawValue)
    let pl = Double(wide.packingLevel.rawValue), pb = pow(2.0, Double(wide.packingBaseLog.rawValue))
    return (kn + 1) * pl * (pb * pb + 2) / 12 * wide.packingNoiseVariance
  }

  /// Variance of a lookup output: `w` external products with the circuit-bootstrapped GGSWs
  /// (the CMux tree and the rotations). For digits `d` (zero mean, `E[d²] = (B²+2)/12`) of the
  /// accumulator `(A_1 … A_k, B)`, row `(c, j)` carries its body row's noise `e_j + E_j` (the
  /// level's scalar noise, the packing key's noise polynomial) times `−S_c` (times 1 in the body
  /// row), so the rows sum to `Σ_j (e_j + E_j)·P_j` with `P_j = D_{k,j} − Σ_c D_{c,j}·S_c`, whose
  /// coefficients have variance `E[d²]·(1 + kN/2)`. Each product adds
  /// - `ℓ·(1 + kN/2)·E[d²]·(σ²_level + N·σ²_packing key)`: `E_j` is a polynomial, so each output
  ///   coefficient sums `N` of its products with `P_j`;
  /// - `k·ℓ·N·E[d²]·σ²_scheme switch`: the mask rows' own noise, independent per coefficient;
  /// - `(1 + kN/2)·B^(−2ℓ)/12`: the rounding of the accumulator to `ℓ` digits, times the bit.
  /// Times 2: the measurements the model was checked against (`torus-bench wide --breakdown`; see
  /// Spec/TFHE.md §9) scatter around it by up to half a bit, noisier than predicted with small
  /// circuit-bootstrap bases.
  public func outputVariance(bits w: Int) -> Double {
    let n = Double(classic.polynomialSize.rawValue), k = Double(classic.glweDimension.rawValue)
    let kn = Double(classic.bigLweDimension.rawValue)
    let ell = Double(wide.circuitBootstrapLevel.rawValue), b = pow(2.0, Double(wide.circuitBootstrapBaseLog.rawValue))
    let digit = (b * b + 2) / 12
    let perProduct = ell * (1 + kn / 2) * digit * (levelVariance + n * packingKeyVariance)
      + k * ell * n * digit * schemeSwitchVariance + (1 + kn / 2) * pow(b, -2 * ell) / 12
    return 2 * Double(w) * perProduct
  }

  /// The widest table a classic bootstrap of this set reads with error ≤ 2^−40 when its input
  /// is a bootstrap output; wider tables go through `WideLookupKey`. Plans and the server step
  /// both take it from here, so they route every lookup the same way.
  public var classicLookupMaxWidth: Int {
    let model = NoiseModel(classic)
    let v = model.decisionVariance(inputVariance: model.bootstrapVariance)
    var widest = 0
    for w in 1...16 where classic.polynomialSize.rawValue >> w >= 2 {
      if erfc(pow(2.0, -Double(w + 2)) / (v.squareRoot() * 2.0.squareRoot())) <= 0x1p-40 { widest = w }
    }
    return widest
  }

  /// Blind rotations of one `w`-bit lookup (one per bit, two for a bit decided clean first).
  public func bootstraps(bits w: Int) -> Int { w + wide.cleanDecisions(bits: w) }

  /// Estimated single-core milliseconds of one `w`-bit lookup: `bootstraps(bits:)` key switches
  /// and blind rotations (`blindRotationMilliseconds`), `w·ℓ_cb` packing key switches of
  /// `(kN+1)·ℓ_p·(k+1)·N` multiply-adds at 0.15 ns (the register-blocked kernel batched over the
  /// bits: `torus-bench wide --threads 1`'s circuit-bootstrap stage gave 0.13–0.15 ns at 12 and 16
  /// bits with packing 4×2^9 … 7×2^6, scheme switches included), and `w·ℓ_cb·k` scheme
  /// switches of `(k+1)·(ℓ_ss + 2)` transforms (forward and inverse, plus the row's own) at
  /// 1.7 µs per transform of N = 1024 (`torus-bench fft`), scaled by `N·log N`.
  public func milliseconds(bits w: Int, blindRotationMilliseconds br: Double) -> Double {
    let k1 = Double(classic.glweDimension.glweSize), n = Double(classic.polynomialSize.rawValue)
    let kn = Double(classic.bigLweDimension.rawValue)
    let packs = Double(w) * Double(wide.circuitBootstrapLevel.rawValue)
    let macs = packs * (kn + 1) * Double(wide.packingLevel.rawValue) * k1 * n
    let transforms = packs * (k1 - 1) * k1 * Double(wide.schemeSwitchingLevel.rawValue + 2)
    let transformMs = 1.7e-3 * n * log2(n) / (1024 * 10)
    return Double(bootstraps(bits: w)) * br + macs * 0.15e-6 + transforms * transformMs
  }
}
