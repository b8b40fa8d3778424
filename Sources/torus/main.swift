import ArgumentParser
import Foundation
import TorusFHE
import TorusFHETransforms
import TorusFormats
import TorusIR
import TorusEncrypted
import TorusInterpreter
import TorusPasses
import TorusQNNTransforms

/// The Torus driver: compiles, runs and checks FHE circuits.
struct Torus: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "torus",
    abstract: "Compile and run Concrete-compatible FHE circuits.",
    subcommands: [Compile.self, Import.self, Run.self, Diff.self, View.self, Conformance.self, JUnit.self, Keygen.self, Encrypt.self, Decrypt.self, Client.self, ServeCommand.self])
}

/// Execution modes of `torus run`.
enum Mode: String, ExpressibleByArgument, CaseIterable {
  case simulate
  case encrypted
}

extension Encoding: ExpressibleByArgument {}

/// Prints to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a function of a circuit on .npy or .json inputs.",
    discussion: """
      Inputs bind to the function arguments in order. When every batched input has an extra \
      leading dimension B (or B replaces a leading 1 of the argument shape), the circuit runs \
      once per sample and the outputs are stacked.
      """)

  @Argument(help: "The circuit (MLIR text; .gz is decompressed).")
  var circuit: String

  @Option(help: "Execution mode: simulate (noise-free torus phases, bit-exact with Concrete) or encrypted (real TFHE).")
  var mode: Mode = .simulate

  @Option(help: "Encrypted mode, server step: the evaluation-key directory (KEYS/server); inputs and output are .ct files.")
  var evalKeys: String?

  @OptionGroup(title: "Encrypted mode without --eval-keys: error targets that choose the parameters")
  var errorTarget: ErrorTargetOptions

  @Option(name: .customLong("input"), help: "An input array (.npy or .json), one per function argument, in order.")
  var inputs: [String] = []

  @Option(name: [.customShort("o"), .long], help: "Write the single output (or the first) to this .npy/.json file (encrypted server step: the .ct file).")
  var output: String?

  @Option(help: "Write every output to this directory as output_<k>.npy.")
  var outputDir: String?

  @Option(help: "The function to run (default: main, or the module's only function).")
  var function: String?

  @Option(help: "Worker threads for tensor ops (default: all cores); results do not depend on it.")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "Integer encoding: native, crt or auto (CRT for lookups wider than 8 bits).")
  var encoding: Encoding = .auto

  @Option(help: "Reject circuits with an encrypted integer wider than this (0: no limit).")
  var maxBitWidth: Int = 16

  @Flag(help: "Print the per-sample latency to standard error.")
  var timing = false

  @Flag(help: "For a compiled model (CIRCUIT.quant.json beside it): take and return the circuit's raw integers instead of floats.")
  var raw = false

  @Flag(help: "Print each op's wall time to standard error.")
  var profile = false

  @Flag(help: "Run the samples of a batch concurrently, one thread each (throughput), instead of splitting each op across threads (latency).")
  var parallelSamples = false

  @Option(help: ArgumentHelp(
    "Print every op's (or the named ops') results to standard error: shape, min/max, first values, width used vs declared. Bare --trace means all; encrypted mode decrypts them with the client key (debugging only).",
    valueName: "all|op,op"))
  var trace: String?

  /// Flags a mode would ignore are refused rather than silently dropped.
  func validate() throws {
    func refuse(_ flags: [(String, Bool)], _ context: String) throws {
      let given = flags.filter(\.1).map(\.0)
      if !given.isEmpty { throw ValidationError("\(given.joined(separator: ", ")) cannot be used \(context)") }
    }
    switch mode {
    case .simulate:
      try refuse([("--eval-keys", evalKeys != nil), ("--global-p-error/--p-error", errorTarget.isSet)], "in simulate mode")
    case .encrypted:
      try refuse(
        [("--encoding", encoding != .auto), ("--profile", profile), ("--parallel-samples", parallelSamples), ("--max-bit-width", maxBitWidth != 16)],
        "in encrypted mode")
      if evalKeys != nil {
        try refuse(
          [("--global-p-error/--p-error", errorTarget.isSet), ("--raw", raw), ("--trace", trace != nil)],
          "with --eval-keys (the server step reads the parameters from the keys, works on ciphertexts and holds no key to decrypt them)")
      }
    }
  }

  func run() throws {
    let observer: OpObserver? = trace.map { text in
      let selection = TraceSelection(text)
      return { op in if selection.contains(op.name) { printError("trace " + traceLine(op)) } }
    }
    if mode == .encrypted {
      if trace != nil {
        printError("WARNING: --trace in encrypted mode decrypts every intermediate value with the client key; a debugging mode, never a deployment")
      }
      try EncryptedRun(
        circuit: circuit, function: function, inputs: inputs, output: output, outputDir: outputDir, evalKeys: evalKeys,
        threads: threads, errorTarget: errorTarget, timing: timing, raw: raw, observer: observer
      ).run()
      return
    }
    try reporting {
      let c = try Circuit(contentsOf: URL(fileURLWithPath: circuit), functionName: function)
      if maxBitWidth > 0, let violation = TorusFHETransforms.BitWidthAnalysis(function: c.function.operation).firstViolation(limit: maxBitWidth) {
        throw InterpreterError.invalidProgram("\(circuit): \(violation)")
      }
      var arrays = try inputs.map { p throws in try ArrayFile.read(p) }
      let modelIO = try ModelIO.forCircuit(circuit, raw: raw)
      if let modelIO { arrays = try modelIO.quantize(arrays) }
      var options = SimulateOptions(threads: threads, encoding: encoding)
      options.profile = profile
      options.parallelSamples = parallelSamples && observer == nil
      options.observer = observer
      let sim = Simulator(circuit: c, options: options)
      try sim.prepare()
      let start = Date()
      let results = try sim.run(arrays: arrays)
      let elapsed = Date().timeIntervalSince(start)
      if timing {
        let per = c.resultTypes.first?.staticShape ?? []
        let got = results.first?.shape ?? []
        let batch = got == per ? 1 : (got.first ?? 1)
        printError(String(format: "simulate: %.6f s total, %.6f s per sample (%d threads, %@ encoding)", elapsed, elapsed / Double(max(batch, 1)), threads, sim.resolvedEncoding.rawValue))
      }
      try emit(modelIO.map { $0.dequantize(results) } ?? results, output: output, outputDir: outputDir)
    }
  }
}

