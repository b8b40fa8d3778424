import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TFHE
import TorusEncrypted
import TorusServeClient

/// The HTTP API (`/openapi.yaml`). Circuits are public; key sets, jobs and results belong to the
/// token issued with the first key upload, and are invisible (404) to any other token.
struct API: Sendable {
  let store: any ServeStore
  let circuits: CircuitRegistry
  let keys: KeyCache
  let runner: JobRunner
  let configuration: ServeConfiguration
  let fileIO = FileIO()

  func addRoutes(to router: Router<BasicRequestContext>) {
    router.add(middleware: JSONErrorMiddleware())
    router.get("health") { _, _ in try await guarded { try await health() } }
    router.get("openapi.yaml") { _, _ in
      var headers = HTTPFields()
      headers[.contentType] = "application/yaml; charset=utf-8"
      return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
    router.get("circuits") { _, _ in
      try await guarded { try json(try await store.circuits().map(circuitInfo)) }
    }
    router.post("circuits") { request, context in try await guarded { try await uploadCircuit(request, context) } }
    router.get("circuits/:circuit") { _, context in
      try await guarded { try json(circuitInfo(try await circuit(context).record)) }
    }
    router.get("circuits/:circuit/mlir") { _, context in
      try await guarded {
        let entry = try await circuit(context)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: try await fileIO.loadFile(path: entry.record.path, context: context))
      }
    }
    router.put("circuits/:circuit/keys") { request, context in try await guarded { try await uploadKeys(request, context) } }
    router.post("circuits/:circuit/keys") { request, context in try await guarded { try await uploadKeys(request, context) } }
    router.get("keys") { request, _ in
      try await guarded { try json(try await store.keySets(owner: try owner(request)).map(keySetInfo)) }
    }
    router.get("keys/:keys") { request, context in
      try await guarded { try json(keySetInfo(try await keySet(request, context))) }
    }
    router.delete("keys/:keys") { request, context in try await guarded { try await deleteKeys(request, context) } }
    router.put("keys/:keys/wide") { request, context in try await guarded { try await uploadWideKeys(request, context) } }
    router.post("keys/:keys/jobs") { request, context in try await guarded { try await submit(request, context) } }
    router.get("jobs") { request, _ in
      try await guarded { try json(try await store.jobs(owner: try owner(request)).map(jobInfo)) }
    }
    router.get("jobs/:job") { request, context in try await guarded { try json(jobInfo(try await job(request, context))) } }
    router.get("jobs/:job/result") { request, context in try await guarded { try await result(request, context) } }
  }

  // MARK: Handlers

  private func health() async throws -> Response {
    var counts: [String: Int] = [:]
    for (state, n) in try await store.jobCounts() { counts[state.rawValue] = n }
    let stats = await keys.statistics
    return try json(
      ServeAPI.Health(
        status: "ok", database: store.kind, worker: runner.workerID, jobs: counts, keyCache: stats, residentBytes: residentBytes()))
  }

  private func uploadCircuit(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    guard configuration.allowCircuitUpload else {
      throw ServeError(.forbidden, "forbidden", "this server does not take circuit uploads (started without --allow-circuit-upload)")
    }
    let body = try await request.body.collect(upTo: configuration.maxCircuitBytes)
    let function = request.uri.queryParameters.get("function")
    let entry: CircuitRegistry.Entry
    do { entry = try await circuits.register(text: Array(buffer: body), function: function) } catch let e as EncryptedModeError {
      throw ServeError.unprocessable("invalid_circuit", e.description)
    }
    return try json(circuitInfo(entry.record), status: .created)
  }

