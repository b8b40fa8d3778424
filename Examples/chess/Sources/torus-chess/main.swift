import ArgumentParser
import ChessEngine
import ChessRules
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `torus-chess`: a UCI chess engine that picks its moves the FHE.Chess way with the two
/// networks compiled by Torus — evaluated in simulate mode in process, or encrypted by a
/// torus-serve (started locally unless --server is given). Plug it into any UCI GUI.
struct TorusChess: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "torus-chess",
    abstract: "A UCI chess engine driven by the FHE.Chess networks, in simulate or encrypted mode.",
    discussion: """
      Speaks UCI on standard input/output; setup messages go to standard error. The source network ranks the
      from-squares, the target network the to-squares of each candidate; the first legal pair is played (Black
      plays on the mirrored board). Encrypted mode keeps the secret keys in this process and sends only
      evaluation keys and ciphertexts to the server; lookups must be at most 8 bits there, so its circuits are
      compiled with exact rounding (--rounding-threshold-bits, 4 by default in that mode).
      """)

  enum Mode: String, ExpressibleByArgument, CaseIterable { case simulate, encrypted }

  @Option(help: "simulate (exact clear integers, interactive speed) or encrypted (real TFHE through torus-serve).")
  var mode: Mode = .simulate
  @Option(help: "The chess models directory (chess-source-hN, chess-target-hN folders).")
  var models = Self.defaultModels
  @Option(help: "Network size: h8, h32 or h128 (default: h128 in simulate mode, h8 encrypted).") var hidden: String?
  @Option(help: "Round accumulators to this many bits before each lookup (default: none in simulate mode, 4 encrypted).")
  var roundingThresholdBits: Int?
  @Option(help: "Encrypted mode: the torus-serve to use (default: start one on a free local port).") var server: String?
  @Option(help: "Where compiled circuits, keys and ciphertexts are kept between starts.") var work: String?
  @Option(help: "From-squares tried (FHE.Chess: 2).") var topSources = 2
  @Option(help: "To-squares tried per from-square (FHE.Chess: 3).") var topTargets = 3
  @Flag(help: "Encrypted mode: also run simulate mode and report whether the decrypted outputs equal it.") var checkSimulate = false

  static var defaultModels: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../../shared/models").standardized.path
  }

  func validate() throws {
    if let h = hidden, !["h8", "h32", "h128"].contains(h) { throw ValidationError("--hidden must be h8, h32 or h128") }
    if mode == .simulate && (server != nil || checkSimulate) { throw ValidationError("--server and --check-simulate are for --mode encrypted") }
    guard topSources >= 1, topTargets >= 1 else { throw ValidationError("--top-sources and --top-targets must be at least 1") }
  }

  func run() throws {
    let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("torus-chess: " + $0 + "\n").utf8)) }
    let hidden = hidden ?? (mode == .simulate ? "h128" : "h8")
    let rounding = roundingThresholdBits ?? (mode == .encrypted ? 4 : nil)
    let work = work ?? (URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../.build-chess/engine").standardized.path)
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let source = try CompiledNetwork.compile(name: "source", models: models, hidden: hidden, rounding: rounding, work: work, log: log)
    let target = try CompiledNetwork.compile(name: "target", models: models, hidden: hidden, rounding: rounding, work: work, log: log)
    let scorer: any MoveScorer
    var localServer: Process?
    switch mode {
    case .simulate:
      scorer = SimulatedScorer(source: source, target: target)
    case .encrypted:
      let url: URL
      if let server {
        guard let u = URL(string: server) else { throw ValidationError("bad --server URL '\(server)'") }
        url = u
      } else {
        let (process, u) = try startLocalServer(data: work + "/serve", log: log)
        localServer = process
        url = u
      }
      scorer = try EncryptedScorer(source: source, target: target, server: url, work: work, check: checkSimulate, log: log)
    }
    defer { localServer?.terminate() }
    log("ready: \(mode.rawValue) mode, networks \(hidden)\(rounding.map { ", rounding to \($0) bits" } ?? "")")
    let picker = MovePicker(scorer: scorer, topSources: topSources, topTargets: topTargets, blackView: .mirror, batchTargets: mode == .encrypted)
    var engine = UCIEngine(picker: picker, name: "Torus FHE.Chess (\(mode.rawValue), \(hidden))")
    // Unbuffered: a GUI waits for each line.
    engine.run(readLine: { Swift.readLine(strippingNewline: true) }, write: { line in
      FileHandle.standardOutput.write(Data((line + "\n").utf8))
    })
  }

  /// Starts the torus-serve built beside this executable on a free port.
  func startLocalServer(data: String, log: (String) -> Void) throws -> (Process, URL) {
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let binary = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("torus-serve")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw EngineSetupError("'\(binary.path)' not found: swift build -c release --product torus-serve, or pass --server URL")
    }
    let p = Process()
    p.executableURL = binary
    p.arguments = ["--port", "0", "--data", data, "--log-level", "warning"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    var text = ""
    while !text.contains("\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { throw EngineSetupError("torus-serve exited before listening") }
      text += String(decoding: chunk, as: UTF8.self)
    }
    guard let port = text.split(separator: "\n").first?.split(separator: ":").last.flatMap({ Int($0) }),
      let url = URL(string: "http://127.0.0.1:\(port)")
    else { throw EngineSetupError("unexpected line from torus-serve: \(text)") }
    log("started torus-serve at \(url.absoluteString) (data in \(data))")
    return (p, url)
  }
}

TorusChess.main()
