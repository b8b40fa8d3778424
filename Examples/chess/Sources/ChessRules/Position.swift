/// A chess position: piece placement, side to move, castling rights, en-passant square and clocks.
///
/// A small value type (bitboards only, no heap storage), so copying it is cheap: `make(_:)` mutates in
/// place, and `making(_:)` returns a copy with the move played. Squares use the a1 = 0 numbering
/// described on `Square`.
public struct Position: Hashable, Sendable {
  // Occupancy by colour and by kind; a piece is in exactly one of each.
  @usableFromInline var whiteBB: Bitboard = 0
  @usableFromInline var blackBB: Bitboard = 0
  @usableFromInline var pawnBB: Bitboard = 0
  @usableFromInline var knightBB: Bitboard = 0
  @usableFromInline var bishopBB: Bitboard = 0
  @usableFromInline var rookBB: Bitboard = 0
  @usableFromInline var queenBB: Bitboard = 0
  @usableFromInline var kingBB: Bitboard = 0

  /// The side to move.
  public internal(set) var sideToMove: Color = .white
  public internal(set) var castlingRights: CastlingRights = []
  /// The square a pawn skipped on the last move (as FEN records it), whether or not a capture there is possible.
  public internal(set) var enPassantSquare: Square?
  /// Half-moves since the last capture or pawn move.
  public internal(set) var halfmoveClock: Int = 0
  /// Starts at 1, incremented after Black's move.
  public internal(set) var fullmoveNumber: Int = 1

  /// An empty board, White to move (not a legal position until kings are placed).
  public init() {}

  /// The standard initial position.
  public static let start: Position = {
    do {
      return try Position(fen: Position.startFEN)
    } catch {
      fatalError("the start FEN does not parse: \(error)")
    }
  }()

  public static let startFEN = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"

  // MARK: Pieces

  @inline(__always) func colorBB(_ color: Color) -> Bitboard { color == .white ? whiteBB : blackBB }

  @inline(__always) func kindBB(_ kind: PieceKind) -> Bitboard {
    switch kind {
    case .pawn: pawnBB
    case .knight: knightBB
    case .bishop: bishopBB
    case .rook: rookBB
    case .queen: queenBB
    case .king: kingBB
    }
  }

  @inline(__always) var occupied: Bitboard { whiteBB | blackBB }

  @inline(__always) mutating func toggle(_ color: Color, _ kind: PieceKind, _ mask: Bitboard) {
    if color == .white { whiteBB ^= mask } else { blackBB ^= mask }
    switch kind {
    case .pawn: pawnBB ^= mask
    case .knight: knightBB ^= mask
    case .bishop: bishopBB ^= mask
    case .rook: rookBB ^= mask
    case .queen: queenBB ^= mask
    case .king: kingBB ^= mask
    }
  }

  @inline(__always) func kind(at square: Int) -> PieceKind? {
    let b = bit(square)
    if (occupied & b) == 0 { return nil }
    if (pawnBB & b) != 0 { return .pawn }
    if (knightBB & b) != 0 { return .knight }
    if (bishopBB & b) != 0 { return .bishop }
    if (rookBB & b) != 0 { return .rook }
    if (queenBB & b) != 0 { return .queen }
    return .king
  }

  /// The piece on `square`, if any.
  public func piece(at square: Square) -> Piece? {
    guard let kind = kind(at: square.index) else { return nil }
    return Piece((whiteBB & bit(square.index)) != 0 ? .white : .black, kind)
  }

  /// Puts `piece` on `square` (or empties it with nil). For setting up positions; does not touch
  /// castling rights, en passant or the side to move.
  public mutating func set(_ piece: Piece?, at square: Square) {
    if let old = self.piece(at: square) { toggle(old.color, old.kind, bit(square.index)) }
    if let piece { toggle(piece.color, piece.kind, bit(square.index)) }
  }

  /// All squares holding `piece`, a1 first.
  public func squares(of piece: Piece) -> [Square] {
    SetBits(colorBB(piece.color) & kindBB(piece.kind)).map { Square($0) }
  }

  /// The king of `color` (nil only on boards set up without one).
  public func kingSquare(_ color: Color) -> Square? {
    let kings = kingBB & colorBB(color)
    return kings == 0 ? nil : Square(kings.trailingZeroBitCount)
  }

  // MARK: Attacks

