import ArgumentParser
import Foundation
import TFHE
import TorusEncrypted
import TorusFormats
import TorusIR
import TorusInterpreter

#if canImport(Glibc)
  import Glibc
#endif

/// Shared by the encrypted-mode commands: the circuit, its identity and chosen parameters.
struct EncryptedCircuit {
  let circuit: Circuit
  let plan: EncryptionPlan
  let identity: CircuitIdentity

  init(path: String, function: String?, errorTarget: ErrorTarget) throws {
    do {
      circuit = try Circuit(contentsOf: URL(fileURLWithPath: path), functionName: function)
    } catch {
      printError("error: \(error)")
      throw ExitCode(1)
    }
    do {
      plan = try ParameterSelection.plan(for: circuit.function.operation, target: errorTarget)
    } catch {
      printError("\(path): error: \(error)")
      throw ExitCode(1)
    }
    identity = CircuitIdentity(
      circuit: CircuitIdentity.fingerprint(of: circuit.function.operation), function: circuit.function.symbolName,
      parameters: plan.parameters.fingerprint)
  }
}

/// The error targets that choose a circuit's parameters (Concrete's `global_p_error`, `p_error`).
/// Keygen, encrypt, run and decrypt must be given the same ones: they pick the parameters, and
/// keys made for other parameters are refused.
struct ErrorTargetOptions: ParsableArguments {
  @Option(help: "Probability of any wrong lookup in one run of the circuit (Concrete's global_p_error).")
  var globalPError: Double = 1e-5
  @Option(help: "Probability of one given lookup being wrong (Concrete's p_error); both targets apply when given.")
  var pError: Double?

  var target: ErrorTarget { ErrorTarget(global: globalPError, perLookup: pError) }
}

/// A progress line on standard error when it is a terminal: bootstraps done / total, ETA.
func progressReporter(label: String) -> (@Sendable (Int, Int) -> Void)? {
  guard isatty(2) != 0 else { return nil }
  let start = Date()
  return { done, total in
    let elapsed = Date().timeIntervalSince(start)
    let eta = done > 0 ? elapsed / Double(done) * Double(max(0, total - done)) : 0
    let line = String(format: "\r%@: %d/%d PBS, %.0f s elapsed, ETA %.0f s   ", label, done, total, elapsed, eta)
    FileHandle.standardError.write(Data(line.utf8))
    if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}

func fail(_ message: String) -> ExitCode {
  printError("error: \(message)")
  return ExitCode(1)
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
    let c = try EncryptedCircuit(path: circuit, function: function, errorTarget: errorTarget.target)
    printError(c.plan.description)
    let start = Date()
    let client = ClientKey(parameters: c.plan.parameters)
    let server = client.makeServerKey(threads: threads)
    printError(String(format: "keygen: %.2f s", Date().timeIntervalSince(start)))
    do { try KeyDirectory.write(client: client, server: server, identity: c.identity, to: keys) } catch { throw fail("\(error)") }
  }
}

struct Encrypt: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Encrypt inputs (.npy/.json) with a circuit's client key.")

  @Argument(help: "The circuit (MLIR text).") var circuit: String
  @Option(help: "The function (default: main, or the module's only function).") var function: String?
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String
  @Option(name: .customLong("input"), help: "An input array, one per function argument, in order.") var inputs: [String] = []
  @Option(name: [.customShort("o"), .customLong("output")], help: "The ciphertext file to write.") var output: String
  @OptionGroup(title: "Error targets (as given to keygen)") var errorTarget: ErrorTargetOptions

  func run() throws {
    let c = try EncryptedCircuit(path: circuit, function: function, errorTarget: errorTarget.target)
    do {
      let key = try KeyDirectory.readClient(keys, expected: c.identity)
      let arrays = try inputs.map(readArray)
      let batch = try EncryptedClient(key: key, circuit: c.circuit, identity: c.identity).encrypt(arrays)
      try FileIO.write(batch.serialized(parameters: c.plan.parameters), to: output)
    } catch { throw fail("\(error)") }
  }
}

struct Decrypt: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Decrypt a circuit's output ciphertexts to .npy/.json.")

  @Argument(help: "The circuit (MLIR text).") var circuit: String
  @Argument(help: "The ciphertext file made by 'torus run --mode encrypted'.") var ciphertexts: String
  @Option(help: "The function (default: main, or the module's only function).") var function: String?
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String
  @Option(name: [.customShort("o"), .customLong("output")], help: "Write the first output here (.npy or .json).") var output: String?
  @Option(help: "Write every output to this directory as output_<k>.npy.") var outputDir: String?
  @OptionGroup(title: "Error targets (as given to keygen)") var errorTarget: ErrorTargetOptions

  func run() throws {
    let c = try EncryptedCircuit(path: circuit, function: function, errorTarget: errorTarget.target)
    do {
      let key = try KeyDirectory.readClient(keys, expected: c.identity)
      let batch = try readBatch(ciphertexts, parameters: c.plan.parameters)
      let arrays = try EncryptedClient(key: key, circuit: c.circuit, identity: c.identity).decrypt(batch)
      try writeArrays(arrays, output: output, outputDir: outputDir)
    } catch { throw fail("\(error)") }
  }
}

