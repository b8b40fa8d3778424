import Dispatch
import Foundation

/// Values carried in residues (CRT): an integer `x` is one LWE ciphertext per modulus `m_i`, of
/// phase `round((x mod m_i)·2^64/m_i)`. Integer linear maps act on each residue alone and wrap
/// modulo `m_i` exactly (the torus wraps; the rounding of `2^64/m_i` adds at most a few units per
/// term, far below the noise), so sums never overflow into a neighbour: what limits a native
/// wide value, a 14-bit message with the noise of a 2-norm-145 sum of lookup outputs in front of
/// it, becomes a 4–5-bit residue with the same absolute noise (2^9 times the room).
///
/// An odd residue is read by a full-domain bootstrap (`TestPolynomial.oddModulus`) with no padding
/// bit; a residue modulo a power of two (at most one: the moduli are pairwise coprime) directly by
/// bit extraction (its top bit is the torus's top bit). Residues determine `x` modulo the product.
public struct CrtEncoding: Hashable, Sendable, CustomStringConvertible {
  public let moduli: [Int]
  /// Lookups of at most this many bits may read the power-of-two modulus; wider ones read odd
  /// moduli only (a direct read scales the residue's noise by up to `2^(k−1)`).
  public let directReadMaxBits: Int

  /// Pairwise coprime moduli in the order plans take them: the product of the first `j` covers
  /// 5, 9.1, 13.0, 16.7, 20.2, 23.0, 27.2, 31.7 bits. 32 is read without a conversion, but bit
  /// by bit, its low bits scaled up with their noise; plans also try `oddPool` for noisy inputs.
  public static let pool = [32, 17, 15, 13, 11, 7, 19, 23]
  /// Odd moduli only (products of prefixes: 4.1, 8.0, 11.7, 15.2, 18.0, 22.2, 26.7 bits).
  public static let oddPool = [17, 15, 13, 11, 7, 19, 23]

  public init(moduli: [Int], directReadMaxBits: Int = 64) {
    precondition(!moduli.isEmpty, "a CRT encoding needs at least one modulus")
    for (i, m) in moduli.enumerated() {
      precondition(m >= 3 && m <= Self.largestModulus && (m % 2 == 1 || Self.isPowerOfTwo(m)),
                   "CRT moduli are odd or powers of two, 3...\(Self.largestModulus), got \(m)")
      for other in moduli[..<i] { precondition(Self.gcd(m, other) == 1, "CRT moduli \(other) and \(m) are not coprime") }
    }
    self.moduli = moduli
    self.directReadMaxBits = directReadMaxBits
  }

  /// The encoding if `moduli` and `directReadMaxBits` are valid (what the initializer requires),
  /// for values read from files.
  public init?(validating moduli: [Int], directReadMaxBits: Int) {
    guard !moduli.isEmpty, (0...64).contains(directReadMaxBits) else { return nil }
    for (i, m) in moduli.enumerated() {
      guard m >= 3, m <= Self.largestModulus, m % 2 == 1 || Self.isPowerOfTwo(m) else { return nil }
      for other in moduli[..<i] where Self.gcd(m, other) != 1 { return nil }
    }
    self.init(moduli: moduli, directReadMaxBits: directReadMaxBits)
  }

  /// The shortest prefix of `pool` whose product reaches `2^bits` (nil if all of it falls short).
  public init?(coveringBits bits: Int, pool: [Int] = CrtEncoding.pool) {
    var product = 1, chosen: [Int] = []
    for m in pool where product < 1 << bits {
      chosen.append(m)
      product *= m
    }
    guard product >= 1 << bits else { return nil }
    self.init(moduli: chosen)
  }

  /// A full-domain bootstrap reads `2m` points on the torus; 31 keeps the decision margin
  /// `1/(4m)` above 2^−7 (a power of two up to 32 is read bit by bit).
  public static let largestModulus = 32

  /// Whether residues modulo `m` are read by bit extraction alone (no conversion bootstrap).
  public static func isPowerOfTwo(_ m: Int) -> Bool { m & (m - 1) == 0 }

  public var description: String {
    let direct = moduli.contains(where: Self.isPowerOfTwo) && directReadMaxBits < 64
      ? ", \(moduli.first(where: Self.isPowerOfTwo)!) read by lookups up to \(directReadMaxBits) bits" : ""
    return "CRT " + moduli.map(String.init).joined(separator: "·") + direct
  }

  /// Bits of the native value a residue mod `m` is converted to before its bits are extracted.
  public static func bits(_ m: Int) -> Int {
    var k = 0
    while 1 << k < m { k += 1 }
    return k
  }

