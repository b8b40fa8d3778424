import TorusIR

// What every FHE op states about itself, so that the interpreter, the noise analysis, the
// bit-width report and the cost model read one source instead of lists of op names. An op
// adopts `FHECostInterface` (through `BootstrappingOp` or `LevelledOp`); an analysis that meets
// an op with encrypted values and no such interface reports it as an error.

/// How the noise of a value built by an op follows from its encrypted operands: the sum of
/// `factor × noise(operand)` over the listed operands (factors are squared clear multipliers,
/// the squared 2-norm contribution, Concrete's MANP) plus `bootstrapOutputs` fresh bootstrap
/// outputs.
public struct NoiseCombination: Hashable, Sendable {
  /// Squared factor per operand index.
  public var operands: [Int: Double]
  /// Bootstrap outputs added in (each with factor 1).
  public var bootstrapOutputs: Double

  public init(operands: [Int: Double] = [:], bootstrapOutputs: Double = 0) {
    self.operands = operands
    self.bootstrapOutputs = bootstrapOutputs
  }

  /// `noise(operand #i)` unchanged.
  public static func operand(_ i: Int, factor: Double = 1) -> NoiseCombination { NoiseCombination(operands: [i: factor]) }
  /// The sum of two operands' noise (`a ± b`).
  public static func sum(_ i: Int, _ j: Int) -> NoiseCombination { NoiseCombination(operands: [i: 1, j: 1]) }
  /// `n` bootstrap outputs added together.
  public static func bootstrapped(_ n: Double) -> NoiseCombination { NoiseCombination(bootstrapOutputs: n) }
}

/// How an op's encrypted results carry noise.
public enum NoiseTransfer: Hashable, Sendable {
  /// A linear combination of operands and bootstrap outputs.
  case combination(NoiseCombination)
  /// Each element comes from one of the operands (concatenation, assignment): the largest.
  case largestOperand
  /// The result of the op's exact-rounding steps (the analysis follows `RoundingSteps`).
  case afterRounding
  /// A trivial encryption (no noise).
  case noiseless
}

/// One family of bootstraps an op performs, all reading values of the same width.
public struct BootstrapGroup: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// A table lookup of a `inputWidth`-bit value: one bootstrap per count.
    case lookup
    /// Exact rounding of `inputWidth`-bit values to `outputWidth` bits: the dropped bits are
    /// extracted in chunks (`RoundingSteps`), so bootstraps per element depend on the keys.
    case rounding(outputWidth: Int)
    /// The least significant bit: one sign bootstrap of the value scaled by `2^inputWidth`.
    case leastSignificantBit
  }
  public var kind: Kind
  /// Width of the encrypted value the bootstraps read.
  public var inputWidth: Int
  /// Bootstraps for lookups; elements for rounding and bit extraction.
  public var count: Int
  /// The bootstrap input in terms of the op's operands.
  public var input: NoiseCombination

  public init(_ kind: Kind, inputWidth: Int, count: Int, input: NoiseCombination) {
    self.kind = kind
    self.inputWidth = inputWidth
    self.count = count
    self.input = input
  }

  /// Bootstraps this group costs when exact rounding clears up to `chunk` bits per step (1: one
  /// bootstrap per bit, as Concrete does).
  public func bootstraps(chunk: Int = 1) -> Int {
    switch kind {
    case .lookup, .leastSignificantBit: count
    case .rounding(let q): count * RoundingSteps.bootstraps(dropped: max(0, inputWidth - q), chunk: chunk)
    }
  }
}

/// The cost and noise facts of an op that reads or writes encrypted values.
public protocol FHECostInterface: OpDefinition {
  /// The bootstraps one execution performs, from the operand and result types (empty when levelled).
  var bootstrapGroups: [BootstrapGroup] { get }
  /// How the noise of the encrypted results follows from the operands.
  var noiseTransfer: NoiseTransfer { get }
}

/// An op without bootstraps: its result noise follows from its operands.
public protocol LevelledOp: FHECostInterface {}

extension LevelledOp {
  public var bootstrapGroups: [BootstrapGroup] { [] }
}

/// An op that bootstraps.
public protocol BootstrappingOp: FHECostInterface {}

/// Ops that compute on the phase without decoding it: a wider intermediate result is fine as
/// long as a precision cast brings it back under the limit before anything decodes it
/// (concrete-python's approximate rounding adds an offset at 62 bits this way).
public protocol PhaseOp: FHECostInterface {}

/// Ops that only exist in the native encoding: Concrete has no CRT lowering for them, so a
/// circuit containing one runs natively even when it has wide lookups.
public protocol NativeEncodingOnlyOp: FHECostInterface {}

/// Table lookups: operand #1 holds the table(s), `2^p` entries on the last dimension.
public protocol TableLookupOp: BootstrappingOp {}

extension TableLookupOp {
  /// The clear table operand.
  public var tables: Value { operation.operands[1] }
}

/// `round` of the FHE and FHELinalg dialects: exact rounding of every element from the
/// operand's width to the result's.
public protocol ExactRoundingOp: BootstrappingOp, NativeEncodingOnlyOp {}

extension ExactRoundingOp {
  public var bootstrapGroups: [BootstrapGroup] {
    let q = operation.results[0].type.encryptedElement?.width ?? encryptedWidth(operand: 0)
    return [BootstrapGroup(.rounding(outputWidth: q), inputWidth: encryptedWidth(operand: 0), count: resultElements, input: .operand(0))]
  }
  public var noiseTransfer: NoiseTransfer { .afterRounding }
}

/// `lsb` of the FHE and FHELinalg dialects: the least significant bit of every element.
public protocol LeastSignificantBitOp: BootstrappingOp, NativeEncodingOnlyOp {}