  private func uploadKeys(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let entry = try await circuit(context)
    let record = entry.record
    // What the client says the keys are (its key directory's circuit.id), checked before any byte is stored.
    guard let claim = request.headers[HTTPField.Name(ServeAPI.keyIdentityHeader)!] else {
      throw ServeError.badRequest("missing \(ServeAPI.keyIdentityHeader) header (circuit=…;function=…;parameters=…, from KEYS/server/circuit.id)")
    }
    let fields = Dictionary(
      claim.split(separator: ";").compactMap { part -> (String, String)? in
        let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        return kv.count == 2 ? (kv[0], kv[1]) : nil
      }, uniquingKeysWith: { a, _ in a })
    guard let claimedCircuit = fields["circuit"].flatMap({ UInt64($0, radix: 16) }), let claimedFunction = fields["function"],
      let claimedParameters = fields["parameters"].flatMap({ UInt64($0, radix: 16) })
    else { throw ServeError.badRequest("\(ServeAPI.keyIdentityHeader) must be circuit=<hex>;function=<name>;parameters=<hex>, got '\(claim)'") }
    guard CircuitRegistry.id(claimedCircuit) == record.id, claimedFunction == record.function else {
      throw ServeError.unprocessable(
        "key_mismatch",
        "these keys were made for '@\(claimedFunction)' of circuit \(CircuitRegistry.id(claimedCircuit)), not '@\(record.function)' of circuit \(record.id)")
    }
    guard CircuitRegistry.id(claimedParameters) == record.parameters else {
      throw ServeError.unprocessable(
        "parameter_mismatch",
        "these keys use parameter set \(CircuitRegistry.id(claimedParameters)); this server evaluates circuit \(record.id) with \(record.parameters) (\(record.parameterDescription)) — make the keys with 'torus keygen' at the default error target")
    }
    let sha = try Self.declaredSha256(request)
    let expectedSize = ServerKey.serializedSize(parameters: entry.parameters)
    if expectedSize > configuration.maxKeyBytes {
      throw ServeError.tooLarge("keys for circuit \(record.id) take \(expectedSize) bytes, over this server's limit of \(configuration.maxKeyBytes)")
    }
    if let length = request.headers[.contentLength].flatMap(Int.init), length != expectedSize {
      throw ServeError.unprocessable("wrong_size", "an evaluation key file for \(record.parameters) has \(expectedSize) bytes, this upload \(length)")
    }
    // The owner: the token given, which must be one this server issued, or a new one.
    var issued: String?
    let ownerHash: String
    if let token = try bearer(request) {
      ownerHash = tokenHash(token)
      guard try await store.ownerExists(ownerHash) else { throw ServeError.unauthorized("unknown token") }
    } else {
      let token = randomHex(bytes: 32)
      issued = token
      ownerHash = tokenHash(token)
    }
    let id = randomHex()
    let path = configuration.keysDirectory + "/\(id).key"
    let staging = path + ".part"
    let parameters = entry.parameters
    try await receiveKeyFile(request, context, staging: staging, kind: .evaluationKeys, parameters: parameters,
                             expectedSize: expectedSize, sha: sha) {
      try FileManager.default.moveItem(atPath: staging, toPath: path)
    }
    let keySet = KeySetRecord(
      id: id, circuitID: record.id, owner: ownerHash, path: path, bytes: expectedSize, sha256: sha, parameters: record.parameters,
      createdAt: now())
    // Reading them once checks the file's own checksum and layout, and warms the cache.
    do { _ = try await keys.key(for: keySet, parameters: parameters) } catch {
      try? FileManager.default.removeItem(atPath: path)
      throw ServeError.badRequest("the key file does not load: \(error)")
    }
    try await store.saveKeySet(keySet)
    var headers = HTTPFields()
    headers[.location] = "/keys/\(id)"
    return try json(ServeAPI.KeyUpload(keySet: keySetInfo(keySet), token: issued), status: .created, headers: headers)
  }

