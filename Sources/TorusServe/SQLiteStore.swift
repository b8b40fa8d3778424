import Foundation
import GRDB

/// The embedded default: one SQLite file (WAL mode), no set-up. Several processes may share
/// it; a job is claimed by one `UPDATE … RETURNING`, which SQLite runs under its write lock.
public final class SQLiteStore: ServeStore {
  public let kind = "sqlite"
  private let pool: DatabasePool

  public init(path: String) throws {
    var config = Configuration()
    // Other servers on the same file hold the write lock briefly; wait instead of failing.
    config.busyMode = .timeout(10)
    pool = try DatabasePool(path: path, configuration: config)
  }

  public func migrate() async throws {
    try await pool.write { db in
      for statement in schemaStatements { try db.execute(sql: statement) }
    }
  }

  public func saveCircuit(_ c: CircuitRecord) async throws {
    try await pool.write { db in
      try db.execute(
        sql: "INSERT INTO circuits (\(circuitColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET path = excluded.path, function = excluded.function, parameters = excluded.parameters, parameter_description = excluded.parameter_description, bootstraps = excluded.bootstraps, key_bytes = excluded.key_bytes",
        arguments: [c.id, c.function, c.path, c.parameters, c.parameterDescription, c.bootstraps, c.keyBytes, c.createdAt])
    }
  }

  public func circuit(id: String) async throws -> CircuitRecord? {
    try await pool.read { db in
      try Row.fetchOne(db, sql: "SELECT \(circuitColumns) FROM circuits WHERE id = ?", arguments: [id]).map(CircuitRecord.init(row:))
    }
  }

  public func circuits() async throws -> [CircuitRecord] {
    try await pool.read { db in
      try Row.fetchAll(db, sql: "SELECT \(circuitColumns) FROM circuits ORDER BY created_at, id").map(CircuitRecord.init(row:))
    }
  }

  public func saveKeySet(_ k: KeySetRecord) async throws {
    try await pool.write { db in
      try db.execute(
        sql: "INSERT INTO key_sets (\(keySetColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [k.id, k.circuitID, k.owner, k.path, k.bytes, k.sha256, k.parameters, k.createdAt])
    }
  }

  public func keySet(id: String) async throws -> KeySetRecord? {
    try await pool.read { db in
      try Row.fetchOne(db, sql: "SELECT \(keySetColumns) FROM key_sets WHERE id = ?", arguments: [id]).map(KeySetRecord.init(row:))
    }
  }

  public func keySets(owner: String) async throws -> [KeySetRecord] {
    try await pool.read { db in
      try Row.fetchAll(db, sql: "SELECT \(keySetColumns) FROM key_sets WHERE owner = ? ORDER BY created_at, id", arguments: [owner])
        .map(KeySetRecord.init(row:))
    }
  }

  public func ownerExists(_ owner: String) async throws -> Bool {
    try await pool.read { db in
      try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM key_sets WHERE owner = ?)", arguments: [owner]) ?? false
    }
  }

  public func deleteKeySet(id: String) async throws {
    try await pool.write { db in try db.execute(sql: "DELETE FROM key_sets WHERE id = ?", arguments: [id]) }
  }

