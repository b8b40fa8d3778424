import ChessRules

/// The UCI protocol (Universal Chess Interface) over a `MovePicker`, as a line-in/lines-out state
/// machine so that it can be tested without processes: feed it lines with `handle(_:)`, or connect it
/// to stdin/stdout with `run(readLine:write:)`.
///
/// Supported: `uci`, `debug`, `isready`, `setoption`, `register`, `ucinewgame`,
/// `position startpos|fen <fen> [moves <m>...]`, `go` (all parameters accepted and ignored: the answer
/// does not depend on time), `stop`, `ponderhit`, `quit`, and `d` (non-standard: prints the FEN).
/// As the UCI spec asks, unknown leading tokens are skipped (`joho isready` is `isready`) and lines
/// without any command are ignored. Errors (bad FEN, illegal moves, scorer failures, bad option values)
/// are reported as `info string error ...`, never by stopping.
///
/// `go` answers synchronously: it evaluates the networks and prints `bestmove` before reading the next
/// line, so `stop` has nothing to interrupt. With no legal move it answers `bestmove 0000`.
public struct UCIEngine {
  public var picker: MovePicker
  public let name: String
  public let author: String
  /// The position set by the last valid `position` command (start position initially).
  public private(set) var position: Position = .start
  /// The `debug on|off` state; when on, `go` also reports the position's FEN.
  public private(set) var debug = false

  public init(picker: MovePicker, name: String = "Torus FHE.Chess", author: String = "the Torus authors") {
    self.picker = picker
    self.name = name
    self.author = author
  }

  /// What one input line produced.
  public struct Reply: Equatable, Sendable {
    /// Lines to write, in order, without newlines.
    public var lines: [String]
    /// True after `quit`: stop reading.
    public var quit: Bool

    public init(lines: [String], quit: Bool) {
      self.lines = lines
      self.quit = quit
    }
  }

  private static let commands: Set<String> = [
    "uci", "debug", "isready", "setoption", "register", "ucinewgame", "position", "go", "stop",
    "ponderhit", "quit", "d",
  ]

  /// Handles one line of input.
  @discardableResult
  public mutating func handle(_ line: String) -> Reply {
    let all = line.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let start = all.firstIndex(where: Self.commands.contains) else { return Reply(lines: [], quit: false) }
    let command = all[start]
    let args = Array(all[(start + 1)...])
    switch command {
    case "uci":
      return Reply(lines: ["id name \(name)", "id author \(author)"] + optionLines() + ["uciok"], quit: false)
    case "debug":
      if let value = args.first { debug = value == "on" }
      return Reply(lines: [], quit: false)
    case "isready":
      return Reply(lines: ["readyok"], quit: false)
    case "setoption":
      return Reply(lines: setOption(args), quit: false)
    case "ucinewgame":
      position = .start
      return Reply(lines: [], quit: false)
    case "position":
      return Reply(lines: setPosition(args), quit: false)
    case "go":
      return Reply(lines: go(), quit: false)
    case "quit":
      return Reply(lines: [], quit: true)
    case "d":
      return Reply(lines: ["info string fen \(position.fen)"], quit: false)
    default:  // register, stop, ponderhit: nothing to do
      return Reply(lines: [], quit: false)
    }
  }

  /// Reads lines until `quit` or end of input, writing each reply line (flush in `write` if needed).
  public mutating func run(readLine: () -> String?, write: (String) -> Void) {
    while let line = readLine() {
      let reply = handle(line)
      for l in reply.lines { write(l) }
      if reply.quit { return }
    }
  }

  // MARK: Options

  private func optionLines() -> [String] {
    [
      "option name TopSources type spin default 2 min 1 max 64",
      "option name TopTargets type spin default 3 min 1 max 64",
      "option name BlackView type combo default mirror var mirror var negate",
      "option name BatchTargets type check default false",
    ]
  }

  /// `setoption name <id> [value <x>]`; option names are case-insensitive, unknown ones are ignored.
  private mutating func setOption(_ args: [String]) -> [String] {
    guard args.first == "name" else { return ["info string error setoption: expected 'name <id> [value <x>]'"] }
    let valueAt = args.firstIndex(of: "value")
    let optionName = args[1..<(valueAt ?? args.count)].joined(separator: " ")
    let value = valueAt.map { args[($0 + 1)...].joined(separator: " ") } ?? ""
    switch optionName.lowercased() {
    case "topsources", "toptargets":
      guard let n = Int(value), (1...64).contains(n) else {
        return ["info string error option \(optionName): expected a number 1-64, got '\(value)'"]
      }
      if optionName.lowercased() == "topsources" { picker.topSources = n } else { picker.topTargets = n }
    case "blackview":
      guard let view = MovePicker.BlackView(rawValue: value.lowercased()) else {
        return ["info string error option \(optionName): expected mirror or negate, got '\(value)'"]
      }
      picker.blackView = view
    case "batchtargets":
      guard value == "true" || value == "false" else {
        return ["info string error option \(optionName): expected true or false, got '\(value)'"]
      }
      picker.batchTargets = value == "true"
    default:
      return ["info string ignoring unknown option '\(optionName)'"]
    }
    return []
  }

  // MARK: Position

  /// `position startpos|fen <fen> [moves ...]`. On any error the previous position is kept.
  private mutating func setPosition(_ args: [String]) -> [String] {
    let movesAt = args.firstIndex(of: "moves") ?? args.count
    var next: Position
    switch args.first {
    case "startpos":
      next = .start
    case "fen":
      let fen = args[1..<movesAt].joined(separator: " ")
      do {
        next = try Position(fen: fen)
      } catch {
        return ["info string error bad FEN '\(fen)': \(error)"]
      }
    default:
      return ["info string error position: expected 'startpos' or 'fen <fen>', got '\(args.first ?? "")'"]
    }
    if movesAt < args.count {
      for (i, text) in args[(movesAt + 1)...].enumerated() {
        do {
          next.make(try next.move(uci: text))
        } catch {
          return ["info string error move \(i + 1) of the position command: \(error); position unchanged"]
        }
      }
    }
    position = next
    return []
  }

  // MARK: Go

  private func go() -> [String] {
    var lines: [String] = []
    if debug { lines.append("info string position \(position.fen)") }
    do {
      guard let choice = try picker.pick(position) else {
        let why = position.isInCheck ? "checkmate" : "stalemate"
        return lines + ["info string no legal move (\(why))", "bestmove 0000"]
      }
      lines += choice.logLines().map { "info string " + $0 }
      lines.append("bestmove \(choice.move.uci)")
    } catch {
      // The engine must still move: play the first legal move and say so.
      let fallback = position.legalMoves().first
      lines.append("info string error scorer failed: \(error); playing the first legal move")
      lines.append("bestmove \(fallback?.uci ?? "0000")")
    }
    return lines
  }
}