  /// Indices of the moduli a `w`-bit lookup reads: the subset whose product reaches `2^w` with
  /// the fewest blind rotations (`bits(m)` per modulus, plus a conversion for an odd one); nil
  /// when all of them fall short.
  public func moduliIndices(forBits w: Int) -> [Int]? {
    var best: (cost: Int, indices: [Int])?
    for mask in 1..<(1 << moduli.count) {
      if w > directReadMaxBits, moduli.indices.contains(where: { mask & (1 << $0) != 0 && Self.isPowerOfTwo(moduli[$0]) }) { continue }
      var product = 1, cost = 0, indices: [Int] = []
      for i in moduli.indices where mask & (1 << i) != 0 {
        product *= moduli[i]
        cost += (Self.isPowerOfTwo(moduli[i]) ? 0 : 1) + Self.bits(moduli[i])
        indices.append(i)
      }
      if product >= 1 << w, best.map({ cost < $0.cost }) ?? true { best = (cost, indices) }
    }
    return best?.indices
  }

  /// The moduli a `w`-bit lookup (or result) reads (`moduliIndices`); all of them when no subset
  /// covers `w` bits.
  public func moduliRead(forBits w: Int) -> [Int] {
    (moduliIndices(forBits: w) ?? Array(moduli.indices)).map { moduli[$0] }
  }

  /// `round(r·2^64/m)` for `0 ≤ r < m`.
  public static func phase(residue r: Int, modulus m: Int) -> UInt64 {
    precondition(r >= 0 && r < m, "residue \(r) outside 0..<\(m)")
    let (q, rem) = UInt64(m).dividingFullWidth((high: UInt64(r), low: 0))
    return rem >= UInt64(m) - rem ? q &+ 1 : q
  }

  /// The residue whose phase is nearest to `t`.
  public static func residue(phase t: UInt64, modulus m: Int) -> Int {
    let product = t.multipliedFullWidth(by: UInt64(m))
    // round(t·m/2^64): the high word, plus one if the low word is at least half.
    return Int((product.high &+ (product.low >> 63)) % UInt64(m))
  }

  /// `x mod m` in `0..<m`.
  public static func reduce(_ x: Int64, modulus m: Int) -> Int {
    let r = Int(x % Int64(m))
    return r < 0 ? r + m : r
  }

  /// The value with the given residues, `P` the product of the moduli at `indices`: in
  /// `[−P/2, P/2)` when `signed`, else in `[0, P)` (an unsigned `w`-bit value with `P ≥ 2^w` may
  /// lie above `P/2`).
  public func value(residues: [Int], indices: [Int], signed: Bool) -> Int64 {
    let x = centeredValue(residues: residues, indices: indices)
    if signed || x >= 0 { return x }
    return x + Int64(indices.reduce(1) { $0 * moduli[$1] })
  }

  /// The value in `[−P/2, P/2)` with the given residues, `P` the product of the moduli at `indices`.
  public func centeredValue(residues: [Int], indices: [Int]) -> Int64 {
    precondition(residues.count == indices.count, "one residue per modulus")
    var x = 0, product = 1
    for (r, i) in zip(residues, indices) {
      // Garner: find t with x + product·t ≡ r (mod m).
      let m = moduli[i]
      let inverse = Self.inverse(product % m, modulus: m)
      let t = ((r - x % m) % m + m) % m * inverse % m
      x += product * t
      product *= m
    }
    return Int64(x >= (product + 1) / 2 ? x - product : x)
  }

  static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

  static func inverse(_ a: Int, modulus m: Int) -> Int {
    for x in 1..<m where a * x % m == 1 { return x }
    return m == 1 ? 0 : 1
  }
}

extension TestPolynomial {
  /// A full-domain table for a residue modulo an odd `m` (phase `r·2^64/m`, no padding bit):
  /// `outputPhases[r]` for each `r`. A blind rotation reads position `μ` of the `2N` grid as
  /// coefficient `μ` (`μ < N`) or its negation (`μ ≥ N`); the `m` message points `2N·r/m` fold onto
  /// `N` coefficients without colliding (the antipode of `r/m` is halfway between two points, as
  /// `m` is odd), so each coefficient takes the output of the nearest point, first or second half.
  /// The decision margin is a quarter of the spacing: `1/(4m)` of the torus.
  public static func oddModulus(_ m: Int, outputPhases: [UInt64], polynomialSize: PolynomialSize) -> TestPolynomial {
    precondition(m >= 3 && m % 2 == 1, "full-domain tables take an odd modulus, got \(m)")
    precondition(outputPhases.count == m, "a table modulo \(m) has \(m) entries, got \(outputPhases.count)")
    let n = polynomialSize.rawValue
    precondition(n >= 2 * m, "polynomial size \(n) too small for residues modulo \(m)")
    var c = [UInt64](repeating: 0, count: n)
    for mu in 0..<n {
      // Distance (in units of 1/(2N·m)) from position μ and μ+N to the nearest message point.
      func nearest(_ position: Int) -> (residue: Int, distance: Int) {
        let scaled = position * m  // point r sits at scaled = 2N·r
        let r = (scaled + n) / (2 * n)
        return (r % m, abs(scaled - r * 2 * n))
      }
      let first = nearest(mu), second = nearest(mu + n)
      c[mu] = first.distance <= second.distance ? outputPhases[first.residue] : 0 &- outputPhases[second.residue]
    }
    return TestPolynomial(coefficients: c)
  }
}

