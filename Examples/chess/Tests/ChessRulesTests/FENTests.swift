import ChessRules
import Testing

@Suite("FEN, UCI moves, mirroring")
struct FENTests {
  @Test(
    "FEN round trip",
    arguments: [
      Position.startFEN,
      "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
      "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1",
      "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 12 57",
      "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
    ])
  func roundTrip(_ fen: String) throws {
    #expect(try Position(fen: fen).fen == fen)
  }

  @Test func clocksDefaultWhenOmitted() throws {
    let p = try Position(fen: "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - -")
    #expect(p.fen == "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1")
  }

  @Test(
    "bad FEN is rejected with a clear error",
    arguments: [
      ("", FENError.fieldCount(0)),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP w KQkq - 0 1", .rankCount(7)),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBN w KQkq - 0 1", .rankWidth(rank: 1, squares: 7)),
      ("rnbqkbnr/pppppppp/9/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .badPieceCharacter("9")),
      ("rnbqkbnr/pppppppp/8/35/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .adjacentDigits(rank: 5)),
      ("rnbqkbnr/ppppxppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .badPieceCharacter("x")),
      ("rnbqqbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQ - 0 1", .kingCount(.black, 0)),
      ("4k3/8/8/8/8/8/8/4K2P w - - 0 1", .pawnOnBackRank(Square.h1)),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1", .badSideToMove("x")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkx - 0 1", .badCastling("KQkx")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KKq - 0 1", .badCastling("KKq")),
      ("4k3/8/8/8/8/8/8/4K3 w K - 0 1", .castlingWithoutPieces("K")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e3 0 1", .badEnPassant("e3")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq z9 0 1", .badEnPassant("z9")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - -1 1", .badClock(field: "halfmove clock", value: "-1")),
      ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 zero", .badClock(field: "fullmove number", value: "zero")),
      ("7k/8/8/8/8/8/8/4K2R w - - 0 1", .opponentInCheck),
    ])
  func badFEN(_ fen: String, _ expected: FENError) {
    #expect(throws: expected) { try Position(fen: fen) }
    // The message names the problem.
    #expect(!expected.description.isEmpty)
  }

  @Test func uciMoves() throws {
    let start = Position.start
    #expect(try start.move(uci: "e2e4").flag == .doublePush)
    #expect(try start.move(uci: "g1f3").uci == "g1f3")
    #expect(throws: UCIMoveError.malformed("e2")) { try start.move(uci: "e2") }
    #expect(throws: UCIMoveError.malformed("e2e4x")) { try start.move(uci: "e2e4x") }
    #expect(throws: UCIMoveError.illegal("e2e5", fen: Position.startFEN)) { try start.move(uci: "e2e5") }
    let promo = try Position(fen: "8/4P3/8/8/8/8/8/k6K w - - 0 1")
    #expect(try promo.move(uci: "e7e8q").promotion == .queen)
    #expect(try promo.move(uci: "e7e8n").uci == "e7e8n")
    #expect(throws: UCIMoveError.self) { try promo.move(uci: "e7e8") }  // the piece must be named
    #expect(throws: UCIMoveError.self) { try promo.move(uci: "e7e8k") }
    #expect(promo.making(try promo.move(uci: "e7e8r")).fen == "4R3/8/8/8/8/8/8/k6K b - - 0 1")
    #expect(Square(name: "e4")?.index == 28)
    #expect(Square(name: "a1")?.index == 0)
    #expect(Square(name: "h8")?.index == 63)
    #expect(Square(name: "i1") == nil)
  }

  @Test func mirroringBlackToMove() throws {
    // After 1.e4 (Black to move) the mirror is the position after 1...e5 seen by White: python-chess's
    // chess.Board(fen).mirror().fen(en_passant="fen").
    let black = try Position(fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")
    let mirrored = black.mirrored()
    #expect(mirrored.fen == "rnbqkbnr/pppp1ppp/8/4p3/8/8/PPPPPPPP/RNBQKBNR w KQkq e6 0 1")
    #expect(mirrored.sideToMove == .white)
    #expect(mirrored.mirrored() == black)
    // Asymmetric rights and pieces.
    let kiwi = try Position(fen: "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K3 b Qk - 3 9")
    #expect(kiwi.mirrored().fen == "r3k3/pppbbppp/2n2q1P/1P2p3/3pn3/BN2PNP1/P1PPQPB1/R3K2R w Kq - 3 9")
    // Legal moves correspond through the rank flip.
    let original = Set(kiwi.legalMoves().map(\.uci))
    let flipped = Set(kiwi.mirrored().legalMoves().map(\.rankFlipped.uci))
    #expect(original == flipped)
    #expect(kiwi.perft(2) == kiwi.mirrored().perft(2))
  }
}
