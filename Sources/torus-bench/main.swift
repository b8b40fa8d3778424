import ArgumentParser
import Foundation
import TFHE

@main
struct TorusBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "torus-bench",
    abstract: "Benchmarks of the TFHE library (release builds only).",
    subcommands: [PBS.self, ErrorRate.self, Noise.self, FFT.self])
}

func now() -> Double { Date().timeIntervalSince1970 }

/// CPU time of the calling thread (robust to other processes sharing the cores).
func threadCPU() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func makeKeys(_ params: ParameterSet, seed: UInt64?) -> (ClientKey, ServerKey, Double) {
  var rng = seed.map { SecureRandom(seed: $0) } ?? SecureRandom()
  let t0 = now()
  let client = ClientKey(parameters: params, using: &rng)
  let server = client.makeServerKey(using: &rng)
  return (client, server, now() - t0)
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
      let params = ParameterSet.concrete(precision: p)
      let (client, server, keygen) = makeKeys(params, seed: nil)
      var load = [Double](repeating: 0, count: 3)
      _ = getloadavg(&load, 3)
      print("p=\(p) loadavg=\(String(format: "%.2f", load[0])) keygen_s=\(String(format: "%.2f", keygen)) bsk_bytes=\(server.bootstrapKey.byteCount) "
            + "ksk_bytes=\(server.keySwitchingKey.byteCount) params=\"\(params)\"")
      var g = SystemRandomNumberGenerator()
      let table = (0..<(1 << p)).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
      let tv = server.lookupTable(values: table, inputBits: p, outputBits: p)
      let inputs = (0..<count).map { _ in Int64.random(in: 0..<(1 << p), using: &g) }
      let cts = inputs.map { client.encrypt(message: $0, bits: p) }
      _ = server.programmableBootstrap(cts[0], testPolynomial: tv)  // warm-up (plans, pages)
      // Latency of one lone KS+PBS (no batching), best of 3.
      var latency = Double.infinity
      for c in cts.prefix(3) {
        let l0 = now()
        _ = server.programmableBootstrap(c, testPolynomial: tv)
        latency = min(latency, now() - l0)
      }
      print("p=\(p) latency_ms_single_pbs=\(String(format: "%.3f", latency * 1000))")
      for s in settings {
        let t = s == "all" ? all : Int(s) ?? 1
        var outs: [LweCiphertext] = []
        let t0 = now(), c0 = threadCPU()
        outs = server.bootstrapBatch(cts, tables: [tv], threads: t)
        let dt = now() - t0
        let cpu = t == 1 ? " cpu_ms_per_pbs=\(String(format: "%.3f", (threadCPU() - c0) * 1000 / Double(outs.count)))" : ""
        var errors = 0
        for (i, o) in outs.enumerated() where client.decrypt(o, bits: p) != table[Int(inputs[i])] { errors += 1 }
        print("p=\(p) threads=\(s == "all" ? "all" : s) ms_per_pbs=\(String(format: "%.3f", dt * 1000 / Double(outs.count))) "
              + "pbs=\(outs.count) wall_ms=\(String(format: "%.1f", dt * 1000)) threads_used=\(t) errors=\(errors)\(cpu)")
        fflush(nil)
      }
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
    let p = precision
    let params = ParameterSet.concrete(precision: p)
    let (client, server, keygen) = makeKeys(params, seed: nil)
    FileHandle.standardError.write("keys ready in \(String(format: "%.1f", keygen)) s: \(params)\n".data(using: .utf8)!)
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
      let el = now() - t0
      FileHandle.standardError.write(
        "\(done)/\(count) wrong=\(wrong) elapsed=\(Int(el))s ms_per_pbs=\(String(format: "%.2f", el * 1000 / Double(done)))\n"
          .data(using: .utf8)!)
    }
    print("error-rate p=\(p) pbs=\(done) wrong=\(wrong) seconds=\(String(format: "%.0f", now() - t0))")
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
      let us = (threadCPU() - c0) * 1e6 / Double(iterations)
      print("fft N=\(n) us_per_forward_plus_inverse=\(String(format: "%.2f", us))")
    }
  }
}