extension WideLookupKey {
  /// Lookups on CRT values (`CrtEncoding`). `inputs[e]` holds element `e`'s residues for the
  /// moduli at `readIndices` (in that order). Each odd residue is converted by one full-domain
  /// bootstrap to a native `bits(m)`-bit message, whose bits are extracted and circuit-bootstrapped
  /// as for a native wide lookup (a power-of-two residue's bits are extracted directly); vertical packing over all of them (residue `j`'s bits after
  /// residue `j−1`'s) then reads one table per output modulus. `entryIndex[a]` is the table entry
  /// for packed address `a` (`−1`: residues no value has); `tables[tableIndex[e]]` holds the
  /// output integers, reduced here modulo each output modulus.
  /// The result of element `e` has one residue per modulus of `encoding`.
  public func crtLookupBatch(_ inputs: [[LweCiphertext]], encoding: CrtEncoding, readIndices: [Int], entryIndex: [Int32],
                             tables: [[Int64]], tableIndex: [Int]? = nil, threads: Int = defaultThreadCount,
                             finished: (@Sendable () -> Void)? = nil) -> [[LweCiphertext]] {
    let bits = readIndices.map { CrtEncoding.bits(encoding.moduli[$0]) }
    let totalBits = bits.reduce(0, +)
    precondition(totalBits <= 24, "CRT lookups read at most 24 bits, got \(totalBits)")
    precondition(entryIndex.count == 1 << totalBits, "the address map has \(entryIndex.count) entries, \(1 << totalBits) expected")
    precondition(inputs.allSatisfy { $0.count == readIndices.count }, "one residue per read modulus")
    precondition(!tables.isEmpty || inputs.isEmpty, "crtLookupBatch needs at least one table")
    let n = server.parameters.polynomialSize
    // Residue r → r·2^(63−k): a native k-bit message under one padding bit.
    let conversions = zip(readIndices, bits).map { i, k -> TestPolynomial? in
      let m = encoding.moduli[i]
      if CrtEncoding.isPowerOfTwo(m) { return nil }
      return TestPolynomial.oddModulus(m, outputPhases: (0..<m).map { UInt64($0) << UInt64(63 - k) }, polynomialSize: n)
    }
    let count = inputs.count
    if count == 0 { return [] }
    let workers = max(1, min(threads, count))
    let group = max(1, min(Self.groupSize, (count + workers - 1) / workers))
    let groups = (count + group - 1) / group
    let slots = UnsafeMutableBufferPointer<[LweCiphertext]>.allocate(capacity: count)
    defer { slots.deallocate() }
    let out = SharedPointer(base: slots.baseAddress!)
    let next = WorkCounter()
    let bsk = server.bootstrapKey, ksk = server.keySwitchingKey
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let scratches = (0..<group).map { _ in bsk.makeScratch() }
      while true {
        let g = next.take()
        if g >= groups { break }
        let range = (g * group)..<min(count, (g + 1) * group)
        var levels = [[LweCiphertext]](repeating: [], count: range.count)
        for (j, k) in bits.enumerated() {
          let read: [[LweCiphertext]]
          if let conversion = conversions[j] {
            bsk.blindRotateMany(ksk.keySwitchMany(range.map { inputs[$0][j] }),
                                testPolynomials: [TestPolynomial](repeating: conversion, count: range.count), scratches: scratches)
            let native = (0..<range.count).map { bsk.sampleExtract(scratches[$0], coefficient: 0) }
            read = bitLevelsMany(native, bits: k, scratches: scratches)
          } else {
            read = bitLevelsMany(range.map { inputs[$0][j] }, bits: k, lsbPosition: 64 - k, scratches: scratches)
          }
          for b in 0..<range.count { levels[b] += read[b] }
        }
        for (b, e) in range.enumerated() {
          let ggsws = circuitBootstrap(levels: levels[b], bits: totalBits)
          let table = tables[tableIndex?[e] ?? 0]
          let residues = encoding.moduli.map { m in
            verticalPacking(entryIndex.map { $0 < 0 ? 0 : CrtEncoding.phase(residue: CrtEncoding.reduce(table[Int($0)], modulus: m), modulus: m) },
                            bits: ggsws)
          }
          (out.base + e).initialize(to: residues)
          finished?()
        }
      }
    }
    let result = Array(slots)
    _ = slots.baseAddress!.deinitialize(count: count)
    return result
  }

  /// Blind rotations of a CRT lookup reading the moduli `moduli` (`WideLookupNoise.crtBootstraps`).
  public func crtBootstraps(moduli: [Int]) -> Int {
    WideLookupNoise(classic: server.parameters, wide: parameters).crtBootstraps(moduli: moduli)
  }

  /// The packed-address map of `crtLookupBatch` for a `w`-bit table (`signed`: read by two's
  /// complement): address `a` holds residue `j` in bits `offset_j ..< offset_j + bits(m_j)`;
  /// its value is the CRT value of those residues (`CrtEncoding.value`), and the entry its `w`
  /// low bits.
  public static func crtEntryIndex(encoding: CrtEncoding, readIndices: [Int], inputBits w: Int, signed: Bool) -> [Int32] {
    let bits = readIndices.map { CrtEncoding.bits(encoding.moduli[$0]) }
    let total = bits.reduce(0, +)
    var map = [Int32](repeating: -1, count: 1 << total)
    var residues = [Int](repeating: 0, count: readIndices.count)
    outer: for a in 0..<(1 << total) {
      var shift = 0
      for (j, k) in bits.enumerated() {
        let r = (a >> shift) & ((1 << k) - 1)
        if r >= encoding.moduli[readIndices[j]] { continue outer }
        residues[j] = r
        shift += k
      }
      let x = encoding.value(residues: residues, indices: readIndices, signed: signed)
      map[a] = Int32(truncatingIfNeeded: x & ((1 << Int64(w)) - 1))
    }
    return map
  }
}

