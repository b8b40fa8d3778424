import Crypto
import Foundation
import TorusEncrypted

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// What went wrong talking to a torus-serve.
public enum ServeClientError: Error, CustomStringConvertible {
  /// The server answered with an error (`code` and `message` from its JSON body).
  case server(status: Int, code: String, message: String)
  case transport(String)
  case invalidResponse(String)
  case local(String)

  public var description: String {
    switch self {
    case .server(let status, let code, let message): "server: \(message) (HTTP \(status), \(code))"
    case .transport(let m): "cannot reach the server: \(m)"
    case .invalidResponse(let m): "unexpected answer from the server: \(m)"
    case .local(let m): m
    }
  }

  public var status: Int? { if case .server(let s, _, _) = self { s } else { nil } }
}

/// A client of torus-serve's HTTP API (URLSession; no NIO). `token` is the bearer token the
/// server issued with the first key upload.
public struct ServeClient: Sendable {
  public var baseURL: URL
  public var token: String?
  private let session: URLSession

  public init(baseURL: URL, token: String? = nil) {
    self.baseURL = baseURL
    self.token = token
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = 3600
    configuration.timeoutIntervalForResource = 24 * 3600
    session = URLSession(configuration: configuration)
  }

  // MARK: Endpoints

  public func health() async throws(ServeClientError) -> ServeAPI.Health { try await get("health") }
  public func circuits() async throws(ServeClientError) -> [ServeAPI.Circuit] { try await get("circuits") }
  public func keySets() async throws(ServeClientError) -> [ServeAPI.KeySet] { try await get("keys") }
  public func jobs() async throws(ServeClientError) -> [ServeAPI.Job] { try await get("jobs") }
  public func job(_ id: String) async throws(ServeClientError) -> ServeAPI.Job { try await get("jobs/\(id)") }
  public func keySet(_ id: String) async throws(ServeClientError) -> ServeAPI.KeySet { try await get("keys/\(id)") }

  /// The circuit `id`, or nil when the server does not have it.
  public func circuit(_ id: String) async throws(ServeClientError) -> ServeAPI.Circuit? {
    do { return try await get("circuits/\(id)") } catch where error.status == 404 { return nil }
  }

  public func registerCircuit(text: Data, function: String?) async throws(ServeClientError) -> ServeAPI.Circuit {
    var request = makeRequest("circuits", method: "POST", query: function.map { [URLQueryItem(name: "function", value: $0)] } ?? [])
    request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
    return try decode(try await send { try await session.upload(for: request, from: text) }, expect: 201)
  }

  /// Uploads `KEYS/server/server.key` with its identity (`KEYS/server/circuit.id`) and SHA-256.
  /// With a token, the keys join that client's; without, the answer carries a new token.
  public func uploadKeys(keyDirectory: String) async throws(ServeClientError) -> ServeAPI.KeyUpload {
    let serverDir = keyDirectory + "/server"
    let identity: CircuitIdentity
    do { identity = try KeyDirectory.identity(of: serverDir) } catch { throw .local("\(error)") }
    let keyPath = KeyDirectory.serverKeyPath(serverDir)
    let digest = try Self.sha256(ofFile: keyPath)
    var request = makeRequest("circuits/\(Self.hex(identity.circuit))/keys", method: "PUT")
    request.setValue(
      "circuit=\(Self.hex(identity.circuit));function=\(identity.function);parameters=\(Self.hex(identity.parameters))",
      forHTTPHeaderField: ServeAPI.keyIdentityHeader)
    request.setValue(digest, forHTTPHeaderField: ServeAPI.sha256Header)
    request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
    let url = URL(fileURLWithPath: keyPath)
    return try decode(try await send { try await session.upload(for: request, fromFile: url) }, expect: 201)
  }

