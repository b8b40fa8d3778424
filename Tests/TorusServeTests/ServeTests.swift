import Foundation
import Testing
import TorusEncrypted
import TorusServeClient
import TorusTestSupport
import Yams

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// torus-serve end to end: the real executable, the real database, real TFHE keys and
/// ciphertexts, through the client library the CLI uses.
@Suite(.serialized) struct TorusServeTests {
  /// Upload keys, submit, wait, download, decrypt: the results are T[x].
  @Test(arguments: TestDatabase.available) func encryptedRoundTrip(database: TestDatabase) async throws {
    let fx = try CircuitFixture.lookup(width: 3, length: 4)
    defer { fx.remove() }
    let server = try ServerProcess(data: fx.root + "/data", circuits: fx.circuitsDirectory, database: try await database.fresh())
    defer { server.stop() }
    var client = ServeClient(baseURL: server.url)
    let circuits = try await client.circuits()
    #expect(circuits.map(\.id) == [ServeClient.hex(fx.circuit.fingerprint)])
    #expect(circuits.first?.bootstrapsPerSample == 4)

    let upload = try await client.uploadKeys(keyDirectory: fx.keys)
    let token = try #require(upload.token)
    client.token = token
    let samples = fx.samples(3, seed: 1)
    try fx.encrypt(samples, to: fx.root + "/in.ct")
    let job = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/in.ct")
    #expect(job.state == "queued" && job.samples == 3 && job.bootstrapsTotal == 12)
    let done = try await client.wait(job: job.id)
    #expect(done.state == "done", "\(done.error ?? "") \(server.log.suffix(1500))")
    #expect(done.bootstrapsDone == 12 && done.attempts == 1)
    try await client.downloadResult(job: job.id, to: fx.root + "/out.ct")
    #expect(try fx.decrypt(fx.root + "/out.ct") == fx.expected(samples))

    // A second job reuses the loaded keys (a cache hit, not a second read).
    let again = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/in.ct")
    #expect(try await client.wait(job: again.id).state == "done")
    let health = try await client.health()
    #expect(health.database == database.rawValue)
    #expect(health.keyCache.misses == 1 && health.keyCache.hits >= 1, "\(health.keyCache)")
    #expect(health.jobs["done"] == 2)
    #expect(try await client.jobs().count == 2)
  }

  /// Another client's token sees nothing of the first client's keys, jobs or results.
  @Test(arguments: TestDatabase.available) func tokensSeparateClients(database: TestDatabase) async throws {
    let fx = try CircuitFixture.lookup(width: 2, length: 4)
    defer { fx.remove() }
    let server = try ServerProcess(data: fx.root + "/data", circuits: fx.circuitsDirectory, database: try await database.fresh())
    defer { server.stop() }
    var alice = ServeClient(baseURL: server.url)
    let a = try await alice.uploadKeys(keyDirectory: fx.keys)
    alice.token = a.token
    try fx.makeKeys(into: fx.root + "/keys-bob")
    var bob = ServeClient(baseURL: server.url)
    let b = try await bob.uploadKeys(keyDirectory: fx.root + "/keys-bob")
    bob.token = b.token
    #expect(a.token != b.token)

    try fx.encrypt(fx.samples(1, seed: 2), to: fx.root + "/a.ct")
    let job = try await alice.submit(keySet: a.keySet.id, ciphertexts: fx.root + "/a.ct")
    #expect(try await alice.wait(job: job.id).state == "done")

    // Bob: not Alice's keys, not her jobs, not her results, not in his lists.
    await expectStatus(404) { _ = try await bob.keySet(a.keySet.id) }
    await expectStatus(404) { _ = try await bob.job(job.id) }
    await expectStatus(404) { try await bob.downloadResult(job: job.id, to: fx.root + "/stolen.ct") }
    await expectStatus(404) { _ = try await bob.submit(keySet: a.keySet.id, ciphertexts: fx.root + "/a.ct") }
    await expectStatus(404) { try await bob.deleteKeySet(a.keySet.id) }
    #expect(try await bob.keySets().map(\.id) == [b.keySet.id])
    #expect(try await bob.jobs().isEmpty)
    // No token, a malformed one, or one the server never issued.
    let anonymous = ServeClient(baseURL: server.url)
    await expectStatus(401) { _ = try await anonymous.jobs() }
    await expectStatus(401) { _ = try await ServeClient(baseURL: server.url, token: "nope").jobs() }
    await expectStatus(401) {
      _ = try await ServeClient(baseURL: server.url, token: String(repeating: "ab", count: 32)).uploadKeys(keyDirectory: fx.keys)
    }
    // Alice still has everything.
    #expect(try await alice.keySet(a.keySet.id).id == a.keySet.id)
    try await alice.downloadResult(job: job.id, to: fx.root + "/mine.ct")
  }