  public func insertJob(_ j: JobRecord) async throws {
    try await pool.write { db in
      try db.execute(
        sql: "INSERT INTO jobs (\(jobColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [
          j.id, j.keySetID, j.circuitID, j.owner, j.state.rawValue, j.inputPath, j.outputPath, j.samples, j.bootstrapsDone,
          j.bootstrapsTotal, j.error, j.worker, j.attempts, j.createdAt, j.startedAt, j.finishedAt, j.heartbeatAt,
        ])
    }
  }

  public func job(id: String) async throws -> JobRecord? {
    try await pool.read { db in
      try Row.fetchOne(db, sql: "SELECT \(jobColumns) FROM jobs WHERE id = ?", arguments: [id]).map(JobRecord.init(row:))
    }
  }

  public func jobs(owner: String) async throws -> [JobRecord] {
    try await pool.read { db in
      try Row.fetchAll(db, sql: "SELECT \(jobColumns) FROM jobs WHERE owner = ? ORDER BY created_at, id", arguments: [owner])
        .map(JobRecord.init(row:))
    }
  }

  public func claimJob(worker: String, now: Double) async throws -> JobRecord? {
    try await pool.write { db in
      try Row.fetchOne(
        db,
        sql: """
          UPDATE jobs SET state = 'running', worker = ?, attempts = attempts + 1, started_at = ?, heartbeat_at = ?,
            bootstraps_done = 0
          WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1)
          RETURNING \(jobColumns)
          """,
        arguments: [worker, now, now]
      ).map(JobRecord.init(row:))
    }
  }

  public func heartbeat(job: String, worker: String, done: Int, total: Int, now: Double) async throws -> Bool {
    try await pool.write { db in
      try db.execute(
        sql: "UPDATE jobs SET bootstraps_done = ?, bootstraps_total = ?, heartbeat_at = ? WHERE id = ? AND worker = ? AND state = 'running'",
        arguments: [done, total, now, job, worker])
      return db.changesCount == 1
    }
  }

  public func finishJob(_ job: String, worker: String, outputPath: String, now: Double) async throws {
    try await pool.write { db in
      try db.execute(
        sql: "UPDATE jobs SET state = 'done', output_path = ?, finished_at = ?, bootstraps_done = bootstraps_total WHERE id = ? AND worker = ? AND state = 'running'",
        arguments: [outputPath, now, job, worker])
    }
  }

  public func failJob(_ job: String, worker: String?, reason: String, now: Double) async throws {
    try await pool.write { db in
      if let worker {
        try db.execute(
          sql: "UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND worker = ? AND state = 'running'",
          arguments: [reason, now, job, worker])
      } else {
        try db.execute(sql: "UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?", arguments: [reason, now, job])
      }
    }
  }

  public func recoverStaleJobs(staleBefore: Double, maxAttempts: Int, now: Double) async throws -> (requeued: [String], failed: [String]) {
    try await pool.write { db in
      let failed = try String.fetchAll(
        db,
        sql: """
          UPDATE jobs SET state = 'failed', finished_at = ?,
            error = 'the server running it stopped ' || attempts || ' times (last worker ' || coalesce(worker, '?') || '); not retried'
          WHERE state = 'running' AND heartbeat_at < ? AND attempts >= ? RETURNING id
          """,
        arguments: [now, staleBefore, maxAttempts])
      let requeued = try String.fetchAll(
        db,
        sql: "UPDATE jobs SET state = 'queued', worker = NULL, bootstraps_done = 0 WHERE state = 'running' AND heartbeat_at < ? RETURNING id",
        arguments: [staleBefore])
      return (requeued, failed)
    }
  }

  public func jobCounts() async throws -> [JobState: Int] {
    try await pool.read { db in
      var counts: [JobState: Int] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM jobs GROUP BY state") {
        if let s = JobState(rawValue: row["state"]) { counts[s] = row["n"] }
      }
      return counts
    }
  }

  public func close() async throws { try pool.close() }
}

extension CircuitRecord {
  init(row: Row) {
    self.init(
      id: row["id"], function: row["function"], path: row["path"], parameters: row["parameters"],
      parameterDescription: row["parameter_description"], bootstraps: row["bootstraps"], keyBytes: row["key_bytes"],
      createdAt: row["created_at"])
  }
}

extension KeySetRecord {
  init(row: Row) {
    self.init(
      id: row["id"], circuitID: row["circuit_id"], owner: row["owner"], path: row["path"], bytes: row["bytes"],
      sha256: row["sha256"], parameters: row["parameters"], createdAt: row["created_at"])
  }
}

extension JobRecord {
  init(row: Row) {
    self.init(
      id: row["id"], keySetID: row["key_set_id"], circuitID: row["circuit_id"], owner: row["owner"],
      state: JobState(rawValue: row["state"]) ?? .failed, inputPath: row["input_path"], outputPath: row["output_path"],
      samples: row["samples"], bootstrapsDone: row["bootstraps_done"], bootstrapsTotal: row["bootstraps_total"],
      error: row["error"], worker: row["worker"], attempts: row["attempts"], createdAt: row["created_at"],
      startedAt: row["started_at"], finishedAt: row["finished_at"], heartbeatAt: row["heartbeat_at"])
  }
}
