/// The two sides.
public enum Color: UInt8, Hashable, Sendable, CaseIterable {
  case white = 0
  case black = 1

  /// The other side.
  public var opposite: Color { self == .white ? .black : .white }
}

/// Piece kinds, without colour.
public enum PieceKind: UInt8, Hashable, Sendable, CaseIterable {
  case pawn = 0, knight, bishop, rook, queen, king

  /// Lower-case letter used by FEN (black) and by UCI promotions: `p n b r q k`.
  public var letter: Character {
    switch self {
    case .pawn: "p"
    case .knight: "n"
    case .bishop: "b"
    case .rook: "r"
    case .queen: "q"
    case .king: "k"
    }
  }

  /// The kind for a FEN/UCI letter, either case.
  public init?(letter: Character) {
    switch letter.lowercased() {
    case "p": self = .pawn
    case "n": self = .knight
    case "b": self = .bishop
    case "r": self = .rook
    case "q": self = .queen
    case "k": self = .king
    default: return nil
    }
  }
}

/// A coloured piece.
public struct Piece: Hashable, Sendable, CustomStringConvertible {
  public var color: Color
  public var kind: PieceKind

  public init(_ color: Color, _ kind: PieceKind) {
    self.color = color
    self.kind = kind
  }

  /// FEN letter: upper case for White, lower case for Black.
  public var fenLetter: Character {
    color == .white ? Character(kind.letter.uppercased()) : kind.letter
  }

  /// The piece for a FEN letter (`P`…`K` White, `p`…`k` Black).
  public init?(fenLetter: Character) {
    guard let kind = PieceKind(letter: fenLetter), fenLetter.isLetter else { return nil }
    self.init(fenLetter.isUppercase ? .white : .black, kind)
  }

  public var description: String { String(fenLetter) }
}

/// A square of the board.
///
/// **Index convention** (used everywhere in ChessRules and ChessEngine): `index = rank * 8 + file`, with
/// file 0 = a and rank 0 = the first rank, so a1 = 0, b1 = 1, …, h1 = 7, a2 = 8, …, h8 = 63. This is
/// python-chess's square numbering, and it is also the numbering of the FHE.Chess networks' 64-vectors
/// (the source network's output, the target network's one-hot source input and its output). The
/// board *planes* are laid out differently (row 0 = rank 8); see `NetworkEncoding.planeIndex(of:)`.
public struct Square: Hashable, Sendable, Comparable, CustomStringConvertible {
  @usableFromInline let raw: UInt8

  /// `index` in 0..<64 (a1 = 0, h8 = 63). Traps on an out-of-range index.
  @inlinable public init(_ index: Int) {
    precondition(index >= 0 && index < 64, "square index out of range: \(index)")
    raw = UInt8(truncatingIfNeeded: index)
  }

  /// `file` 0…7 (a…h), `rank` 0…7 (1…8).
  @inlinable public init(file: Int, rank: Int) { self.init(rank * 8 + file) }

  /// Parses `e4`-style names; nil for anything else.
  public init?(name: some StringProtocol) {
    let chars = Array(name.unicodeScalars)
    guard chars.count == 2 else { return nil }
    let f = Int(chars[0].value) - 97  // "a"
    let r = Int(chars[1].value) - 49  // "1"
    guard (0..<8).contains(f), (0..<8).contains(r) else { return nil }
    self.init(file: f, rank: r)
  }

  @inlinable public var index: Int { Int(raw) }
  @inlinable public var file: Int { Int(raw & 7) }
  @inlinable public var rank: Int { Int(raw >> 3) }

  /// The same file on the mirrored rank (a1 ↔ a8, e2 ↔ e7): `index ^ 56`.
  @inlinable public var rankFlipped: Square { Square(index ^ 56) }

  /// `a1` … `h8`.
  public var name: String {
    String(UnicodeScalar(UInt8(97 + file))) + String(rank + 1)
  }

  public var description: String { name }

  public static func < (lhs: Square, rhs: Square) -> Bool { lhs.raw < rhs.raw }

  public static let a1 = Square(0), b1 = Square(1), c1 = Square(2), d1 = Square(3), e1 = Square(4)
  public static let f1 = Square(5), g1 = Square(6), h1 = Square(7)
  public static let a8 = Square(56), b8 = Square(57), c8 = Square(58), d8 = Square(59), e8 = Square(60)
  public static let f8 = Square(61), g8 = Square(62), h8 = Square(63)
}

/// What a move does beyond moving one piece (set by the move generator; `make` relies on it).
public enum MoveFlag: UInt8, Hashable, Sendable {
  case normal = 0
  /// A pawn's two-square advance (sets the en-passant square).
  case doublePush
  /// En-passant capture (the captured pawn is not on `to`).
  case enPassant
  /// Castling, encoded as the king's move (e1g1, e1c1, e8g8, e8c8).
  case castle
}

/// A move. Create moves with the generator (`Position.legalMoves()`) or `Position.move(uci:)`;
/// equality includes the flag, so compare `uci` strings when matching moves from elsewhere.
public struct Move: Hashable, Sendable, CustomStringConvertible {
  public let from: Square
  public let to: Square
  /// The promoted-to piece kind, for promotions.
  public let promotion: PieceKind?
  public let flag: MoveFlag

  @inlinable public init(from: Square, to: Square, promotion: PieceKind? = nil, flag: MoveFlag = .normal) {
    self.from = from
    self.to = to
    self.promotion = promotion
    self.flag = flag
  }

  /// UCI long algebraic notation: `e2e4`, `e7e8q`, castling as the king's move `e1g1`.
  public var uci: String {
    from.name + to.name + (promotion.map { String($0.letter) } ?? "")
  }

  public var description: String { uci }

  /// The same move seen from the other side (ranks flipped, see `Position.mirrored()`).
  public var rankFlipped: Move {
    Move(from: from.rankFlipped, to: to.rankFlipped, promotion: promotion, flag: flag)
  }
}

/// Castling rights as a bit set.
public struct CastlingRights: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let whiteKingside = CastlingRights(rawValue: 1)
  public static let whiteQueenside = CastlingRights(rawValue: 2)
  public static let blackKingside = CastlingRights(rawValue: 4)
  public static let blackQueenside = CastlingRights(rawValue: 8)
  public static let all: CastlingRights = [.whiteKingside, .whiteQueenside, .blackKingside, .blackQueenside]

  /// White's rights become Black's and vice versa.
  public var colorSwapped: CastlingRights {
    CastlingRights(rawValue: ((rawValue & 3) << 2) | ((rawValue >> 2) & 3))
  }
}

/// Whether the game is over in the position, from the side to move's point of view.
public enum GameStatus: Hashable, Sendable {
  case ongoing
  /// The side to move is checkmated.
  case checkmate
  /// The side to move has no legal move and is not in check.
  case stalemate
}