  /// Bad requests get a 4xx with a JSON error naming the problem; the server keeps serving.
  @Test func badRequestsAreClientErrors() async throws {
    let fx = try CircuitFixture.lookup(width: 2, length: 4)
    defer { fx.remove() }
    let other = try CircuitFixture.lookup(width: 3, length: 2, name: "other")
    defer { other.remove() }
    let server = try ServerProcess(
      data: fx.root + "/data", circuits: fx.circuitsDirectory, database: nil, arguments: ["--max-input-mb", "1"])
    defer { server.stop() }
    let circuitID = ServeClient.hex(fx.circuit.fingerprint)
    let keyFile = fx.keys + "/server/server.key"
    let keyBytes = try Data(contentsOf: URL(fileURLWithPath: keyFile))
    let identity = try String(contentsOfFile: fx.keys + "/server/circuit.id", encoding: .utf8)
      .split(separator: "\n").dropFirst().joined(separator: ";")
    let sha = try ServeClient.sha256(ofFile: keyFile)

    func put(_ body: Data, circuit: String = circuitID, identity: String? = identity, sha: String? = sha) async throws -> (Int, String) {
      var r = URLRequest(url: server.url.appendingPathComponent("circuits/\(circuit)/keys"))
      r.httpMethod = "PUT"
      if let identity { r.setValue(identity, forHTTPHeaderField: ServeAPI.keyIdentityHeader) }
      if let sha { r.setValue(sha, forHTTPHeaderField: ServeAPI.sha256Header) }
      return try await send(r, body: body)
    }
    // Unknown circuit, missing headers, the identity of another circuit, a wrong checksum,
    // a truncated file, a file of the wrong kind.
    var (status, body) = try await put(keyBytes, circuit: "0123456789abcdef")
    #expect(status == 404 && body.contains("no circuit"))
    (status, body) = try await put(keyBytes, identity: nil)
    #expect(status == 400 && body.contains(ServeAPI.keyIdentityHeader))
    (status, body) = try await put(keyBytes, sha: nil)
    #expect(status == 400 && body.contains(ServeAPI.sha256Header))
    let otherIdentity = try String(contentsOfFile: other.keys + "/server/circuit.id", encoding: .utf8)
      .split(separator: "\n").dropFirst().joined(separator: ";")
    (status, body) = try await put(keyBytes, identity: otherIdentity)
    #expect(status == 422 && body.contains("key_mismatch"), "\(body)")
    (status, body) = try await put(keyBytes, sha: String(repeating: "0", count: 64))
    #expect(status == 400 && body.contains("checksum mismatch"), "\(body)")
    (status, body) = try await put(keyBytes.prefix(keyBytes.count / 2))
    #expect(status == 422 && body.contains("wrong_size"), "\(body)")
    var corrupt = keyBytes
    corrupt[0] = UInt8(ascii: "X")
    (status, body) = try await put(corrupt, sha: nil)
    #expect(status == 400, "\(body)")
    (status, body) = try await put(corrupt, sha: sha256(corrupt))
    #expect(status == 400 && body.contains("not a valid evaluation keys file"), "\(status) \(body)")
    // Nothing half-uploaded stays behind.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: server.data + "/keys")
    #expect(leftovers.isEmpty, "\(leftovers)")

    var client = ServeClient(baseURL: server.url)
    let upload = try await client.uploadKeys(keyDirectory: fx.keys)
    client.token = upload.token
    // Ciphertexts: corrupt, truncated, made for another circuit, wrong shape, too large.
    try fx.encrypt(fx.samples(1, seed: 3), to: fx.root + "/in.ct")
    var ct = try Data(contentsOf: URL(fileURLWithPath: fx.root + "/in.ct"))
    func submit(_ data: Data) async throws -> (Int, String) {
      var r = URLRequest(url: server.url.appendingPathComponent("keys/\(upload.keySet.id)/jobs"))
      r.httpMethod = "POST"
      r.setValue("Bearer \(upload.token!)", forHTTPHeaderField: "Authorization")
      return try await send(r, body: data)
    }
    (status, body) = try await submit(ct.prefix(ct.count - 9))
    #expect(status == 400 && body.contains("truncated"), "\(body)")
    ct[ct.count / 2] ^= 0xff
    (status, body) = try await submit(ct)
    #expect(status == 400 && body.contains("checksum"), "\(body)")
    try other.encrypt(other.samples(1, seed: 4), to: other.root + "/other.ct")
    (status, body) = try await submit(try Data(contentsOf: URL(fileURLWithPath: other.root + "/other.ct")))
    #expect(status == 400 || status == 422, "\(body)")
    (status, body) = try await submit(Data(count: 2 << 20))
    #expect(status == 413, "\(body)")
    (status, body) = try await submit(Data())
    #expect(status == 400, "\(body)")
    // A path that is not a route answers JSON too.
    (status, body) = try await send(URLRequest(url: server.url.appendingPathComponent("nothing/here")), body: nil)
    #expect(status == 404 && body.contains("no_route"), "\(body)")
    // Unknown ids.
    await expectStatus(404) { _ = try await client.job("ffff") }
    await expectStatus(404) { _ = try await client.keySet("ffff") }
    // The circuit upload takes MLIR only.
    await expectStatus(422) { _ = try await client.registerCircuit(text: Data("not mlir".utf8), function: nil) }
    #expect(try await client.health().status == "ok")
  }

