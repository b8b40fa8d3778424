import Foundation
import Logging
import TFHE
import TorusEncrypted

/// The circuits this server evaluates, each planned once (parameters, bootstraps per sample)
/// when registered, and kept parsed in memory. A circuit registered by another server on the
/// same database is loaded from its recorded path on first use.
public actor CircuitRegistry {
  public struct Entry: Sendable {
    public var record: CircuitRecord
    public var circuit: EncryptedCircuit
    public var parameters: ParameterSet
    /// Set when the plan runs some lookups wide: key sets then need wide-lookup keys too.
    public var wide: WideLookupParameters?
    /// Set when the plan puts values in residues (its ciphertexts carry them, `CircuitIdentity`).
    public var residues: CrtEncoding? = nil

    /// The identity keys and ciphertexts of this circuit must carry.
    public func identity(parameters: ParameterSet) -> CircuitIdentity { circuit.identity(parameters: parameters, residues: residues) }
  }

  private let store: any ServeStore
  private let target: ErrorTarget
  private let uploadDirectory: String
  private var entries: [String: Entry] = [:]

  public init(store: any ServeStore, target: ErrorTarget, uploadDirectory: String) {
    self.store = store
    self.target = target
    self.uploadDirectory = uploadDirectory
  }

  /// Registers the circuit in `path` (its main or only function, or `function`).
  @discardableResult
  public func register(path: String, function: String?) async throws -> Entry {
    let target = self.target
    let (circuit, plan) = try await offloaded { () throws -> (EncryptedCircuit, EncryptionPlan) in
      let c = try EncryptedCircuit(path: path, function: function)
      return (c, try c.plan(target))
    }
    let id = Self.id(circuit.fingerprint)
    if let known = entries[id] { return known }
    let p = plan.parameters
    let record = CircuitRecord(
      id: id, function: circuit.function, path: path, parameters: Self.id(p.fingerprint), parameterDescription: "\(p)",
      bootstraps: circuit.bootstrapCount(parameters: p, wide: plan.wide, residues: plan.crt), keyBytes: plan.evaluationKeyBytes, createdAt: now())
    try await store.saveCircuit(record)
    let entry = Entry(record: record, circuit: circuit, parameters: p, wide: plan.wide, residues: plan.crt)
    entries[id] = entry
    return entry
  }

  /// Registers uploaded MLIR text: stored as `<uploads>/<fingerprint>.mlir`.
  public func register(text: [UInt8], function: String?) async throws -> Entry {
    let staging = uploadDirectory + "/upload-\(randomHex(bytes: 8)).mlir"
    try FileIO.write(text, to: staging)
    do {
      let circuit = try await offloaded { try EncryptedCircuit(path: staging, function: function) }
      let id = Self.id(circuit.fingerprint)
      if let known = entries[id] {
        try? FileManager.default.removeItem(atPath: staging)
        return known
      }
      let final = uploadDirectory + "/\(id).mlir"
      if FileManager.default.fileExists(atPath: final) { try? FileManager.default.removeItem(atPath: final) }
      try FileManager.default.moveItem(atPath: staging, toPath: final)
      return try await register(path: final, function: circuit.function)
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw error
    }
  }

  /// The circuit `id`, loading it if another server registered it.
  public func entry(id: String) async throws -> Entry? {
    if let e = entries[id] { return e }
    guard let record = try await store.circuit(id: id) else { return nil }
    let entry = try await register(path: record.path, function: record.function)
    return entry
  }

  public static func id(_ fingerprint: UInt64) -> String {
    let hex = String(fingerprint, radix: 16)
    return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
  }
}
