/// The input encoding of the FHE.Chess networks, as FHE.Chess's training data builds it
/// (`server_cloud/model_src/helper_chessset.py`, `Board_State.board_tensor_12` and
/// `Move_State.from_to_bitboards` / `source_flat_bit`; `dataset_source.py` / `dataset_target.py`).
///
/// **Board: 12 × 8 × 8 planes, flattened to 768 Floats** (plane-major, then row, then column):
/// - plane order `p r n b q k P R N B Q K` — Black's pawn, rook, knight, bishop, queen, king, then
///   White's in the same order (note: rook before knight);
/// - a Black piece is `-1` on its plane, a White piece `+1` on its plane, everything else `0`;
/// - inside a plane, row 0 is rank 8 and column 0 is file a (the layout of python-chess's `str(board)`),
///   so the in-plane index is `(7 - rank) * 8 + file`: 0 = a8, 7 = h8, 56 = a1, 63 = h1
///   (`planeIndex(of:)`, which is `square.index ^ 56`).
///
/// **64-vectors: python-chess square numbering**, a1 = 0, h1 = 7, a8 = 56, h8 = 63 — the same as
/// `Square.index`. This holds for the source network's 64 outputs (the from-square scores), the target
/// network's one-hot source input, and its 64 outputs (the to-square scores): FHE.Chess's labels are
/// `bitboard[8 - rank, file]` = `(rank - 1) * 8 + file` and its inference reads outputs back with
/// `chess.square_file` / `chess.square_rank`. (Checked on /work/shared/models: the h128 source
/// network's argmax is a square holding a piece of the side to move in 19 of 20 test boards with this
/// numbering, 0 of 20 with the a8 = 0 numbering.)
///
/// **Black to move.** FHE.Chess's *training data* multiplies the planes of Black-to-move positions by
/// -1 (so the side to move is always +1) without flipping the board, and keeps the real squares as
/// labels; its *inference* instead passes `board.mirror()` for Black (see `Position.mirrored()`) and
/// encodes it as usual. `planes(_:negated:)` supports both; `ChessEngine.MovePicker` defaults to the
/// mirror, as FHE.Chess plays.
public enum NetworkEncoding {
  /// Number of planes (12), squares per plane (64) and Floats in an encoded board (768).
  public static let planeCount = 12
  public static let squaresPerPlane = 64
  public static let boardInputCount = planeCount * squaresPerPlane

  /// The piece of each plane, in order: Black p r n b q k, then White P R N B Q K.
  public static let planePieces: [Piece] =
    [Color.black, Color.white].flatMap { color in
      [PieceKind.pawn, .rook, .knight, .bishop, .queen, .king].map { Piece(color, $0) }
    }

  /// The plane holding `piece` (0…11).
  public static func plane(of piece: Piece) -> Int {
    let order: [PieceKind] = [.pawn, .rook, .knight, .bishop, .queen, .king]
    let base = piece.color == .black ? 0 : 6
    return base + order.firstIndex(of: piece.kind)!
  }

  /// The index of `square` inside a plane: row-major from a8 (a8 = 0, h8 = 7, a1 = 56, h1 = 63).
  public static func planeIndex(of square: Square) -> Int { square.index ^ 56 }

  /// The square at in-plane index `index` (inverse of `planeIndex(of:)`).
  public static func square(atPlaneIndex index: Int) -> Square { Square(index ^ 56) }

  /// The network's 64-vector index of `square` (outputs and one-hot source): `square.index`, a1 = 0.
  public static func vectorIndex(of square: Square) -> Int { square.index }

  /// The 12×8×8 planes of `position`, flattened (see the type's documentation). Values are -1, 0 or 1;
  /// with `negated` every value is multiplied by -1, as FHE.Chess's training data does for Black to move.
  public static func planes(_ position: Position, negated: Bool = false) -> [Float] {
    var planes = [Float](repeating: 0, count: boardInputCount)
    for (p, piece) in planePieces.enumerated() {
      var value: Float = piece.color == .white ? 1 : -1
      if negated { value = -value }
      for square in position.squares(of: piece) {
        planes[p * squaresPerPlane + planeIndex(of: square)] = value
      }
    }
    return planes
  }

  /// The target network's second input: 64 zeros with a 1 at `vectorIndex(of: square)`.
  public static func sourceOneHot(_ square: Square) -> [Float] {
    var v = [Float](repeating: 0, count: 64)
    v[vectorIndex(of: square)] = 1
    return v
  }
}
