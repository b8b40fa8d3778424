import ChessEngine
import ChessRules
import Testing

/// `-`/`0`/`+` string of encoded planes.
func planeString(_ planes: [Float]) -> String {
  String(planes.map { $0 < 0 ? "-" : ($0 > 0 ? "+" : "0") })
}

@Suite("Network encoding")
struct EncodingTests {
  @Test func startPosition() {
    let planes = NetworkEncoding.planes(.start)
    #expect(planes.count == 768)
    #expect(Set(planes).isSubset(of: [-1, 0, 1]))
    func plane(_ p: Int) -> ArraySlice<Float> { planes[(p * 64)..<(p * 64 + 64)] }
    // Plane 0: black pawns, -1 on row 1 (rank 7), in-plane indices 8…15.
    #expect(plane(0).indices.filter { planes[$0] != 0 }.map { $0 - 0 } == Array(8..<16))
    #expect(plane(0).allSatisfy { $0 == 0 || $0 == -1 })
    // Plane 1: black rooks a8 (0) and h8 (7); plane 2 knights b8, g8; plane 5 king e8 (4).
    #expect(plane(1).indices.filter { planes[$0] != 0 }.map { $0 - 64 } == [0, 7])
    #expect(plane(2).indices.filter { planes[$0] != 0 }.map { $0 - 128 } == [1, 6])
    #expect(plane(5).indices.filter { planes[$0] != 0 }.map { $0 - 320 } == [4])
    // Plane 6: white pawns, +1 on row 6 (rank 2); plane 11: white king e1 = in-plane 60.
    #expect(plane(6).indices.filter { planes[$0] != 0 }.map { $0 - 384 } == Array(48..<56))
    #expect(plane(6).allSatisfy { $0 == 0 || $0 == 1 })
    #expect(plane(11).indices.filter { planes[$0] != 0 }.map { $0 - 704 } == [60])
    #expect(planes.reduce(0, +) == 0)  // 16 pieces each side
    #expect(NetworkEncoding.planePieces.map(\.description).joined() == "prnbqkPRNBQK")
  }

  @Test func matchesFHEChessEncoder() throws {
    let kiwi = try Position(fen: "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1")
    #expect(planeString(NetworkEncoding.planes(kiwi)) == FHEChessPlanes.kiwipete)
    let afterE4 = try Position(fen: "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")
    #expect(planeString(NetworkEncoding.planes(afterE4, negated: true)) == FHEChessPlanes.afterE4Negated)
    #expect(planeString(NetworkEncoding.planes(afterE4.mirrored())) == FHEChessPlanes.afterE4Mirrored)
  }

  @Test func squareNumbering() {
    // Plane layout: a8 = 0, h8 = 7, a1 = 56, h1 = 63.
    #expect(NetworkEncoding.planeIndex(of: .a8) == 0)
    #expect(NetworkEncoding.planeIndex(of: .h8) == 7)
    #expect(NetworkEncoding.planeIndex(of: .a1) == 56)
    #expect(NetworkEncoding.planeIndex(of: Square(name: "e2")!) == 52)
    // 64-vectors: a1 = 0 (python-chess numbering).
    #expect(NetworkEncoding.vectorIndex(of: Square(name: "e2")!) == 12)
    let oneHot = NetworkEncoding.sourceOneHot(Square(name: "g1")!)
    #expect(oneHot.count == 64 && oneHot[6] == 1 && oneHot.reduce(0, +) == 1)
    for i in 0..<64 { #expect(NetworkEncoding.planeIndex(of: NetworkEncoding.square(atPlaneIndex: i)) == i) }
  }

  @Test func pseudoRandomScorerIsDeterministic() throws {
    let planes = NetworkEncoding.planes(.start)
    let a = try PseudoRandomScorer(seed: 3).sourceScores(planes)
    let b = try PseudoRandomScorer(seed: 3).sourceScores(planes)
    #expect(a == b && a.count == 64)
    #expect(try PseudoRandomScorer(seed: 4).sourceScores(planes) != a)
    #expect(throws: ScorerError.self) { try PseudoRandomScorer().sourceScores([0]) }
  }
}
