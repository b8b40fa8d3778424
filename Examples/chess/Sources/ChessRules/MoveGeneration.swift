private let rank1: Bitboard = 0xFF
private let rank8: Bitboard = 0xFF << 56
private let promotionKinds: [PieceKind] = [.queen, .rook, .bishop, .knight]

extension Position {
  /// All legal moves, in generation order (pawns, knights, bishops, rooks, queens, king; squares
  /// from a1 upwards; promotions queen, rook, bishop, knight).
  public func legalMoves() -> [Move] {
    var moves: [Move] = []
    moves.reserveCapacity(64)
    generateLegalMoves(into: &moves)
    return moves
  }

  /// Replaces the contents of `moves` with the legal moves (keeps its capacity, so a reused buffer
  /// allocates nothing).
  public func generateLegalMoves(into moves: inout [Move]) {
    moves.removeAll(keepingCapacity: true)
    generatePseudoLegal(into: &moves)
    let us = sideToMove, them = us.opposite
    var kept = 0
    for i in moves.indices {
      let move = moves[i]
      var next = self
      next.make(move)
      let king = next.kingBB & next.colorBB(us)
      if king == 0 || !next.isAttacked(king.trailingZeroBitCount, by: them) {
        moves[kept] = move
        kept += 1
      }
    }
    moves.removeLast(moves.count - kept)
  }

  /// Whether the side to move has at least one legal move.
  public var hasLegalMove: Bool {
    var moves: [Move] = []
    moves.reserveCapacity(64)
    generateLegalMoves(into: &moves)
    return !moves.isEmpty
  }

  /// Checkmate, stalemate or neither, for the side to move. (Draws by repetition, the fifty-move rule
  /// or insufficient material are not detected.)
  public var status: GameStatus {
    if hasLegalMove { return .ongoing }
    return isInCheck ? .checkmate : .stalemate
  }