extension WideLookupNoise {
  /// Blind rotations of a CRT lookup reading `moduli`: per residue its bits (`bootstraps(bits:)`)
  /// and, for an odd modulus, a conversion.
  public func crtBootstraps(moduli: [Int]) -> Int {
    moduli.reduce(0) { $0 + (CrtEncoding.isPowerOfTwo($1) ? 0 : 1) + bootstraps(bits: CrtEncoding.bits($1)) }
  }

  /// Probability that a CRT lookup reading `moduli` goes wrong when each residue carries
  /// `inputVariance`: a conversion decides among `2m` points (margin `1/(4m)`), then the bits of
  /// the converted native value (a bootstrap output) are extracted.
  public func crtErrorProbability(inputVariance v: Double, moduli: [Int]) -> Double {
    let model = NoiseModel(classic)
    let sigma = model.decisionVariance(inputVariance: v).squareRoot()
    var p = 0.0
    for m in moduli {
      if CrtEncoding.isPowerOfTwo(m) {
        // Read directly: bit i is scaled by 2^(k−1−i), a quarter of the native variance scaling.
        p += errorProbability(inputVariance: v / 4, bits: CrtEncoding.bits(m))
        continue
      }
      p += erfc(1 / (4 * Double(m)) / (sigma * 2.0.squareRoot()))
      p += errorProbability(inputVariance: 1.7 * model.bootstrapVariance, bits: CrtEncoding.bits(m))
    }
    return min(p, 1)
  }

  /// Estimated single-core milliseconds of a CRT lookup reading `moduli` and writing `outputs`
  /// residues: the blind rotations, the circuit bootstrapping of all bits read (as
  /// `milliseconds(bits:)`), and a vertical packing per output residue, each external product
  /// costing `(k+1)(ℓ_cb+1)` transforms.
  public func crtMilliseconds(moduli: [Int], outputs: Int, blindRotationMilliseconds br: Double) -> Double {
    let bits = moduli.reduce(0) { $0 + CrtEncoding.bits($1) }
    let logN = classic.polynomialSize.log2, n = Double(classic.polynomialSize.rawValue)
    let circuitBootstrap = milliseconds(bits: bits, blindRotationMilliseconds: br) - Double(bootstraps(bits: bits)) * br
    let products = Double((bits > logN ? (1 << (bits - logN)) - 1 : 0) + min(bits, logN))
    let transformMs = 1.7e-3 * n * log2(n) / (1024 * 10)
    let packing = Double(outputs) * products * Double(classic.glweDimension.glweSize) * Double(wide.circuitBootstrapLevel.rawValue + 1) * transformMs
    return Double(crtBootstraps(moduli: moduli)) * br + circuitBootstrap + packing
  }
}
