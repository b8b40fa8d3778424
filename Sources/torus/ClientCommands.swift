import ArgumentParser
import Foundation
import TorusEncrypted
import TorusServeClient

#if canImport(Glibc)
  import Glibc
#endif

/// `torus serve …` runs the `torus-serve` executable built beside this one, so that this tool
/// and its libraries stay free of the server's dependencies (NIO, databases).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve circuits over HTTP for encrypted inference (runs torus-serve; see torus-serve --help).")

  @Argument(parsing: .allUnrecognized, help: "Arguments for torus-serve (--data DIR, --circuits DIR, --database URL, --port N, …).")
  var arguments: [String] = []

  func run() throws {
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let server = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("torus-serve").path
    guard FileManager.default.isExecutableFile(atPath: server) else {
      throw fail("'\(server)' not found: build it with 'swift build -c release --product torus-serve'")
    }
    let argv = [server] + arguments
    var cargs = argv.map { strdup($0) } + [nil]
    execv(server, &cargs)
    throw fail("cannot start '\(server)': \(String(cString: strerror(errno)))")
  }
}

struct Client: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run circuits on a torus-serve: upload keys, submit encrypted inputs, wait, download results.",
    discussion: """
      A remote encrypted run is four commands:
        torus keygen circuit.mlir --keys K
        torus encrypt --keys K --input x.npy -o x.ct
        torus client run --server http://host:8080 --keys K x.ct -o y.ct
        torus decrypt --keys K y.ct -o y.npy
      Only evaluation keys (K/server) leave this machine. The server's token and key set id are kept in
      K/remote.json (readable by you only); the step commands (upload-keys, submit, wait, fetch, jobs) use it.
      """,
    subcommands: [ClientRun.self, UploadKeys.self, Submit.self, Wait.self, Fetch.self, Jobs.self])
}

struct RemoteOptions: ParsableArguments {
  @Option(help: "Key directory made by 'torus keygen' (its remote.json says where the keys were uploaded).") var keys: String

  func remote() throws -> RemoteKeys {
    guard let r = try RemoteKeys.load(keys) else {
      throw ServeClientError.local("'\(keys)' has no remote.json: run 'torus client upload-keys --server URL --keys \(keys)' first")
    }
    return r
  }

  func client() throws -> (ServeClient, RemoteKeys) {
    let r = try remote()
    guard let url = URL(string: r.server) else { throw ServeClientError.local("bad server URL '\(r.server)' in \(RemoteKeys.path(keys))") }
    return (ServeClient(baseURL: url, token: r.token), r)
  }
}

func uploadKeys(server: String, keys: String) async throws -> RemoteKeys {
  try await RemoteKeys.upload(keyDirectory: keys, server: server, log: printError)
}

/// Polls a job with a progress line on a terminal; throws when it failed.
func waitForJob(_ client: ServeClient, _ id: String) async throws -> ServeAPI.Job {
  let tty = isatty(2) != 0
  let job = try await client.wait(job: id) { job in
    guard tty else { return }
    let pct = job.bootstrapsTotal > 0 ? 100 * Double(job.bootstrapsDone) / Double(job.bootstrapsTotal) : 0
    let eta = job.etaSeconds.map { String(format: ", ETA %.0f s", $0) } ?? ""
    FileHandle.standardError.write(
      Data(String(format: "\rjob %@: %@ %d/%d PBS (%.0f%%)%@      ", job.id, job.state, job.bootstrapsDone, job.bootstrapsTotal, pct, eta).utf8))
  }
  if tty { FileHandle.standardError.write(Data("\n".utf8)) }
  if job.state == "failed" { throw ServeClientError.local("job \(job.id) failed: \(job.error ?? "no reason given")") }
  return job
}

struct ClientRun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Upload the keys if needed, submit a .ct file, wait with progress, download the result.")
  @Option(help: "The server, e.g. http://127.0.0.1:8080 (default: the one in KEYS/remote.json).") var server: String?
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String
  @Argument(help: "Encrypted inputs made by 'torus encrypt'.") var input: String
  @Option(name: [.customShort("o"), .long], help: "Where to write the encrypted outputs (.ct) for 'torus decrypt'.") var output: String

  func run() throws {
    try reportingAsync {
      var remote = try RemoteKeys.load(keys)
      if remote == nil || (server != nil && remote?.server != server) {
        guard let server = server ?? remote?.server else {
          throw ServeClientError.local("no server: pass --server URL (KEYS has no remote.json yet)")
        }
        remote = try await uploadKeys(server: server, keys: keys)
      }
      guard let remote, let url = URL(string: remote.server) else { throw ServeClientError.local("no server") }
      let client = ServeClient(baseURL: url, token: remote.token)
      let start = Date()
      let job = try await client.submit(keySet: remote.keySet, ciphertexts: input)
      printError("job \(job.id) queued (\(job.samples) samples, \(job.bootstrapsTotal) PBS)")
      let done = try await waitForJob(client, job.id)
      try await client.downloadResult(job: done.id, to: output)
      printError(String(format: "job %@ done: %.2f s on the server, %.2f s round trip", done.id, done.elapsedSeconds ?? 0, Date().timeIntervalSince(start)))
    }
  }
}

struct UploadKeys: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "upload-keys", abstract: "Upload KEYS/server's evaluation keys (registering the circuit if the server lacks it).")
  @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
  @Option(help: "Key directory made by 'torus keygen'.") var keys: String

  func run() throws {
    try reportingAsync {
      let remote = try await uploadKeys(server: server, keys: keys)
      print(remote.keySet)
    }
  }
}

struct Submit: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Submit encrypted inputs; prints the job id.")
  @OptionGroup var remote: RemoteOptions
  @Argument(help: "Encrypted inputs made by 'torus encrypt'.") var input: String

  func run() throws {
    try reportingAsync {
      let (client, r) = try remote.client()
      print(try await client.submit(keySet: r.keySet, ciphertexts: input).id)
    }
  }
}

struct Wait: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Wait for a job, with a progress line; fails if the job failed.")
  @OptionGroup var remote: RemoteOptions
  @Argument(help: "The job id.") var job: String

  func run() throws {
    try reportingAsync {
      let (client, _) = try remote.client()
      let done = try await waitForJob(client, job)
      printError(String(format: "job %@ done in %.2f s", done.id, done.elapsedSeconds ?? 0))
    }
  }
}

struct Fetch: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Download a finished job's encrypted outputs.")
  @OptionGroup var remote: RemoteOptions
  @Argument(help: "The job id.") var job: String
  @Option(name: [.customShort("o"), .long], help: "Where to write the .ct file.") var output: String

  func run() throws {
    try reportingAsync {
      let (client, _) = try remote.client()
      try await client.downloadResult(job: job, to: output)
    }
  }
}

struct Jobs: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List this key directory's jobs on the server.")
  @OptionGroup var remote: RemoteOptions

  func run() throws {
    try reportingAsync {
      let (client, _) = try remote.client()
      for j in try await client.jobs() {
        print("\(j.id)  \(j.state)  \(j.bootstrapsDone)/\(j.bootstrapsTotal) PBS  \(j.samples) samples\(j.error.map { "  error: \($0)" } ?? "")")
      }
    }
  }
}

/// `reporting` for the client's async calls: runs `body` to completion from a synchronous
/// command, then prints one `error: …` line and exits with 1 if it failed.
func reportingAsync(_ body: @escaping @Sendable () async throws -> Void) throws {
  do { try runBlocking(body) } catch let exit as ExitCode { throw exit } catch let e as CleanExit { throw e } catch {
    throw fail("\(error)")
  }
}
