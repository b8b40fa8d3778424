import ChessRules
import Testing

/// A perft reference: position and leaf counts for depths 1, 2, ….
struct PerftCase: CustomTestStringConvertible, Sendable {
  let name: String
  let fen: String
  let counts: [Int]
  var testDescription: String { name }
}

// Standard positions from https://www.chessprogramming.org/Perft_Results; the small tricky positions
// (en passant pins, castling through check) were counted with python-chess 1.11.2.
let perftCases: [PerftCase] = [
  PerftCase(name: "initial", fen: Position.startFEN, counts: [20, 400, 8902, 197_281, 4_865_609]),
  PerftCase(
    name: "kiwipete", fen: "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq -",
    counts: [48, 2039, 97862]),
  PerftCase(name: "position 3", fen: "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - -", counts: [14, 191, 2812, 43238]),
  PerftCase(
    name: "position 4", fen: "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
    counts: [6, 264, 9467]),
  PerftCase(
    name: "position 4 mirrored", fen: "r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1",
    counts: [6, 264, 9467]),
  PerftCase(name: "position 5", fen: "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8", counts: [44, 1486, 62379]),
  PerftCase(
    name: "position 6", fen: "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10",
    counts: [46, 2079, 89890]),
  PerftCase(name: "promotions", fen: "n1n5/PPPk4/8/8/8/8/4Kppp/5N1N b - - 0 1", counts: [24, 496, 9483]),
  PerftCase(name: "castling, rooks only", fen: "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", counts: [26, 568, 13744]),
  PerftCase(name: "castling through check", fen: "4k3/8/8/8/8/8/5r2/R3K2R w KQ - 0 1", counts: [22, 363, 7899]),
  PerftCase(name: "en passant, horizontal pin (White)", fen: "8/8/8/K2pP2r/8/8/8/7k w - d6 0 1", counts: [6, 78, 528]),
  PerftCase(name: "en passant, horizontal pin (Black)", fen: "8/8/8/8/k2Pp2Q/8/8/3K4 b - d3 0 1", counts: [6, 136, 863]),
  PerftCase(name: "en passant, diagonal pin", fen: "8/8/4k3/8/2pP4/8/B7/4K3 b - d3 0 1", counts: [7, 62, 465]),
  PerftCase(name: "en passant resolves check", fen: "8/8/8/2k5/3Pp3/8/8/4K3 b - d3 0 1", counts: [9, 50, 379]),
]

@Suite("Perft")
struct PerftTests {
  @Test("perft counts", arguments: perftCases)
  func perft(_ c: PerftCase) throws {
    let position = try Position(fen: c.fen)
    for (i, expected) in c.counts.enumerated() {
      #expect(position.perft(i + 1) == expected, "depth \(i + 1)")
    }
  }

  @Test func perftZeroIsOne() {
    #expect(Position.start.perft(0) == 1)
  }

  @Test func divideSumsToPerft() throws {
    let kiwipete = try Position(fen: perftCases[1].fen)
    let split = kiwipete.divide(2)
    #expect(split.count == 48)
    #expect(split.reduce(0) { $0 + $1.nodes } == 2039)
  }

  @Test func pinnedEnPassantIsNotGenerated() throws {
    let white = try Position(fen: "8/8/8/K2pP2r/8/8/8/7k w - d6 0 1")
    #expect(!white.legalMoves().map(\.uci).contains("e5d6"))
    let diagonal = try Position(fen: "8/8/4k3/8/2pP4/8/B7/4K3 b - d3 0 1")
    #expect(!diagonal.legalMoves().map(\.uci).contains("c4d3"))
    let resolves = try Position(fen: "8/8/8/2k5/3Pp3/8/8/4K3 b - d3 0 1")
    #expect(resolves.legalMoves().map(\.uci).contains("e4d3"))
    let after = resolves.making(try resolves.move(uci: "e4d3"))
    #expect(after.piece(at: Square(name: "d4")!) == nil)
    #expect(after.fen == "8/8/8/2k5/8/3p4/8/4K3 w - - 0 2")
  }

  @Test func castlingRules() throws {
    // f2 rook covers f1: no kingside castling; queenside is fine.
    let through = try Position(fen: "4k3/8/8/8/8/8/5r2/R3K2R w KQ - 0 1")
    let moves = through.legalMoves().map(\.uci)
    #expect(!moves.contains("e1g1"))
    #expect(moves.contains("e1c1"))
    // In check: no castling at all.
    let inCheck = try Position(fen: "4k3/8/8/8/8/8/4r3/R3K2R w KQ - 0 1")
    #expect(!inCheck.legalMoves().contains { $0.flag == .castle })
    // b1 attacked does not matter for queenside castling; d1 does.
    let b1 = try Position(fen: "1r2k3/8/8/8/8/8/8/R3K3 w Q - 0 1")
    #expect(b1.legalMoves().map(\.uci).contains("e1c1"))
    let d1 = try Position(fen: "3rk3/8/8/8/8/8/8/R3K3 w Q - 0 1")
    #expect(!d1.legalMoves().map(\.uci).contains("e1c1"))
    // Castling moves the rook and clears the rights; a rook capture clears the opponent's right.
    let start = try Position(fen: "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")
    let castled = start.making(try start.move(uci: "e1g1"))
    #expect(castled.fen == "r3k2r/8/8/8/8/8/8/R4RK1 b kq - 1 1")
    let captured = start.making(try start.move(uci: "a1a8"))
    #expect(captured.fen == "R3k2r/8/8/8/8/8/8/4K2R b Kk - 0 1")
  }

  @Test func statusDetection() throws {
    let foolsMate = try Position(fen: "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3")
    #expect(foolsMate.isInCheck)
    #expect(foolsMate.status == .checkmate)
    let stalemate = try Position(fen: "7k/5Q2/6K1/8/8/8/8/8 b - - 0 1")
    #expect(!stalemate.isInCheck)
    #expect(stalemate.status == .stalemate)
    #expect(Position.start.status == .ongoing)
  }
}
