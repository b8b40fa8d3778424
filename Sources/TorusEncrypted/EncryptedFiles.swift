import Foundation
import TFHE
import TorusFormats
import TorusIR

/// Errors of encrypted mode: keys, ciphertext files, inputs. Each names what was expected and found.
public enum EncryptedModeError: Error, CustomStringConvertible {
  case io(String)
  case corrupt(path: String, reason: String)
  case keyMismatch(String)
  case invalidInput(String)
  case crypto(String)

  public var description: String {
    switch self {
    case .io(let m): m
    case .corrupt(let path, let reason): "corrupt or truncated file '\(path)': \(reason)"
    case .keyMismatch(let m): "keys do not belong to this circuit: \(m)"
    case .invalidInput(let m): m
    case .crypto(let m): m
    }
  }
}

/// What binds keys and ciphertexts to one circuit: a fingerprint of the function's text and the
/// parameter set's fingerprint.
public struct CircuitIdentity: Hashable, Sendable {
  public var circuit: UInt64
  public var function: String
  public var parameters: UInt64
  /// Values in residues (`TFHECrtDomain`); nil: native. Keys, ciphertexts and the client's
  /// encoding must agree on it.
  public var residues: CrtEncoding?

  public init(circuit: UInt64, function: String, parameters: UInt64, residues: CrtEncoding? = nil) {
    self.circuit = circuit
    self.function = function
    self.parameters = parameters
    self.residues = residues
  }

  /// `m1,m2,…;directReadMaxBits` (the `residues=` field and the `.ct` header).
  static func residuesText(_ e: CrtEncoding) -> String {
    e.moduli.map(String.init).joined(separator: ",") + ";\(e.directReadMaxBits)"
  }

  static func residues(text: String) -> CrtEncoding? {
    let parts = text.split(separator: ";", omittingEmptySubsequences: false)
    guard parts.count == 2, let direct = Int(parts[1]) else { return nil }
    let moduli = parts[0].split(separator: ",").compactMap { Int($0) }
    guard moduli.count == parts[0].split(separator: ",").count else { return nil }
    return CrtEncoding(validating: moduli, directReadMaxBits: direct)
  }

  /// FNV-1a of the function printed in generic form (formatting of the source does not matter).
  public static func fingerprint(of function: TorusIR.Operation) -> UInt64 {
    fnv1a(Module(operation: function).print(options: PrintOptions(generic: true)))
  }

  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
  }

  var text: String {
    "torus-circuit-identity 1\ncircuit=\(String(circuit, radix: 16))\nfunction=\(function)\nparameters=\(String(parameters, radix: 16))\n"
      + (residues.map { "residues=\(Self.residuesText($0))\n" } ?? "")
  }

  init(text: String, path: String) throws(EncryptedModeError) {
    var fields: [String: String] = [:]
    let lines = text.split(separator: "\n")
    guard lines.first == "torus-circuit-identity 1" else { throw .corrupt(path: path, reason: "not a circuit identity file") }
    for l in lines.dropFirst() {
      let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
      if kv.count == 2 { fields[kv[0]] = kv[1] }
    }
    guard let c = fields["circuit"].flatMap({ UInt64($0, radix: 16) }), let f = fields["function"],
      let p = fields["parameters"].flatMap({ UInt64($0, radix: 16) })
    else { throw .corrupt(path: path, reason: "missing circuit, function or parameters field") }
    var residues: CrtEncoding?
    if let text = fields["residues"] {
      guard let e = Self.residues(text: text) else { throw .corrupt(path: path, reason: "bad residues field '\(text)'") }
      residues = e
    }
    self.init(circuit: c, function: f, parameters: p, residues: residues)
  }
}

/// `DIR/client/` holds the secret key; `DIR/server/` only evaluation keys. Both carry the
/// circuit identity, so keys made for another circuit are refused.
public enum KeyDirectory {
  public static func clientKeyPath(_ dir: String) -> String { dir + "/client/client.key" }
  public static func serverKeyPath(_ serverDir: String) -> String { serverDir + "/server.key" }
  /// Packing keys of wide lookups, present when the circuit's plan has wide lookups.
  public static func wideKeyPath(_ serverDir: String) -> String { serverDir + "/wide.key" }
  static func identityPath(_ dir: String) -> String { dir + "/circuit.id" }