extension LeastSignificantBitOp {
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.leastSignificantBit, inputWidth: encryptedWidth(operand: 0), count: resultElements, input: .operand(0))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension Operation {
  /// The op's cost and noise interface; nil when its kind does not adopt one.
  public var fheCost: (any FHECostInterface)? { view as? any FHECostInterface }

  /// Whether the op reads or writes an encrypted value (and so needs `FHECostInterface`).
  public var touchesEncryptedValues: Bool {
    operands.contains { $0.type.isEncrypted } || results.contains { $0.type.isEncrypted }
  }
}

// MARK: - Shared building blocks of the interfaces

extension OpDefinition {
  /// Elements of result #0 (1 for a scalar).
  public var resultElements: Int { max(1, operation.results.first?.type.staticElementCount ?? 1) }

  /// Width of the encrypted element of operand #i (0 when clear).
  public func encryptedWidth(operand i: Int) -> Int { operation.operands[i].type.encryptedElement?.width ?? 0 }

  /// One table lookup per result element reading operand #0.
  public var lookupPerElement: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: resultElements, input: .operand(0))]
  }
}

/// Squared clear factors, read from constant operands (or bounded by their type when not constant).
public enum ClearFactors {
  /// The values of a constant integer operand.
  public static func constantIntegers(_ v: Value) -> [Int64]? {
    guard let d = v.definingOp, d.hasTrait(.constantLike) else { return nil }
    switch d.attribute("value") {
    case .denseElements(let e)?: return e.int64Values
    case .integer?: return d.attribute("value")?.integerValue.map { [$0] }
    default: return nil
    }
  }

  /// The largest `c²` a clear operand may hold (its values when constant, its type's range otherwise).
  public static func maxSquare(_ v: Value) -> Double {
    if let vs = constantIntegers(v) { return vs.map { Double($0) * Double($0) }.max() ?? 0 }
    let w = (v.type.elementType ?? v.type).intOrFloatBitWidth ?? 64
    let m = Double(1 << min(w - 1, 52))
    return m * m
  }

  /// max over output columns of `Σ_k w[k, n]²` (matrix `w`, contracting over `contracting`).
  public static func columnSquares(_ v: Value, contracting: Int) -> Double {
    let shape = v.type.staticShape
    guard let vs = constantIntegers(v), shape.count >= 1 else { return maxSquare(v) * Double(shape.first ?? 1) }
    if shape.count == 1 { return vs.reduce(0) { $0 + Double($1) * Double($1) } }
    let rows = shape[shape.count - 2], cols = shape[shape.count - 1]
    let batches = vs.count / max(1, rows * cols)
    var best = 0.0
    for b in 0..<batches {
      let base = b * rows * cols
      if contracting == 0 {
        for c in 0..<cols {
          var s = 0.0
          for r in 0..<rows { let w = Double(vs[base + r * cols + c]); s += w * w }
          best = max(best, s)
        }
      } else {
        for r in 0..<rows {
          var s = 0.0
          for c in 0..<cols { let w = Double(vs[base + r * cols + c]); s += w * w }
          best = max(best, s)
        }
      }
    }
    return best
  }

  /// max over output channels of the filter's `Σ w²` (weights `F×C×H×W`).
  public static func filterSquares(_ v: Value) -> Double {
    let shape = v.type.staticShape
    guard let vs = constantIntegers(v), let f = shape.first, f > 0 else {
      return maxSquare(v) * Double(shape.dropFirst().reduce(1, *))
    }
    let per = vs.count / f
    var best = 0.0
    for c in 0..<f {
      var s = 0.0
      for k in 0..<per { let w = Double(vs[c * per + k]); s += w * w }
      best = max(best, s)
    }
    return best
  }
}

/// How exact rounding (`FHE.round`) clears the `dropped` low bits of a `p`-bit value, in chunks
/// taken from the least significant end, each at most `chunk` bits wide.
///
/// A chunk of `j` bits starting at bit `i` is cleared by scaling the value by `2^(p−i−j+1)`, so
/// that the chunk's top bit lands on the padding bit and its other `j − 1` bits just below:
/// a constant-table bootstrap reads the top bit (sign), which is subtracted; a `(j − 1)`-bit
/// lookup then reads the rest, which is subtracted too. `j = 1` is Concrete's one-bootstrap-per-bit
/// extraction. Both bootstraps of a chunk tell `j − 1` bits apart, so `chunk` is bounded by the
/// lookup width the parameters resolve reliably.
public enum RoundingSteps {
  /// Chunk widths from the least significant bit, minimising bootstraps (`j = 1` costs one,
  /// wider chunks two).
  public static func chunks(dropped: Int, chunk: Int) -> [Int] {
    let c = max(1, chunk)
    guard dropped > 0 else { return [] }
    // cost[d]: fewest bootstraps for d bits; first[d]: the chunk that starts an optimal split.
    var cost = [Int](repeating: 0, count: dropped + 1), first = [Int](repeating: 0, count: dropped + 1)
    for d in 1...dropped {
      cost[d] = Int.max
      for j in stride(from: min(c, d), through: 1, by: -1) {
        let total = (j == 1 ? 1 : 2) + cost[d - j]
        if total < cost[d] { (cost[d], first[d]) = (total, j) }
      }
    }
    var out: [Int] = [], d = dropped
    while d > 0 { out.append(first[d]); d -= first[d] }
    return out
  }

  /// Bootstraps one exact rounding costs per element.
  public static func bootstraps(dropped: Int, chunk: Int) -> Int {
    chunks(dropped: dropped, chunk: chunk).reduce(0) { $0 + ($1 == 1 ? 1 : 2) }
  }
}
