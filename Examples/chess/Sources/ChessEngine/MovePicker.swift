import ChessRules

/// Chooses a move the way FHE.Chess does, and always returns a legal one.
///
/// FHE.Chess's rule (`server_cloud/server/infer_clear.py`, `infer_simfhe.py`, `infer_deepfhe.py`:
/// `predict(input_board, topf=2, topt=3)`; the client `client_local/chess_env/main.py`, `ai_server`,
/// plays the first proposal; Black is played on `board.mirror()`):
/// 1. encode the board (mirrored if Black is to move) and run the source network;
/// 2. take the `topSources` (2) best from-squares over all 64 squares, dropping those that do not hold a
///    piece of the side to move;
/// 3. for each remaining from-square in order, run the target network with it one-hot and take its
///    `topTargets` (3) best to-squares;
/// 4. the proposals, ordered by from-square rank then to-square rank, are filtered to legal moves and
///    the first legal one is played. A from/to pair that is a promotion promotes to a queen (the
///    networks do not choose the piece; FHE.Chess's client always queens).
///
/// Evaluating the target network lazily (stop at the first from-square with a legal proposal) gives the
/// same move with fewer network calls; `batchTargets` asks for all of step 3 in one batch instead.
///
/// FHE.Chess gives up when no proposal is legal; an engine must move, so then (the *fallback*) the
/// picker takes the legal from-square with the best source score and plays its legal to-square with the
/// best target score (reusing a target evaluation from step 3 if it has one).
///
/// Ties between equal scores (common with 4-bit outputs) go to the lower square index (a1 = 0).
public struct MovePicker: Sendable {
  /// How Black-to-move positions are shown to the White-trained networks.
  public enum BlackView: String, Sendable, CaseIterable {
    /// Mirror the board (`Position.mirrored()`), as FHE.Chess's inference does; the chosen move is
    /// flipped back.
    case mirror
    /// Keep the board and multiply the planes by -1, as FHE.Chess's training data encodes Black to move
    /// (`dataset_source.py`: `if game_state_i % 2 == 1: x *= -1`); squares are the real ones.
    case negate
  }

  public var scorer: any MoveScorer
  /// Number of best from-squares considered (FHE.Chess: `topf = 2`).
  public var topSources: Int
  /// Number of best to-squares considered per from-square (FHE.Chess: `topt = 3`).
  public var topTargets: Int
  public var blackView: BlackView
  /// Ask the scorer for the target scores of all candidate from-squares in one call
  /// (`targetScores(_:sources:)`) instead of one at a time until a legal proposal is found.
  public var batchTargets: Bool

  public init(
    scorer: any MoveScorer, topSources: Int = 2, topTargets: Int = 3, blackView: BlackView = .mirror,
    batchTargets: Bool = false
  ) {
    self.scorer = scorer
    self.topSources = topSources
    self.topTargets = topTargets
    self.blackView = blackView
    self.batchTargets = batchTargets
  }

  /// The chosen move, or nil when the side to move has no legal move (checkmate or stalemate).
  public func pick(_ position: Position) throws -> MoveChoice? {
    let legal = position.legalMoves()
    guard !legal.isEmpty else { return nil }

    // The network's view: White to move.
    let mirrored = position.sideToMove == .black && blackView == .mirror
    let view = mirrored ? position.mirrored() : position
    let planes = NetworkEncoding.planes(view, negated: position.sideToMove == .black && blackView == .negate)
    let mover = view.sideToMove  // White, except Black with `.negate` (whose pieces are then +1)
    // Legal moves in the view's squares, by (from, to); promotions only as queen.
    var legalInView: [Int: Move] = [:]
    for move in legal where move.promotion == nil || move.promotion == .queen {
      let m = mirrored ? move.rankFlipped : move
      legalInView[m.from.index * 64 + m.to.index] = m
    }

    let source = try checked(scorer.sourceScores(planes), "source scores")
    var evaluated: [(from: Square, scores: [Double])] = []

    // FHE.Chess's rule.
    // (rank among the top source squares, 1-based; square), keeping only the mover's pieces.
    let candidates = Self.ranked(source).prefix(max(0, topSources)).enumerated()
      .map { (rank: $0.offset + 1, square: Square($0.element)) }
      .filter { view.piece(at: $0.square)?.color == mover }
    if batchTargets, !candidates.isEmpty {
      let all = try scorer.targetScores(planes, sources: candidates.map { NetworkEncoding.sourceOneHot($0.square) })
      guard all.count == candidates.count else {
        throw ScorerError.badOutput("batch target scores: expected \(candidates.count) vectors, got \(all.count)")
      }
      for (c, scores) in zip(candidates, all) { evaluated.append((c.square, try checked(scores, "target scores"))) }
    }
    for (sourceRank, from) in candidates {
      let target: [Double]
      if let done = evaluated.first(where: { $0.from == from }) {
        target = done.scores
      } else {
        target = try checked(scorer.targetScores(planes, source: NetworkEncoding.sourceOneHot(from)), "target scores")
        evaluated.append((from, target))
      }
      for (targetRank, to) in Self.ranked(target).prefix(max(0, topTargets)).enumerated() {
        if let m = legalInView[from.index * 64 + to] {
          return choice(m, mirrored, source, evaluated, .fheChess(sourceRank: sourceRank, targetRank: targetRank + 1))
        }
      }
    }

    // Fallback: best legal from-square, then its best legal to-square.
    let legalFroms = Set(legalInView.values.map(\.from.index))
    guard let from = Self.ranked(source).first(where: legalFroms.contains).map(Square.init) else { return nil }
    let target: [Double]
    if let done = evaluated.first(where: { $0.from == from }) {
      target = done.scores
    } else {
      target = try checked(scorer.targetScores(planes, source: NetworkEncoding.sourceOneHot(from)), "target scores")
      evaluated.append((from, target))
    }
    let to = Self.ranked(target).first { legalInView[from.index * 64 + $0] != nil }!
    return choice(legalInView[from.index * 64 + to]!, mirrored, source, evaluated, .fallback)
  }