  /// The client's copy of the circuit (so that `encrypt` and `decrypt` need only the keys).
  public static func circuitPath(_ dir: String) -> String { dir + "/client/circuit.mlir" }

  public static func write(
    client: ClientKey, server: ServerKey, wide: WideLookupKey? = nil, identity: CircuitIdentity, circuit: Module? = nil,
    to dir: String
  ) throws(EncryptedModeError) {
    do {
      try FileManager.default.createDirectory(atPath: dir + "/client", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: dir + "/server", withIntermediateDirectories: true)
    } catch {
      throw .io("cannot create key directories in '\(dir)': \(error.localizedDescription)")
    }
    // The secret key is readable by its owner only.
    try FileIO.write(client.serialized(), to: clientKeyPath(dir), mode: 0o600)
    try FileIO.write(Array(identity.text.utf8), to: identityPath(dir + "/client"))
    if let circuit { try FileIO.write(circuit.print(), to: circuitPath(dir)) }
    try FileIO.write(server.serialized(), to: serverKeyPath(dir + "/server"))
    if let wide { try FileIO.write(wide.serialized(), to: wideKeyPath(dir + "/server")) }
    try FileIO.write(Array(identity.text.utf8), to: identityPath(dir + "/server"))
  }

  /// The identity recorded in `dir` (`KEYS/client` or `KEYS/server`).
  public static func identity(of dir: String) throws(EncryptedModeError) -> CircuitIdentity { try readIdentity(dir) }

  static func readIdentity(_ dir: String) throws(EncryptedModeError) -> CircuitIdentity {
    let path = identityPath(dir)
    guard FileManager.default.fileExists(atPath: path) else { throw .io("cannot read '\(path)' (run 'torus keygen' first)") }
    return try CircuitIdentity(text: String(decoding: try FileIO.read(path), as: UTF8.self), path: path)
  }

  static func read(_ path: String) throws(EncryptedModeError) -> [UInt8] { try FileIO.read(path) }

  /// The client key of `dir` and its identity, after checking that the keys were made for
  /// `function` of `circuit` (its fingerprint). The parameters are the key's own.
  public static func readClient(_ dir: String, circuit: UInt64, function: String) throws(EncryptedModeError) -> (ClientKey, CircuitIdentity) {
    let id = try readIdentity(dir + "/client")
    try check(id, circuit: circuit, function: function, where: dir + "/client")
    let path = clientKeyPath(dir)
    let key: ClientKey
    do { key = try ClientKey(serialized: try read(path)) } catch let e as EncryptedModeError { throw e } catch {
      throw .corrupt(path: path, reason: "\(error)")
    }
    try checkParameters(key.parameters, id, path: path)
    return (key, id)
  }

  /// The evaluation keys of `serverDir` (`DIR/server`) and their identity, checked as `readClient`.
  public static func readServer(_ serverDir: String, circuit: UInt64, function: String) throws(EncryptedModeError) -> (ServerKey, CircuitIdentity) {
    let id = try readIdentity(serverDir)
    try check(id, circuit: circuit, function: function, where: serverDir)
    let path = serverKeyPath(serverDir)
    let key: ServerKey
    do { key = try ServerKey(serialized: try read(path)) } catch let e as EncryptedModeError { throw e } catch {
      throw .corrupt(path: path, reason: "\(error)")
    }
    try checkParameters(key.parameters, id, path: path)
    return (key, id)
  }

  /// The wide-lookup keys of `serverDir` for `server` (nil when the directory has none: the
  /// circuit's lookups are all classic).
  public static func readWide(_ serverDir: String, server: ServerKey) throws(EncryptedModeError) -> WideLookupKey? {
    let path = wideKeyPath(serverDir)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let key: WideLookupKey
    do { key = try WideLookupKey(serialized: try read(path), server: server) } catch let e as EncryptedModeError { throw e } catch {
      throw .corrupt(path: path, reason: "\(error)")
    }
    return key
  }

  /// The client key of `dir`, which must match `expected` exactly (parameters included).
  public static func readClient(_ dir: String, expected: CircuitIdentity) throws(EncryptedModeError) -> ClientKey {
    let (key, id) = try readClient(dir, circuit: expected.circuit, function: expected.function)
    try check(id, expected, where: dir + "/client")
    return key
  }