  /// Uploads `KEYS/server/wide.key` (wide-lookup keys, for circuits whose plan runs lookups
  /// wide) to the key set `keySet`, with its SHA-256.
  public func uploadWideKeys(keySet: String, keyDirectory: String) async throws(ServeClientError) -> ServeAPI.KeySet {
    let path = KeyDirectory.wideKeyPath(keyDirectory + "/server")
    guard FileManager.default.isReadableFile(atPath: path) else { throw .local("cannot read '\(path)'") }
    var request = makeRequest("keys/\(keySet)/wide", method: "PUT")
    request.setValue(try Self.sha256(ofFile: path), forHTTPHeaderField: ServeAPI.sha256Header)
    request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
    return try decode(try await send { try await session.upload(for: request, fromFile: URL(fileURLWithPath: path)) }, expect: 201)
  }

  /// Submits a `.ct` file made by `torus encrypt`; the job is queued at once.
  public func submit(keySet: String, ciphertexts path: String) async throws(ServeClientError) -> ServeAPI.Job {
    var request = makeRequest("keys/\(keySet)/jobs", method: "POST")
    request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.isReadableFile(atPath: path) else { throw .local("cannot read '\(path)'") }
    return try decode(try await send { try await session.upload(for: request, fromFile: url) }, expect: 202)
  }

  /// Polls until the job is done or failed, calling `progress` with every state seen.
  public func wait(
    job id: String, poll: Duration = .milliseconds(250), progress: (ServeAPI.Job) -> Void = { _ in }
  ) async throws(ServeClientError) -> ServeAPI.Job {
    while true {
      let job = try await self.job(id)
      progress(job)
      if job.isFinished { return job }
      do { try await Task.sleep(for: poll) } catch { throw .local("cancelled") }
    }
  }

  /// Downloads a finished job's result to `path`.
  public func downloadResult(job id: String, to path: String) async throws(ServeClientError) {
    let request = makeRequest("jobs/\(id)/result", method: "GET")
    let (data, response) = try await send { try await session.data(for: request) }
    try check(response, data: data, expect: 200)
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw .local("cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  public func deleteKeySet(_ id: String) async throws(ServeClientError) {
    let (data, response) = try await send { try await session.data(for: makeRequest("keys/\(id)", method: "DELETE")) }
    try check(response, data: data, expect: 204)
  }

  // MARK: Plumbing

  public static func hex(_ v: UInt64) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 16 - h.count)) + h
  }

  /// SHA-256 of a file, read in 1 MB pieces (key files are hundreds of MB).
  public static func sha256(ofFile path: String) throws(ServeClientError) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw .local("cannot read '\(path)'") }
    defer { try? handle.close() }
    var hasher = SHA256()
    while true {
      let chunk: Data?
      do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw .local("cannot read '\(path)': \(error.localizedDescription)") }
      guard let chunk, !chunk.isEmpty else { break }
      hasher.update(data: chunk)
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  private func makeRequest(_ path: String, method: String, query: [URLQueryItem] = []) -> URLRequest {
    var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
    if !query.isEmpty { components.queryItems = query }
    var request = URLRequest(url: components.url!)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    return request
  }

  private func get<T: Decodable>(_ path: String) async throws(ServeClientError) -> T {
    let request = makeRequest(path, method: "GET")
    return try decode(try await send { try await session.data(for: request) }, expect: 200)
  }

  private func send(_ body: () async throws -> (Data, URLResponse)) async throws(ServeClientError) -> (Data, URLResponse) {
    do { return try await body() } catch { throw .transport("\(baseURL.absoluteString): \(error.localizedDescription)") }
  }

  private func check(_ response: URLResponse, data: Data, expect: Int) throws(ServeClientError) {
    guard let http = response as? HTTPURLResponse else { throw .invalidResponse("not an HTTP response") }
    guard http.statusCode == expect else {
      if let body = try? JSONDecoder().decode(ServeAPI.ErrorBody.self, from: data) {
        throw .server(status: http.statusCode, code: body.error.code, message: body.error.message)
      }
      throw .server(status: http.statusCode, code: "http_\(http.statusCode)", message: String(decoding: data.prefix(500), as: UTF8.self))
    }
  }

  private func decode<T: Decodable>(_ reply: (Data, URLResponse), expect: Int) throws(ServeClientError) -> T {
    try check(reply.1, data: reply.0, expect: expect)
    do { return try JSONDecoder().decode(T.self, from: reply.0) } catch {
      throw .invalidResponse("cannot decode \(T.self): \(error)")
    }
  }
}

