import ChessEngine
import ChessRules
import Testing

/// 64 scores, zero except the named squares.
func scores(_ named: [String: Double]) -> [Double] {
  var v = [Double](repeating: 0, count: 64)
  for (name, score) in named { v[Square(name: name)!.index] = score }
  return v
}

/// A deterministic fake network: fixed source scores, target scores per from-square (zeros otherwise),
/// optionally checking that it is shown the expected planes. Squares are in the network's view.
struct ScriptedScorer: MoveScorer {
  var source: [Double]
  var targets: [String: [Double]] = [:]
  var expectedPlanes: [Float]? = nil

  func sourceScores(_ planes: [Float]) throws -> [Double] {
    if let expectedPlanes, planes != expectedPlanes { throw ScorerError.badInput("unexpected planes") }
    return source
  }

  func targetScores(_ planes: [Float], source: [Float]) throws -> [Double] {
    if let expectedPlanes, planes != expectedPlanes { throw ScorerError.badInput("unexpected planes") }
    guard source.count == 64, source.reduce(0, +) == 1, let hot = source.firstIndex(of: 1) else {
      throw ScorerError.badInput("source is not one-hot")
    }
    return targets[Square(hot).name] ?? [Double](repeating: 0, count: 64)
  }
}

struct FailingScorer: MoveScorer {
  struct Failure: Error {}
  func sourceScores(_ planes: [Float]) throws -> [Double] { throw Failure() }
  func targetScores(_ planes: [Float], source: [Float]) throws -> [Double] { throw Failure() }
}

@Suite("Move picker")
struct MovePickerTests {
  @Test func followsTheFHEChessRule() throws {
    let scorer = ScriptedScorer(
      source: scores(["e2": 0.9, "d2": 0.8]), targets: ["e2": scores(["e4": 0.9, "e3": 0.5])])
    let choice = try #require(try MovePicker(scorer: scorer).pick(.start))
    #expect(choice.move.uci == "e2e4")
    #expect(choice.rule == .fheChess(sourceRank: 1, targetRank: 1))
    #expect(!choice.mirrored)
    #expect(choice.targetScores.count == 1)  // d2 was not needed
    #expect(choice.logLines().last == "picked e2e4 by the FHE.Chess rule (from-square #1, to-square #1)")
  }

  @Test func dropsSquaresWithoutTheMoversPieces() throws {
    // e7 (Black's pawn) and e4 (empty) outrank g1; with topSources 3 only g1 remains.
    let scorer = ScriptedScorer(
      source: scores(["e7": 0.99, "e4": 0.98, "g1": 0.5]), targets: ["g1": scores(["f3": 0.9])])
    let choice = try #require(try MovePicker(scorer: scorer, topSources: 3).pick(.start))
    #expect(choice.move.uci == "g1f3")
    #expect(choice.rule == .fheChess(sourceRank: 3, targetRank: 1))
    // With FHE.Chess's default of 2 candidates neither is usable: fallback to the best legal from-square.
    let fallback = try #require(try MovePicker(scorer: scorer).pick(.start))
    #expect(fallback.move.uci == "g1f3")
    #expect(fallback.rule == .fallback)
  }

  @Test func skipsIllegalTargets() throws {
    let scorer = ScriptedScorer(
      source: scores(["e2": 0.9]), targets: ["e2": scores(["e5": 0.9, "d3": 0.85, "e4": 0.8, "e3": 0.7])])
    let choice = try #require(try MovePicker(scorer: scorer).pick(.start))
    #expect(choice.move.uci == "e2e4")
    #expect(choice.rule == .fheChess(sourceRank: 1, targetRank: 3))
    // With only two targets considered, e5 and d3 are illegal, and so is the second source square
    // (a1, no rook move) -> fallback: e2 is the best legal from-square, e4 its best legal target.
    let narrow = try #require(try MovePicker(scorer: scorer, topTargets: 2).pick(.start))
    #expect(narrow.move.uci == "e2e4")
    #expect(narrow.rule == .fallback)
  }

  @Test func fallbackBreaksTiesTowardsLowerSquares() throws {
    // a1 and e1 have no legal move; b1 is the best legal from-square; its targets all score 0, so the
    // lowest legal square (a3) wins.
    let scorer = ScriptedScorer(source: scores(["a1": 0.9, "e1": 0.8, "b1": 0.1]))
    let choice = try #require(try MovePicker(scorer: scorer).pick(.start))
    #expect(choice.move.uci == "b1a3")
    #expect(choice.rule == .fallback)
  }

