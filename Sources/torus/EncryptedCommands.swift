import ArgumentParser
import Foundation
import TFHE
import TorusEncrypted
import TorusFormats
import TorusIR
import TorusInterpreter
import TorusQNNTransforms

#if canImport(Glibc)
  import Glibc
#endif

/// The error targets that choose a circuit's parameters (Concrete's `global_p_error`, `p_error`).
/// Keygen and the all-in-one encrypted run take them; the other steps read the parameters from
/// the key directory.
struct ErrorTargetOptions: ParsableArguments {
  @Option(help: "Probability of any wrong lookup in one run of the circuit (Concrete's global_p_error).")
  var globalPError: Double = 1e-5
  @Option(help: "Probability of one given lookup being wrong (Concrete's p_error); both targets apply when given.")
  var pError: Double?

  @Flag(help: "Put encrypted values in residues (CRT) even where a native plan meets the targets (it may be faster: compare 'torus-opt FILE --fhe-cost-report' with 'torus-opt FILE --fhe-cost-report=encoding=residues').")
  var residues = false

  var target: ErrorTarget { ErrorTarget(global: globalPError, perLookup: pError, residues: residues) }
  /// Whether any of these was given (refused where the parameters come from the keys).
  var isSet: Bool { globalPError != 1e-5 || pError != nil || residues }
}

/// Progress on standard error: bootstraps done / total, ETA. On a terminal one line redrawn in
/// place; otherwise (a log file) a full line once a minute, and a last one at the end if any was
/// written, so that a long run shows it is alive and a short one writes nothing more than before.
func progressReporter(label: String) -> (@Sendable (Int, Int) -> Void)? {
  let start = Date()
  @Sendable func text(_ done: Int, _ total: Int) -> String {
    let elapsed = Date().timeIntervalSince(start)
    let eta = done > 0 ? elapsed / Double(done) * Double(max(0, total - done)) : 0
    return String(format: "%@: %d/%d PBS, %.0f s elapsed, ETA %.0f s", label, done, total, elapsed, eta)
  }
  if isatty(2) != 0 {
    return { done, total in
      FileHandle.standardError.write(Data(("\r" + text(done, total) + "   ").utf8))
      if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
  }
  let gate = ProgressGate(interval: 60)
  return { done, total in
    if gate.due(finished: done >= total) { FileHandle.standardError.write(Data((text(done, total) + "\n").utf8)) }
  }
}

/// When a log-file progress line is due (`progressReporter`); called from many threads.
final class ProgressGate: @unchecked Sendable {
  private let lock = NSLock()
  private let interval: TimeInterval
  private var last = Date()
  private var written = false
  private var closed = false

  init(interval: TimeInterval) { self.interval = interval }

  func due(finished: Bool) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if closed { return false }
    if finished {
      closed = true
      return written
    }
    guard Date().timeIntervalSince(last) >= interval else { return false }
    last = Date()
    written = true
    return true
  }
}

/// Prints `error: message` once and returns the exit code to throw.
func fail(_ message: String) -> ExitCode {
  printError("error: \(message)")
  return ExitCode(1)
}

/// Runs `body`, printing a library error once (as `error: …`) and exiting with 1.
func reporting<T>(_ body: () throws -> T) throws -> T {
  do { return try body() } catch let exit as ExitCode { throw exit } catch let e as CleanExit { throw e } catch {
    throw fail("\(error)")
  }
}

/// Writes outputs as asked, or prints them when no file was given.
func emit(_ arrays: [NDArray], output: String?, outputDir: String?) throws(ArrayFile.Error) {
  try ArrayFile.write(arrays, output: output, directory: outputDir)
  if output == nil && outputDir == nil { print(ArrayFile.summary(arrays)) }
}

struct Keygen: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Choose parameters for a circuit and generate its keys.",
    discussion: "Writes the secret key to DIR/client/ and the evaluation keys (no secret) to DIR/server/.")

  @Argument(help: "The circuit (MLIR text).") var circuit: String
  @Option(help: "The function (default: main, or the module's only function).") var function: String?
  @Option(help: "Directory for the keys.") var keys: String
  @OptionGroup(title: "Error targets") var errorTarget: ErrorTargetOptions
  @Option(help: "Threads for key generation (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  func run() throws {
    try reporting {
      let c = try EncryptedCircuit(path: circuit, function: function)
      let plan = try c.plan(errorTarget.target)
      printError(plan.description)
      let start = Date()
      let client = ClientKey(parameters: plan.parameters)
      let server = client.makeServerKey(threads: threads)
      let wide = plan.wide.map { client.makeWideLookupKey(server: server, parameters: $0, threads: threads) }
      printError(String(format: "keygen: %.2f s", Date().timeIntervalSince(start)))
      try KeyDirectory.write(
        client: client, server: server, wide: wide, identity: c.identity(parameters: plan.parameters, residues: plan.crt), circuit: c.circuit.module,
        to: keys)
    }
  }
}

