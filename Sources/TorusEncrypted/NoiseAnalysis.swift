import TorusFHE
import TorusIR
import TorusInterpreter

/// The noise a value carries, as multiples of the two source variances: `fresh` times a fresh
/// encryption's (function arguments) plus `bootstrapped` times a bootstrap output's. The total
/// multiplier is the squared 2-norm of the levelled computation feeding the value (Concrete's MANP).
public struct NoiseWeights: Hashable, Sendable {
  public var fresh: Double
  public var bootstrapped: Double
  /// Multiples of a wide lookup's output variance (vertical packing; far above a bootstrap's).
  public var wide: Double = 0
  public static let zero = NoiseWeights(fresh: 0, bootstrapped: 0)
  public static let freshInput = NoiseWeights(fresh: 1, bootstrapped: 0)
  public static let bootstrapOutput = NoiseWeights(fresh: 0, bootstrapped: 1)
  public static let wideOutput = NoiseWeights(fresh: 0, bootstrapped: 0, wide: 1)

  public var squaredNorm: Double { fresh + bootstrapped + wide }
  public func variance(fresh f: Double, bootstrapped b: Double, wide v: Double = 0) -> Double {
    fresh * f + bootstrapped * b + wide * v
  }

  static func + (a: NoiseWeights, b: NoiseWeights) -> NoiseWeights {
    NoiseWeights(fresh: a.fresh + b.fresh, bootstrapped: a.bootstrapped + b.bootstrapped, wide: a.wide + b.wide)
  }
  static func * (a: NoiseWeights, c: Double) -> NoiseWeights {
    NoiseWeights(fresh: a.fresh * c, bootstrapped: a.bootstrapped * c, wide: a.wide * c)
  }
  /// The component-wise larger of the two (a bound for ops that pick one of their operands).
  func bound(_ b: NoiseWeights) -> NoiseWeights {
    NoiseWeights(fresh: max(fresh, b.fresh), bootstrapped: max(bootstrapped, b.bootstrapped), wide: max(wide, b.wide))
  }
}

/// The noise carried by each encrypted value: fresh inputs carry one fresh encryption's variance,
/// every bootstrap output one bootstrap's; `a + b` adds; multiplying by a clear `c` multiplies by
/// `c²`; a matmul or conv2d output channel takes `Σ w²` over its weights.
public struct NoiseAnalysis {
  /// One family of bootstraps with the same decision. A table lookup reads its `precision`-bit
  /// input. A bit extraction (a step of round, or lsb) first multiplies its input by
  /// `inputScale` so that the bits it reads reach the top, then tells `precision` bits apart
  /// (0 for a single bit: half slot 1/4); the key switch and the modulus switch come after the
  /// scaling, so only the input's own noise is scaled.
  public struct Lookup: Hashable, Sendable {
    public var op: String
    /// Bits the bootstrap tells apart.
    public var precision: Int
    /// Width of the op's encrypted input.
    public var inputWidth: Int
    /// Clear factor applied to the input before the bootstrap (1 for table lookups).
    public var inputScale: Double
    public var noise: NoiseWeights
    public var count: Int
    /// A step of exact rounding or lsb rather than a table lookup.
    public var isBitExtraction: Bool
    /// Not a bootstrap: the client decrypting a result (no key switch, no modulus switch).
    public var isDecryption = false
    public var squaredNorm: Double { noise.squaredNorm }
  }

  public private(set) var lookups: [Lookup] = []
  /// Decryptions of the function's results (checked like lookups, without KS and MS noise).
  public private(set) var results: [Lookup] = []
  private var norms: [ObjectIdentifier: NoiseWeights] = [:]

  /// Chunk width of exact rounding the analysis assumes (`RoundingSteps`).
  public let bitExtractionChunk: Int
  /// Table lookups wider than this run as wide lookups: their outputs carry `wide` noise.
  public let wideAbove: Int?

  /// Analyzes `function`; fails on an op with encrypted results whose kind declares no
  /// `FHECostInterface` (its cost and noise would be guesses).
  public init(function: Operation, bitExtractionChunk: Int = 1, wideAbove: Int? = nil) throws(NoiseAnalysisError) {
    self.bitExtractionChunk = max(1, bitExtractionChunk)
    self.wideAbove = wideAbove
    for r in function.regions {
      for b in r.blocks { for a in b.arguments where a.type.isEncrypted { norms[ObjectIdentifier(a)] = .freshInput } }
    }
    var failure: NoiseAnalysisError?
    function.walk { op in
      guard failure == nil else { return }
      do throws(NoiseAnalysisError) { try visit(op) } catch { failure = error }
    }
    if let failure { throw failure }
    // Results must decrypt correctly too: a bootstrap output read at a wide width may be too
    // noisy even when every bootstrap decided right.
    function.walk { op in
      guard op.name == "func.return" else { return }
      for v in op.operands {
        guard let e = v.type.encryptedElement else { continue }
        results.append(Lookup(op: "decryption", precision: e.width, inputWidth: e.width, inputScale: 1, noise: noise(v),
                              count: max(1, v.type.staticElementCount ?? 1), isBitExtraction: false, isDecryption: true))
      }
    }
  }