  /// The SHA-256 a key upload declares in its header, as 64 lower-case hex digits.
  static func declaredSha256(_ request: Request) throws -> String {
    guard let sha = request.headers[HTTPField.Name(ServeAPI.sha256Header)!]?.lowercased(), sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
      throw ServeError.badRequest("missing or malformed \(ServeAPI.sha256Header) header (the key file's SHA-256, 64 hex digits)")
    }
    return sha
  }

  /// Streams a key upload into `staging` (its header checked as the first bytes arrive, the
  /// size capped), checks the size and SHA-256, then lets `commit` keep the staged file. On any
  /// failure the staged file is removed and nothing else is touched.
  private func receiveKeyFile(_ request: Request, _ context: BasicRequestContext, staging: String, kind: TFHEFileKind,
                              parameters: ParameterSet, expectedSize: Int, sha: String,
                              commit: () async throws -> Void) async throws {
    let meter = UploadMeter(
      limit: expectedSize, prefixLength: TFHEFileHeader.size,
      inspect: Self.keyFileHeaderCheck(kind: kind, parameters: parameters, expectedSize: expectedSize))
    do {
      try await fileIO.writeFile(contents: MeteredBody(base: request.body, meter: meter), path: staging, context: context)
      let digest = try meter.finish()
      guard meter.count == expectedSize else { throw ServeError.badRequest("truncated upload: \(meter.count) of \(expectedSize) bytes") }
      guard digest == sha else { throw ServeError.badRequest("checksum mismatch: the upload's SHA-256 is \(digest), the header says \(sha)") }
      try await commit()
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw meter.failure ?? error
    }
  }

  /// Checks a key upload's first bytes (the TFHE container header) as soon as they arrive: the
  /// file kind, the circuit's parameter set and the exact size, so a wrong file is cut off early.
  static func keyFileHeaderCheck(kind: TFHEFileKind, parameters: ParameterSet, expectedSize: Int) -> @Sendable ([UInt8]) throws -> Void {
    { prefix in
      let header: TFHEFileHeader
      do { header = try TFHEFileHeader(prefix: prefix) } catch { throw ServeError.badRequest("not a valid \(kind) file: \(error)") }
      guard header.kind == kind else { throw ServeError.badRequest("this is a \(header.kind) file, not \(kind)") }
      guard header.parameterFingerprint == parameters.fingerprint else {
        throw ServeError.unprocessable(
          "parameter_mismatch",
          "the key file holds parameter set \(CircuitRegistry.id(header.parameterFingerprint)), the circuit needs \(CircuitRegistry.id(parameters.fingerprint))")
      }
      guard header.fileSize == expectedSize else {
        throw ServeError.unprocessable("wrong_size", "the key file header says \(header.fileSize) bytes, \(kind) for this circuit take \(expectedSize)")
      }
    }
  }

  /// The wide-lookup keys (`KEYS/server/wide.key`) of a key set whose circuit runs lookups wide,
  /// checked like the server keys: size, kind, parameters and SHA-256 before they are kept, then
  /// loaded once against the key set's server keys and the circuit's plan.
  private func uploadWideKeys(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let keySet = try await keySet(request, context)
    guard let entry = try await circuits.entry(id: keySet.circuitID) else {
      throw ServeError.notFound("circuit \(keySet.circuitID) of key set \(keySet.id) is no longer registered")
    }
    guard let wide = entry.wide else {
      throw ServeError.unprocessable("no_wide_lookups", "circuit \(entry.record.id) runs no lookup wide: its key set needs no wide-lookup keys")
    }
    let sha = try Self.declaredSha256(request)
    let parameters = entry.parameters
    let expectedSize = WideLookupKey.serializedSize(parameters: parameters, wide: wide)
    if expectedSize > configuration.maxKeyBytes {
      throw ServeError.tooLarge("wide-lookup keys for circuit \(entry.record.id) take \(expectedSize) bytes, over this server's limit of \(configuration.maxKeyBytes)")
    }
    if let length = request.headers[.contentLength].flatMap(Int.init), length != expectedSize {
      throw ServeError.unprocessable("wrong_size", "a wide-lookup key file for circuit \(entry.record.id) has \(expectedSize) bytes, this upload \(length)")
    }
    let path = KeyCache.wideKeyPath(keySet)
    let staging = path + ".part"
    try await receiveKeyFile(request, context, staging: staging, kind: .wideLookupKeys, parameters: parameters,
                             expectedSize: expectedSize, sha: sha) {
      // Reading the staged file checks its own checksum, layout and decompositions before it
      // replaces anything (a bad re-upload keeps the good keys).
      let server = try await keys.key(for: keySet, parameters: parameters)
      let loaded: WideLookupKey
      do { loaded = try await offloaded { try WideLookupKey(serialized: try FileIO.read(staging), server: server) } } catch {
        throw ServeError.badRequest("the wide-lookup key file does not load: \(error)")
      }
      guard loaded.parameters == wide else {
        throw ServeError.unprocessable("parameter_mismatch", "the wide-lookup keys use other decompositions than this circuit's plan")
      }
      await keys.evictWide(keySet.id)
      try? FileManager.default.removeItem(atPath: path)
      try FileManager.default.moveItem(atPath: staging, toPath: path)
    }
    _ = try await keys.wideKey(for: keySet, server: try await keys.key(for: keySet, parameters: parameters), wide: wide)  // warms the cache
    return try json(keySetInfo(keySet), status: .created)
  }

  private func deleteKeys(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let keySet = try await keySet(request, context)
    try await store.deleteKeySet(id: keySet.id)
    await keys.evict(keySet.id)
    try? FileManager.default.removeItem(atPath: keySet.path)
    try? FileManager.default.removeItem(atPath: KeyCache.wideKeyPath(keySet))
    return Response(status: .noContent)
  }

  private func submit(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let keySet = try await keySet(request, context)
    guard let entry = try await circuits.entry(id: keySet.circuitID) else {
      throw ServeError.notFound("circuit \(keySet.circuitID) of key set \(keySet.id) is no longer registered")
    }
    if entry.wide != nil, !FileManager.default.fileExists(atPath: KeyCache.wideKeyPath(keySet)) {
      throw ServeError.conflict(
        "circuit \(entry.record.id) runs lookups wide: upload the key set's wide-lookup keys (KEYS/server/wide.key) to /keys/\(keySet.id)/wide first")
    }
    let body = try await request.body.collect(upTo: configuration.maxInputBytes)
    let bytes = Array(buffer: body)
    let parameters = entry.parameters
    let batch = try EncryptedBatch(serialized: bytes, path: "the request body", parameters: parameters)
    _ = try EncryptedServer.arguments(
      of: batch, circuit: entry.circuit.circuit, identity: entry.identity(parameters: parameters),
      lweDimension: parameters.bigLweDimension.rawValue, residues: entry.residues?.moduli.count ?? 1, group: { $0 })
    guard !batch.samples.isEmpty else { throw ServeError.unprocessable("invalid_input", "the ciphertext file holds no sample") }
    let id = randomHex()
    let path = configuration.inputsDirectory + "/\(id).ct"
    try await fileIO.writeFile(buffer: body, path: path, context: context)
    let job = JobRecord(
      id: id, keySetID: keySet.id, circuitID: keySet.circuitID, owner: keySet.owner, state: .queued, inputPath: path, outputPath: nil,
      samples: batch.samples.count, bootstrapsDone: 0, bootstrapsTotal: entry.record.bootstraps * batch.samples.count, error: nil,
      worker: nil, attempts: 0, createdAt: now(), startedAt: nil, finishedAt: nil, heartbeatAt: nil)
    try await store.insertJob(job)
    var headers = HTTPFields()
    headers[.location] = "/jobs/\(id)"
    return try json(jobInfo(job), status: .accepted, headers: headers)
  }

  private func result(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let job = try await job(request, context)
    switch job.state {
    case .done:
      guard let path = job.outputPath, FileManager.default.fileExists(atPath: path) else {
        throw ServeError(.gone, "result_missing", "the result file of job \(job.id) is gone from the server's storage")
      }
      var headers = HTTPFields()
      headers[.contentType] = "application/octet-stream"
      headers[.contentDisposition] = "attachment; filename=\"\(job.id).ct\""
      return Response(status: .ok, headers: headers, body: try await fileIO.loadFile(path: path, context: context))
    case .failed:
      throw ServeError.conflict("job \(job.id) failed: \(job.error ?? "no reason recorded")")
    case .queued, .running:
      throw ServeError.conflict("job \(job.id) is \(job.state.rawValue) (\(job.bootstrapsDone)/\(job.bootstrapsTotal) bootstraps); no result yet")
    }
  }

  // MARK: Lookups with access checks

  private func circuit(_ context: BasicRequestContext) async throws -> CircuitRegistry.Entry {
    let id = try context.parameters.require("circuit")
    guard let entry = try await circuits.entry(id: id) else { throw ServeError.notFound("no circuit '\(id)' on this server") }
    return entry
  }

  private func keySet(_ request: Request, _ context: BasicRequestContext) async throws -> KeySetRecord {
    let owner = try owner(request)
    let id = try context.parameters.require("keys")
    guard let k = try await store.keySet(id: id), k.owner == owner else { throw ServeError.notFound("no key set '\(id)' for this token") }
    return k
  }

  private func job(_ request: Request, _ context: BasicRequestContext) async throws -> JobRecord {
    let owner = try owner(request)
    let id = try context.parameters.require("job")
    guard let j = try await store.job(id: id), j.owner == owner else { throw ServeError.notFound("no job '\(id)' for this token") }
    return j
  }

  private func bearer(_ request: Request) throws -> String? {
    guard let value = request.headers[.authorization] else { return nil }
    let parts = value.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
      throw ServeError.unauthorized("the Authorization header must be 'Bearer <token>' with the token issued at key upload")
    }
    return String(parts[1]).lowercased()
  }

  private func owner(_ request: Request) throws -> String {
    guard let token = try bearer(request) else {
      throw ServeError.unauthorized("this needs the token issued with your key upload (Authorization: Bearer <token>)")
    }
    return tokenHash(token)
  }

  // MARK: Bodies

  private func circuitInfo(_ r: CircuitRecord) -> ServeAPI.Circuit {
    ServeAPI.Circuit(
      id: r.id, function: r.function, parameters: r.parameters, parameterSet: r.parameterDescription, bootstrapsPerSample: r.bootstraps,
      keyBytes: r.keyBytes, keyFileBytes: r.keyBytes + ServerKey.fileOverheadBytes)
  }

  private func keySetInfo(_ k: KeySetRecord) -> ServeAPI.KeySet {
    ServeAPI.KeySet(id: k.id, circuit: k.circuitID, bytes: k.bytes, sha256: k.sha256, createdAt: k.createdAt)
  }

  private func jobInfo(_ j: JobRecord) -> ServeAPI.Job {
    var eta: Double?
    var elapsed: Double?
    if let started = j.startedAt {
      let t = (j.finishedAt ?? now()) - started
      elapsed = t
      if j.state == .running, j.bootstrapsDone > 0 {
        eta = t / Double(j.bootstrapsDone) * Double(max(0, j.bootstrapsTotal - j.bootstrapsDone))
      }
    }
    return ServeAPI.Job(
      id: j.id, keySet: j.keySetID, circuit: j.circuitID, state: j.state.rawValue, samples: j.samples, bootstrapsDone: j.bootstrapsDone,
      bootstrapsTotal: j.bootstrapsTotal, etaSeconds: eta, elapsedSeconds: elapsed, error: j.error, attempts: j.attempts,
      createdAt: j.createdAt, startedAt: j.startedAt, finishedAt: j.finishedAt)
  }
}

