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

/// A circuit loaded for the encrypted-mode commands. Keygen and the all-in-one run choose its
/// parameters (`plan`); encrypt, decrypt and the server step take them from the key directory.
struct EncryptedCircuit {
  let path: String
  let circuit: Circuit
  let fingerprint: UInt64

  init(path: String, function: String?) throws {
    self.path = path
    do {
      circuit = try Circuit(contentsOf: URL(fileURLWithPath: path), functionName: function)
    } catch {
      printError("error: \(error)")
      throw ExitCode(1)
    }
    fingerprint = CircuitIdentity.fingerprint(of: circuit.function.operation)
  }

  /// `path`, or the copy of the circuit in the client key directory; the function defaults to the
  /// one the keys were made for.
  init(path: String?, keys: String, function: String?) throws {
    var function = function
    if function == nil, let id = try? KeyDirectory.identity(of: keys + "/client") { function = id.function }
    if path == nil && !FileManager.default.fileExists(atPath: KeyDirectory.circuitPath(keys)) {
      printError("error: '\(keys)' is not a key directory made by 'torus keygen' (no \(KeyDirectory.circuitPath(keys))); pass the circuit as the first argument")
      throw ExitCode(1)
    }
    try self.init(path: path ?? KeyDirectory.circuitPath(keys), function: function)
  }

  var function: String { circuit.function.symbolName }

  /// Chooses the parameters, refusing sets whose keys would not fit in this machine's memory
  /// (the 10- and 11-bit sets need 10–26 GB) before any key is made.
  func plan(_ target: ErrorTarget) throws -> EncryptionPlan {
    let plan: EncryptionPlan
    do { plan = try ParameterSelection.plan(for: circuit.function.operation, target: target) } catch {
      printError("\(path): error: \(error)")
      throw ExitCode(1)
    }
    let keyBytes = plan.parameters.bootstrapKeyBytes + plan.parameters.keySwitchingKeyBytes
    let memory = ProcessInfo.processInfo.physicalMemory
    if UInt64(keyBytes) > memory {
      printError(plan.description)
      printError(String(format: "\(path): error: the evaluation keys need %.1f GB, this machine has %.1f GB of memory", Double(keyBytes) / 1e9, Double(memory) / 1e9))
      throw ExitCode(1)
    }
    return plan
  }

  func identity(parameters: ParameterSet) -> CircuitIdentity {
    CircuitIdentity(circuit: fingerprint, function: function, parameters: parameters.fingerprint)
  }

  /// Bootstraps one run costs under `parameters` (for progress lines; exact rounding's steps
  /// depend on the parameters' chunk width).
  /// (The plan that chose the parameters ran the same analysis, so it cannot fail here.)
  func bootstrapCount(parameters: ParameterSet) -> Int {
    let chunk = NoiseModel(parameters).bitExtractionChunk
    return (try? NoiseAnalysis(function: circuit.function.operation, bitExtractionChunk: chunk))?.bootstrapCount ?? 0
  }
}

/// The error targets that choose a circuit's parameters (Concrete's `global_p_error`, `p_error`).
/// Keygen and the all-in-one encrypted run take them; the other steps read the parameters from
/// the key directory.
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
    let c = try EncryptedCircuit(path: circuit, function: function)
    let plan = try c.plan(errorTarget.target)
    printError(plan.description)
    let start = Date()
    let client = ClientKey(parameters: plan.parameters)
    let server = client.makeServerKey(threads: threads)
    printError(String(format: "keygen: %.2f s", Date().timeIntervalSince(start)))
    do {
      try KeyDirectory.write(
        client: client, server: server, identity: c.identity(parameters: plan.parameters), circuit: c.circuit.module, to: keys)
    } catch { throw fail("\(error)") }
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
    let c = try EncryptedCircuit(path: circuit, keys: keys, function: function)
    do {
      let (key, identity) = try KeyDirectory.readClient(keys, circuit: c.fingerprint, function: c.function)
      let arrays = try inputs.map(readArray)
      let batch = try EncryptedClient(key: key, circuit: c.circuit, identity: identity).encrypt(arrays)
      try FileIO.write(batch.serialized(parameters: key.parameters), to: output)
    } catch { throw fail("\(error)") }
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
    let c = try EncryptedCircuit(path: files.count == 2 ? files[0] : nil, keys: keys, function: function)
    do {
      let (key, identity) = try KeyDirectory.readClient(keys, circuit: c.fingerprint, function: c.function)
      let batch = try readBatch(files[files.count - 1], parameters: key.parameters)
      let arrays = try EncryptedClient(key: key, circuit: c.circuit, identity: identity).decrypt(batch)
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
    let c = try EncryptedCircuit(path: circuit, function: function)
    do {
      if let evalKeys {
        guard inputs.count == 1, let output else {
          throw EncryptedModeError.invalidInput("the server step takes one --input FILE.ct and -o/--output FILE.ct")
        }
        let (key, identity) = try KeyDirectory.readServer(evalKeys, circuit: c.fingerprint, function: c.function)
        let batch = try readBatch(inputs[0], parameters: key.parameters)
        let progress = BootstrapProgress(total: c.bootstrapCount(parameters: key.parameters) * batch.samples.count, report: progressReporter(label: "run"))
        let start = Date()
        let result = try EncryptedServer(key: key, circuit: c.circuit, identity: identity).run(batch, threads: threads, progress: progress)
        if timing { printError(String(format: "encrypted run: %.3f s (%d samples, %d PBS)", Date().timeIntervalSince(start), batch.samples.count, progress.completed)) }
        try FileIO.write(result.serialized(parameters: key.parameters), to: output)
        return
      }
      let plan = try c.plan(errorTarget.target)
      let identity = c.identity(parameters: plan.parameters)
      printError(plan.description)
      var start = Date()
      let client = ClientKey(parameters: plan.parameters)
      let server = client.makeServerKey(threads: threads)
      if timing { printError(String(format: "keygen: %.3f s", Date().timeIntervalSince(start))) }
      var arrays = try inputs.map(readArray)
      if let modelIO { arrays = try modelIO.quantize(arrays) }
      let clientSide = EncryptedClient(key: client, circuit: c.circuit, identity: identity)
      let batch = try clientSide.encrypt(arrays)
      let progress = BootstrapProgress(total: plan.bootstrapCount * batch.samples.count, report: progressReporter(label: "run"))
      start = Date()
      let result = try EncryptedServer(key: server, circuit: c.circuit, identity: identity).run(batch, threads: threads, progress: progress)
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
    } catch let exit as ExitCode { throw exit } catch { throw fail("\(error)") }
  }
}
