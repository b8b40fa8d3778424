import Dispatch
import Foundation

/// Exact table lookups on wide (9–16-bit) native ciphertexts, without padding-bit tricks or large
/// polynomials: the "WoP-PBS" of Carpov–Izabachène–Mollimard / Concrete, on a native encoding.
///
/// 1. **Bit extraction**: bit `i` of the `w`-bit message is moved to the padding position (times
///    `2^(w−i)`; lower bits were already removed, higher bits leave modulo 2^64) and read by
///    bootstraps with constant test polynomials; the bit is subtracted before the next one.
/// 2. **Circuit bootstrapping**: from the same key-switched input, `ℓ_cb` bootstraps give LWE
///    encryptions of `bit·2^64/B^j`; the private functional packing key switch turns each into the
///    `k + 1` GLWE rows of a GGSW encryption of the bit (`PackingKeySwitchingKey`).
/// 3. **Vertical packing**: the table is cut into polynomials of `N` entries; a CMux tree over the
///    high bits selects one, a blind rotation by `X^(−2^i)` for each low bit brings entry `x` to
///    coefficient 0, which is sample-extracted. Rotations are by exact powers of `X` (the GGSWs
///    are noisy, the exponents are not), so a table of `2^w` entries needs no `N ≥ 2^(w+1)`.
///
/// Cost for `w` bits: `w` key switches and blind rotations (one multi-value bootstrap per bit),
/// `w·ℓ_cb·(k+1)` packing key switches, `2^(w − log2 N) − 1 + min(w, log2 N)` external products.
public struct WideLookupParameters: Hashable, Sendable {
  /// At most `maximumPackingBaseLog`: the packing key switch's exact double-precision sums
  /// need digits below 2^18 (`PackingKeySwitchingKey.packMany`).
  public var packingBaseLog: DecompositionBaseLog
  public var packingLevel: DecompositionLevelCount
  /// Variance of the fresh noise of the packing keys (under the GLWE key).
  public var packingNoiseVariance: Double
  public var circuitBootstrapBaseLog: DecompositionBaseLog
  public var circuitBootstrapLevel: DecompositionLevelCount

  public init(packingBaseLog: Int, packingLevel: Int, packingNoiseVariance: Double,
              circuitBootstrapBaseLog: Int, circuitBootstrapLevel: Int) {
    precondition(packingBaseLog * packingLevel < 64 && circuitBootstrapBaseLog * circuitBootstrapLevel < 64,
                 "decomposition must keep fewer than 64 bits")
    precondition(packingBaseLog <= Self.maximumPackingBaseLog, "packing base 2^\(packingBaseLog) is over 2^\(Self.maximumPackingBaseLog)")
    self.packingBaseLog = DecompositionBaseLog(packingBaseLog)
    self.packingLevel = DecompositionLevelCount(packingLevel)
    self.packingNoiseVariance = packingNoiseVariance
    self.circuitBootstrapBaseLog = DecompositionBaseLog(circuitBootstrapBaseLog)
    self.circuitBootstrapLevel = DecompositionLevelCount(circuitBootstrapLevel)
  }

  public static let maximumPackingBaseLog = 19
}

/// A GGSW ciphertext in the Fourier layout of the bootstrapping key.
public struct FourierGgsw: Sendable {
  public let data: AlignedDoubles
  public let levels: DecompositionLevelCount
  public let baseLog: DecompositionBaseLog
}

/// Evaluation keys for wide lookups: the classic server key (key switch + bootstraps of the bit
/// extraction and circuit bootstrapping) and the packing keys. No secret material.
public final class WideLookupKey: Sendable {
  public let server: ServerKey
  public let packing: PackingKeySwitchingKey
  public let parameters: WideLookupParameters
  /// Tables up to this width stay classic bootstraps (`WideLookupNoise.classicLookupMaxWidth`).
  public let classicLookupMaxWidth: Int

