/// Why a FEN string was rejected. `description` is a one-line message naming the offending field.
public enum FENError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Not 4 to 6 space-separated fields.
  case fieldCount(Int)
  /// The placement field does not have 8 ranks separated by `/`.
  case rankCount(Int)
  /// A rank (8 = first field part) does not describe exactly 8 squares.
  case rankWidth(rank: Int, squares: Int)
  /// Two digits in a row in a rank (`35` for `8`): FEN writes each run of empty squares as one digit.
  case adjacentDigits(rank: Int)
  /// A character that is neither a piece letter nor a digit 1–8 in the placement.
  case badPieceCharacter(Character)
  /// Each side must have exactly one king.
  case kingCount(Color, Int)
  /// A pawn on the first or eighth rank.
  case pawnOnBackRank(Square)
  /// The active colour is not `w` or `b`.
  case badSideToMove(String)
  /// The castling field is not `-` or a subset of `KQkq` without repeats.
  case badCastling(String)
  /// A castling right whose king or rook is not on its home square.
  case castlingWithoutPieces(Character)
  /// The en-passant field is not `-` or a square on the right rank (6 with White to move, 3 with Black).
  case badEnPassant(String)
  /// A half-move or full-move field that is not a number in range.
  case badClock(field: String, value: String)
  /// The side not to move is in check (the side to move could capture the king).
  case opponentInCheck

  public var description: String {
    switch self {
    case .fieldCount(let n):
      "FEN needs 4 to 6 fields (placement, side, castling, en passant[, halfmove, fullmove]), got \(n)"
    case .rankCount(let n): "FEN placement needs 8 ranks separated by '/', got \(n)"
    case .rankWidth(let rank, let squares): "FEN rank \(rank) describes \(squares) squares, not 8"
    case .adjacentDigits(let rank): "FEN rank \(rank) has two digits in a row"
    case .badPieceCharacter(let c): "FEN placement has an invalid character '\(c)'"
    case .kingCount(let color, let n): "FEN has \(n) \(color) kings, expected 1"
    case .pawnOnBackRank(let square): "FEN has a pawn on \(square) (first or eighth rank)"
    case .badSideToMove(let s): "FEN side to move must be 'w' or 'b', got '\(s)'"
    case .badCastling(let s): "FEN castling field must be '-' or letters from 'KQkq' without repeats, got '\(s)'"
    case .castlingWithoutPieces(let c): "FEN castling right '\(c)' needs its king and rook on their home squares"
    case .badEnPassant(let s):
      "FEN en-passant field must be '-' or a square on rank 6 (White to move) / rank 3 (Black to move), got '\(s)'"
    case .badClock(let field, let value):
      "FEN \(field) must be a whole number \(field == "fullmove number" ? "of at least 1" : "of at least 0"), got '\(value)'"
    case .opponentInCheck: "FEN position is illegal: the side not to move is in check"
    }
  }
}

extension Position {
  /// Parses Forsyth–Edwards Notation. The half-move and full-move fields may be omitted (0 and 1).
  /// Rejects, with a `FENError`, anything malformed and positions no game can reach in an obvious way
  /// (king counts, back-rank pawns, castling rights without their pieces, side not to move in check).
  public init(fen: String) throws(FENError) {
    let fields = fen.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard (4...6).contains(fields.count) else { throw .fieldCount(fields.count) }
    self.init()

    let ranks = fields[0].split(separator: "/", omittingEmptySubsequences: false)
    guard ranks.count == 8 else { throw .rankCount(ranks.count) }
    for (row, text) in ranks.enumerated() {
      let rank = 7 - row
      var file = 0
      var previousWasDigit = false
      for c in text {
        if let digit = c.wholeNumberValue, c.isASCII, (1...8).contains(digit) {
          guard !previousWasDigit else { throw .adjacentDigits(rank: rank + 1) }
          previousWasDigit = true
          file += digit
        } else if let piece = Piece(fenLetter: c), c.isASCII {
          if file < 8 { set(piece, at: Square(file: file, rank: rank)) }
          file += 1
          previousWasDigit = false
        } else {
          throw .badPieceCharacter(c)
        }
      }
      guard file == 8 else { throw .rankWidth(rank: rank + 1, squares: file) }
    }
    for color in Color.allCases {
      let kings = (kingBB & colorBB(color)).nonzeroBitCount
      guard kings == 1 else { throw .kingCount(color, kings) }
    }
    let backRankPawns = pawnBB & (rank1Mask | rank8Mask)
    if backRankPawns != 0 { throw .pawnOnBackRank(Square(backRankPawns.trailingZeroBitCount)) }

    switch fields[1] {
    case "w": sideToMove = .white
    case "b": sideToMove = .black
    default: throw .badSideToMove(fields[1])
    }

    if fields[2] != "-" {
      var rights: CastlingRights = []
      for c in fields[2] {
        let right: CastlingRights
        let king: Piece, kingSquare: Square, rookSquare: Square
        switch c {
        case "K": (right, king, kingSquare, rookSquare) = (.whiteKingside, Piece(.white, .king), .e1, .h1)
        case "Q": (right, king, kingSquare, rookSquare) = (.whiteQueenside, Piece(.white, .king), .e1, .a1)
        case "k": (right, king, kingSquare, rookSquare) = (.blackKingside, Piece(.black, .king), .e8, .h8)
        case "q": (right, king, kingSquare, rookSquare) = (.blackQueenside, Piece(.black, .king), .e8, .a8)
        default: throw .badCastling(fields[2])
        }
        guard !rights.contains(right) else { throw .badCastling(fields[2]) }
        guard piece(at: kingSquare) == king, piece(at: rookSquare) == Piece(king.color, .rook) else {
          throw .castlingWithoutPieces(c)
        }
        rights.insert(right)
      }
      castlingRights = rights
    }

    if fields[3] != "-" {
      guard let square = Square(name: fields[3]), square.rank == (sideToMove == .white ? 5 : 2) else {
        throw .badEnPassant(fields[3])
      }
      enPassantSquare = square
    }

    if fields.count > 4 {
      guard let n = Int(fields[4]), n >= 0 else { throw .badClock(field: "halfmove clock", value: fields[4]) }
      halfmoveClock = n
    }
    if fields.count > 5 {
      guard let n = Int(fields[5]), n >= 1 else { throw .badClock(field: "fullmove number", value: fields[5]) }
      fullmoveNumber = n
    }

    let other = sideToMove.opposite
    if let king = kingSquare(other), isAttacked(king.index, by: sideToMove) { throw .opponentInCheck }
  }

