import ArgumentParser
import Foundation
import TFHE
import TFHEBenchmarks

@main
struct TorusBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "torus-bench",
    abstract: "Benchmarks of the TFHE library (release builds only).",
    subcommands: [PBS.self, Wide.self, ErrorRate.self, Noise.self, FFT.self])
}

func makeKeys(_ params: ParameterSet, seed: UInt64?) -> (ClientKey, ServerKey, Double) {
  let k = TFHEBenchmarks.makeKeys(params, seed: seed)
  return (k.client, k.server, k.seconds)
}

struct PBS: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time KS+PBS table lookups with Concrete's config-B parameters, 1 thread and all threads.")

  @Option(help: "Comma-separated precisions (1...8).")
  var precisions: String = "1,2,3,4,5,6,7,8"
  @Option(help: "Independent PBS per measurement.")
  var count: Int = 64
  @Option(help: "Thread settings, comma-separated: numbers or 'all'.")
  var threads: String = "1,all"

  func run() throws {
    let ps = precisions.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let settings = threads.split(separator: ",").map { String($0) }
    let all = ProcessInfo.processInfo.activeProcessorCount
    for p in ps {
      var load = [Double](repeating: 0, count: 3)
      _ = getloadavg(&load, 3)
      let r = TFHEBenchmarks.pbs(precision: p, count: count, threadCounts: settings.map { $0 == "all" ? all : Int($0) ?? 1 })
      print("p=\(p) loadavg=\(String(format: "%.2f", load[0])) keygen_s=\(String(format: "%.2f", r.keygenSeconds)) bsk_bytes=\(r.bootstrapKeyBytes) "
            + "ksk_bytes=\(r.keySwitchingKeyBytes) params=\"\(r.parameters)\"")
      print("p=\(p) latency_ms_single_pbs=\(String(format: "%.3f", r.singleLatencyMilliseconds))")
      for (s, b) in zip(settings, r.batches) {
        let cpu = b.cpuMillisecondsPerPBS.map { " cpu_ms_per_pbs=\(String(format: "%.3f", $0))" } ?? ""
        print("p=\(p) threads=\(s == "all" ? "all" : s) ms_per_pbs=\(String(format: "%.3f", b.millisecondsPerPBS)) "
              + "pbs=\(b.count) wall_ms=\(String(format: "%.1f", b.wallMilliseconds)) threads_used=\(b.threads) errors=\(b.errors)\(cpu)")
        fflush(nil)
      }
    }
  }
}

