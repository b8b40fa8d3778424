import Foundation
import TFHE

#if canImport(Glibc)
  import Glibc
#endif

/// The measurements behind `torus-bench`, as a library: each returns figures and the tool
/// only prints them. Real keys, real bootstraps; times are wall or thread-CPU seconds.
public enum TFHEBenchmarks {
  static func now() -> Double { Date().timeIntervalSince1970 }

  /// CPU time of the calling thread (robust to other processes sharing the cores).
  public static func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// Keys for `parameters` (a seeded generator when `seed` is given, for reproducible noise runs).
  public static func makeKeys(_ parameters: ParameterSet, seed: UInt64?) -> (client: ClientKey, server: ServerKey, seconds: Double) {
    var rng = seed.map { SecureRandom(seed: $0) } ?? SecureRandom()
    let t0 = now()
    let client = ClientKey(parameters: parameters, using: &rng)
    let server = client.makeServerKey(using: &rng)
    return (client, server, now() - t0)
  }

  /// One precision's KS+PBS timings.
  public struct PBSResult: Sendable {
    public struct Batch: Sendable {
      public var threads: Int
      public var millisecondsPerPBS: Double
      public var wallMilliseconds: Double
      /// Thread-CPU ms per PBS (single-threaded batches only).
      public var cpuMillisecondsPerPBS: Double?
      public var errors: Int
      public var count: Int
    }
    public var parameters: ParameterSet
    public var keygenSeconds: Double
    public var bootstrapKeyBytes: Int
    public var keySwitchingKeyBytes: Int
    /// Best of three lone KS+PBS.
    public var singleLatencyMilliseconds: Double
    public var batches: [Batch]
  }

  /// Times `count` independent KS+PBS table lookups at precision `p` with Concrete's set, for
  /// each thread count, checking every decryption.
  public static func pbs(precision p: Int, count: Int, threadCounts: [Int]) -> PBSResult {
    let params = ParameterSet.concrete(precision: p)
    let (client, server, keygen) = makeKeys(params, seed: nil)
    var g = SystemRandomNumberGenerator()
    let table = (0..<(1 << p)).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
    let tv = server.lookupTable(values: table, inputBits: p, outputBits: p)
    let inputs = (0..<count).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
    let cts = inputs.map { client.encrypt(message: $0, bits: p) }
    _ = server.programmableBootstrap(cts[0], testPolynomial: tv)  // warm-up (plans, pages)
    var latency = Double.infinity
    for c in cts.prefix(3) {
      let l0 = now()
      _ = server.programmableBootstrap(c, testPolynomial: tv)
      latency = min(latency, now() - l0)
    }
    var batches: [PBSResult.Batch] = []
    for t in threadCounts {
      let t0 = now(), c0 = threadCPU()
      let outs = server.bootstrapBatch(cts, tables: [tv], threads: t)
      let dt = now() - t0
      let cpu = t == 1 ? (threadCPU() - c0) * 1000 / Double(outs.count) : nil
      let errors = outs.indices.filter { client.decrypt(outs[$0], bits: p) != table[Int(inputs[$0])] }.count
      batches.append(.init(threads: t, millisecondsPerPBS: dt * 1000 / Double(outs.count), wallMilliseconds: dt * 1000,
                           cpuMillisecondsPerPBS: cpu, errors: errors, count: outs.count))
    }
    return PBSResult(parameters: params, keygenSeconds: keygen, bootstrapKeyBytes: server.bootstrapKey.byteCount,
                     keySwitchingKeyBytes: server.keySwitchingKey.byteCount, singleLatencyMilliseconds: latency * 1000, batches: batches)
  }

  /// Runs `count` KS+PBS on random inputs in batches of `batch` (a fresh random table each) and
  /// counts wrong decryptions; `progress(done, wrong, seconds)` after each batch.
  public static func errorRate(
    precision p: Int, count: Int, batch: Int, keysReady: (ParameterSet, Double) -> Void = { _, _ in },
    progress: (Int, Int, Double) -> Void = { _, _, _ in }
  ) -> (bootstraps: Int, wrong: Int, seconds: Double) {
    let params = ParameterSet.concrete(precision: p)
    let (client, server, keygen) = makeKeys(params, seed: nil)
    keysReady(params, keygen)
    var g = SystemRandomNumberGenerator()
    var done = 0, wrong = 0
    let t0 = now()
    while done < count {
      let m = min(batch, count - done)
      let table = (0..<(1 << p)).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
      let tv = server.lookupTable(values: table, inputBits: p, outputBits: p)
      let inputs = (0..<m).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
      let outs = server.bootstrapBatch(inputs.map { client.encrypt(message: $0, bits: p) }, tables: [tv])
      for (i, o) in outs.enumerated() where client.decrypt(o, bits: p) != table[Int(inputs[i])] { wrong += 1 }
      done += m
      progress(done, wrong, now() - t0)
    }
    return (done, wrong, now() - t0)
  }