  /// The position in Forsyth–Edwards Notation (all six fields; the en-passant square as stored).
  public var fen: String {
    var placement = ""
    for rank in stride(from: 7, through: 0, by: -1) {
      var emptyRun = 0
      for file in 0..<8 {
        if let piece = piece(at: Square(file: file, rank: rank)) {
          if emptyRun > 0 { placement += String(emptyRun) }
          emptyRun = 0
          placement.append(piece.fenLetter)
        } else {
          emptyRun += 1
        }
      }
      if emptyRun > 0 { placement += String(emptyRun) }
      if rank > 0 { placement += "/" }
    }
    var castling = ""
    if castlingRights.contains(.whiteKingside) { castling += "K" }
    if castlingRights.contains(.whiteQueenside) { castling += "Q" }
    if castlingRights.contains(.blackKingside) { castling += "k" }
    if castlingRights.contains(.blackQueenside) { castling += "q" }
    if castling.isEmpty { castling = "-" }
    let side = sideToMove == .white ? "w" : "b"
    let ep = enPassantSquare?.name ?? "-"
    return "\(placement) \(side) \(castling) \(ep) \(halfmoveClock) \(fullmoveNumber)"
  }

  /// An 8-line diagram, rank 8 first, `.` for empty squares (like python-chess's `str(board)`).
  public var diagram: String {
    (0..<8).map { row in
      (0..<8).map { file in
        piece(at: Square(file: file, rank: 7 - row)).map { String($0.fenLetter) } ?? "."
      }.joined(separator: " ")
    }.joined(separator: "\n")
  }
}

private let rank1Mask: Bitboard = 0xFF
private let rank8Mask: Bitboard = 0xFF << 56

/// Why a UCI move string was rejected.
public enum UCIMoveError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Not of the form `e2e4` / `e7e8q`.
  case malformed(String)
  /// Well-formed but not a legal move in the position.
  case illegal(String, fen: String)

  public var description: String {
    switch self {
    case .malformed(let s): "'\(s)' is not a UCI move (expected e.g. e2e4 or e7e8q)"
    case .illegal(let s, let fen): "'\(s)' is not a legal move in \(fen)"
    }
  }
}

extension Position {
  /// The legal move written `uci` in long algebraic notation (`e2e4`, `e7e8q`, castling as `e1g1`).
  /// A promotion must name its piece; a non-promotion must not.
  public func move(uci: String) throws(UCIMoveError) -> Move {
    let chars = Array(uci)
    guard chars.count == 4 || chars.count == 5,
      let from = Square(name: String(chars[0...1])), let to = Square(name: String(chars[2...3]))
    else { throw .malformed(uci) }
    var promotion: PieceKind?
    if chars.count == 5 {
      guard let kind = PieceKind(letter: chars[4]), kind != .pawn, kind != .king
      else { throw .malformed(uci) }
      promotion = kind
    }
    guard let move = legalMoves().first(where: { $0.from == from && $0.to == to && $0.promotion == promotion }) else {
      throw .illegal(uci, fen: fen)
    }
    return move
  }
}