struct Wide: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time wide table lookups (bit extraction, circuit bootstrapping, vertical packing) with Concrete's WoP-PBS sets.",
    discussion: "Random inputs through a random table with 8-bit outputs; prints keygen time, key sizes, ms per lookup, wrong decryptions, the output noise (standard deviation in 8-bit half slots) and one-thread milliseconds per stage (bit extraction, circuit bootstrapping, vertical packing).")

  @Option(help: "Comma-separated input widths (11, 12, 14, 16: the sets Concrete chose).")
  var precisions: String = "12,14,16"
  @Option(help: "Lookups per measurement.")
  var count: Int = 8
  @Option(help: "Lookups run at once (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Bits of the random table's outputs.")
  var outputBits: Int = 8
  @Option(help: "Re-decompose the bootstrapping key to this many levels (ParameterSet.withBootstrapLevels).")
  var bootstrapLevels: Int?
  @Option(help: "Circuit-bootstrap decomposition as LEVELSxBASELOG, e.g. 10x3 (default: the set's).")
  var circuitBootstrap: String?
  @Option(help: "Packing key-switch decomposition as LEVELSxBASELOG, e.g. 5x8 (default: the set's).")
  var packing: String?

  @Option(help: "Decide bits read at scale 2^S or more with a clean one-bit bootstrap first (WideLookupParameters.cleanDecisionScaleLog; default 64: never).")
  var cleanDecisionsFrom: Int = 64
  @Flag(help: "Instead of timing, measure the noise at each stage (bit-extraction levels, packed GGSW rows, output) beside the model's.")
  var breakdown = false

  static func decomposition(_ text: String?) -> (level: Int, baseLog: Int)? {
    guard let parts = text?.split(separator: "x"), parts.count == 2, let l = Int(parts[0]), let b = Int(parts[1]) else { return nil }
    return (l, b)
  }

  func validate() throws {
    for (name, text) in [("--circuit-bootstrap", circuitBootstrap), ("--packing", packing)] where text != nil {
      guard let d = Self.decomposition(text), d.level >= 1, d.baseLog >= 1, d.level * d.baseLog < 64 else {
        throw ValidationError("\(name) takes LEVELSxBASELOG with fewer than 64 bits in all, e.g. 5x8; got '\(text!)'")
      }
    }
    if let p = Self.decomposition(packing), p.baseLog > WideLookupParameters.maximumPackingBaseLog {
      throw ValidationError("--packing base 2^\(p.baseLog) is over 2^\(WideLookupParameters.maximumPackingBaseLog)")
    }
    if let bootstrapLevels, !(1...8).contains(bootstrapLevels) { throw ValidationError("--bootstrap-levels must be in 1...8, got \(bootstrapLevels)") }
    if !(1...64).contains(cleanDecisionsFrom) { throw ValidationError("--clean-decisions-from must be in 1...64, got \(cleanDecisionsFrom)") }
    if !(1...20).contains(outputBits) { throw ValidationError("--output-bits must be in 1...20, got \(outputBits)") }
    let ps = precisions.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !ps.isEmpty, ps.allSatisfy({ $0.map { ParameterSet.concreteWideLookupPrecisions.contains($0) } ?? false }) else {
      throw ValidationError("--precisions takes comma-separated widths among \(ParameterSet.concreteWideLookupPrecisions), got '\(precisions)'")
    }
    if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    for p in precisions.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
      guard var (classic, wide) = ParameterSet.concreteWideLookup(precision: p) else { continue }
      if let bootstrapLevels { classic = classic.withBootstrapLevels(bootstrapLevels) }
      if let d = Self.decomposition(circuitBootstrap) {
        wide.circuitBootstrapLevel = DecompositionLevelCount(d.level)
        wide.circuitBootstrapBaseLog = DecompositionBaseLog(d.baseLog)
      }
      wide.cleanDecisionScaleLog = cleanDecisionsFrom
      if let d = Self.decomposition(packing) {
        wide.packingLevel = DecompositionLevelCount(d.level)
        wide.packingBaseLog = DecompositionBaseLog(d.baseLog)
      }
      if breakdown {
        let b = TFHEBenchmarks.wideNoiseBreakdown(precision: p, classic: classic, wide: wide, count: count, packedLevels: 6, seed: 11)
        func l2(_ x: Double) -> String { String(format: "%.2f", log2(x)) }
        print("wide-noise p=\(p) params=\"\(classic)\" packing=\(wide.packingLevel.rawValue)x\(wide.packingBaseLog.rawValue) circuit_bootstrap=\(wide.circuitBootstrapLevel.rawValue)x\(wide.circuitBootstrapBaseLog.rawValue)")
        print("wide-noise p=\(p) levels_log2=\(l2(b.levels)) model=\(l2(b.levelsModel)) body_rows_log2=\(l2(b.bodyRows)) model=\(l2(b.bodyRowsModel)) "
              + "mask_rows_log2=\(l2(b.maskRows)) model=\(l2(b.maskRowsModel)) output_log2=\(l2(b.output)) model=\(l2(b.outputModel)) exact_levels_output_log2=\(l2(b.outputFromExactLevels)) samples=\(b.samples.levels)/\(b.samples.rows)/\(b.samples.outputs)")
        fflush(nil)
        continue
      }
      guard let r = TFHEBenchmarks.wideLookup(precision: p, outputBits: outputBits, count: count, threads: threads, seed: nil,
                                              classic: classic, wide: wide) else { continue }
      print("wide p=\(p) keygen_s=\(String(format: "%.2f", r.keygenSeconds)) bsk_bytes=\(r.keyBytes.bootstrap) "
            + "ksk_bytes=\(r.keyBytes.keySwitching) packing_bytes=\(r.keyBytes.packing) params=\"\(r.classic)\" "
            + "packing=\(r.wide.packingLevel.rawValue)x\(r.wide.packingBaseLog.rawValue) circuit_bootstrap=\(r.wide.circuitBootstrapLevel.rawValue)x\(r.wide.circuitBootstrapBaseLog.rawValue)")
      print("wide p=\(p) threads=\(r.threads) ms_per_lookup=\(String(format: "%.1f", r.millisecondsPerLookup)) lookups=\(r.count) "
            + "errors=\(r.errors) output_sigma_half_slots=\(String(format: "%.4f", r.outputNoiseInHalfSlots)) "
            + "output_sigma_log2=\(String(format: "%.2f", log2(r.outputSigma))) model_log2=\(String(format: "%.2f", log2(r.predictedOutputSigma)))")
      let stages = r.stageMilliseconds
      print("wide p=\(p) one_thread_ms bit_extraction=\(String(format: "%.1f", stages.bitExtraction)) "
            + "circuit_bootstrap=\(String(format: "%.1f", stages.circuitBootstrap)) vertical_packing=\(String(format: "%.1f", stages.verticalPacking))")
      fflush(nil)
    }
  }
}