  /// The evaluation keys of `serverDir`, which must match `expected` exactly (parameters included).
  public static func readServer(_ serverDir: String, expected: CircuitIdentity) throws(EncryptedModeError) -> ServerKey {
    let (key, id) = try readServer(serverDir, circuit: expected.circuit, function: expected.function)
    try check(id, expected, where: serverDir)
    return key
  }

  static func checkParameters(_ p: ParameterSet, _ id: CircuitIdentity, path: String) throws(EncryptedModeError) {
    guard p.fingerprint == id.parameters else {
      throw .keyMismatch("'\(path)' holds keys for parameter set \(String(p.fingerprint, radix: 16)), its circuit.id says \(String(id.parameters, radix: 16))")
    }
  }

  static func check(_ found: CircuitIdentity, circuit: UInt64, function: String, where dir: String) throws(EncryptedModeError) {
    guard found.circuit == circuit, found.function == function else {
      throw .keyMismatch("'\(dir)' was made for function '@\(found.function)' of circuit \(String(found.circuit, radix: 16)), this is '@\(function)' of circuit \(String(circuit, radix: 16))")
    }
  }

  static func check(_ found: CircuitIdentity, _ expected: CircuitIdentity, where dir: String) throws(EncryptedModeError) {
    try check(found, circuit: expected.circuit, function: expected.function, where: dir)
    guard found.parameters == expected.parameters else {
      throw .keyMismatch("'\(dir)' holds keys for parameter set \(String(found.parameters, radix: 16)), the circuit needs \(String(expected.parameters, radix: 16))")
    }
  }
}

/// One argument or result of one sample: encrypted (LWE ciphertexts) or clear integers.
public enum EncryptedValue: Sendable {
  case encrypted(shape: [Int], width: Int, signed: Bool, ciphertexts: [LweCiphertext])
  case clear(shape: [Int], values: [Int64])

  public var shape: [Int] {
    switch self {
    case .encrypted(let s, _, _, _), .clear(let s, _): s
    }
  }
}

/// The contents of a `.ct` file: samples × values, bound to a circuit identity.
///
/// Layout (little-endian): magic `TORUSCT1` (`TORUSCT2`: values in residues, whose
/// `m1,…;directReadMaxBits` string follows the function name, each element then holding one
/// ciphertext per modulus), identity (circuit u64, parameters u64, function name),
/// sample count, value count per sample, then per value: kind (0 encrypted, 1 clear), width,
/// signedness, rank, dims, payload length and payload (TFHE's own checksummed ciphertext list, or
/// int64s); last, an FNV-1a checksum of everything before it.
public struct EncryptedBatch: Sendable {
  public var identity: CircuitIdentity
  public var samples: [[EncryptedValue]]

  public init(identity: CircuitIdentity, samples: [[EncryptedValue]]) {
    self.identity = identity
    self.samples = samples
  }

  static let magic = Array("TORUSCT1".utf8)
  /// Version 2 adds the residues (`CircuitIdentity.residues`) after the function name; written
  /// only for values in residues, so native files keep version 1.
  static let magicResidues = Array("TORUSCT2".utf8)

  public func serialized(parameters: ParameterSet) -> [UInt8] {
    var w = ByteSink()
    w.bytes += identity.residues == nil ? Self.magic : Self.magicResidues
    w.u64(identity.circuit)
    w.u64(identity.parameters)
    w.string(identity.function)
    if let residues = identity.residues { w.string(CircuitIdentity.residuesText(residues)) }
    w.u32(UInt32(samples.count))
    w.u32(UInt32(samples.first?.count ?? 0))
    for sample in samples {
      for v in sample {
        switch v {
        case .encrypted(let shape, let width, let signed, let cts):
          w.u8(0); w.u8(UInt8(width)); w.u8(signed ? 1 : 0); w.shape(shape)
          let payload = LweCiphertext.serialize(cts, parameters: parameters)
          w.u64(UInt64(payload.count))
          w.bytes += payload
        case .clear(let shape, let values):
          w.u8(1); w.u8(64); w.u8(1); w.shape(shape)
          w.u64(UInt64(values.count * 8))
          for x in values { w.u64(UInt64(bitPattern: x)) }
        }
      }
    }
    w.u64(CircuitIdentity.fnv1a(w.bytes))
    return w.bytes
  }

