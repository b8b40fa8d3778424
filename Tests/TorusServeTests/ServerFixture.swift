import Foundation
import Logging
import TFHE
import TorusEncrypted
import TorusFormats
import TorusServe
import TorusServeClient
import TorusTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// A `torus-serve` process started as a user starts it (the built executable, a free port),
/// with its log in `DATA/server.log` (or another name: servers sharing a data directory).
final class ServerProcess: @unchecked Sendable {
  let process = Process()
  let port: Int
  let data: String
  var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

  static let executable: URL = {
    var url = Bundle.main.bundleURL
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("torus-serve").path) && url.path != "/" {
      url = url.deletingLastPathComponent()
    }
    return url.appendingPathComponent("torus-serve")
  }()

  let logPath: String

  init(data: String, circuits: String?, database: String?, arguments: [String] = [], log: String = "server.log") throws {
    self.data = data
    logPath = data + "/" + log
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    process.executableURL = Self.executable
    var args = ["--port", "0", "--data", data, "--log-level", "info", "--threads", "2"]
    if let circuits { args += ["--circuits", circuits] }
    if let database { args += ["--database", database] }
    process.arguments = args + arguments
    let out = Pipe()
    process.standardOutput = out
    if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
    let log = FileHandle(forWritingAtPath: logPath)!
    log.seekToEndOfFile()
    process.standardError = log
    try process.run()
    // The one line on standard output: "listening on http://host:port".
    var text = ""
    while !text.contains("\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty {
        let logText = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw ServeTestError("torus-serve exited before listening:\n\(logText.suffix(2000))")
      }
      text += String(decoding: chunk, as: UTF8.self)
    }
    guard let line = text.split(separator: "\n").first, let p = line.split(separator: ":").last.flatMap({ Int($0) }) else {
      throw ServeTestError("unexpected first line from torus-serve: \(text)")
    }
    port = p
  }

  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// SIGKILL: no shutdown handler runs, as when a machine dies.
  func kill9() {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  func stop() {
    guard process.isRunning else { return }
    process.terminate()
    process.waitUntilExit()
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

struct ServeTestError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

/// A circuit with its keys made locally, as `torus keygen` makes them, and a way to encrypt
/// inputs and decrypt results.
struct CircuitFixture: Sendable {
  let root: String
  let circuitsDirectory: String
  let keys: String
  let circuit: EncryptedCircuit
  let table: [Int64]
  let width: Int
  let length: Int

  /// `y = T[x]` on `length` values of `width` bits; T[i] = (i·i + 3) mod 2^width.
  static func lookup(width: Int, length: Int, name: String = "main") throws -> CircuitFixture {
    let root = try SharedData.temporaryDirectory().path
    let circuits = root + "/circuits"
    try FileManager.default.createDirectory(atPath: circuits, withIntermediateDirectories: true)
    let table = (0..<(1 << width)).map { Int64(($0 * $0 + 3) % (1 << width)) }
    let type = "tensor<\(length)x!FHE.eint<\(width)>>"
    let text = """
      func.func @\(name)(%x: \(type)) -> \(type) {
        %t = arith.constant dense<\(table)> : tensor<\(1 << width)xi64>
        %y = "FHELinalg.apply_lookup_table"(%x, %t) : (\(type), tensor<\(1 << width)xi64>) -> \(type)
        return %y : \(type)
      }

      """
    let path = circuits + "/\(name).mlir"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let circuit = try EncryptedCircuit(path: path, function: nil)
    let fixture = CircuitFixture(
      root: root, circuitsDirectory: circuits, keys: root + "/keys", circuit: circuit, table: table, width: width, length: length)
    try fixture.makeKeys(into: fixture.keys)
    return fixture
  }

  /// Keys as `torus keygen` writes them (another directory = another client's keys).
  func makeKeys(into dir: String) throws {
    let plan = try circuit.plan(ErrorTarget())
    let client = ClientKey(parameters: plan.parameters)
    let server = client.makeServerKey(threads: 2)
    let wide = plan.wide.map { client.makeWideLookupKey(server: server, parameters: $0, threads: 2) }
    try KeyDirectory.write(
      client: client, server: server, wide: wide, identity: circuit.identity(parameters: plan.parameters), circuit: circuit.circuit.module,
      to: dir)
  }

  /// Encrypts `samples` (each `length` values) with the keys of `dir` into a .ct file.
  func encrypt(_ samples: [[Int64]], keys dir: String? = nil, to path: String) throws {
    let (key, identity) = try KeyDirectory.readClient(dir ?? keys, circuit: circuit.fingerprint, function: circuit.function)
    let array = NDArray(samples.flatMap { $0 }, shape: samples.count == 1 ? [length] : [samples.count, length])
    let batch = try EncryptedClient(key: key, circuit: circuit.circuit, identity: identity).encrypt([array])
    try FileIO.write(batch.serialized(parameters: key.parameters), to: path)
  }

  func decrypt(_ path: String, keys dir: String? = nil) throws -> [Int64] {
    let (key, identity) = try KeyDirectory.readClient(dir ?? keys, circuit: circuit.fingerprint, function: circuit.function)
    let batch = try EncryptedBatch(serialized: try FileIO.read(path), path: path, parameters: key.parameters)
    return try EncryptedClient(key: key, circuit: circuit.circuit, identity: identity).decrypt(batch, batched: true)[0].int64Values
  }

  func expected(_ samples: [[Int64]]) -> [Int64] { samples.flatMap { $0.map { table[Int($0)] } } }

  func samples(_ n: Int, seed: UInt64) -> [[Int64]] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { _ in (0..<length).map { _ in Int64.random(in: 0..<(1 << width), using: &rng) } }
  }

  func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// The databases the server tests run against: SQLite always, PostgreSQL when
/// TORUS_TEST_POSTGRES names a server (`.ci/run` starts one with scripts/postgres.sh).
enum TestDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
  case sqlite, postgres
  var description: String { rawValue }

  static var postgresURL: String? { ProcessInfo.processInfo.environment["TORUS_TEST_POSTGRES"] }

  /// A fresh database for one test: nil means the data directory's SQLite file.
  func fresh() async throws -> String? {
    switch self {
    case .sqlite: return nil
    case .postgres:
      guard let url = Self.postgresURL else { throw ServeTestError("TORUS_TEST_POSTGRES is not set") }
      return try await PostgresStore.createDatabase(
        url: url, name: "torus_test_\(UInt32.random(in: 0...UInt32.max))_\(getpid())", logger: Logger(label: "test"))
    }
  }

  /// SQLite, plus PostgreSQL when configured; a missing PostgreSQL is said, not silent.
  static var available: [TestDatabase] {
    if postgresURL == nil {
      print("TorusServeTests: TORUS_TEST_POSTGRES unset: PostgreSQL runs skipped (bash scripts/postgres.sh starts one)")
      return [.sqlite]
    }
    return [.sqlite, .postgres]
  }
}
