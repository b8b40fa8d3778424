import Foundation
import TFHE
import TorusFormats
import TorusInterpreter

/// Runs Concrete's end-to-end fixtures on real ciphertexts: per program, parameters are chosen by
/// `ParameterSelection`, keys are generated (and reused across programs with the same parameters),
/// and each test is encrypted, run and decrypted through the same interpreter as simulate mode.
public final class EncryptedConformanceRunner: @unchecked Sendable {
  public let threads: Int
  /// Programs whose evaluation keys would exceed this many bytes are skipped (with the reason).
  public let maxKeyBytes: UInt64
  /// Keys up to this size are kept for later programs with the same parameters; larger ones
  /// (the 9- and 10-bit sets: 2–10 GB) are made per program and dropped.
  public let cachedKeyBytes: Int
  /// Keys per parameter set, reused across programs; guarded by `lock` (runs may be concurrent).
  private var keys: [UInt64: (ClientKey, ServerKey, WideLookupKey?)] = [:]
  private let lock = NSLockLike()

  /// Half the machine's memory.
  public static var defaultMaxKeyBytes: UInt64 { ProcessInfo.processInfo.physicalMemory / 2 }

  public init(threads: Int, maxKeyBytes: UInt64 = defaultMaxKeyBytes, cachedKeyBytes: Int = 1 << 30) {
    self.threads = threads
    self.maxKeyBytes = maxKeyBytes
    self.cachedKeyBytes = cachedKeyBytes
  }

  public func run(file url: URL) -> [ConformanceResult] {
    let name = url.lastPathComponent
    let fixture: FixtureFile
    do { fixture = try FixtureFile(contentsOf: url) } catch {
      return [ConformanceResult(file: name, document: 0, description: "(file)", test: 0, status: .failed("cannot read fixture: \(error)"))]
    }
    var results: [ConformanceResult] = []
    for (d, doc) in fixture.documents.enumerated() { results += run(doc, file: name, index: d) }
    return results
  }

  func keysFor(_ plan: EncryptionPlan) -> (ClientKey, ServerKey, WideLookupKey?) {
    let p = plan.parameters
    let cache = plan.evaluationKeyBytes <= cachedKeyBytes
    return lock.withLock {
      if let k = keys[p.fingerprint], (k.2 != nil) == (plan.wide != nil) { return k }
      let client = ClientKey(parameters: p)
      let server = client.makeServerKey(threads: threads)
      let k = (client, server, plan.wide.map { client.makeWideLookupKey(server: server, parameters: $0, threads: threads) })
      if cache { keys[p.fingerprint] = k }
      return k
    }
  }

  public func run(_ doc: FixtureProgram, file: String, index d: Int) -> [ConformanceResult] {
    func all(_ s: ConformanceResult.Status) -> [ConformanceResult] {
      (0..<max(1, doc.tests.count)).map { ConformanceResult(file: file, document: d, description: doc.description, test: $0, status: s) }
    }
    let circuit: Circuit
    do { circuit = try Circuit(source: doc.program, fileName: "\(file)#\(d)") } catch {
      return all(.failed("program does not compile: \(error)"))
    }
    // A fixture's `encoding: crt` names Concrete's ciphertext layout, not a semantics: inputs and
    // outputs are clear integers. Encrypted mode encodes every width natively (one LWE ciphertext,
    // message under one padding bit) unless no native plan meets the error target (then in
    // residues, `TFHECrtDomain`); what limits it is the widest table lookup and the noise,
    // which the parameter selection checks, so no width or encoding is skipped up front.
    let plan: EncryptionPlan
    do { plan = try ParameterSelection.plan(for: circuit.function.operation) } catch {
      return all(.skipped("\(error)"))
    }
    let keyBytes = plan.evaluationKeyBytes
    if UInt64(keyBytes) > maxKeyBytes {
      return all(.skipped(String(format: "its parameters (\(plan.parameters.precision)-bit set, N = \(plan.parameters.polynomialSize.rawValue)) need %.1f GB of evaluation keys, above the %.1f GB allowed", Double(keyBytes) / 1e9, Double(maxKeyBytes) / 1e9)))
    }
    let (client, server, wide) = keysFor(plan)
    let domain = TFHEDomain(server: server, client: client, wide: wide)
    // A plan in residues (no native plan met the target) runs on `TFHECrtDomain`.
    let crtDomain = plan.crt.flatMap { crt in wide.map { TFHECrtDomain(key: $0, encoding: crt, client: client) } }
    let sim = Simulator(circuit: circuit, options: SimulateOptions(threads: threads, encoding: .native, checkInputRange: false, trace: { _ in }))
    let checker = ConformanceRunner(threads: threads)
    var out: [ConformanceResult] = []
    for (t, test) in doc.tests.enumerated() {
      let inputs = (test.inputs ?? []).map { v in v.int64Values }
      let status: ConformanceResult.Status
      do {
        let results: [[Int64]]
        if let crtDomain { results = try sim.run(inputs, domain: crtDomain) } else { results = try sim.run(inputs, domain: domain) }
        status = checker.compare(results, test.outputs ?? [], circuit: circuit)
      } catch {
        if case .unsupported(let m) = error { status = .skipped(m) } else { status = .failed("\(error)") }
      }
      out.append(ConformanceResult(file: file, document: d, description: doc.description, test: t, status: status))
    }
    return out
  }
}
