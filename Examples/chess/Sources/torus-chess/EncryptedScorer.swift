import ChessEngine
import ChessRules
import Foundation
import TFHE
import TorusEncrypted
import TorusFormats
import TorusServeClient

/// The networks in encrypted mode: this process holds the secret keys, encrypts the quantized
/// board, and a torus-serve evaluates the circuit on the ciphertexts; the scores come back
/// encrypted and are decrypted here. `check` (optional) also runs simulate mode and reports
/// whether the decrypted raw outputs equal it.
final class EncryptedScorer: MoveScorer, @unchecked Sendable {
  struct Network {
    let compiled: CompiledNetwork
    let client: EncryptedClient
    let parameters: ParameterSet
    let remote: ServeClient
    let keySet: String
  }

  let source: Network
  let target: Network
  let simulated: SimulatedScorer?
  let work: String
  let log: @Sendable (String) -> Void

  init(source: CompiledNetwork, target: CompiledNetwork, server: URL, work: String, check: Bool, log: @escaping @Sendable (String) -> Void) throws {
    self.work = work
    self.log = log
    self.source = try Self.connect(source, server: server, work: work, log: log)
    self.target = try Self.connect(target, server: server, work: work, log: log)
    simulated = check ? SimulatedScorer(source: source, target: target) : nil
  }

  /// Keys for `network` in `<work>/keys-<name>` (made once, as `torus keygen` makes them), the
  /// circuit registered on the server if it lacks it, the evaluation keys uploaded once.
  static func connect(_ network: CompiledNetwork, server: URL, work: String, log: (String) -> Void) throws -> Network {
    let circuit = try EncryptedCircuit(path: network.path, function: nil)
    let dir = work + "/keys-" + URL(fileURLWithPath: network.path).deletingPathExtension().lastPathComponent
    let key: ClientKey
    let identity: CircuitIdentity
    if let existing = try? KeyDirectory.readClient(dir, circuit: circuit.fingerprint, function: circuit.function) {
      (key, identity) = existing
    } else {
      let plan = try circuit.plan(ErrorTarget())
      log("\(network.name) network: \(plan.description.split(separator: "\n").first ?? "")")
      let start = Date()
      key = ClientKey(parameters: plan.parameters)
      let serverKey = key.makeServerKey(threads: ProcessInfo.processInfo.activeProcessorCount)
      identity = circuit.identity(parameters: plan.parameters)
      try KeyDirectory.write(client: key, server: serverKey, identity: identity, circuit: circuit.circuit.module, to: dir)
      log(String(format: "%@ network: keys made in %.1f s (%@)", network.name, Date().timeIntervalSince(start), dir))
    }
    var remote = try RemoteKeys.load(dir)
    if remote?.server != server.absoluteString { remote = nil }
    if remote == nil {
      let address = server.absoluteString
      remote = try runBlocking { try await RemoteKeys.upload(keyDirectory: dir, server: address) }
      log("\(network.name) network: evaluation keys uploaded to \(address)")
    }
    guard let remote else { throw EngineSetupError("no key set on the server") }
    return Network(
      compiled: network, client: EncryptedClient(key: key, circuit: circuit.circuit, identity: identity), parameters: key.parameters,
      remote: ServeClient(baseURL: server, token: remote.token), keySet: remote.keySet)
  }

  func sourceScores(_ planes: [Float]) throws -> [Double] {
    try evaluate(source, [source.compiled.inputs(planes, source: nil)])[0]
  }

  func targetScores(_ planes: [Float], source from: [Float]) throws -> [Double] {
    try evaluate(target, [target.compiled.inputs(planes, source: from)])[0]
  }

  /// All candidate from-squares in one job (one sample each).
  func targetScores(_ planes: [Float], sources: [[Float]]) throws -> [[Double]] {
    try evaluate(target, sources.map { target.compiled.inputs(planes, source: $0) })
  }

  /// Encrypts each sample's inputs, runs them as one job on the server, decrypts.
  private func evaluate(_ network: Network, _ samples: [[NDArray]]) throws -> [[Double]] {
    let io = network.compiled.modelIO
    let quantized = try samples.map { try io.quantize($0) }
    // Stack the samples along a leading batch axis: the server runs each one.
    let stacked = (0..<quantized[0].count).map { k in
      NDArray(quantized.flatMap { $0[k].int64Values }, shape: [quantized.count] + quantized[0][k].shape)
    }
    let batch = try network.client.encrypt(stacked)
    let input = work + "/\(network.compiled.name)-in.ct", output = work + "/\(network.compiled.name)-out.ct"
    try FileIO.write(batch.serialized(parameters: network.parameters), to: input)
    let start = Date()
    let log = self.log
    try runBlocking {
      let job = try await network.remote.submit(keySet: network.keySet, ciphertexts: input)
      var last = Date.distantPast
      let done = try await network.remote.wait(job: job.id, poll: .milliseconds(500)) { j in
        if Date().timeIntervalSince(last) >= 10 {
          last = Date()
          log("\(network.compiled.name) network: job \(j.id) \(j.state) \(j.bootstrapsDone)/\(j.bootstrapsTotal) PBS")
        }
      }
      guard done.state == "done" else { throw EngineSetupError("job \(done.id) failed: \(done.error ?? "")") }
      try await network.remote.downloadResult(job: done.id, to: output)
    }
    let result = try EncryptedBatch(serialized: try FileIO.read(output), path: output, parameters: network.parameters)
    let raw = try network.client.decrypt(result, batched: true)[0]
    let per = raw.int64Values.count / samples.count
    log(String(format: "%@ network: %d sample(s) evaluated encrypted in %.1f s", network.compiled.name, samples.count, Date().timeIntervalSince(start)))
    if let simulated {
      let expected = try samples.flatMap { try simulated.raw(network.compiled, $0) }
      let equal = zip(raw.int64Values, expected).filter { $0 == $1 }.count
      log("\(network.compiled.name) network: encrypted raw outputs equal simulate on \(equal)/\(expected.count)")
    }
    return (0..<samples.count).map { s in
      let slice = NDArray(Array(raw.int64Values[(s * per)..<((s + 1) * per)]), shape: [1, per])
      return io.dequantize([slice])[0].doubleValues
    }
  }
}