/// A JSON response.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  var headers = headers
  headers[.contentType] = "application/json; charset=utf-8"
  return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// Runs a handler, turning the library errors a request can cause into 4xx answers.
func guarded(_ body: () async throws -> Response) async throws -> Response {
  do { return try await body() } catch { throw ServeError.from(error) }
}

/// This process's resident memory (Linux /proc), for /health and the load test.
func residentBytes() -> Int? {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
  for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
    let kb = line.split(separator: " ").compactMap { Int($0) }.first
    return kb.map { $0 * 1024 }
  }
  return nil
}

/// Every error leaves as JSON: Hummingbird's own (no such route, a body over its limit) keep
/// their status; anything unexpected is logged and answered as a 500 without internals.
struct JSONErrorMiddleware: RouterMiddleware {
  typealias Context = BasicRequestContext

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    do { return try await next(request, context) } catch let e as ServeError { throw e } catch let e as HTTPError {
      if e.status == .notFound && e.body == nil {
        throw ServeError(.notFound, "no_route", "no route \(request.method) \(request.uri.path) (see /openapi.yaml)")
      }
      throw ServeError(e.status, "http_\(e.status.code)", e.body ?? e.status.reasonPhrase)
    } catch let e as any HTTPResponseError {
      // NIO's "too many bytes" when a body passes its collect limit, among others.
      let message = e.status == .contentTooLarge ? "the request body is larger than this server takes" : e.status.reasonPhrase
      throw ServeError(e.status, "http_\(e.status.code)", message)
    } catch {
      context.logger.error("\(request.method) \(request.uri.path): unexpected error: \(error)")
      throw ServeError(.internalServerError, "internal", "the server failed on this request; its log says why")
    }
  }
}