struct ErrorRate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "error-rate", abstract: "Run many KS+PBS on random inputs and count wrong decryptions.")
  @Option var precision: Int = 4
  @Option var count: Int = 100_000
  @Option(help: "PBS per batch (a fresh random table per batch).")
  var batch: Int = 1000

  func run() throws {
    let r = TFHEBenchmarks.errorRate(
      precision: precision, count: count, batch: batch,
      keysReady: { params, keygen in
        FileHandle.standardError.write("keys ready in \(String(format: "%.1f", keygen)) s: \(params)\n".data(using: .utf8)!)
      },
      progress: { done, wrong, el in
        FileHandle.standardError.write(
          "\(done)/\(count) wrong=\(wrong) elapsed=\(Int(el))s ms_per_pbs=\(String(format: "%.2f", el * 1000 / Double(done)))\n".data(using: .utf8)!)
      })
    print("error-rate p=\(precision) pbs=\(r.bootstraps) wrong=\(r.wrong) seconds=\(String(format: "%.0f", r.seconds))")
  }
}

struct Noise: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measured vs predicted noise after KS and after PBS (Concrete sets).")
  @Option var precisions: String = "1,2,3,4,5,6"
  @Option var samples: Int = 200
  @Option(help: "Re-decompose each set's bootstrapping key to this many levels (ParameterSet.withBootstrapLevels).")
  var levels: Int?

  func validate() throws {
    let ps = precisions.split(separator: ",").map { Int($0) }
    guard !ps.isEmpty, ps.allSatisfy({ $0.map { (1...10).contains($0) } ?? false }) else {
      throw ValidationError("--precisions takes comma-separated precisions in 1...10 (Concrete's sets), got '\(precisions)'")
    }
    if let levels, !(1...8).contains(levels) { throw ValidationError("--levels must be in 1...8, got \(levels)") }
    if samples < 1 { throw ValidationError("--samples must be at least 1, got \(samples)") }
  }

  func run() throws {
    for p in precisions.split(separator: ",").compactMap({ Int($0) }) {
      let params = levels.map { ParameterSet.concrete(precision: p).withBootstrapLevels($0) } ?? ParameterSet.concrete(precision: p)
      print("\(params)")
      let (client, server, _) = makeKeys(params, seed: 1)
      let m = NoiseMeasurement.measure(client: client, server: server, keySwitchSamples: samples, bootstraps: 2)
      print("p=\(p) ks_sigma_measured=\(m.keySwitchMeasured) ks_sigma_model=\(m.keySwitchPredicted) "
            + "pbs_sigma_measured=\(m.bootstrapMeasured) pbs_sigma_model=\(m.bootstrapPredicted) "
            + "p_error_fresh_input=\(NoiseModel(params).pError) p_error_chained=\(NoiseModel(params).pErrorAfterBootstrap)")
    }
  }
}

struct FFT: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Time one negacyclic forward + inverse transform (thread CPU time).")
  @Option var sizes: String = "512,1024,2048,8192,16384,32768"
  @Option var seconds: Double = 1

  func run() throws {
    for n in sizes.split(separator: ",").compactMap({ Int($0) }) {
      print("fft N=\(n) us_per_forward_plus_inverse=\(String(format: "%.2f", TFHEBenchmarks.fft(size: n, seconds: seconds)))")
    }
  }
}