struct Encrypt: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Encrypt inputs (.npy/.json) with a circuit's client key.",
    discussion: "The circuit defaults to the copy keygen left in KEYS/client/circuit.mlir.")

  @Argument(help: "The circuit (MLIR text; default: the key directory's copy).") var circuit: String?
  @Option(help: "The function (default: the one the keys were made for).") var function: String?
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String
  @Option(name: .customLong("input"), help: "An input array, one per function argument, in order.") var inputs: [String] = []
  @Option(name: [.customShort("o"), .customLong("output")], help: "The ciphertext file to write.") var output: String

  func run() throws {
    try reporting {
      let c = try EncryptedCircuit(path: circuit, keys: keys, function: function)
      let (key, identity) = try KeyDirectory.readClient(keys, circuit: c.fingerprint, function: c.function)
      let arrays = try inputs.map { p throws in try ArrayFile.read(p) }
      let batch = try EncryptedClient(key: key, circuit: c.circuit, identity: identity, crt: identity.residues).encrypt(arrays)
      try FileIO.write(batch.serialized(parameters: key.parameters), to: output)
    }
  }
}

struct Decrypt: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decrypt a circuit's output ciphertexts to .npy/.json.",
    discussion: "torus decrypt --keys KEYS [CIRCUIT] OUT.ct -o out.npy; the circuit defaults to KEYS/client/circuit.mlir.")

  @Argument(help: ArgumentHelp("[CIRCUIT] CIPHERTEXTS: the circuit (default: the key directory's copy), then the .ct file made by 'torus run --mode encrypted'.", valueName: "files"))
  var files: [String]
  @Option(help: "The function (default: the one the keys were made for).") var function: String?
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String
  @Option(name: [.customShort("o"), .customLong("output")], help: "Write the first output here (.npy or .json).") var output: String?
  @Option(help: "Write every output to this directory as output_<k>.npy.") var outputDir: String?

  func validate() throws {
    guard (1...2).contains(files.count) else { throw ValidationError("expected [CIRCUIT] CIPHERTEXTS, got \(files.count) paths") }
  }

  func run() throws {
    try reporting {
      let c = try EncryptedCircuit(path: files.count == 2 ? files[0] : nil, keys: keys, function: function)
      let (key, identity) = try KeyDirectory.readClient(keys, circuit: c.fingerprint, function: c.function)
      let path = files[files.count - 1]
      let batch = try EncryptedBatch(serialized: try FileIO.read(path), path: path, parameters: key.parameters)
      let arrays = try EncryptedClient(key: key, circuit: c.circuit, identity: identity, crt: identity.residues).decrypt(batch)
      try emit(arrays, output: output, outputDir: outputDir)
    }
  }
}

/// `torus run --mode encrypted`: with `--eval-keys`, the server step on a `.ct` file; without,
/// all four steps (keygen, encrypt, run, decrypt) in one process for convenience.
struct EncryptedRun {
  var circuit: String
  var function: String?
  var inputs: [String]
  var output: String?
  var outputDir: String?
  var evalKeys: String?
  var threads: Int
  var errorTarget: ErrorTargetOptions
  var timing: Bool
  var raw: Bool
  var observer: OpObserver?

  func run() throws {
    try reporting {
      let c = try EncryptedCircuit(path: circuit, function: function)
      if let evalKeys {
        guard inputs.count == 1, let output, outputDir == nil else {
          throw EncryptedModeError.invalidInput("the server step takes one --input FILE.ct and -o/--output FILE.ct (not --output-dir)")
        }
        let (key, identity) = try KeyDirectory.readServer(evalKeys, circuit: c.fingerprint, function: c.function)
        let batch = try EncryptedBatch(serialized: try FileIO.read(inputs[0]), path: inputs[0], parameters: key.parameters)
        let wide = try KeyDirectory.readWide(evalKeys, server: key)
        if let residues = identity.residues, wide == nil {
          throw EncryptedModeError.corrupt(path: KeyDirectory.wideKeyPath(evalKeys), reason: "missing: the keys are for values in residues (\(residues)), which need it")
        }
        let total = c.bootstrapCount(parameters: key.parameters, wide: wide?.parameters, residues: identity.residues)
        let progress = BootstrapProgress(total: total * batch.samples.count, report: progressReporter(label: "run"))
        let start = Date()
        let result = try EncryptedServer(key: key, circuit: c.circuit, identity: identity, wide: wide, crt: identity.residues).run(
          batch, threads: threads, progress: progress)
        if timing { printError(String(format: "encrypted run: %.3f s (%d samples, %d PBS)", Date().timeIntervalSince(start), batch.samples.count, progress.completed)) }
        try FileIO.write(result.serialized(parameters: key.parameters), to: output)
        return
      }
      let modelIO = try ModelIO.forCircuit(circuit, raw: raw)
      var arrays = try inputs.map { p throws in try ArrayFile.read(p) }
      if let modelIO { arrays = try modelIO.quantize(arrays) }
      let session = LocalEncryptedRun(circuit: c, target: errorTarget.target, threads: threads)
      let (outputs, report) = try session.run(
        arrays, planned: { printError($0.description) }, progress: observer == nil ? progressReporter(label: "run") : nil, observer: observer)
      if timing {
        printError(String(format: "keygen: %.3f s", report.keygenSeconds))
        printError(String(format: "encrypted run: %.3f s total, %.3f s per sample, %d PBS (%d threads)", report.runSeconds, report.runSeconds / Double(report.samples), report.bootstraps, threads))
      }
      try emit(modelIO.map { $0.dequantize(outputs) } ?? outputs, output: output, outputDir: outputDir)
    }
  }
}