  public init(serialized bytes: [UInt8], path: String, parameters: ParameterSet) throws(EncryptedModeError) {
    func corrupt(_ reason: String) -> EncryptedModeError { .corrupt(path: path, reason: reason) }
    let version2 = Array(bytes.prefix(8)) == Self.magicResidues
    guard bytes.count >= Self.magic.count + 8, Array(bytes.prefix(8)) == Self.magic || version2 else {
      throw corrupt("not a Torus ciphertext file (bad magic)")
    }
    let body = Array(bytes.dropLast(8))
    var tail = ByteSource(bytes: Array(bytes.suffix(8)))
    guard let stored = tail.u64(), stored == CircuitIdentity.fnv1a(body) else {
      throw corrupt("checksum mismatch (the file was modified or cut short)")
    }
    var r = ByteSource(bytes: body)
    r.offset = 8
    guard let c = r.u64(), let p = r.u64(), let f = r.string() else { throw corrupt("truncated header") }
    var residues: CrtEncoding?
    if version2 {
      guard let text = r.string(), let e = CircuitIdentity.residues(text: text) else { throw corrupt("bad residues in the header") }
      residues = e
    }
    guard let nSamples = r.u32(), let nValues = r.u32() else { throw corrupt("truncated header") }
    identity = CircuitIdentity(circuit: c, function: f, parameters: p, residues: residues)
    let perElement = residues?.moduli.count ?? 1
    var samples: [[EncryptedValue]] = []
    for _ in 0..<nSamples {
      var sample: [EncryptedValue] = []
      for _ in 0..<nValues {
        guard let kind = r.u8(), let width = r.u8(), let signed = r.u8(), let shape = r.shape(), let len = r.u64(),
          let payload = r.take(Int(clamping: len))
        else { throw corrupt("truncated value") }
        let count = shape.reduce(1, *)
        if kind == 0 {
          let cts: [LweCiphertext]
          do { cts = try LweCiphertext.deserialize(payload, expecting: parameters) } catch {
            throw corrupt("\(error)")
          }
          guard cts.count == count * perElement else {
            throw corrupt("value of shape \(formatShape(shape)) holds \(cts.count) ciphertexts"
                          + (perElement > 1 ? ", expected \(count * perElement) (\(perElement) residues each)" : ""))
          }
          sample.append(.encrypted(shape: shape, width: Int(width), signed: signed != 0, ciphertexts: cts))
        } else {
          guard payload.count == count * 8 else { throw corrupt("clear value of shape \(formatShape(shape)) has \(payload.count) bytes") }
          var src = ByteSource(bytes: payload)
          sample.append(.clear(shape: shape, values: (0..<count).map { _ in Int64(bitPattern: src.u64() ?? 0) }))
        }
      }
      samples.append(sample)
    }
    guard r.offset == body.count else { throw corrupt("\(body.count - r.offset) unexpected bytes at the end") }
    self.samples = samples
  }
}

struct ByteSink {
  var bytes: [UInt8] = []
  mutating func u8(_ v: UInt8) { bytes.append(v) }
  mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
  mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) } }
  mutating func string(_ s: String) {
    u32(UInt32(s.utf8.count))
    bytes += Array(s.utf8)
  }
  mutating func shape(_ s: [Int]) {
    u8(UInt8(s.count))
    for d in s { u32(UInt32(d)) }
  }
}

struct ByteSource {
  let bytes: [UInt8]
  var offset = 0
  mutating func take(_ n: Int) -> [UInt8]? {
    guard n >= 0, offset + n <= bytes.count else { return nil }
    defer { offset += n }
    return Array(bytes[offset..<offset + n])
  }
  mutating func u8() -> UInt8? { take(1)?[0] }
  mutating func u32() -> UInt32? { take(4).map { b in b.enumerated().reduce(0) { $0 | UInt32($1.element) << UInt32(8 * $1.offset) } } }
  mutating func u64() -> UInt64? { take(8).map { b in b.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) } } }
  mutating func string() -> String? {
    guard let n = u32(), n < 1 << 16, let b = take(Int(n)) else { return nil }
    return String(decoding: b, as: UTF8.self)
  }
  mutating func shape() -> [Int]? {
    guard let rank = u8(), rank <= 16 else { return nil }
    var s: [Int] = []
    for _ in 0..<rank {
      guard let d = u32(), d <= 1 << 28 else { return nil }
      s.append(Int(d))
    }
    return s
  }
}
