import Foundation
import TFHE
import TorusFHE
import TorusFormats
import TorusIR
import TorusInterpreter

/// A circuit loaded for encrypted mode. Keygen and the all-in-one run choose its parameters
/// (`plan`); encrypt, decrypt and the server step take them from the key directory.
public struct EncryptedCircuit: Sendable {
  public let path: String
  public let circuit: Circuit
  /// Binds keys and ciphertexts to this function's text.
  public let fingerprint: UInt64

  public init(path: String, function: String?) throws(EncryptedModeError) {
    self.path = path
    do { circuit = try Circuit(contentsOf: URL(fileURLWithPath: path), functionName: function) } catch {
      throw .invalidInput("\(error)")
    }
    fingerprint = CircuitIdentity.fingerprint(of: circuit.function.operation)
  }

  /// `path`, or the copy of the circuit in the client key directory; the function defaults to the
  /// one the keys were made for.
  public init(path: String?, keys: String, function: String?) throws(EncryptedModeError) {
    var function = function
    if function == nil, let id = try? KeyDirectory.identity(of: keys + "/client") { function = id.function }
    if path == nil && !FileManager.default.fileExists(atPath: KeyDirectory.circuitPath(keys)) {
      throw .invalidInput(
        "'\(keys)' is not a key directory made by 'torus keygen' (no \(KeyDirectory.circuitPath(keys))); pass the circuit as the first argument")
    }
    try self.init(path: path ?? KeyDirectory.circuitPath(keys), function: function)
  }

  public var function: String { circuit.function.symbolName }

  /// Chooses the parameters, refusing sets whose keys would not fit in `memory` bytes (the 10- and
  /// 11-bit sets need 10–26 GB) before any key is made.
  public func plan(_ target: ErrorTarget, memory: UInt64 = ProcessInfo.processInfo.physicalMemory) throws(EncryptedModeError)
    -> EncryptionPlan
  {
    let plan: EncryptionPlan
    do { plan = try ParameterSelection.plan(for: circuit.function.operation, target: target, memory: memory) } catch {
      throw .invalidInput("\(path): \(error)")
    }
    let keyBytes = plan.evaluationKeyBytes
    if UInt64(keyBytes) > memory {
      throw .invalidInput(
        "\(plan.description)\n"
          + String(format: "\(path): the evaluation keys need %.1f GB, this machine has %.1f GB of memory", Double(keyBytes) / 1e9, Double(memory) / 1e9))
    }
    return plan
  }

  public func identity(parameters: ParameterSet, residues: CrtEncoding? = nil) -> CircuitIdentity {
    CircuitIdentity(circuit: fingerprint, function: function, parameters: parameters.fingerprint, residues: residues)
  }

  /// Bootstraps one run costs under `parameters` (for progress lines; exact rounding's steps
  /// depend on the parameters' chunk width). The plan that chose the parameters ran the same
  /// analysis, so it does not fail here; 0 if it did.
  /// With wide lookups (`wide`: tables wider than its `classicLookupMaxWidth`), each counts its
  /// blind rotations (`WideLookupNoise.bootstraps`), as their progress does.
  /// In residues (`residues`), each lookup counts its `WideLookupNoise.crtBootstraps`.
  public func bootstrapCount(parameters: ParameterSet, wide: WideLookupParameters? = nil, residues: CrtEncoding? = nil) -> Int {
    let chunk = NoiseModel(parameters).bitExtractionChunk
    guard let a = try? NoiseAnalysis(function: circuit.function.operation, bitExtractionChunk: chunk) else { return 0 }
    guard let wide else { return a.bootstrapCount }
    let model = WideLookupNoise(classic: parameters, wide: wide)
    if let residues {
      return a.lookups.reduce(0) { total, l in
        total + l.count * model.crtBootstraps(moduli: residues.moduliRead(forBits: l.precision))
      }
    }
    let widest = model.classicLookupMaxWidth
    return a.lookups.reduce(0) { $0 + (!$1.isBitExtraction && $1.precision > widest ? $1.count * model.bootstraps(bits: $1.precision) : $1.count) }
  }
}

/// The whole encrypted round trip in one process (`torus run --mode encrypted` without keys):
/// plan → memory check → keygen → encrypt → run → decrypt → restack like simulate mode.
public struct LocalEncryptedRun {
  /// What happened, for timing lines.
  public struct Report: Sendable {
    public var plan: EncryptionPlan
    public var keygenSeconds: Double
    public var runSeconds: Double
    public var samples: Int
    public var bootstraps: Int
  }

  public let circuit: EncryptedCircuit
  public var target: ErrorTarget
  public var threads: Int

  public init(circuit: EncryptedCircuit, target: ErrorTarget = ErrorTarget(), threads: Int) {
    self.circuit = circuit
    self.target = target
    self.threads = threads
  }

  /// Runs `arrays` (one per argument, integers; a leading batch dimension runs each sample);
  /// `planned` sees the plan before keygen, `progress` every finished bootstrap batch.
  /// `observer` sees every op's results decrypted with the client key (debugging only).
  public func run(
    _ arrays: [NDArray], planned: (EncryptionPlan) -> Void = { _ in }, progress report: (@Sendable (Int, Int) -> Void)? = nil,
    observer: OpObserver? = nil
  ) throws(EncryptedModeError) -> (outputs: [NDArray], report: Report) {
    let plan = try circuit.plan(target)
    planned(plan)
    let identity = circuit.identity(parameters: plan.parameters, residues: plan.crt)
    var start = Date()
    let client = ClientKey(parameters: plan.parameters)
    let server = client.makeServerKey(threads: threads)
    let wide = plan.wide.map { client.makeWideLookupKey(server: server, parameters: $0, threads: threads) }
    let keygen = Date().timeIntervalSince(start)
    let clientSide = EncryptedClient(key: client, circuit: circuit.circuit, identity: identity, crt: plan.crt)
    let batch = try clientSide.encrypt(arrays)
    let progress = BootstrapProgress(total: plan.bootstrapCount * batch.samples.count, report: report)
    start = Date()
    let result = try EncryptedServer(key: server, circuit: circuit.circuit, identity: identity, wide: wide, crt: plan.crt).run(
      batch, threads: threads, progress: progress, observer: observer, debugKey: client)
    let elapsed = Date().timeIntervalSince(start)
    // Results stack over the batch exactly as in simulate mode.
    let layout = try? BatchLayout(arrays: arrays, types: circuit.circuit.argumentTypes, function: circuit.circuit.function.symbolName)
    var outputs = try clientSide.decrypt(result, batched: layout?.batch != nil)
    if let layout, layout.batch != nil {
      outputs = outputs.map { NDArray($0.int64Values, shape: layout.stackedShape(Array($0.shape.dropFirst()))) }
    }
    let summary = Report(plan: plan, keygenSeconds: keygen, runSeconds: elapsed, samples: batch.samples.count, bootstraps: progress.completed)
    return (outputs, summary)
  }
}