  /// Pseudo-legal moves: everything except leaving one's own king in check. Castling is fully checked
  /// here (empty squares between king and rook, king not in check, not passing through an attacked square).
  func generatePseudoLegal(into moves: inout [Move]) {
    let us = sideToMove, them = us.opposite
    let own = colorBB(us), enemy = colorBB(them), occ = own | enemy, empty = ~occ

    // Pawns.
    let pawns = pawnBB & own
    let forward = us == .white ? 8 : -8
    let promotionRank = us == .white ? rank8 : rank1
    let singles: Bitboard = us == .white ? (pawns << 8) & empty : (pawns >> 8) & empty
    let doubleRank: Bitboard = us == .white ? 0xFF << 24 : 0xFF << 32
    let doubles: Bitboard = (us == .white ? (singles << 8) : (singles >> 8)) & empty & doubleRank
    for to in SetBits(singles) {
      let from = Square(to - forward)
      if (bit(to) & promotionRank) != 0 {
        for kind in promotionKinds { moves.append(Move(from: from, to: Square(to), promotion: kind)) }
      } else {
        moves.append(Move(from: from, to: Square(to)))
      }
    }
    for to in SetBits(doubles) {
      moves.append(Move(from: Square(to - 2 * forward), to: Square(to), flag: .doublePush))
    }
    let attackBase = us == .white ? 0 : 64
    for from in SetBits(pawns) {
      let targets = pawnAttacks[attackBase + from] & enemy
      for to in SetBits(targets) {
        if (bit(to) & promotionRank) != 0 {
          for kind in promotionKinds {
            moves.append(Move(from: Square(from), to: Square(to), promotion: kind))
          }
        } else {
          moves.append(Move(from: Square(from), to: Square(to)))
        }
      }
    }
    if let ep = enPassantSquare {
      // Pawns of ours that attack the en-passant square: those a pawn of theirs there would attack.
      let captured = ep.index - forward
      if (pawnBB & enemy & bit(captured)) != 0, (occ & bit(ep.index)) == 0 {
        let capturers = pawnAttacks[(us == .white ? 64 : 0) + ep.index] & pawns
        for from in SetBits(capturers) {
          moves.append(Move(from: Square(from), to: ep, flag: .enPassant))
        }
      }
    }

    // Pieces.
    let targetsMask = ~own
    for from in SetBits(knightBB & own) {
      for to in SetBits(knightAttacks[from] & targetsMask) { moves.append(Move(from: Square(from), to: Square(to))) }
    }
    for from in SetBits(bishopBB & own) {
      for to in SetBits(bishopAttacks(from, occ) & targetsMask) { moves.append(Move(from: Square(from), to: Square(to))) }
    }
    for from in SetBits(rookBB & own) {
      for to in SetBits(rookAttacks(from, occ) & targetsMask) { moves.append(Move(from: Square(from), to: Square(to))) }
    }
    for from in SetBits(queenBB & own) {
      let attacks = (rookAttacks(from, occ) | bishopAttacks(from, occ)) & targetsMask
      for to in SetBits(attacks) { moves.append(Move(from: Square(from), to: Square(to))) }
    }
    let kings = kingBB & own
    guard kings != 0 else { return }
    let king = kings.trailingZeroBitCount
    for to in SetBits(kingAttacks[king] & targetsMask) { moves.append(Move(from: Square(king), to: Square(to))) }

    // Castling: rights imply king and rook on their home squares (FEN parsing and `make` keep it so);
    // check them anyway so a hand-built position cannot produce a bogus move.
    let home = us == .white ? 4 : 60
    let rights = castlingRights
    let (kingside, queenside): (CastlingRights, CastlingRights) =
      us == .white ? (.whiteKingside, .whiteQueenside) : (.blackKingside, .blackQueenside)
    guard king == home, rights.contains(kingside) || rights.contains(queenside),
      !isAttacked(home, by: them)
    else { return }
    let ownRooks = rookBB & own
    if rights.contains(kingside), (ownRooks & bit(home + 3)) != 0,
      (occ & (bit(home + 1) | bit(home + 2))) == 0,
      !isAttacked(home + 1, by: them)
    {
      // The destination (home + 2) is checked by the legality filter like any king move.
      moves.append(Move(from: Square(home), to: Square(home + 2), flag: .castle))
    }
    if rights.contains(queenside), (ownRooks & bit(home - 4)) != 0,
      (occ & (bit(home - 1) | bit(home - 2) | bit(home - 3))) == 0,
      !isAttacked(home - 1, by: them)
    {
      moves.append(Move(from: Square(home), to: Square(home - 2), flag: .castle))
    }
  }

  // MARK: Perft

  /// The number of leaf nodes of the legal move tree `depth` plies deep (perft 0 = 1).
  public func perft(_ depth: Int) -> Int {
    precondition(depth >= 0, "perft depth must be non-negative")
    if depth == 0 { return 1 }
    // One reusable move buffer per ply: no allocation per node.
    var buffers = [[Move]](repeating: [], count: depth)
    for i in buffers.indices { buffers[i].reserveCapacity(256) }
    return perft(depth, &buffers)
  }

  private func perft(_ depth: Int, _ buffers: inout [[Move]]) -> Int {
    let ply = depth - 1
    generateLegalMoves(into: &buffers[ply])
    let count = buffers[ply].count
    if depth == 1 { return count }
    var nodes = 0
    for i in 0..<count {
      var next = self
      next.make(buffers[ply][i])
      nodes += next.perft(depth - 1, &buffers)
    }
    return nodes
  }

  /// Perft split by first move (`uci` → leaf count), for debugging against another engine.
  public func divide(_ depth: Int) -> [(move: String, nodes: Int)] {
    precondition(depth >= 1, "divide depth must be at least 1")
    return legalMoves().map { ($0.uci, making($0).perft(depth - 1)) }
  }
}