/// Where a key directory's keys live on a server: `KEYS/remote.json` (owner-only: it holds the
/// token), written by `torus client upload-keys`, read by the other client commands.
public struct RemoteKeys: Codable, Sendable, Equatable {
  public var server: String
  public var circuit: String
  public var keySet: String
  public var token: String

  public init(server: String, circuit: String, keySet: String, token: String) {
    self.server = server
    self.circuit = circuit
    self.keySet = keySet
    self.token = token
  }

  public static func path(_ keyDirectory: String) -> String { keyDirectory + "/remote.json" }

  public static func load(_ keyDirectory: String) throws(ServeClientError) -> RemoteKeys? {
    let path = path(keyDirectory)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do { return try JSONDecoder().decode(RemoteKeys.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
      throw .local("cannot read '\(path)': \(error)")
    }
  }

  /// Registers the key directory's circuit on `server` if it lacks it (from `KEYS/client/circuit.mlir`),
  /// uploads `KEYS/server`'s evaluation keys and records server, key set and token in `KEYS/remote.json`.
  /// A token from an earlier upload to the same server is reused. `log` sees what happens.
  public static func upload(keyDirectory keys: String, server: String, log: (String) -> Void = { _ in }) async throws -> RemoteKeys {
    guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
      throw ServeClientError.local("the server must be an http:// or https:// URL, got '\(server)'")
    }
    let identity = try KeyDirectory.identity(of: keys + "/server")
    let circuitID = ServeClient.hex(identity.circuit)
    let previous = try load(keys)
    var client = ServeClient(baseURL: url, token: previous?.server == server ? previous?.token : nil)
    if try await client.circuit(circuitID) == nil {
      let path = KeyDirectory.circuitPath(keys)
      guard let text = FileManager.default.contents(atPath: path) else {
        throw ServeClientError.local("the server does not have circuit \(circuitID) and '\(path)' is missing")
      }
      let registered = try await client.registerCircuit(text: text, function: identity.function)
      log("registered circuit \(registered.id) '@\(registered.function)' (\(registered.bootstrapsPerSample) PBS per sample)")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: KeyDirectory.serverKeyPath(keys + "/server"))[.size] as? Int) ?? 0
    log(String(format: "uploading evaluation keys (%.1f MB)…", Double(size) / 1e6))
    let start = Date()
    let upload = try await client.uploadKeys(keyDirectory: keys)
    log(String(format: "key set %@ stored (%.1f s)", upload.keySet.id, Date().timeIntervalSince(start)))
    guard let token = upload.token ?? client.token else { throw ServeClientError.invalidResponse("no token issued with the keys") }
    client.token = token
    let widePath = KeyDirectory.wideKeyPath(keys + "/server")
    if FileManager.default.fileExists(atPath: widePath) {
      let wideSize = (try? FileManager.default.attributesOfItem(atPath: widePath)[.size] as? Int) ?? 0
      log(String(format: "uploading wide-lookup keys (%.1f MB)…", Double(wideSize) / 1e6))
      let wideStart = Date()
      _ = try await client.uploadWideKeys(keySet: upload.keySet.id, keyDirectory: keys)
      log(String(format: "wide-lookup keys stored (%.1f s)", Date().timeIntervalSince(wideStart)))
    }
    let remote = RemoteKeys(server: server, circuit: circuitID, keySet: upload.keySet.id, token: token)
    try remote.save(keys)
    return remote
  }

  public func save(_ keyDirectory: String) throws(ServeClientError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      try FileIO.write(Array(try encoder.encode(self)), to: Self.path(keyDirectory), mode: 0o600)
    } catch { throw .local("cannot write '\(Self.path(keyDirectory))': \(error)") }
  }
}

/// Runs async client calls from synchronous code (command-line tools, a UCI loop): the calling
/// thread waits for the result.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
  let semaphore = DispatchSemaphore(value: 0)
  let box = ResultBox<T>()
  Task.detached {
    do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
    semaphore.signal()
  }
  semaphore.wait()
  return try box.result!.get()
}

/// One result handed from a task to a waiting thread; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}