  /// Whether any piece of `attacker` attacks `square` (on the current occupancy).
  @inline(__always) func isAttacked(_ square: Int, by attacker: Color) -> Bool {
    let them = colorBB(attacker)
    // A pawn of `attacker` attacks `square` iff a pawn of the other colour on `square` would attack it.
    if (pawnAttacks[(attacker == .white ? 64 : 0) &+ square] & pawnBB & them) != 0 { return true }
    if (knightAttacks[square] & knightBB & them) != 0 { return true }
    if (kingAttacks[square] & kingBB & them) != 0 { return true }
    let occ = occupied
    let diagonal = (bishopBB | queenBB) & them
    if diagonal != 0, (bishopAttacks(square, occ) & diagonal) != 0 { return true }
    let straight = (rookBB | queenBB) & them
    if straight != 0, (rookAttacks(square, occ) & straight) != 0 { return true }
    return false
  }

  /// Whether `square` is attacked by a piece of `color`.
  public func isSquareAttacked(_ square: Square, by color: Color) -> Bool {
    isAttacked(square.index, by: color)
  }

  /// Whether the side to move is in check.
  public var isInCheck: Bool {
    let king = kingBB & colorBB(sideToMove)
    return king != 0 && isAttacked(king.trailingZeroBitCount, by: sideToMove.opposite)
  }

  // MARK: Making moves

  /// Plays `move`, which must be legal in this position (as produced by `legalMoves()` or
  /// `move(uci:)`); an arbitrary move corrupts the position.
  public mutating func make(_ move: Move) {
    let from = move.from.index, to = move.to.index
    let us = sideToMove, them = us.opposite
    let fromBit = bit(from), toBit = bit(to)
    guard let moving = kind(at: from) else { preconditionFailure("no piece on \(move.from) for \(move)") }

    halfmoveClock += 1
    if move.flag == .enPassant {
      let captured = us == .white ? to - 8 : to + 8
      toggle(them, .pawn, bit(captured))
      halfmoveClock = 0
    } else if (colorBB(them) & toBit) != 0, let captured = kind(at: to) {
      toggle(them, captured, toBit)
      halfmoveClock = 0
    }

    toggle(us, moving, fromBit | toBit)
    if let promotion = move.promotion {
      toggle(us, .pawn, toBit)
      toggle(us, promotion, toBit)
    }
    if move.flag == .castle {
      // King's move e1g1 / e1c1 (or rank 8): the rook jumps over it.
      let (rookFrom, rookTo) = to > from ? (from + 3, from + 1) : (from - 4, from - 1)
      toggle(us, .rook, bit(rookFrom) | bit(rookTo))
    }
    if moving == .pawn { halfmoveClock = 0 }

    enPassantSquare = move.flag == .doublePush ? Square((from + to) / 2) : nil
    castlingRights = CastlingRights(rawValue: castlingRights.rawValue & castlingMask[from] & castlingMask[to])
    if us == .black { fullmoveNumber += 1 }
    sideToMove = them
  }

  /// A copy with `move` played (see `make(_:)`).
  public func making(_ move: Move) -> Position {
    var next = self
    next.make(move)
    return next
  }

  // MARK: Mirroring

  /// The position seen from the other side, as python-chess's `Board.mirror()` (used by FHE.Chess to
  /// let its White-trained networks play Black): the board is flipped vertically (rank r ↔ rank 9−r,
  /// files unchanged), piece colours are swapped, the side to move is swapped, castling rights are
  /// swapped between the colours and the en-passant square is flipped too. Clocks are kept.
  /// A move `m` of the original position is `m.rankFlipped` in the mirrored one, and mirroring twice
  /// gives back the original.
  public func mirrored() -> Position {
    var m = Position()
    m.whiteBB = blackBB.byteSwapped  // byte = rank, so swapping bytes flips ranks
    m.blackBB = whiteBB.byteSwapped
    m.pawnBB = pawnBB.byteSwapped
    m.knightBB = knightBB.byteSwapped
    m.bishopBB = bishopBB.byteSwapped
    m.rookBB = rookBB.byteSwapped
    m.queenBB = queenBB.byteSwapped
    m.kingBB = kingBB.byteSwapped
    m.sideToMove = sideToMove.opposite
    m.castlingRights = castlingRights.colorSwapped
    m.enPassantSquare = enPassantSquare?.rankFlipped
    m.halfmoveClock = halfmoveClock
    m.fullmoveNumber = fullmoveNumber
    return m
  }
}