  @Test func blackPlaysOnTheMirroredBoard() throws {
    let afterE4 = try Position(fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")
    // The networks see White to move after 1...e5-mirror; in that view, d2-d4 is Black's d7-d5.
    let scorer = ScriptedScorer(
      source: scores(["d2": 0.9]), targets: ["d2": scores(["d4": 0.9])],
      expectedPlanes: NetworkEncoding.planes(afterE4.mirrored()))
    let choice = try #require(try MovePicker(scorer: scorer).pick(afterE4))
    #expect(choice.mirrored)
    #expect(choice.viewMove.uci == "d2d4")
    #expect(choice.move.uci == "d7d5")
    #expect(choice.logLines().first?.hasPrefix("source top5 (mirrored board): d7 0.9000") == true)
  }

  @Test func blackWithNegatedPlanes() throws {
    let afterE4 = try Position(fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")
    let scorer = ScriptedScorer(
      source: scores(["d7": 0.9, "d2": 0.95]), targets: ["d7": scores(["d5": 0.9])],
      expectedPlanes: NetworkEncoding.planes(afterE4, negated: true))
    let choice = try #require(try MovePicker(scorer: scorer, blackView: .negate).pick(afterE4))
    #expect(!choice.mirrored)
    #expect(choice.move.uci == "d7d5")
    #expect(choice.rule == .fheChess(sourceRank: 2, targetRank: 1))  // d2 is White's: dropped
  }

  @Test func promotesToQueen() throws {
    let position = try Position(fen: "8/4P3/8/8/8/8/8/k6K w - - 0 1")
    let scorer = ScriptedScorer(source: scores(["e7": 1]), targets: ["e7": scores(["e8": 1])])
    #expect(try MovePicker(scorer: scorer).pick(position)?.move.uci == "e7e8q")
  }

  @Test func batchedTargetsGiveTheSameMove() throws {
    let scorer = ScriptedScorer(
      source: scores(["e2": 0.9, "g1": 0.8]),
      targets: ["e2": scores(["e5": 0.9]), "g1": scores(["f3": 0.7])])
    let lazy = try #require(try MovePicker(scorer: scorer).pick(.start))
    let batched = try #require(try MovePicker(scorer: scorer, batchTargets: true).pick(.start))
    #expect(lazy.move == batched.move)
    #expect(lazy.move.uci == "g1f3")
    #expect(batched.targetScores.map(\.from.name) == ["e2", "g1"])
  }

  @Test func noLegalMove() throws {
    let mate = try Position(fen: "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3")
    #expect(try MovePicker(scorer: FailingScorer()).pick(mate) == nil)
  }

  @Test func rejectsBadScorerOutput() {
    let scorer = ScriptedScorer(source: [1, 2, 3])
    #expect(throws: ScorerError.self) { try MovePicker(scorer: scorer).pick(.start) }
  }

  @Test func pseudoRandomScorerPlaysLegalGames() throws {
    // Both sides, many plies: every picked move is legal.
    var position = Position.start
    let picker = MovePicker(scorer: PseudoRandomScorer(seed: 7))
    for _ in 0..<200 {
      guard let choice = try picker.pick(position) else { break }
      #expect(position.legalMoves().contains(choice.move))
      position.make(choice.move)
    }
  }
}

@Suite("UCI protocol")
struct UCIEngineTests {
  static func engine(_ scorer: any MoveScorer = PseudoRandomScorer()) -> UCIEngine {
    UCIEngine(picker: MovePicker(scorer: scorer), name: "Test Engine", author: "Tester")
  }

  @Test func handshake() {
    var e = Self.engine()
    let uci = e.handle("uci")
    #expect(uci.lines.first == "id name Test Engine")
    #expect(uci.lines[1] == "id author Tester")
    #expect(uci.lines.last == "uciok")
    #expect(uci.lines.contains { $0.hasPrefix("option name TopSources type spin default 2") })
    #expect(e.handle("isready") == .init(lines: ["readyok"], quit: false))
    #expect(e.handle("quit").quit)
  }

  @Test func positionAndGo() throws {
    let scorer = ScriptedScorer(
      source: scores(["g1": 0.9]), targets: ["g1": scores(["f3": 0.9])])
    var e = Self.engine(scorer)
    #expect(e.handle("position startpos moves e2e4 e7e5").lines.isEmpty)
    #expect(e.position.fen == "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq e6 0 2")
    let go = e.handle("go wtime 1000 btime 1000 winc 0 binc 0")
    #expect(go.lines.last == "bestmove g1f3")
    #expect(go.lines.dropLast().allSatisfy { $0.hasPrefix("info string ") })
    #expect(e.handle("stop").lines.isEmpty)
    #expect(e.handle("position fen 8/4P3/8/8/8/8/8/k6K w - - 0 1").lines.isEmpty)
    #expect(e.handle("position fen 8/4P3/8/8/8/8/8/k6K w - - 0 1 moves e7e8n a1b2").lines.isEmpty)
    #expect(e.position.fen == "4N3/8/8/8/8/8/1k6/7K w - - 1 2")
    e.handle("ucinewgame")
    #expect(e.position == .start)
  }

  @Test func errorsKeepThePosition() {
    var e = Self.engine()
    _ = e.handle("position startpos moves d2d4")
    let before = e.position
    let badFEN = e.handle("position fen rnbqkbnr/pppppppp/8/8 w KQkq - 0 1")
    #expect(badFEN.lines.count == 1)
    #expect(badFEN.lines[0].hasPrefix("info string error bad FEN"))
    #expect(badFEN.lines[0].contains("8 ranks"))
    let illegal = e.handle("position startpos moves e2e4 e7e5 e1e3")
    #expect(illegal.lines.count == 1)
    #expect(illegal.lines[0].hasPrefix("info string error move 3"))
    #expect(illegal.lines[0].contains("e1e3"))
    let garbage = e.handle("position startpos moves e2e4 zz")
    #expect(garbage.lines[0].contains("not a UCI move"))
    #expect(e.handle("position").lines[0].hasPrefix("info string error position"))
    #expect(e.position == before)
  }

  @Test func unknownCommandsAreIgnored() {
    var e = Self.engine()
    #expect(e.handle("flip the board").lines.isEmpty)
    #expect(e.handle("").lines.isEmpty)
    #expect(e.handle("   ").lines.isEmpty)
    #expect(e.handle("joho isready").lines == ["readyok"])
    #expect(e.handle("register later").lines.isEmpty)
    #expect(e.handle("ponderhit").lines.isEmpty)
    #expect(e.handle("debug on").lines.isEmpty)
    #expect(e.handle("isready\r").lines == ["readyok"])
  }

  @Test func options() {
    var e = Self.engine()
    #expect(e.handle("setoption name TopSources value 5").lines.isEmpty)
    #expect(e.picker.topSources == 5)
    #expect(e.handle("setoption name toptargets value 4").lines.isEmpty)
    #expect(e.picker.topTargets == 4)
    #expect(e.handle("setoption name BlackView value negate").lines.isEmpty)
    #expect(e.picker.blackView == .negate)
    #expect(e.handle("setoption name BatchTargets value true").lines.isEmpty)
    #expect(e.picker.batchTargets)
    #expect(e.handle("setoption name Hash value 64").lines == ["info string ignoring unknown option 'Hash'"])
    #expect(e.handle("setoption name Clear Hash").lines == ["info string ignoring unknown option 'Clear Hash'"])
    #expect(e.handle("setoption name TopSources value many").lines[0].hasPrefix("info string error option"))
    #expect(e.handle("setoption").lines[0].hasPrefix("info string error setoption"))
    #expect(e.picker.topSources == 5)
  }

  @Test func noLegalMoveAnswersNullMove() {
    var e = Self.engine()
    _ = e.handle("position fen rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3")
    #expect(e.handle("go").lines == ["info string no legal move (checkmate)", "bestmove 0000"])
    _ = e.handle("position fen 7k/5Q2/6K1/8/8/8/8/8 b - - 0 1")
    #expect(e.handle("go infinite").lines.last == "bestmove 0000")
  }

  @Test func scorerFailureStillMoves() {
    var e = Self.engine(FailingScorer())
    let go = e.handle("go")
    #expect(go.lines.count == 2)
    #expect(go.lines[0].hasPrefix("info string error scorer failed"))
    #expect(go.lines[1] == "bestmove a2a3")
  }

  @Test func runLoop() {
    var e = Self.engine()
    var input = ["uci", "isready", "position startpos", "go", "quit", "isready"][...]
    var output: [String] = []
    e.run(readLine: { input.popFirst() }, write: { output.append($0) })
    #expect(output.contains("uciok"))
    #expect(output.filter { $0 == "readyok" }.count == 1)  // nothing read after quit
    #expect(output.last?.hasPrefix("bestmove ") == true)
    #expect(input == ["isready"])
  }
}
