import Foundation

/// A circuit the server evaluates, addressed by its fingerprint (the function's generic text).
public struct CircuitRecord: Sendable, Codable, Equatable {
  /// The circuit fingerprint, 16 hex digits.
  public var id: String
  public var function: String
  /// Where the MLIR text lives (under the data directory or the circuits directory).
  public var path: String
  /// The parameter set the server evaluates it with (fingerprint, hex) and its description.
  public var parameters: String
  public var parameterDescription: String
  /// Bootstraps of one sample, and the evaluation keys' size in bytes under `parameters`.
  public var bootstraps: Int
  public var keyBytes: Int
  public var createdAt: Double
}

/// Uploaded evaluation keys: a file, owned by the client whose token hash is `owner`.
public struct KeySetRecord: Sendable, Codable, Equatable {
  public var id: String
  public var circuitID: String
  public var owner: String
  public var path: String
  public var bytes: Int
  public var sha256: String
  public var parameters: String
  public var createdAt: Double
}

/// The life of a job: queued → running → done | failed. A running job whose server stops
/// (its lease runs out) goes back to queued, or to failed after `maxAttempts`.
public enum JobState: String, Sendable, Codable, CaseIterable {
  case queued, running, done, failed
}

public struct JobRecord: Sendable, Codable, Equatable {
  public var id: String
  public var keySetID: String
  public var circuitID: String
  public var owner: String
  public var state: JobState
  public var inputPath: String
  public var outputPath: String?
  public var samples: Int
  public var bootstrapsDone: Int
  public var bootstrapsTotal: Int
  public var error: String?
  /// The server process running it, and how many times one started it.
  public var worker: String?
  public var attempts: Int
  public var createdAt: Double
  public var startedAt: Double?
  public var finishedAt: Double?
  public var heartbeatAt: Double?
}

/// What survives a restart: circuits, key sets and jobs. Files (keys, inputs, results) are
/// referenced by path. Two implementations: SQLite (embedded default) and PostgreSQL (several
/// servers on one database split the jobs; each job is claimed by exactly one).
public protocol ServeStore: Sendable {
  /// "sqlite" or "postgres", for /health and logs.
  var kind: String { get }
  func migrate() async throws
  func saveCircuit(_ circuit: CircuitRecord) async throws
  func circuit(id: String) async throws -> CircuitRecord?
  func circuits() async throws -> [CircuitRecord]
  func saveKeySet(_ keySet: KeySetRecord) async throws
  func keySet(id: String) async throws -> KeySetRecord?
  func keySets(owner: String) async throws -> [KeySetRecord]
  /// Whether any key set belongs to `owner` (a token the server issued).
  func ownerExists(_ owner: String) async throws -> Bool
  func deleteKeySet(id: String) async throws
  func insertJob(_ job: JobRecord) async throws
  func job(id: String) async throws -> JobRecord?
  func jobs(owner: String) async throws -> [JobRecord]
  /// Atomically takes the oldest queued job for `worker` (running, attempts + 1), if any.
  func claimJob(worker: String, now: Double) async throws -> JobRecord?
  /// Progress and lease renewal; false when the job is no longer this worker's.
  func heartbeat(job: String, worker: String, done: Int, total: Int, now: Double) async throws -> Bool
  func finishJob(_ job: String, worker: String, outputPath: String, now: Double) async throws
  func failJob(_ job: String, worker: String?, reason: String, now: Double) async throws
  /// Running jobs whose lease ran out (heartbeat before `staleBefore`): back to queued, or
  /// failed with a reason once they were started `maxAttempts` times. Returns both lists.
  func recoverStaleJobs(staleBefore: Double, maxAttempts: Int, now: Double) async throws -> (requeued: [String], failed: [String])
  /// Jobs per state (for /health and the load test).
  func jobCounts() async throws -> [JobState: Int]
  func close() async throws
}

/// The columns of `jobs`, in the order the stores read them.
let jobColumns =
  "id, key_set_id, circuit_id, owner, state, input_path, output_path, samples, bootstraps_done, bootstraps_total, error, worker, attempts, created_at, started_at, finished_at, heartbeat_at"
let keySetColumns = "id, circuit_id, owner, path, bytes, sha256, parameters, created_at"
let circuitColumns = "id, function, path, parameters, parameter_description, bootstraps, key_bytes, created_at"

/// The schema, one statement each; types both SQLite and PostgreSQL accept.
let schemaStatements = [
  """
  CREATE TABLE IF NOT EXISTS circuits (
    id TEXT PRIMARY KEY, function TEXT NOT NULL, path TEXT NOT NULL, parameters TEXT NOT NULL,
    parameter_description TEXT NOT NULL, bootstraps BIGINT NOT NULL, key_bytes BIGINT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL)
  """,
  """
  CREATE TABLE IF NOT EXISTS key_sets (
    id TEXT PRIMARY KEY, circuit_id TEXT NOT NULL, owner TEXT NOT NULL, path TEXT NOT NULL,
    bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, parameters TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)
  """,
  "CREATE INDEX IF NOT EXISTS key_sets_owner ON key_sets (owner)",
  """
  CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, key_set_id TEXT NOT NULL, circuit_id TEXT NOT NULL, owner TEXT NOT NULL,
    state TEXT NOT NULL, input_path TEXT NOT NULL, output_path TEXT, samples BIGINT NOT NULL,
    bootstraps_done BIGINT NOT NULL, bootstraps_total BIGINT NOT NULL, error TEXT, worker TEXT,
    attempts BIGINT NOT NULL, created_at DOUBLE PRECISION NOT NULL, started_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION, heartbeat_at DOUBLE PRECISION)
  """,
  "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at)",
  "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner)",
]
