import Foundation
import TFHE
import TorusFormats
import TorusInterpreter

/// Runs Concrete's end-to-end fixtures on real ciphertexts: per program, parameters are chosen by
/// `ParameterSelection`, keys are generated (and reused across programs with the same parameters),
/// and each test is encrypted, run and decrypted through the same interpreter as simulate mode.
public final class EncryptedConformanceRunner: @unchecked Sendable {
  public let threads: Int
  /// Programs whose encrypted integers are wider than this are skipped (with the reason).
  public let maxPrecision: Int
  /// Keys per parameter set, reused across programs; guarded by `lock` (runs may be concurrent).
  private var keys: [UInt64: (ClientKey, ServerKey)] = [:]
  private let lock = NSLockLike()

  public init(threads: Int, maxPrecision: Int = 8) {
    self.threads = threads
    self.maxPrecision = maxPrecision
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

  func keysFor(_ p: ParameterSet) -> (ClientKey, ServerKey) {
    lock.withLock {
      if let k = keys[p.fingerprint] { return k }
      let client = ClientKey(parameters: p)
      let k = (client, client.makeServerKey(threads: threads))
      keys[p.fingerprint] = k
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
    let width = circuit.maxEncryptedWidth
    if width > maxPrecision {
      return all(.skipped("\(width)-bit encrypted integers: encrypted mode covers up to \(maxPrecision) bits (wider needs CRT / WoP-PBS)"))
    }
    if doc.encoding == .crt || (doc.encoding == .auto && circuit.autoEncodingIsCRT) {
      return all(.skipped("CRT encoding is not implemented in encrypted mode"))
    }
    let plan: EncryptionPlan
    do { plan = try ParameterSelection.plan(for: circuit.function.operation) } catch {
      return all(.skipped("\(error)"))
    }
    if plan.parameters.precision > maxPrecision {
      return all(.skipped("needs \(plan.parameters.precision)-bit parameters for its noise (above \(maxPrecision))"))
    }
    let (client, server) = keysFor(plan.parameters)
    let domain = TFHEDomain(server: server, client: client)
    let sim = Simulator(circuit: circuit, options: SimulateOptions(threads: threads, encoding: .native, checkInputRange: false, trace: { _ in }))
    let checker = ConformanceRunner(threads: threads)
    var out: [ConformanceResult] = []
    for (t, test) in doc.tests.enumerated() {
      let inputs = (test.inputs ?? []).map { v in v.int64Values }
      let status: ConformanceResult.Status
      do { status = checker.compare(try sim.run(inputs, domain: domain), test.outputs ?? [], circuit: circuit) } catch {
        if case .unsupported(let m) = error { status = .skipped(m) } else { status = .failed("\(error)") }
      }
      out.append(ConformanceResult(file: file, document: d, description: doc.description, test: t, status: status))
    }
    return out
  }
}