  /// Microseconds of thread CPU per negacyclic forward + inverse transform of size `n`.
  public static func fft(size n: Int, seconds: Double) -> Double {
    let plan = FourierPlan.shared(for: n)
    var g = SystemRandomNumberGenerator()
    let poly = (0..<n).map { _ in UInt64.random(in: 0..<(1 << 22), using: &g) }
    var f = [Double](repeating: 0, count: n)
    var acc = [UInt64](repeating: 0, count: n)
    var iterations = 0
    let c0 = threadCPU()
    while threadCPU() - c0 < seconds {
      for _ in 0..<16 {
        poly.withUnsafeBufferPointer { p in
          f.withUnsafeMutableBufferPointer { fp in
            plan.forward(signed: p.baseAddress!, into: fp.baseAddress!)
            acc.withUnsafeMutableBufferPointer { plan.backwardAdd(fp.baseAddress!, into: $0.baseAddress!) }
          }
        }
      }
      iterations += 16
    }
    return (threadCPU() - c0) * 1e6 / Double(iterations)
  }
}

extension TFHEBenchmarks {
  /// One wide-lookup measurement (`torus-bench wide`).
  public struct WideLookupResult: Sendable {
    public var precision: Int
    public var classic: ParameterSet
    public var wide: WideLookupParameters
    public var keygenSeconds: Double
    /// `packing`: the packing and scheme-switching keys.
    public var keyBytes: (bootstrap: Int, keySwitching: Int, packing: Int)
    /// Wall time per lookup with `threads` workers over `count` lookups.
    public var millisecondsPerLookup: Double
    public var threads: Int
    public var count: Int
    public var errors: Int
    /// Standard deviation of the output phase error, in units of the output half slot.
    public var outputNoiseInHalfSlots: Double
    /// The same as a torus fraction, and what `WideLookupNoise.outputVariance` predicts.
    public var outputSigma: Double
    public var predictedOutputSigma: Double
    public var outputBits: Int
    /// One-thread milliseconds per lookup of each stage (bit extraction of a lockstep group of up
    /// to `WideLookupKey.groupSize` inputs, circuit bootstrapping, vertical packing), measured
    /// after the batch.
    public var stageMilliseconds: (bitExtraction: Double, circuitBootstrap: Double, verticalPacking: Double)
  }

  /// `count` lookups of random `precision`-bit inputs through a random table with `outputBits`-bit
  /// outputs, `threads` lookups at a time, under `classic` and `wide` (default: Concrete's
  /// WoP-PBS set for that precision with our decompositions, `ParameterSet.concreteWideLookup`).
  public static func wideLookup(precision p: Int, outputBits: Int = 8, count: Int, threads: Int, seed: UInt64?,
                                classic: ParameterSet? = nil, wide: WideLookupParameters? = nil) -> WideLookupResult? {
    guard let (defaultClassic, defaultWide) = ParameterSet.concreteWideLookup(precision: p) else { return nil }
    let classic = classic ?? defaultClassic, wide = wide ?? defaultWide
    var start = now()
    var rng = seed.map { SecureRandom(seed: $0) } ?? SecureRandom()
    let client = ClientKey(parameters: classic, using: &rng)
    let server = client.makeServerKey(using: &rng)
    let key = client.makeWideLookupKey(server: server, parameters: wide, using: &rng)
    let keygen = now() - start
    let outBits = outputBits
    let table = (0..<(1 << p)).map { _ in rng.next() % (1 << UInt64(outBits)) }
    let phases = table.map { $0 << UInt64(63 - outBits) }
    let inputs = (0..<count).map { _ in Int(rng.next() % (1 << UInt64(p))) }
    let cts = inputs.map { client.encrypt(message: Int64($0), bits: p) }
    start = now()
    let slots = key.lookupBatch(cts, inputBits: p, tables: [phases], threads: threads)
    let wall = now() - start
    var errors = 0
    var squares = 0.0
    for i in 0..<count {
      let expected = phases[inputs[i]]
      let phase = client.decryptPhase(slots[i])
      if client.decrypt(slots[i], bits: outBits) != Int64(table[inputs[i]]) { errors += 1 }
      let e = Double(Int64(bitPattern: phase &- expected))
      squares += e * e
    }
    let halfSlot = 0x1p64 / Double(1 << (outBits + 2))
    let group = Array(cts.prefix(WideLookupKey.groupSize))
    start = now()
    let levels = key.bitLevelsMany(group, bits: p)
    let extraction = (now() - start) / Double(group.count)
    start = now()
    let ggsws = key.circuitBootstrap(levels: levels[0], bits: p)
    let circuitBootstrap = now() - start
    start = now()
    _ = key.verticalPacking(phases, bits: ggsws)
    let packing = now() - start
    return WideLookupResult(
      precision: p, classic: classic, wide: wide, keygenSeconds: keygen,
      keyBytes: (classic.bootstrapKeyBytes, classic.keySwitchingKeyBytes, key.packing.byteCount + key.schemeSwitching.byteCount),
      millisecondsPerLookup: wall * 1000 / Double(count), threads: threads, count: count, errors: errors,
      outputNoiseInHalfSlots: (squares / Double(count)).squareRoot() / halfSlot,
      outputSigma: (squares / Double(count)).squareRoot() * 0x1p-64,
      predictedOutputSigma: WideLookupNoise(classic: classic, wide: wide).outputVariance(bits: p).squareRoot(),
      outputBits: outBits, stageMilliseconds: (extraction * 1000, circuitBootstrap * 1000, packing * 1000))
  }
}

