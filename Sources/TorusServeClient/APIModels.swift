import Foundation

/// The JSON bodies of torus-serve's API (`/openapi.yaml` describes them), shared by the server
/// and its clients.
public enum ServeAPI {
  /// Headers of a key upload: the key directory's circuit identity, and the file's SHA-256.
  public static let keyIdentityHeader = "X-Torus-Key-Identity"
  public static let sha256Header = "X-Torus-SHA256"

  public struct Circuit: Codable, Sendable, Equatable {
    /// The circuit fingerprint (16 hex digits), the id in every URL.
    public var id: String
    public var function: String
    /// The parameter set keys must be made with (fingerprint, hex), and its description.
    public var parameters: String
    public var parameterSet: String
    public var bootstrapsPerSample: Int
    /// Evaluation key size in memory and as an upload.
    public var keyBytes: Int
    public var keyFileBytes: Int
    public init(
      id: String, function: String, parameters: String, parameterSet: String, bootstrapsPerSample: Int, keyBytes: Int, keyFileBytes: Int
    ) {
      self.id = id
      self.function = function
      self.parameters = parameters
      self.parameterSet = parameterSet
      self.bootstrapsPerSample = bootstrapsPerSample
      self.keyBytes = keyBytes
      self.keyFileBytes = keyFileBytes
    }
  }

  public struct KeySet: Codable, Sendable, Equatable {
    public var id: String
    public var circuit: String
    public var bytes: Int
    public var sha256: String
    public var createdAt: Double
    public init(id: String, circuit: String, bytes: Int, sha256: String, createdAt: Double) {
      self.id = id
      self.circuit = circuit
      self.bytes = bytes
      self.sha256 = sha256
      self.createdAt = createdAt
    }
  }

  /// The answer to a key upload. `token` is there when the upload had none: keep it, it is the
  /// only way to use these keys and see the jobs run with them.
  public struct KeyUpload: Codable, Sendable {
    public var keySet: KeySet
    public var token: String?
    public init(keySet: KeySet, token: String?) {
      self.keySet = keySet
      self.token = token
    }
  }

  public struct Job: Codable, Sendable, Equatable {
    public var id: String
    public var keySet: String
    public var circuit: String
    /// queued, running, done or failed.
    public var state: String
    public var samples: Int
    public var bootstrapsDone: Int
    public var bootstrapsTotal: Int
    public var etaSeconds: Double?
    public var elapsedSeconds: Double?
    public var error: String?
    public var attempts: Int
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public init(
      id: String, keySet: String, circuit: String, state: String, samples: Int, bootstrapsDone: Int, bootstrapsTotal: Int,
      etaSeconds: Double?, elapsedSeconds: Double?, error: String?, attempts: Int, createdAt: Double, startedAt: Double?,
      finishedAt: Double?
    ) {
      self.id = id
      self.keySet = keySet
      self.circuit = circuit
      self.state = state
      self.samples = samples
      self.bootstrapsDone = bootstrapsDone
      self.bootstrapsTotal = bootstrapsTotal
      self.etaSeconds = etaSeconds
      self.elapsedSeconds = elapsedSeconds
      self.error = error
      self.attempts = attempts
      self.createdAt = createdAt
      self.startedAt = startedAt
      self.finishedAt = finishedAt
    }
    public var isFinished: Bool { state == "done" || state == "failed" }
  }

  public struct Health: Codable, Sendable {
    public var status: String
    public var database: String
    public var worker: String
    public var jobs: [String: Int]
    public var keyCache: KeyCacheStatistics
    public var residentBytes: Int?
    public init(status: String, database: String, worker: String, jobs: [String: Int], keyCache: KeyCacheStatistics, residentBytes: Int?) {
      self.status = status
      self.database = database
      self.worker = worker
      self.jobs = jobs
      self.keyCache = keyCache
      self.residentBytes = residentBytes
    }
  }

  public struct KeyCacheStatistics: Codable, Sendable {
    public var entries: Int
    public var bytes: Int
    public var capacity: Int
    public var hits: Int
    public var misses: Int
    public init(entries: Int, bytes: Int, capacity: Int, hits: Int, misses: Int) {
      self.entries = entries
      self.bytes = bytes
      self.capacity = capacity
      self.hits = hits
      self.misses = misses
    }
  }

  /// Every error: `{"error": {"code": "...", "message": "..."}}`.
  public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
      public var code: String
      public var message: String
    }
    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
  }
}