  /// The noise of `v` (a fresh input's when unknown).
  public func noise(_ v: Value) -> NoiseWeights { norms[ObjectIdentifier(v)] ?? .freshInput }
  public func squaredNorm(_ v: Value) -> Double { noise(v).squaredNorm }

  /// The largest squared norm at the input of any lookup (1 when there is none).
  public var maxLookupSquaredNorm: Double { lookups.map(\.squaredNorm).max() ?? 1 }

  /// Bootstraps one run of the function costs.
  public var bootstrapCount: Int { lookups.reduce(0) { $0 + $1.count } }

  private static func pow2(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }

  private mutating func visit(_ op: Operation) throws(NoiseAnalysisError) {
    guard op.results.contains(where: { $0.type.isEncrypted }) else { return }
    guard let cost = op.fheCost else { throw .missingInterface(op: op.name.rawValue, location: op.location) }
    let name = op.name.rawValue
    let encryptedOperands = op.operands.filter { $0.type.isEncrypted }.map { noise($0) }
    let largest = encryptedOperands.reduce(NoiseWeights.zero) { $0.bound($1) }
    // An op whose table lookups run wide hands out wide-lookup outputs.
    let wide = wideAbove.map { limit in cost.bootstrapGroups.contains { if case .lookup = $0.kind { $0.inputWidth > limit } else { false } } } ?? false
    func combine(_ c: NoiseCombination) -> NoiseWeights {
      var w = (wide ? NoiseWeights.wideOutput : NoiseWeights.bootstrapOutput) * c.bootstrapOutputs
      for (i, f) in c.operands where i < op.operands.count && op.operands[i].type.isEncrypted { w = w + noise(op.operands[i]) * f }
      return w
    }
    var rounded: NoiseWeights?
    for group in cost.bootstrapGroups {
      let input = combine(group.input)
      let p = group.inputWidth
      switch group.kind {
      case .lookup:
        lookups.append(Lookup(op: name, precision: p, inputWidth: p, inputScale: 1, noise: input, count: group.count, isBitExtraction: false))
      case .leastSignificantBit:
        lookups.append(Lookup(op: name, precision: 0, inputWidth: p, inputScale: Self.pow2(p), noise: input,
                              count: group.count, isBitExtraction: true))
      case .rounding(let q):
        // Mirrors Interpreter.round: per chunk of j bits from bit i, a sign bootstrap and, for
        // j > 1, a (j−1)-bit lookup, each on the value scaled by 2^(p−i−j+1); each output
        // is subtracted, adding one bootstrap's noise.
        var t = input, i = 0
        for j in RoundingSteps.chunks(dropped: max(0, p - q), chunk: bitExtractionChunk) {
          let scale = Self.pow2(p - i - j + 1)
          for _ in 0..<(j == 1 ? 1 : 2) {
            lookups.append(Lookup(op: name, precision: j - 1, inputWidth: p, inputScale: scale, noise: t,
                                  count: group.count, isBitExtraction: true))
            t = t + .bootstrapOutput
          }
          i += j
        }
        rounded = t
      }
    }
    let result: NoiseWeights
    switch cost.noiseTransfer {
    case .combination(let c): result = combine(c)
    case .largestOperand: result = largest
    case .afterRounding: result = rounded ?? largest
    case .noiseless: result = .zero
    }
    for r in op.results where r.type.isEncrypted { norms[ObjectIdentifier(r)] = result }
  }
}

/// Why a circuit's noise cannot be analyzed.
public enum NoiseAnalysisError: Error, CustomStringConvertible, Sendable {
  /// An op with encrypted results whose kind does not adopt `FHECostInterface`.
  case missingInterface(op: String, location: Location)

  public var description: String {
    switch self {
    case .missingInterface(let op, let location):
      var at = ""
      if let (file, line, col) = location.fileLineCol { at = "\(file):\(line):\(col): " }
      return "\(at)'\(op)' has encrypted results but declares no FHE cost and noise interface (FHECostInterface); its bootstraps and noise are unknown"
    }
  }
}
