import Foundation
import Hummingbird
import Logging
import NIOCore
import TorusEncrypted

/// Everything `torus-serve` is started with.
public struct ServeConfiguration: Sendable {
  public var host = "127.0.0.1"
  /// 0 picks a free port (printed on start).
  public var port = 8080
  /// Keys, inputs, results, uploaded circuits and the SQLite database live here.
  public var dataDirectory: String
  /// Every `*.mlir` file here is registered at start.
  public var circuitsDirectory: String?
  /// `postgres://…`, or nil for SQLite in the data directory.
  public var database: String?
  public var allowCircuitUpload = true
  public var maxKeyBytes = 8 << 30
  public var maxInputBytes = 1 << 30
  public var maxCircuitBytes = 64 << 20
  public var keyCacheBytes = 8 << 30
  public var errorTarget = ErrorTarget()
  public var runner = JobRunner.Options()

  public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

  var keysDirectory: String { dataDirectory + "/keys" }
  var inputsDirectory: String { dataDirectory + "/inputs" }
  var resultsDirectory: String { dataDirectory + "/results" }
  var uploadedCircuitsDirectory: String { dataDirectory + "/circuits" }
}

public enum TorusServer {
  /// The store `configuration` names, migrated.
  public static func openStore(_ configuration: ServeConfiguration, logger: Logger) async throws -> any ServeStore {
    let store: any ServeStore
    if let url = configuration.database, url.hasPrefix("postgres") {
      store = try PostgresStore(url: url, logger: logger)
    } else {
      let path = configuration.database.map { $0.hasPrefix("sqlite:") ? String($0.dropFirst(7)) : $0 }
        ?? configuration.dataDirectory + "/torus.sqlite"
      store = try SQLiteStore(path: path)
    }
    try await store.migrate()
    return store
  }

  /// Opens the store, registers the circuits directory, then serves until SIGINT/SIGTERM.
  /// `running` gets the port once the server listens.
  public static func run(
    _ configuration: ServeConfiguration, logger: Logger, running: @escaping @Sendable (Int) -> Void = { _ in }
  ) async throws {
    for dir in [
      configuration.dataDirectory, configuration.keysDirectory, configuration.inputsDirectory, configuration.resultsDirectory,
      configuration.uploadedCircuitsDirectory,
    ] {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    let store = try await openStore(configuration, logger: logger)
    let circuits = CircuitRegistry(store: store, target: configuration.errorTarget, uploadDirectory: configuration.uploadedCircuitsDirectory)
    if let dir = configuration.circuitsDirectory {
      let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mlir") }.sorted()
      for file in files {
        do {
          let entry = try await circuits.register(path: dir + "/" + file, function: nil)
          logger.info(
            "circuit \(entry.record.id) '@\(entry.record.function)' from \(file): \(entry.record.bootstraps) PBS per sample, keys \(entry.record.keyBytes / 1_000_000) MB")
        } catch {
          logger.error("skipping \(file): \(error)")
        }
      }
    }
    let keys = KeyCache(capacity: configuration.keyCacheBytes)
    let runner = JobRunner(
      store: store, circuits: circuits, keys: keys, resultsDirectory: configuration.resultsDirectory, options: configuration.runner,
      logger: logger)
    let router = Router(context: BasicRequestContext.self)
    API(store: store, circuits: circuits, keys: keys, runner: runner, configuration: configuration).addRoutes(to: router)
    let app = Application(
      router: router,
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "torus-serve"),
      services: [runner],
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? configuration.port
        logger.notice("torus-serve listening on http://\(configuration.host):\(port) (\(store.kind), worker \(runner.workerID))")
        running(port)
      },
      logger: logger)
    defer { Task { try? await store.close() } }
    try await app.runService()
  }
}
