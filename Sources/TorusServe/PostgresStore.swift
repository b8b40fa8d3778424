import Foundation
import Logging
import PostgresNIO

/// PostgreSQL (`--database postgres://user:password@host:port/database`). Several servers on
/// one database share circuits, key sets and jobs; `FOR UPDATE SKIP LOCKED` lets each claim a
/// different queued job without waiting for the others, so each job runs once.
public final class PostgresStore: ServeStore {
  public let kind = "postgres"
  private let client: PostgresClient
  private let runner: Task<Void, Never>?
  private let logger: Logger

  public enum URLError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
      switch self {
      case .invalid(let m): "invalid PostgreSQL URL: \(m) (expected postgres://user[:password]@host[:port]/database[?sslmode=disable|require])"
      }
    }
  }

  /// `startRunning: false` leaves running the connection pool to the caller (`client.run()`).
  public init(url: String, logger: Logger, startRunning: Bool = true) throws {
    guard let u = URLComponents(string: url), u.scheme == "postgres" || u.scheme == "postgresql" else {
      throw URLError.invalid("'\(url)' does not start with postgres://")
    }
    guard let host = u.host, !host.isEmpty else { throw URLError.invalid("no host in '\(url)'") }
    guard let user = u.user, !user.isEmpty else { throw URLError.invalid("no user in '\(url)'") }
    let database = u.path.hasPrefix("/") ? String(u.path.dropFirst()) : u.path
    guard !database.isEmpty else { throw URLError.invalid("no database in '\(url)'") }
    let sslmode = u.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
    let tls: PostgresClient.Configuration.TLS
    switch sslmode {
    case "disable": tls = .disable
    case "require": tls = .require(.makeClientConfiguration())
    default: throw URLError.invalid("sslmode '\(sslmode)' (this server takes disable or require)")
    }
    var config = PostgresClient.Configuration(
      host: host, port: u.port ?? 5432, username: user, password: u.password, database: database, tls: tls)
    config.options.maximumConnections = 8
    self.logger = logger
    let client = PostgresClient(configuration: config, backgroundLogger: logger)
    self.client = client
    runner = startRunning ? Task { await client.run() } : nil
  }

  /// Creates database `name` through the server `url` points at (the role needs CREATEDB) and
  /// returns the URL of the new database. Tests and the load test use one database each.
  public static func createDatabase(url: String, name: String, logger: Logger) async throws -> String {
    guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw URLError.invalid("database name '\(name)'") }
    let admin = try PostgresStore(url: url, logger: logger, startRunning: false)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await admin.client.run() }
      try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
      group.cancelAll()
    }
    guard var u = URLComponents(string: url) else { throw URLError.invalid(url) }
    u.path = "/" + name
    return u.string ?? url
  }

  public func migrate() async throws {
    // Two servers starting together must not create the tables at the same time.
    let logger = self.logger
    try await client.withTransaction(logger: logger) { connection in
      try await connection.query("SELECT pg_advisory_xact_lock(7391001)", logger: logger)
      for statement in schemaStatements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
    }
  }

  public func saveCircuit(_ c: CircuitRecord) async throws {
    try await client.query(
      """
      INSERT INTO circuits (\(unescaped: circuitColumns)) VALUES (\(c.id), \(c.function), \(c.path), \(c.parameters), \
      \(c.parameterDescription), \(c.bootstraps), \(c.keyBytes), \(c.createdAt))
      ON CONFLICT (id) DO UPDATE SET path = excluded.path, function = excluded.function, parameters = excluded.parameters,
        parameter_description = excluded.parameter_description, bootstraps = excluded.bootstraps, key_bytes = excluded.key_bytes
      """, logger: logger)
  }

  public func circuit(id: String) async throws -> CircuitRecord? {
    try await circuits(client.query("SELECT \(unescaped: circuitColumns) FROM circuits WHERE id = \(id)", logger: logger)).first
  }

  public func circuits() async throws -> [CircuitRecord] {
    try await circuits(client.query("SELECT \(unescaped: circuitColumns) FROM circuits ORDER BY created_at, id", logger: logger))
  }

  private func circuits(_ rows: PostgresRowSequence) async throws -> [CircuitRecord] {
    var out: [CircuitRecord] = []
    for try await (id, function, path, parameters, description, bootstraps, keyBytes, createdAt) in rows.decode(
      (String, String, String, String, String, Int, Int, Double).self)
    {
      out.append(
        CircuitRecord(
          id: id, function: function, path: path, parameters: parameters, parameterDescription: description,
          bootstraps: bootstraps, keyBytes: keyBytes, createdAt: createdAt))
    }
    return out
  }

  public func saveKeySet(_ k: KeySetRecord) async throws {
    try await client.query(
      """
      INSERT INTO key_sets (\(unescaped: keySetColumns)) VALUES (\(k.id), \(k.circuitID), \(k.owner), \(k.path), \(k.bytes), \
      \(k.sha256), \(k.parameters), \(k.createdAt))
      """, logger: logger)
  }

  public func keySet(id: String) async throws -> KeySetRecord? {
    try await keySets(client.query("SELECT \(unescaped: keySetColumns) FROM key_sets WHERE id = \(id)", logger: logger)).first
  }

  public func keySets(owner: String) async throws -> [KeySetRecord] {
    try await keySets(
      client.query("SELECT \(unescaped: keySetColumns) FROM key_sets WHERE owner = \(owner) ORDER BY created_at, id", logger: logger))
  }

  private func keySets(_ rows: PostgresRowSequence) async throws -> [KeySetRecord] {
    var out: [KeySetRecord] = []
    for try await (id, circuit, owner, path, bytes, sha, parameters, createdAt) in rows.decode(
      (String, String, String, String, Int, String, String, Double).self)
    {
      out.append(
        KeySetRecord(id: id, circuitID: circuit, owner: owner, path: path, bytes: bytes, sha256: sha, parameters: parameters, createdAt: createdAt))
    }
    return out
  }

  public func ownerExists(_ owner: String) async throws -> Bool {
    for try await (exists) in try await client.query("SELECT EXISTS (SELECT 1 FROM key_sets WHERE owner = \(owner))", logger: logger)
      .decode(Bool.self)
    {
      return exists
    }
    return false
  }

  public func deleteKeySet(id: String) async throws {
    try await client.query("DELETE FROM key_sets WHERE id = \(id)", logger: logger)
  }

  public func insertJob(_ j: JobRecord) async throws {
    try await client.query(
      """
      INSERT INTO jobs (\(unescaped: jobColumns)) VALUES (\(j.id), \(j.keySetID), \(j.circuitID), \(j.owner), \(j.state.rawValue), \
      \(j.inputPath), \(j.outputPath), \(j.samples), \(j.bootstrapsDone), \(j.bootstrapsTotal), \(j.error), \(j.worker), \
      \(j.attempts), \(j.createdAt), \(j.startedAt), \(j.finishedAt), \(j.heartbeatAt))
      """, logger: logger)
  }

  public func job(id: String) async throws -> JobRecord? {
    try await jobs(client.query("SELECT \(unescaped: jobColumns) FROM jobs WHERE id = \(id)", logger: logger)).first
  }

  public func jobs(owner: String) async throws -> [JobRecord] {
    try await jobs(client.query("SELECT \(unescaped: jobColumns) FROM jobs WHERE owner = \(owner) ORDER BY created_at, id", logger: logger))
  }

  private func jobs(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
    var out: [JobRecord] = []
    for try await row in rows {
      let c = try row.decode(
        (String, String, String, String, String, String, String?, Int, Int, Int, String?, String?, Int, Double, Double?, Double?, Double?).self)
      out.append(
        JobRecord(
          id: c.0, keySetID: c.1, circuitID: c.2, owner: c.3, state: JobState(rawValue: c.4) ?? .failed, inputPath: c.5,
          outputPath: c.6, samples: c.7, bootstrapsDone: c.8, bootstrapsTotal: c.9, error: c.10, worker: c.11,
          attempts: c.12, createdAt: c.13, startedAt: c.14, finishedAt: c.15, heartbeatAt: c.16))
    }
    return out
  }

  public func claimJob(worker: String, now: Double) async throws -> JobRecord? {
    try await jobs(
      client.query(
        """
        UPDATE jobs SET state = 'running', worker = \(worker), attempts = attempts + 1, started_at = \(now), heartbeat_at = \(now),
          bootstraps_done = 0
        WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING \(unescaped: jobColumns)
        """, logger: logger)
    ).first
  }

  public func heartbeat(job: String, worker: String, done: Int, total: Int, now: Double) async throws -> Bool {
    let rows = try await client.query(
      """
      UPDATE jobs SET bootstraps_done = \(done), bootstraps_total = \(total), heartbeat_at = \(now)
      WHERE id = \(job) AND worker = \(worker) AND state = 'running' RETURNING id
      """, logger: logger)
    var n = 0
    for try await _ in rows { n += 1 }
    return n == 1
  }

  public func finishJob(_ job: String, worker: String, outputPath: String, now: Double) async throws {
    try await client.query(
      """
      UPDATE jobs SET state = 'done', output_path = \(outputPath), finished_at = \(now), bootstraps_done = bootstraps_total
      WHERE id = \(job) AND worker = \(worker) AND state = 'running'
      """, logger: logger)
  }

  public func failJob(_ job: String, worker: String?, reason: String, now: Double) async throws {
    if let worker {
      try await client.query(
        "UPDATE jobs SET state = 'failed', error = \(reason), finished_at = \(now) WHERE id = \(job) AND worker = \(worker) AND state = 'running'",
        logger: logger)
    } else {
      try await client.query("UPDATE jobs SET state = 'failed', error = \(reason), finished_at = \(now) WHERE id = \(job)", logger: logger)
    }
  }

  public func recoverStaleJobs(staleBefore: Double, maxAttempts: Int, now: Double) async throws -> (requeued: [String], failed: [String]) {
    let logger = self.logger
    return try await client.withTransaction(logger: logger) { connection in
      var failed: [String] = []
      for try await id in try await connection.query(
        """
        UPDATE jobs SET state = 'failed', finished_at = \(now),
          error = 'the server running it stopped ' || attempts || ' times (last worker ' || coalesce(worker, '?') || '); not retried'
        WHERE state = 'running' AND heartbeat_at < \(staleBefore) AND attempts >= \(maxAttempts) RETURNING id
        """, logger: logger
      ).decode(String.self) { failed.append(id) }
      var requeued: [String] = []
      for try await id in try await connection.query(
        """
        UPDATE jobs SET state = 'queued', worker = NULL, bootstraps_done = 0
        WHERE state = 'running' AND heartbeat_at < \(staleBefore) RETURNING id
        """, logger: logger
      ).decode(String.self) { requeued.append(id) }
      return (requeued, failed)
    }
  }

  public func jobCounts() async throws -> [JobState: Int] {
    var counts: [JobState: Int] = [:]
    for try await (state, n) in try await client.query("SELECT state, count(*) FROM jobs GROUP BY state", logger: logger).decode(
      (String, Int).self)
    {
      if let s = JobState(rawValue: state) { counts[s] = n }
    }
    return counts
  }

  public func close() async throws { runner?.cancel() }
}