  public init(server: ServerKey, packing: PackingKeySwitchingKey, parameters: WideLookupParameters) {
    precondition(packing.glweDimension == server.parameters.glweDimension
                   && packing.polynomialSize == server.parameters.polynomialSize
                   && packing.inputLweDimension == server.parameters.bigLweDimension,
                 "packing key does not match the server key's GLWE parameters")
    precondition(packing.baseLog == parameters.packingBaseLog && packing.levelCount == parameters.packingLevel,
                 "packing key does not match the wide-lookup parameters")
    self.server = server
    self.packing = packing
    self.parameters = parameters
    classicLookupMaxWidth = WideLookupNoise(classic: server.parameters, wide: parameters).classicLookupMaxWidth
  }

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
  /// Results do not depend on the thread count.
  public func lookupBatch(_ inputs: [LweCiphertext], inputBits w: Int, tables: [[UInt64]], tableIndex: [Int]? = nil,
                          threads: Int = defaultThreadCount, finished: (@Sendable () -> Void)? = nil) -> [LweCiphertext] {
    precondition(!tables.isEmpty || inputs.isEmpty, "lookupBatch needs at least one table")
    if let t = tableIndex {
      precondition(t.count == inputs.count && t.allSatisfy { $0 >= 0 && $0 < tables.count }, "tableIndex does not match the inputs and tables")
    }
    let count = inputs.count
    if count == 0 { return [] }
    let slots = UnsafeMutableBufferPointer<LweCiphertext>.allocate(capacity: count)
    defer { slots.deallocate() }
    let out = SharedPointer(base: slots.baseAddress!)
    let next = WorkCounter()
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
      while true {
        let i = next.take()
        if i >= count { break }
        (out.base + i).initialize(to: lookup(inputs[i], inputBits: w, outputPhases: tables[tableIndex?[i] ?? 0]))
        finished?()
      }
    }
    let result = Array(slots)
    _ = slots.baseAddress!.deinitialize(count: count)
    return result
  }

  /// Bit extraction and circuit bootstrapping: GGSW encryptions of the `w` message bits of
  /// `input`, least significant first.
  ///
  /// Each bit costs one key switch and one blind rotation: the decision is one bit wide, so the
  /// test polynomial holds `m = ℓ_cb + 1` windows of `N/m` coefficients (the circuit-bootstrap
  /// levels `∓g_j/2` and `∓2^(62−w+i)` for the subtraction) and `m` sample extractions at
  /// coefficients `j·N/m` read them all (a multi-value bootstrap). The input is offset to the
  /// middle of the first window, so a rotation error of up to `N/(2m)` coefficients is harmless.
  public func bitsAsGgsw(_ input: LweCiphertext, bits w: Int) -> [FourierGgsw] {
    let ell = parameters.circuitBootstrapLevel.rawValue, beta = parameters.circuitBootstrapBaseLog.rawValue
    let n = polynomialSize, logN = server.parameters.polynomialSize.log2
    let levelHalves = (1...ell).map { j -> UInt64 in 1 << UInt64(63 - beta * j) }
    let windows = ell + 1, width = n / windows
    let offset = UInt64(width) << UInt64(62 - logN)  // μ = width/2 on the 2N grid
    let bsk = server.bootstrapKey
    let scratch = bsk.makeScratch()
    var rest = input
    var levels: [LweCiphertext] = []
    levels.reserveCapacity(w * ell)
    for i in 0..<w {
      let subtractHalf: UInt64 = 1 << UInt64(62 - w + i)
      let halves = levelHalves + [subtractHalf]
      var tv = [UInt64](repeating: 0, count: n)
      for x in 0..<n { tv[x] = 0 &- halves[min(x / width, windows - 1)] }
      let top = rest.multiplied(by: Int64(1) << Int64(w - i)).adding(plaintext: offset)
      bsk.blindRotate(server.keySwitch(top), testPolynomial: TestPolynomial(coefficients: tv), scratch: scratch)
      for j in 0..<ell { levels.append(bsk.sampleExtract(scratch, coefficient: j * width).adding(plaintext: levelHalves[j])) }
      if i < w - 1 {
        rest = rest - bsk.sampleExtract(scratch, coefficient: ell * width).adding(plaintext: subtractHalf)
      }
    }
    return circuitBootstrap(levels: levels, bits: w)
  }

  /// GGSWs of `bits` bits from their LWE encryptions `bit·2^64/B^j` (`levels[bit·ℓ_cb + j − 1]`):
  /// row `(c, j)` is the packing key switch `f_c` of level `j`, in the Fourier domain.
  public func circuitBootstrap(levels: [LweCiphertext], bits: Int) -> [FourierGgsw] {
    let ell = parameters.circuitBootstrapLevel.rawValue
    precondition(levels.count == ell * bits, "circuit bootstrapping takes \(ell) level ciphertexts per bit, got \(levels.count)")
    let k1 = glweSize, n = polynomialSize, words = k1 * n
    let plan = FourierPlan.shared(for: n)
    // All rows of all bits first (each function's key is read once for every level ciphertext).
    let glwes = UnsafeMutablePointer<UInt64>.allocate(capacity: k1 * levels.count * words)
    defer { glwes.deallocate() }
    for c in 0..<k1 {
      packing.packMany(levels, function: c, into: (0..<levels.count).map { glwes + (c * levels.count + $0) * words })
    }
    let data = (0..<bits).map { bit in
      AlignedDoubles(count: k1 * ell * k1 * n) { out in
        for c in 0..<k1 {
          for j in 0..<ell {
            let glwe = glwes + (c * levels.count + bit * ell + j) * words
            for col in 0..<k1 { plan.forward(signed: glwe + col * n, into: out.baseAddress! + ((c * ell + j) * k1 + col) * n) }
          }
        }
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
  /// The packing keys for wide lookups, with fresh noise of `parameters.packingNoiseVariance`.
  public func makeWideLookupKey(server: ServerKey, parameters: WideLookupParameters,
                                threads: Int = defaultThreadCount) -> WideLookupKey {
    var rng = SecureRandom()
    return makeWideLookupKey(server: server, parameters: parameters, using: &rng, threads: threads)
  }

  /// The same from `rng` (seeded generators for reproducible tests and benchmarks only).
  public func makeWideLookupKey(server: ServerKey, parameters: WideLookupParameters, using rng: inout SecureRandom,
                                threads: Int = defaultThreadCount) -> WideLookupKey {
    let packing = PackingKeySwitchingKey(
      inputKey: bigLweKey, glweKey: glweKey, baseLog: parameters.packingBaseLog, levelCount: parameters.packingLevel,
      noiseStdDev: parameters.packingNoiseVariance.squareRoot() * 0x1p64, using: &rng, threads: threads)
    return WideLookupKey(server: server, packing: packing, parameters: parameters)
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
    var p = 0.0
    for i in 0..<w {
      let scaled = pow(4.0, Double(w - i)) * (v + Double(i) * model.bootstrapVariance)
      p += erfc(decisionMargin / (model.decisionVariance(inputVariance: scaled).squareRoot() * 2.0.squareRoot()))
    }
    return min(p, 1)
  }

  /// Variance of a lookup output: `w` external products with the circuit-bootstrapped GGSWs,
  /// each adding `(k+1)·ℓ_cb·N·(B_cb²+2)/12·σ²_row + (1 + kN/2)·B_cb^(−2ℓ_cb)/12`, with the GGSW
  /// row noise `σ²_row` = bootstrap output + packing key noise + packing decomposition rounding.
  /// Times 2: the formula gives 0.5 to 0.8 of the measured output variance (σ = 2^−16.4 and
  /// 2^−17.0 at 12 bits with Concrete's 12-bit set, circuit bootstrapping 6×2^4 and packing 2×2^16
  /// or 3×2^14, 16 lookups each, `torus-bench wide`); the factor is fitted there, like
  /// `BootstrapCost`, until the missing term is pinned down.
  public func outputVariance(bits w: Int) -> Double {
    let k1 = Double(classic.glweDimension.glweSize), n = Double(classic.polynomialSize.rawValue)
    let kn = Double(classic.bigLweDimension.rawValue)
    let ell = Double(wide.circuitBootstrapLevel.rawValue), b = pow(2.0, Double(wide.circuitBootstrapBaseLog.rawValue))
    let pl = Double(wide.packingLevel.rawValue), pb = pow(2.0, Double(wide.packingBaseLog.rawValue))
    let packingKey: Double = (kn + 1) * pl * (pb * pb + 2) / 12 * wide.packingNoiseVariance
    let packingRounding: Double = kn / 2 * pow(pb, -2 * pl) / 12
    let row: Double = NoiseModel(classic).bootstrapVariance + packingKey + packingRounding
    let digits: Double = k1 * ell * n * (b * b + 2) / 12
    let rounding: Double = (1 + kn / 2) * pow(b, -2 * ell) / 12
    let perProduct = digits * row + rounding
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

  /// Blind rotations of one `w`-bit lookup (one per bit).
  public func bootstraps(bits w: Int) -> Int { w }

  /// Estimated single-core milliseconds of one `w`-bit lookup: `w` key switches and blind
  /// rotations (`blindRotationMilliseconds`) and `w·ℓ_cb·(k+1)` packing key switches of
  /// `(kN+1)·ℓ_p·(k+1)·N` multiply-adds at 0.38 ns (measured, batched over the bits).
  public func milliseconds(bits w: Int, blindRotationMilliseconds br: Double) -> Double {
    let k1 = Double(classic.glweDimension.glweSize), n = Double(classic.polynomialSize.rawValue)
    let kn = Double(classic.bigLweDimension.rawValue)
    let packs = Double(w) * Double(wide.circuitBootstrapLevel.rawValue) * k1
    let macs = packs * (kn + 1) * Double(wide.packingLevel.rawValue) * k1 * n
    return Double(w) * br + macs * 0.38e-6
  }
}