extension TFHEBenchmarks {
  /// Measured noise (torus standard deviations) at each stage of a wide lookup, beside the
  /// model's (`torus-bench wide --breakdown`): the bit-extraction level outputs (bootstrap noise), the
  /// GGSW rows of circuit bootstrapping (body rows from the packing key switch, mask rows from the
  /// scheme switch), and the lookup output.
  public struct WideNoiseBreakdown: Sendable {
    public var levels: Double, levelsModel: Double
    public var bodyRows: Double, bodyRowsModel: Double, maskRows: Double, maskRowsModel: Double
    public var output: Double, outputModel: Double
    /// Output when the bit levels are trivial (noiseless) LWEs: vertical packing's own noise.
    public var outputFromExactLevels: Double
    public var samples: (levels: Int, rows: Int, outputs: Int)
  }

  public static func wideNoiseBreakdown(precision p: Int, classic: ParameterSet, wide: WideLookupParameters,
                                        count: Int, packedLevels: Int, seed: UInt64) -> WideNoiseBreakdown {
    var rng = SecureRandom(seed: seed)
    let client = ClientKey(parameters: classic, using: &rng)
    let server = client.makeServerKey(using: &rng)
    let key = client.makeWideLookupKey(server: server, parameters: wide, using: &rng)
    let ell = wide.circuitBootstrapLevel.rawValue, beta = wide.circuitBootstrapBaseLog.rawValue
    let n = classic.polynomialSize.rawValue
    func torus(_ x: UInt64) -> Double { Double(Int64(bitPattern: x)) * 0x1p-64 }
    func rms(_ v: [Double]) -> Double { (v.reduce(0) { $0 + $1 * $1 } / Double(max(v.count, 1))).squareRoot() }
    var levelErrors: [Double] = [], bodyErrors: [Double] = [], maskErrors: [Double] = [], outputErrors: [Double] = []
    var exactErrors: [Double] = []
    let table = (0..<(1 << p)).map { _ in rng.next() % (1 << 16) << 47 }
    for sample in 0..<count {
      let x = Int(rng.next() % (1 << UInt64(p)))
      let ct = client.encrypt(message: Int64(x), bits: p)
      let levels = key.bitLevels(ct, bits: p)
      for (index, level) in levels.enumerated() {
        let bit = UInt64((x >> (index / ell)) & 1), j = index % ell + 1
        let expected = bit << UInt64(64 - beta * j)
        levelErrors.append(torus(client.decryptPhase(level) &- expected))
        guard sample == 0, index < packedLevels else { continue }
        let bodyRow = key.packing.pack(level)
        let body = client.glweKey.decryptPhase(bodyRow)
        for c in 0..<n { bodyErrors.append(torus(body[c] &- (c == 0 ? expected : 0))) }
        let mask = client.glweKey.decryptPhase(key.schemeSwitching.maskRow(bodyRow, component: 0))
        for c in 0..<n { maskErrors.append(torus(mask[c] &+ expected &* UInt64(client.glweKey.bits[c]))) }
      }
      let out = key.lookup(ct, inputBits: p, outputPhases: table)
      outputErrors.append(torus(client.decryptPhase(out) &- table[x]))
      let exact = (0..<(p * ell)).map { index in
        LweCiphertext(trivial: UInt64((x >> (index / ell)) & 1) << UInt64(64 - beta * (index % ell + 1)),
                      dimension: classic.bigLweDimension)
      }
      let fromExact = key.verticalPacking(table, bits: key.circuitBootstrap(levels: exact, bits: p))
      exactErrors.append(torus(client.decryptPhase(fromExact) &- table[x]))
    }
    let wideModel = WideLookupNoise(classic: classic, wide: wide)
    return WideNoiseBreakdown(
      levels: rms(levelErrors), levelsModel: wideModel.levelVariance.squareRoot(),
      bodyRows: rms(bodyErrors), bodyRowsModel: wideModel.bodyRowVariance.squareRoot(),
      maskRows: rms(maskErrors), maskRowsModel: wideModel.maskRowVariance.squareRoot(),
      output: rms(outputErrors), outputModel: wideModel.outputVariance(bits: p).squareRoot(),
      outputFromExactLevels: rms(exactErrors),
      samples: (levelErrors.count, bodyErrors.count, outputErrors.count))
  }
}