func readArray(_ path: String) throws(EncryptedModeError) -> NDArray {
  let url = URL(fileURLWithPath: path)
  do { return url.pathExtension == "json" ? try JSONTensor.read(contentsOf: url) : try Npy.read(contentsOf: url) } catch {
    throw .invalidInput("cannot read input '\(path)': \(error)")
  }
}

func readBatch(_ path: String, parameters: ParameterSet) throws(EncryptedModeError) -> EncryptedBatch {
  try EncryptedBatch(serialized: try FileIO.read(path), path: path, parameters: parameters)
}

func writeArrays(_ results: [NDArray], output: String?, outputDir: String?) throws(EncryptedModeError) {
  func save(_ a: NDArray, _ path: String) throws(EncryptedModeError) {
    let url = URL(fileURLWithPath: path)
    do { if url.pathExtension == "json" { try JSONTensor.write(a, to: url) } else { try Npy.write(a, to: url) } } catch {
      throw .io("cannot write '\(path)': \(error)")
    }
  }
  if let output, let first = results.first { try save(first, output) }
  if let outputDir {
    do { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) } catch { throw .io("cannot create '\(outputDir)'") }
    for (k, r) in results.enumerated() { try save(r, "\(outputDir)/output_\(k).npy") }
  }
  if output == nil && outputDir == nil {
    for (k, r) in results.enumerated() { print("output #\(k) \(r): \(r.int64Values.map(String.init).joined(separator: " "))") }
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
  var modelIO: ModelIO?

  func run() throws {
    let c = try EncryptedCircuit(path: circuit, function: function, errorTarget: errorTarget.target)
    do {
      if let evalKeys {
        guard inputs.count == 1, let output else {
          throw EncryptedModeError.invalidInput("the server step takes one --input FILE.ct and -o/--output FILE.ct")
        }
        let key = try KeyDirectory.readServer(evalKeys, expected: c.identity)
        let batch = try readBatch(inputs[0], parameters: c.plan.parameters)
        let progress = BootstrapProgress(total: c.plan.bootstrapCount * batch.samples.count, report: progressReporter(label: "run"))
        let start = Date()
        let result = try EncryptedServer(key: key, circuit: c.circuit, identity: c.identity).run(batch, threads: threads, progress: progress)
        if timing { printError(String(format: "encrypted run: %.3f s (%d samples, %d PBS)", Date().timeIntervalSince(start), batch.samples.count, progress.completed)) }
        try FileIO.write(result.serialized(parameters: c.plan.parameters), to: output)
        return
      }
      printError(c.plan.description)
      var start = Date()
      let client = ClientKey(parameters: c.plan.parameters)
      let server = client.makeServerKey(threads: threads)
      if timing { printError(String(format: "keygen: %.3f s", Date().timeIntervalSince(start))) }
      var arrays = try inputs.map(readArray)
      if let modelIO { arrays = try modelIO.quantize(arrays) }
      let clientSide = EncryptedClient(key: client, circuit: c.circuit, identity: c.identity)
      let batch = try clientSide.encrypt(arrays)
      let progress = BootstrapProgress(total: c.plan.bootstrapCount * batch.samples.count, report: progressReporter(label: "run"))
      start = Date()
      let result = try EncryptedServer(key: server, circuit: c.circuit, identity: c.identity).run(batch, threads: threads, progress: progress)
      let elapsed = Date().timeIntervalSince(start)
      if timing {
        printError(String(format: "encrypted run: %.3f s total, %.3f s per sample, %d PBS (%d threads)", elapsed, elapsed / Double(batch.samples.count), progress.completed, threads))
      }
      // Results stack over the batch exactly as in simulate mode.
      let layout = try? BatchLayout(arrays: arrays, types: c.circuit.argumentTypes, function: c.circuit.function.symbolName)
      var outputs = try clientSide.decrypt(result, batched: layout?.batch != nil)
      if let layout, layout.batch != nil {
        outputs = outputs.map { NDArray($0.int64Values, shape: layout.stackedShape(Array($0.shape.dropFirst()))) }
      }
      try writeArrays(modelIO.map { $0.dequantize(outputs) } ?? outputs, output: output, outputDir: outputDir)
    } catch { throw fail("\(error)") }
  }
}