  private func choice(
    _ viewMove: Move, _ mirrored: Bool, _ source: [Double], _ evaluated: [(from: Square, scores: [Double])],
    _ rule: MoveChoice.Rule
  ) -> MoveChoice {
    MoveChoice(
      move: mirrored ? viewMove.rankFlipped : viewMove, viewMove: viewMove, mirrored: mirrored,
      sourceScores: source, targetScores: evaluated.map { MoveChoice.TargetEvaluation(from: $0.from, scores: $0.scores) },
      rule: rule)
  }

  private func checked(_ scores: [Double], _ what: String) throws -> [Double] {
    guard scores.count == 64 else { throw ScorerError.badOutput("\(what): expected 64 values, got \(scores.count)") }
    guard scores.allSatisfy(\.isFinite) else { throw ScorerError.badOutput("\(what): not all finite") }
    return scores
  }

  /// Square indices by descending score, ties to the lower index.
  static func ranked(_ scores: [Double]) -> [Int] {
    scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
  }
}

/// A picked move and the network scores behind it.
public struct MoveChoice: Sendable {
  /// Which step chose the move.
  public enum Rule: Hashable, Sendable {
    /// FHE.Chess's rule: the from-square ranked `sourceRank` by the source network (1-based, counting
    /// squares dropped for not holding the mover's piece), the to-square ranked `targetRank` by the
    /// target network.
    case fheChess(sourceRank: Int, targetRank: Int)
    /// No top-k proposal was legal: best legal from-square, best legal to-square.
    case fallback
  }

  public struct TargetEvaluation: Sendable {
    /// The from-square, in the network's view.
    public let from: Square
    /// The target network's 64 scores, in the network's view (a1 = 0).
    public let scores: [Double]
  }

  /// The move on the real board.
  public let move: Move
  /// The move in the network's view (rank-flipped if `mirrored`).
  public let viewMove: Move
  /// Whether the networks saw the mirrored board (Black to move, `BlackView.mirror`).
  public let mirrored: Bool
  /// The source network's 64 scores, in the network's view.
  public let sourceScores: [Double]
  /// Target network evaluations made, in order.
  public let targetScores: [TargetEvaluation]
  public let rule: Rule

  /// Human-readable lines for UCI `info string` (squares named on the real board).
  public func logLines(top: Int = 5) -> [String] {
    func real(_ s: Square) -> Square { mirrored ? s.rankFlipped : s }
    func list(_ scores: [Double]) -> String {
      MovePicker.ranked(scores).prefix(top).map { "\(real(Square($0)).name) \(formatScore(scores[$0]))" }
        .joined(separator: " ")
    }
    var lines = ["source top\(top)\(mirrored ? " (mirrored board)" : ""): \(list(sourceScores))"]
    for t in targetScores { lines.append("target top\(top) from \(real(t.from).name): \(list(t.scores))") }
    switch rule {
    case .fheChess(let s, let t):
      lines.append("picked \(move.uci) by the FHE.Chess rule (from-square #\(s), to-square #\(t))")
    case .fallback:
      lines.append("picked \(move.uci) by the fallback (no top proposal was legal)")
    }
    return lines
  }
}

/// `x` with 4 decimals, without Foundation.
func formatScore(_ x: Double) -> String {
  guard x.isFinite else { return String(x) }
  let scaled = (abs(x) * 10_000).rounded()
  let whole = Int(scaled / 10_000)
  let frac = Int(scaled.truncatingRemainder(dividingBy: 10_000))
  let fracText = String(frac)
  return (x < 0 && scaled != 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 4 - fracText.count) + fracText
}
