import ArgumentParser
import Foundation
import Logging
import TorusEncrypted
import TorusServe

/// `torus-serve` (also `torus serve`): encrypted inference over HTTP. Spec/Serving.md.
@main
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "torus-serve",
    abstract: "Serve FHE circuits: clients upload evaluation keys and encrypted inputs, the server computes on ciphertexts.",
    discussion: """
      State (circuits, key sets, jobs) lives in a database: SQLite in --data by default, or PostgreSQL with
      --database postgres://user:password@host/db (several servers on one database split the jobs between them;
      give them one shared --data directory). Keys, inputs and results are files under --data. A job that was
      running when its server stopped is queued again once its lease (--lease) runs out.
      The API is described at /openapi.yaml; `torus client` speaks it.
      """)

  @Option(help: "Address to listen on.") var host = "127.0.0.1"
  @Option(help: "Port to listen on (0: any free port, printed on start).") var port = 8080
  @Option(help: "Directory for keys, inputs, results, uploaded circuits and the SQLite database.") var data: String
  @Option(help: "Register every *.mlir file of this directory at start.") var circuits: String?
  @Option(help: "postgres://user[:password]@host[:port]/database[?sslmode=disable|require], or a SQLite file (default: DATA/torus.sqlite).")
  var database: String?
  @Flag(inversion: .prefixedNo, help: "Whether clients may register circuits (POST /circuits).") var circuitUpload = true
  @Option(help: "Jobs evaluated at once.") var workers = 1
  @Option(help: "Threads per job (bootstraps of one op spread over them; default: all cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Memory for evaluation keys kept loaded, in MB (least recently used leave first).") var keyCacheMb = 8192
  @Option(help: "Largest evaluation key upload, in MB.") var maxKeyMb = 8192
  @Option(help: "Largest encrypted input upload, in MB.") var maxInputMb = 1024
  @Option(help: "Seconds without progress after which a running job counts as abandoned and is queued again.") var lease = 30.0
  @Option(help: "Times a job is started before it is failed as abandoned.") var maxAttempts = 3
  @Option(help: "Probability of any wrong lookup in one run (chooses each circuit's parameters; keys must be made with the same).")
  var globalPError = 1e-5
  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
    guard workers >= 1, threads >= 1 else { throw ValidationError("--workers and --threads must be at least 1") }
    guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
    guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
    guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
  }

  func run() async throws {
    // Logs go to standard error; standard output carries only the "listening on" line.
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    var logger = Logger(label: "torus-serve")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
    var config = ServeConfiguration(dataDirectory: data)
    config.host = host
    config.port = port
    config.circuitsDirectory = circuits
    config.database = database
    config.allowCircuitUpload = circuitUpload
    config.keyCacheBytes = keyCacheMb << 20
    config.maxKeyBytes = maxKeyMb << 20
    config.maxInputBytes = maxInputMb << 20
    config.errorTarget = ErrorTarget(global: globalPError)
    config.runner.workers = workers
    config.runner.threads = threads
    config.runner.lease = lease
    config.runner.heartbeat = min(2, lease / 4)
    config.runner.maxAttempts = maxAttempts
    do {
      try await TorusServer.run(config, logger: logger) { port in
        // One line on standard output that scripts and tests wait for.
        FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
      }
    } catch {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(1)
    }
  }
}