struct Conformance: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run Concrete's end-to-end fixture files (YAML) and report failures.")

  @Argument(help: "Fixture files (*.yaml).")
  var files: [String]

  @Option(help: "Execution mode: simulate, or encrypted (real TFHE; programs no parameter set runs within the error target, or whose keys exceed --max-key-gb, are skipped with the reason).")
  var mode: Mode = .simulate

  @Option(name: .customLong("max-key-gb"), help: "Encrypted mode: skip programs whose evaluation keys exceed this many GB (default: half the memory).")
  var maxKeyGB: Double?

  @Option(help: "Worker threads for tensor ops (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Also print passing cases.")
  var verbose = false

  @Option(help: "Also write a JUnit XML report (one testsuite per fixture file) for CI systems.")
  var junit: String?

  func validate() throws {
    if let maxKeyGB, !(maxKeyGB > 0) { throw ValidationError("--max-key-gb must be positive, got \(maxKeyGB)") }
    if maxKeyGB != nil && mode != .encrypted { throw ValidationError("--max-key-gb applies to --mode encrypted only") }
  }

  func run() throws {
    let encrypted = EncryptedConformanceRunner(
      threads: threads, maxKeyBytes: maxKeyGB.map { UInt64($0 * 1e9) } ?? EncryptedConformanceRunner.defaultMaxKeyBytes)
    let runner = ConformanceRunner(threads: threads)
    var passed = 0, failed = 0, skipped = 0
    var suites: [JUnitReport.Suite] = []
    for path in files {
      let url = URL(fileURLWithPath: path)
      var cases: [JUnitReport.TestCase] = []
      let start = Date()
      let results = mode == .encrypted ? encrypted.run(file: url) : runner.run(file: url)
      // The runner returns a file's results together: each case gets an equal share of its time.
      let share = Date().timeIntervalSince(start) / Double(max(results.count, 1))
      for r in results {
        let outcome: JUnitReport.Outcome = switch r.status {
        case .passed: .passed
        case .failed(let m): .failed(m)
        case .skipped(let m): .skipped(m)
        }
        cases.append(JUnitReport.TestCase(
          classname: "\(r.file).\(mode.rawValue)", name: "#\(r.document) \(r.description) test \(r.test)", seconds: share, outcome: outcome))
        let label = "\(r.file) #\(r.document) '\(r.description)' test \(r.test)"
        switch r.status {
        case .passed:
          passed += 1
          if verbose { print("PASS \(label)") }
        case .failed(let m):
          failed += 1
          print("FAIL \(label): \(m)")
        case .skipped(let m):
          skipped += 1
          print("SKIP \(label): \(m)")
        }
      }
      suites.append(JUnitReport.Suite(name: url.lastPathComponent, cases: cases))
    }
    print("\(passed) passed, \(failed) failed, \(skipped) skipped")
    if let junit {
      try reporting { try JUnitReport(name: "torus conformance --mode \(mode.rawValue)", suites: suites).write(to: junit) }
    }
    if failed > 0 { throw ExitCode(1) }
  }
}

// `--trace` alone means every op (ArgumentParser options need a value).
Torus.main(CommandLine.arguments.dropFirst().map { $0 == "--trace" ? "--trace=all" : $0 })
