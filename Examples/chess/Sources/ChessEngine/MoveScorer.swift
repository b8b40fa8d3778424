import ChessRules

/// The two FHE.Chess networks, however they are evaluated (in the clear, simulated, encrypted on this
/// machine, or on a remote server).
///
/// Inputs and outputs use `NetworkEncoding`'s layout:
/// - `planes`: 768 Floats, the 12×8×8 board planes (`NetworkEncoding.planes`), values -1/0/1;
/// - `source`: 64 Floats, the one-hot from-square (`NetworkEncoding.sourceOneHot`);
/// - results: 64 scores indexed by square with a1 = 0 … h8 = 63 (`Square.index`). Higher is better;
///   any finite scale works (the picker only ranks them), e.g. the dequantized sigmoid outputs.
///
/// The board passed in is always the network's view: for Black to move it is the mirrored board (or the
/// negated planes, see `MovePicker.BlackView`), so the scores are for squares of that view; the picker
/// maps them back. Implementations may block (the UCI loop waits for the answer) and should throw rather
/// than return a wrong-sized vector. They must be `Sendable`: the picker may be used from any thread.
public protocol MoveScorer: Sendable {
  /// The source network: one score per from-square.
  func sourceScores(_ planes: [Float]) throws -> [Double]
  /// The target network: one score per to-square, for the board and one candidate from-square.
  func targetScores(_ planes: [Float], source: [Float]) throws -> [Double]
  /// The target network for several candidate from-squares of the same board (one result per entry of
  /// `sources`, in order). The default calls `targetScores(_:source:)` for each; a remote or encrypted
  /// implementation can override it to send one batch.
  func targetScores(_ planes: [Float], sources: [[Float]]) throws -> [[Double]]
}

extension MoveScorer {
  public func targetScores(_ planes: [Float], sources: [[Float]]) throws -> [[Double]] {
    try sources.map { try targetScores(planes, source: $0) }
  }
}

/// A deterministic stand-in for the networks (for tests, demos and wiring checks): scores are a hash
/// of the inputs, mixed with a preference for squares holding the side-to-move's pieces (source) or
/// empty/enemy squares near the from-square and the centre (target), so that it plays arbitrary chess
/// whose moves often come from the FHE.Chess rule rather than the fallback.
/// The same inputs always give the same scores, across runs and platforms.
public struct PseudoRandomScorer: MoveScorer {
  public let seed: UInt64

  public init(seed: UInt64 = 0) { self.seed = seed }

  public func sourceScores(_ planes: [Float]) throws -> [Double] {
    try Self.check(planes, count: NetworkEncoding.boardInputCount, what: "board planes")
    let h = Self.hash(planes, seed: seed)
    return (0..<64).map { index in
      let own = Self.sideToMoveValue(planes, square: Square(index)) > 0 ? 0.5 : 0
      return own + 0.5 * Self.unit(h, index)
    }
  }

  public func targetScores(_ planes: [Float], source: [Float]) throws -> [Double] {
    try Self.check(planes, count: NetworkEncoding.boardInputCount, what: "board planes")
    try Self.check(source, count: 64, what: "source one-hot")
    let h = Self.hash(source, seed: Self.hash(planes, seed: seed ^ 0x9E37_79B9_7F4A_7C15))
    let from = source.firstIndex(of: 1).map(Square.init)
    return (0..<64).map { index in
      let square = Square(index)
      let notOwn = Self.sideToMoveValue(planes, square: square) > 0 ? 0 : 0.3
      let centre = 0.2 - 0.05 * (abs(Double(square.file) - 3.5) + abs(Double(square.rank) - 3.5)) / 2
      // Nearby squares are more often reachable, so the FHE.Chess rule (top 3 targets) often succeeds.
      let near = from.map { max(abs($0.file - square.file), abs($0.rank - square.rank)) <= 2 ? 0.3 : 0 } ?? 0
      return notOwn + centre + near + 0.5 * Self.unit(h, index)
    }
  }

  /// +1 if a piece with a positive value stands on `square` (White's in the usual encoding), -1 for a
  /// negative one, 0 if empty.
  static func sideToMoveValue(_ planes: [Float], square: Square) -> Float {
    let i = NetworkEncoding.planeIndex(of: square)
    for p in 0..<NetworkEncoding.planeCount where planes[p * 64 + i] != 0 { return planes[p * 64 + i] }
    return 0
  }

  static func check(_ v: [Float], count: Int, what: String) throws {
    guard v.count == count else { throw ScorerError.badInput("\(what): expected \(count) values, got \(v.count)") }
  }

  /// FNV-1a over the values' bit patterns, then mixed.
  static func hash(_ values: [Float], seed: UInt64) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
    for v in values {
      h ^= UInt64((v == 0 ? 0 : v).bitPattern)  // -0 and 0 hash alike
      h = h &* 0x0000_0100_0000_01B3
    }
    return h
  }

  /// A value in [0, 1) from `h` and `index` (splitmix64).
  static func unit(_ h: UInt64, _ index: Int) -> Double {
    var z = h &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53)
  }
}

/// Errors of scorers and of the picker's checks on their answers.
public enum ScorerError: Error, Hashable, Sendable, CustomStringConvertible {
  case badInput(String)
  /// A scorer returned the wrong number of scores or a non-finite score.
  case badOutput(String)

  public var description: String {
    switch self {
    case .badInput(let s): "bad scorer input: \(s)"
    case .badOutput(let s): "bad scorer output: \(s)"
    }
  }
}
