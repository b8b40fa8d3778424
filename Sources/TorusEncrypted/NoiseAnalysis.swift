import TorusFHE
import TorusIR
import TorusInterpreter

/// The noise a value carries, as multiples of the two source variances: `fresh` times a fresh
/// encryption's (function arguments) plus `bootstrapped` times a bootstrap output's. The total
/// multiplier is the squared 2-norm of the levelled computation feeding the value (Concrete's MANP).
public struct NoiseWeights: Hashable, Sendable {
  public var fresh: Double
  public var bootstrapped: Double
  public static let zero = NoiseWeights(fresh: 0, bootstrapped: 0)
  public static let freshInput = NoiseWeights(fresh: 1, bootstrapped: 0)
  public static let bootstrapOutput = NoiseWeights(fresh: 0, bootstrapped: 1)

  public var squaredNorm: Double { fresh + bootstrapped }
  public func variance(fresh f: Double, bootstrapped b: Double) -> Double { fresh * f + bootstrapped * b }

  static func + (a: NoiseWeights, b: NoiseWeights) -> NoiseWeights {
    NoiseWeights(fresh: a.fresh + b.fresh, bootstrapped: a.bootstrapped + b.bootstrapped)
  }
  static func * (a: NoiseWeights, c: Double) -> NoiseWeights {
    NoiseWeights(fresh: a.fresh * c, bootstrapped: a.bootstrapped * c)
  }
  /// The component-wise larger of the two (a bound for ops that pick one of their operands).
  func bound(_ b: NoiseWeights) -> NoiseWeights {
    NoiseWeights(fresh: max(fresh, b.fresh), bootstrapped: max(bootstrapped, b.bootstrapped))
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

  /// Bootstrap-producing ops and how many bootstraps each output element costs.
  static let bootstrapsPerElement: [String: Int] = [
    "FHE.apply_lookup_table": 1, "FHELinalg.apply_lookup_table": 1, "FHELinalg.apply_multi_lookup_table": 1,
    "FHELinalg.apply_mapped_lookup_table": 1, "FHE.max_eint": 1, "FHE.mul_eint": 2, "FHELinalg.mul_eint": 2,
    "FHE.round": 0, "FHELinalg.round": 0, "FHE.lsb": 1, "FHELinalg.lsb": 1, "FHE.gen_gate": 1, "FHE.and": 1,
    "FHE.or": 1, "FHE.nand": 1, "FHE.xor": 1, "FHE.mux": 2, "FHELinalg.maxpool2d": 1,
    "FHELinalg.dot_eint_eint": 2, "FHELinalg.matmul_eint_eint": 2,
  ]

  /// Chunk width of exact rounding the analysis assumes (`RoundingSteps`).
  public let bitExtractionChunk: Int

  public init(function: Operation, bitExtractionChunk: Int = 1) {
    self.bitExtractionChunk = max(1, bitExtractionChunk)
    for r in function.regions {
      for b in r.blocks { for a in b.arguments where a.type.isEncrypted { norms[ObjectIdentifier(a)] = .freshInput } }
    }
    function.walk { op in visit(op) }
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

  private static func constantInts(_ v: Value) -> [Int64]? {
    guard let d = v.definingOp, d.hasTrait(.constantLike) else { return nil }
    switch d.attribute("value") {
    case .denseElements(let e)?: return e.int64Values
    case .integer?: return d.attribute("value")?.integerValue.map { [$0] }
    default: return nil
    }
  }

  /// The largest `c²` a clear operand may hold (its values when constant, its type's range otherwise).
  private static func maxSquare(_ v: Value) -> Double {
    if let vs = constantInts(v) { return vs.map { Double($0) * Double($0) }.max() ?? 0 }
    let w = (v.type.elementType ?? v.type).intOrFloatBitWidth ?? 64
    let m = Double(1 << min(w - 1, 52))
    return m * m
  }

  private mutating func visit(_ op: Operation) {
    let name = op.name.rawValue
    guard op.results.contains(where: { $0.type.isEncrypted }) else { return }
    let ins = op.operands.filter { $0.type.isEncrypted }.map { noise($0) }
    let first = ins.first ?? .freshInput
    let widest = ins.reduce(NoiseWeights.zero) { $0.bound($1) }
    let result: NoiseWeights
    if let k = Self.bootstrapsPerElement[name] {
      var rounded: NoiseWeights?
      if let input = op.operands.first, let e = input.type.encryptedElement {
        let elements = max(1, op.results[0].type.staticElementCount ?? 1)
        let p = e.width
        if name.hasSuffix("round") {
          // Mirrors Interpreter.round: per chunk of j bits from bit i, a sign bootstrap and, for
          // j > 1, a (j−1)-bit lookup, each on the value scaled by 2^(p−i−j+1); each output
          // is subtracted, adding one bootstrap's noise.
          let dropped = max(0, p - (op.results[0].type.encryptedElement?.width ?? p))
          var t = widest, i = 0
          for j in RoundingSteps.chunks(dropped: dropped, chunk: bitExtractionChunk) {
            let scale = Self.pow2(p - i - j + 1)
            for _ in 0..<(j == 1 ? 1 : 2) {
              lookups.append(Lookup(op: name, precision: j - 1, inputWidth: p, inputScale: scale, noise: t,
                                    count: elements, isBitExtraction: true))
              t = t + .bootstrapOutput
            }
            i += j
          }
          rounded = t
        } else if name.hasSuffix("lsb") {
          lookups.append(Lookup(op: name, precision: 0, inputWidth: p, inputScale: Self.pow2(p), noise: widest,
                                count: elements, isBitExtraction: true))
        } else {
          lookups.append(Lookup(op: name, precision: p, inputWidth: p, inputScale: 1, noise: widest,
                                count: k * elements, isBitExtraction: false))
        }
      }
      // max_eint adds its second operand after the lookup; mul_eint subtracts two lookups.
      if name.hasSuffix("round") {
        result = rounded ?? first
      } else if name == "FHE.max_eint" {
        result = .bootstrapOutput + (ins.last ?? .freshInput)
      } else {
        result = .bootstrapOutput * (k == 2 ? 2 : 1)
      }
    } else {
      switch name {
      case "FHE.add_eint", "FHELinalg.add_eint", "FHE.sub_eint", "FHELinalg.sub_eint":
        result = ins.reduce(.zero, +)
      case "FHE.mul_eint_int", "FHELinalg.mul_eint_int":
        result = first * Self.maxSquare(op.operands[1])
      case "FHELinalg.matmul_eint_int", "FHELinalg.dot_eint_int":
        result = first * Self.columnSquares(op.operands[1], contracting: 0)
      case "FHELinalg.matmul_int_eint":
        result = first * Self.columnSquares(op.operands[0], contracting: 1)
      case "FHELinalg.conv2d":
        result = first * Self.filterSquares(op.operands[1])
      case "FHELinalg.sum":
        let inCount = Double(op.operands[0].type.staticElementCount ?? 1)
        let outCount = Double(max(1, op.results[0].type.staticElementCount ?? 1))
        result = first * (inCount / outCount).rounded(.up)
      case "FHE.zero", "FHE.zero_tensor":
        result = .zero
      default:
        // Casts, negation, clear additions and data movement keep the largest input noise.
        result = ins.isEmpty ? .freshInput : widest
      }
    }
    for r in op.results where r.type.isEncrypted { norms[ObjectIdentifier(r)] = result }
  }

  /// max over output columns of `Σ_k w[k, n]²` (matrix `w`, contracting over `contracting`).
  private static func columnSquares(_ v: Value, contracting: Int) -> Double {
    let shape = v.type.staticShape
    guard let vs = constantInts(v), shape.count >= 1 else { return maxSquare(v) * Double(shape.first ?? 1) }
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
  private static func filterSquares(_ v: Value) -> Double {
    let shape = v.type.staticShape
    guard let vs = constantInts(v), let f = shape.first, f > 0 else {
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
