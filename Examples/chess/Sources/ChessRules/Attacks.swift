// Precomputed attack tables. Bitboards use the square index as bit number (a1 = bit 0, h8 = bit 63).

@usableFromInline typealias Bitboard = UInt64

@inline(__always) func bit(_ square: Int) -> Bitboard { 1 &<< UInt64(square) }

/// Steps (file delta, rank delta) from `square`, kept on the board.
private func stepTargets(_ square: Int, _ deltas: [(Int, Int)]) -> Bitboard {
  var result: Bitboard = 0
  let f = square & 7, r = square >> 3
  for (df, dr) in deltas {
    let nf = f + df, nr = r + dr
    if (0..<8).contains(nf), (0..<8).contains(nr) { result |= bit(nr * 8 + nf) }
  }
  return result
}

let knightAttacks: [Bitboard] = (0..<64).map {
  stepTargets($0, [(1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1), (-1, 2)])
}

let kingAttacks: [Bitboard] = (0..<64).map {
  stepTargets($0, [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)])
}

/// `pawnAttacks[color * 64 + square]`: the squares a pawn of `color` on `square` attacks.
let pawnAttacks: [Bitboard] = (0..<128).map {
  let square = $0 & 63
  return $0 < 64 ? stepTargets(square, [(-1, 1), (1, 1)]) : stepTargets(square, [(-1, -1), (1, -1)])
}

/// Ray directions. The first four increase the square index (the nearest blocker is the lowest set
/// bit), the last four decrease it (the nearest blocker is the highest set bit).
private let rayDeltas: [(Int, Int)] = [(0, 1), (1, 0), (1, 1), (-1, 1), (0, -1), (-1, 0), (-1, -1), (1, -1)]

/// `rays[direction * 64 + square]`: all squares from `square` (exclusive) to the board's edge.
let rays: [Bitboard] = (0..<(8 * 64)).map { entry in
  let (df, dr) = rayDeltas[entry >> 6]
  let square = entry & 63
  var result: Bitboard = 0
  var f = (square & 7) + df, r = (square >> 3) + dr
  while (0..<8).contains(f), (0..<8).contains(r) {
    result |= bit(r * 8 + f)
    f += df
    r += dr
  }
  return result
}

@inline(__always) private func positiveRay(_ direction: Int, _ square: Int, _ occupied: Bitboard) -> Bitboard {
  var attacks = rays[direction &* 64 &+ square]
  let blockers = attacks & occupied
  if blockers != 0 {
    attacks ^= rays[direction &* 64 &+ blockers.trailingZeroBitCount]
  }
  return attacks
}

@inline(__always) private func negativeRay(_ direction: Int, _ square: Int, _ occupied: Bitboard) -> Bitboard {
  var attacks = rays[direction &* 64 &+ square]
  let blockers = attacks & occupied
  if blockers != 0 {
    attacks ^= rays[direction &* 64 &+ (63 &- blockers.leadingZeroBitCount)]
  }
  return attacks
}

@inline(__always) func rookAttacks(_ square: Int, _ occupied: Bitboard) -> Bitboard {
  positiveRay(0, square, occupied) | positiveRay(1, square, occupied)
    | negativeRay(4, square, occupied) | negativeRay(5, square, occupied)
}

@inline(__always) func bishopAttacks(_ square: Int, _ occupied: Bitboard) -> Bitboard {
  positiveRay(2, square, occupied) | positiveRay(3, square, occupied)
    | negativeRay(6, square, occupied) | negativeRay(7, square, occupied)
}

/// Castling-rights mask per square: a move from or to the square keeps only these rights.
let castlingMask: [UInt8] = (0..<64).map { square in
  switch square {
  case 0: return ~CastlingRights.whiteQueenside.rawValue
  case 7: return ~CastlingRights.whiteKingside.rawValue
  case 4: return ~(CastlingRights.whiteKingside.rawValue | CastlingRights.whiteQueenside.rawValue)
  case 56: return ~CastlingRights.blackQueenside.rawValue
  case 63: return ~CastlingRights.blackKingside.rawValue
  case 60: return ~(CastlingRights.blackKingside.rawValue | CastlingRights.blackQueenside.rawValue)
  default: return 0xFF
  }
}

/// Iterates the set bits of a bitboard, lowest first.
@usableFromInline struct SetBits: Sequence, IteratorProtocol {
  @usableFromInline var bits: Bitboard
  @inlinable init(_ bits: Bitboard) { self.bits = bits }
  @inlinable mutating func next() -> Int? {
    guard bits != 0 else { return nil }
    let square = bits.trailingZeroBitCount
    bits &= bits &- 1
    return square
  }
}