  /// A 9-bit lookup runs wide: its key set needs the wide-lookup keys too. Jobs are refused (409)
  /// until they are uploaded; a damaged, truncated or foreign wide-key upload is refused and
  /// leaves nothing behind (a damaged re-upload keeps the good keys); a circuit without wide
  /// lookups takes none; then the results are T[x].
  @Test func wideLookupKeysUploadAndRun() async throws {
    let fx = try CircuitFixture.lookup(width: 9, length: 2)
    defer { fx.remove() }
    let narrow = try CircuitFixture.lookup(width: 2, length: 2, name: "narrow")
    defer { narrow.remove() }
    try FileManager.default.copyItem(atPath: narrow.circuitsDirectory + "/narrow.mlir", toPath: fx.circuitsDirectory + "/narrow.mlir")
    #expect(try fx.circuit.plan(ErrorTarget()).wide != nil)
    let server = try ServerProcess(data: fx.root + "/data", circuits: fx.circuitsDirectory, database: nil)
    defer { server.stop() }
    var client = ServeClient(baseURL: server.url)
    let upload = try await client.uploadKeys(keyDirectory: fx.keys)
    let token = try #require(upload.token)
    client.token = token
    let samples = fx.samples(1, seed: 5)
    try fx.encrypt(samples, to: fx.root + "/in.ct")
    await expectStatus(409) { _ = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/in.ct") }

    let widePath = KeyDirectory.wideKeyPath(fx.keys + "/server")
    let wideBytes = try Data(contentsOf: URL(fileURLWithPath: widePath))
    func put(_ body: Data, keySet: String = upload.keySet.id, sha: String? = nil) async throws -> (Int, String) {
      var r = URLRequest(url: server.url.appendingPathComponent("keys/\(keySet)/wide"))
      r.httpMethod = "PUT"
      r.setValue("Bearer \(client.token!)", forHTTPHeaderField: "Authorization")
      r.setValue(sha ?? sha256(body), forHTTPHeaderField: ServeAPI.sha256Header)
      return try await send(r, body: body)
    }
    var (status, body) = try await put(wideBytes.prefix(wideBytes.count - 9))
    #expect(status == 422 && body.contains("wrong_size"), "\(body)")
    (status, body) = try await put(wideBytes, sha: String(repeating: "0", count: 64))
    #expect(status == 400 && body.contains("checksum mismatch"), "\(body)")
    var damaged = wideBytes
    damaged[damaged.count / 2] ^= 1
    (status, body) = try await put(damaged)
    #expect(status == 400 && body.contains("does not load"), "\(body)")
    let serverKey = try Data(contentsOf: URL(fileURLWithPath: fx.keys + "/server/server.key"))
    (status, body) = try await put(serverKey)
    #expect(status == 422 || status == 400, "\(body)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: server.data + "/keys").filter { $0.contains("wide") }.isEmpty)
    // A circuit that runs no lookup wide takes no wide-lookup keys.
    let narrowUpload = try await ServeClient(baseURL: server.url, token: client.token).uploadKeys(keyDirectory: narrow.keys)
    (status, body) = try await put(wideBytes, keySet: narrowUpload.keySet.id)
    #expect(status == 422 && body.contains("no_wide_lookups"), "\(body)")

    _ = try await client.uploadWideKeys(keySet: upload.keySet.id, keyDirectory: fx.keys)
    // A damaged re-upload is refused and keeps the good keys.
    (status, body) = try await put(damaged)
    #expect(status == 400 && body.contains("does not load"), "\(body)")
    let job = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/in.ct")
    let circuits = try await client.circuits()
    let perSample = circuits.first { $0.id == ServeClient.hex(fx.circuit.fingerprint) }?.bootstrapsPerSample
    // Two 9-bit wide lookups of fresh inputs: one blind rotation per bit.
    #expect(job.bootstrapsTotal == perSample && perSample == 18, "\(circuits)")
    let done = try await client.wait(job: job.id)
    #expect(done.state == "done", "\(done.error ?? "") \(server.log.suffix(1500))")
    #expect(done.bootstrapsDone == done.bootstrapsTotal)
    try await client.downloadResult(job: job.id, to: fx.root + "/out.ct")
    #expect(try fx.decrypt(fx.root + "/out.ct") == fx.expected(samples))
  }

  /// kill -9 in the middle of a job: after a restart the job runs again and completes; keys
  /// and earlier results are still there.
  @Test(arguments: TestDatabase.available) func jobSurvivesKill(database: TestDatabase) async throws {
    let fx = try CircuitFixture.lookup(width: 4, length: 64)
    defer { fx.remove() }
    let db = try await database.fresh()
    let data = fx.root + "/data"
    var server = try ServerProcess(data: data, circuits: fx.circuitsDirectory, database: db, arguments: ["--lease", "2"])
    var client = ServeClient(baseURL: server.url)
    let upload = try await client.uploadKeys(keyDirectory: fx.keys)
    client.token = upload.token
    let small = fx.samples(1, seed: 5)
    try fx.encrypt(small, to: fx.root + "/small.ct")
    let first = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/small.ct")
    #expect(try await client.wait(job: first.id).state == "done")

    let big = fx.samples(40, seed: 6)
    try fx.encrypt(big, to: fx.root + "/big.ct")
    let job = try await client.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/big.ct")
    // Wait until it has made progress, then kill the server without warning.
    var seen = try await client.job(job.id)
    while seen.bootstrapsDone == 0 && seen.state != "done" {
      try await Task.sleep(for: .milliseconds(50))
      seen = try await client.job(job.id)
    }
    #expect(seen.state == "running", "the job finished before the kill; make it longer")
    server.kill9()

    server = try ServerProcess(data: data, circuits: fx.circuitsDirectory, database: db, arguments: ["--lease", "2"])
    defer { server.stop() }
    client = ServeClient(baseURL: server.url, token: upload.token)
    let done = try await client.wait(job: job.id)
    #expect(done.state == "done", "\(done.error ?? "") \(server.log.suffix(1500))")
    #expect(done.attempts == 2)
    try await client.downloadResult(job: job.id, to: fx.root + "/big-out.ct")
    #expect(try fx.decrypt(fx.root + "/big-out.ct") == fx.expected(big))
    // The earlier result and the keys survived.
    try await client.downloadResult(job: first.id, to: fx.root + "/small-out.ct")
    #expect(try fx.decrypt(fx.root + "/small-out.ct") == fx.expected(small))
    #expect(try await client.keySets().map(\.id) == [upload.keySet.id])
    #expect(server.log.contains("queued again"))
  }

  /// Two servers on one PostgreSQL: both take jobs, each job runs exactly once, and keys
  /// uploaded to one are used by the other.
  @Test(.enabled(if: TestDatabase.postgresURL != nil)) func twoServersShareOneDatabase() async throws {
    let fx = try CircuitFixture.lookup(width: 3, length: 16)
    defer { fx.remove() }
    let db = try await TestDatabase.postgres.fresh()
    let data = fx.root + "/data"
    let one = try ServerProcess(data: data, circuits: fx.circuitsDirectory, database: db, arguments: ["--threads", "1"], log: "one.log")
    defer { one.stop() }
    let two = try ServerProcess(data: data, circuits: fx.circuitsDirectory, database: db, arguments: ["--threads", "1"], log: "two.log")
    defer { two.stop() }
    var client = ServeClient(baseURL: one.url)
    let upload = try await client.uploadKeys(keyDirectory: fx.keys)
    client.token = upload.token
    let viaTwo = ServeClient(baseURL: two.url, token: upload.token)
    let samples = fx.samples(2, seed: 7)
    try fx.encrypt(samples, to: fx.root + "/in.ct")
    var ids: [String] = []
    for i in 0..<12 {
      let c = i % 2 == 0 ? client : viaTwo
      ids.append(try await c.submit(keySet: upload.keySet.id, ciphertexts: fx.root + "/in.ct").id)
    }
    for id in ids {
      let done = try await client.wait(job: id)
      #expect(done.state == "done" && done.attempts == 1, "\(done)")
    }
    let workers = Set(one.log.split(separator: "\n").filter { $0.contains("started (attempt") }.count > 0 ? ["one"] : [])
      .union(two.log.split(separator: "\n").filter { $0.contains("started (attempt") }.count > 0 ? ["two"] : [])
    #expect(workers == ["one", "two"], "both servers should have run jobs")
    let started = (one.log + two.log).split(separator: "\n").filter { $0.contains("started (attempt") }.count
    #expect(started == ids.count, "each job started exactly once")
    try await viaTwo.downloadResult(job: ids[0], to: fx.root + "/out.ct")
    #expect(try fx.decrypt(fx.root + "/out.ct") == fx.expected(samples))
  }

  /// A remote run is four commands of the `torus` tool: keygen, encrypt, client run, decrypt.
  @Test func fourCommandRemoteRun() async throws {
    let fx = try CircuitFixture.lookup(width: 3, length: 4)
    defer { fx.remove() }
    let server = try ServerProcess(data: fx.root + "/data", circuits: nil, database: nil)
    defer { server.stop() }
    let torus = ServerProcess.executable.deletingLastPathComponent().appendingPathComponent("torus").path
    let samples = fx.samples(2, seed: 9)
    try JSONSerialization.data(withJSONObject: samples).write(to: URL(fileURLWithPath: fx.root + "/x.json"))
    let keys = fx.root + "/cli-keys"
    for args in [
      ["keygen", fx.circuitsDirectory + "/main.mlir", "--keys", keys],
      ["encrypt", "--keys", keys, "--input", fx.root + "/x.json", "-o", fx.root + "/x.ct"],
      // The server has no circuit yet: the client registers it from the key directory's copy.
      ["client", "run", "--server", server.url.absoluteString, "--keys", keys, fx.root + "/x.ct", "-o", fx.root + "/y.ct"],
      ["decrypt", "--keys", keys, fx.root + "/y.ct", "-o", fx.root + "/y.json"],
    ] {
      let r = try runTool(torus, args)
      #expect(r.status == 0, "torus \(args.joined(separator: " ")): \(r.stderr)")
    }
    let y = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fx.root + "/y.json"))) as? [String: Any]
    #expect(y?["shape"] as? [Int] == [2, 4])
    #expect((y?["data"] as? [Int])?.map(Int64.init) == fx.expected(samples))
    // The step commands find the server and token in KEYS/remote.json.
    let jobs = try runTool(torus, ["client", "jobs", "--keys", keys])
    #expect(jobs.status == 0 && jobs.stdout.contains("done"), "\(jobs.stderr)")
    let missing = try runTool(torus, ["client", "jobs", "--keys", fx.root + "/nowhere"])
    #expect(missing.status == 1 && missing.stderr.contains("remote.json"))
  }

  /// Bad flags and a bad database URL are refused with a message naming them, before serving.
  @Test func badStartArgumentsAreRefused() throws {
    let dir = try SharedData.temporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let serve = ServerProcess.executable.path
    var r = try runTool(serve, ["--port", "70000", "--data", dir])
    #expect(r.status == 64 && r.stderr.contains("--port"), "\(r.stderr)")
    r = try runTool(serve, ["--data", dir, "--workers", "0"])
    #expect(r.status == 64 && r.stderr.contains("--workers"), "\(r.stderr)")
    r = try runTool(serve, ["--port", "0", "--data", dir, "--database", "postgres://localhost/db"])
    #expect(r.status == 1 && r.stderr.contains("no user"), "\(r.stderr)")
    r = try runTool(serve, ["--port", "0", "--data", dir, "--database", "postgres://u@h/db?sslmode=maybe"])
    #expect(r.status == 1 && r.stderr.contains("sslmode"), "\(r.stderr)")
  }

  /// /openapi.yaml parses, and every path it lists is routed.
  @Test func openAPIDescribesTheRoutes() async throws {
    let fx = try CircuitFixture.lookup(width: 2, length: 4)
    defer { fx.remove() }
    let server = try ServerProcess(data: fx.root + "/data", circuits: fx.circuitsDirectory, database: nil)
    defer { server.stop() }
    let (status, text) = try await send(URLRequest(url: server.url.appendingPathComponent("openapi.yaml")), body: nil)
    #expect(status == 200)
    let doc = try #require(try Yams.load(yaml: text) as? [String: Any])
    let paths = try #require(doc["paths"] as? [String: Any])
    #expect(paths.count == 13)
    for (path, value) in paths {
      let methods = (value as? [String: Any] ?? [:]).keys.filter { ["get", "put", "post", "delete"].contains($0) }
      #expect(!methods.isEmpty, "\(path)")
      for method in methods {
        let concrete = path.replacingOccurrences(of: "{circuit}", with: "0").replacingOccurrences(of: "{keys}", with: "0")
          .replacingOccurrences(of: "{job}", with: "0")
        var r = URLRequest(url: URL(string: server.url.absoluteString + concrete)!)
        r.httpMethod = method.uppercased()
        let (s, body) = try await send(r, body: method == "get" || method == "delete" ? nil : Data())
        #expect(!body.contains("no_route"), "\(method) \(path) is not routed")
        #expect(s < 500, "\(method) \(path): \(s) \(body)")
      }
    }
  }
}

/// Runs a built tool; its output and exit status.
func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: path)
  p.arguments = arguments
  let out = Pipe(), err = Pipe()
  p.standardOutput = out
  p.standardError = err
  try p.run()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Sends a raw request; returns the status and the body as text.
func send(_ request: URLRequest, body: Data?) async throws -> (Int, String) {
  let (data, response): (Data, URLResponse)
  if let body { (data, response) = try await URLSession.shared.upload(for: request, from: body) } else {
    (data, response) = try await URLSession.shared.data(for: request)
  }
  return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

func sha256(_ data: Data) -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)").path
  _ = FileManager.default.createFile(atPath: path, contents: data)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return (try? ServeClient.sha256(ofFile: path)) ?? ""
}

/// Expects the body to fail with a server error of `status`.
func expectStatus(_ status: Int, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
  do {
    try await body()
    Issue.record("expected HTTP \(status), the request succeeded", sourceLocation: sourceLocation)
  } catch let e as ServeClientError {
    #expect(e.status == status, "\(e)", sourceLocation: sourceLocation)
  } catch {
    Issue.record("expected HTTP \(status), got \(error)", sourceLocation: sourceLocation)
  }
}
