import Foundation
import Testing
import TFHE

/// Wide lookups (bit extraction → circuit bootstrapping → vertical packing) on a small insecure
/// set: the same code paths as Concrete's WoP-PBS sets at a fraction of the work.
@Suite struct WideLookupTests {
  /// n = 32, k = 1, N = 256 (insecure). The GLWE noise is low so that the GGSW rows made from
  /// bootstrap outputs keep vertical packing's output far inside an 8-bit half slot.
  static let classic = ParameterSet(
    precision: 1, lweDimension: 32, glweDimension: 1, polynomialSize: 256,
    pbsBaseLog: 15, pbsLevel: 3, ksBaseLog: 6, ksLevel: 5,
    glweNoiseVariance: 0x1p-120, lweNoiseVariance: 0x1p-70, source: "insecure wide-lookup test set (n = 32)")
  static let wide = WideLookupParameters(
    packingBaseLog: 18, packingLevel: 2, packingNoiseVariance: 0x1p-120, circuitBootstrapBaseLog: 10, circuitBootstrapLevel: 2)

  static let keys: (ClientKey, WideLookupKey) = {
    var rng = SecureRandom(seed: 0x5749_4445)
    let client = ClientKey(parameters: classic, using: &rng)
    let server = client.makeServerKey(using: &rng)
    return (client, client.makeWideLookupKey(server: server, parameters: wide, using: &rng))
  }()

  /// Distance of a torus word to `expected` (as a signed integer).
  func error(_ phase: UInt64, _ expected: UInt64) -> Double { abs(Double(Int64(bitPattern: phase &- expected))) }

  /// The packing key switch is an exact product `digits × key` modulo 2^64 (split limbs, sums
  /// flushed before doubles lose bits): checked against plain wrapping integer arithmetic on a
  /// random key, with a base whose sums must be flushed many times (2^18) and Concrete's (2^14).
  @Test(arguments: [(14, 3), (18, 3), (16, 2)])
  func packingKeySwitchIsExactModulo2To64(baseLog: Int, levels: Int) {
    let k = 1, n = 64, inputs = k * n + 1, words = (k + 1) * n
    var rng = SecureRandom(seed: UInt64(baseLog * 10 + levels))
    let data = (0..<inputs * levels * words).map { _ in UInt64.random(in: .min ... .max, using: &rng) }
    let key = PackingKeySwitchingKey(
      inputLweDimension: LweDimension(k * n), glweDimension: GlweDimension(k), polynomialSize: PolynomialSize(n),
      baseLog: DecompositionBaseLog(baseLog), levelCount: DecompositionLevelCount(levels), data: data)
    let input = LweCiphertext(storage: (0..<inputs).map { _ in UInt64.random(in: .min ... .max, using: &rng) })
    /// Signed digits of the closest multiple of 2^(64 − β·ℓ), most significant level first, in
    /// [−B/2, B/2]: a digit of B/2 carries when the next digit's top bit is set.
    func digits(_ x: UInt64) -> [Int64] {
      let shift = UInt64(64 - baseLog * levels), half = UInt64(1) << UInt64(baseLog - 1)
      var rest = ((x >> (shift - 1)) &+ 1) >> 1
      var out = [Int64](repeating: 0, count: levels)
      for level in stride(from: levels, through: 1, by: -1) {
        let t = rest & ((1 << UInt64(baseLog)) - 1)
        rest >>= UInt64(baseLog)
        let carry: UInt64 = t > half || (t == half && rest & half != 0) ? 1 : 0
        rest &+= carry
        out[level - 1] = Int64(bitPattern: t) - Int64(bitPattern: carry << UInt64(baseLog))
      }
      #expect(out.allSatisfy { abs($0) <= Int64(half) })
      return out
    }
    var expected = [UInt64](repeating: 0, count: words)
    for i in 0..<inputs {
      for (level, d) in digits(input.storage[i]).enumerated() {
        let row = (i * levels + level) * words
        for j in 0..<words { expected[j] = expected[j] &+ UInt64(bitPattern: d) &* data[row + j] }
      }
    }
    #expect(key.pack(input).storage == expected)
  }

  /// The packing key switch makes the body row (the constant `φ`), the scheme switch a mask row
  /// (`−S·φ`) from it; also from a body that is not constant (the switch multiplies any phase).
  @Test func packingAndSchemeSwitchMakeTheRows() {
    let (client, key) = Self.keys
    let phase: UInt64 = 0x1234_5678_9abc_def0
    let input = client.encrypt(phase: phase)
    let n = Self.classic.polynomialSize.rawValue
    let bodyRow = key.packing.pack(input)
    let body = client.glweKey.decryptPhase(bodyRow)
    #expect(error(body[0], phase) < 0x1p40)
    #expect((1..<n).allSatisfy { error(body[$0], 0) < 0x1p40 })
    let mask = client.glweKey.decryptPhase(key.schemeSwitching.maskRow(bodyRow, component: 0))
    let expected = (0..<n).map { client.glweKey.bits[$0] == 1 ? 0 &- phase : 0 }
    #expect((0..<n).allSatisfy { error(mask[$0], expected[$0]) < 0x1p44 })
    // A GLWE of X·φ (the body row rotated): −S·X·φ, i.e. coefficient j is −S[j−1]·φ (−S[N−1] wraps to +).
    var rotated = bodyRow.storage
    for c in 0...Self.classic.glweDimension.rawValue {
      let poly = Array(rotated[(c * n)..<((c + 1) * n)])
      rotated[c * n] = 0 &- poly[n - 1]
      for j in 1..<n { rotated[c * n + j] = poly[j - 1] }
    }
    let shifted = GlweCiphertext(storage: rotated, glweDimension: Self.classic.glweDimension, polynomialSize: Self.classic.polynomialSize)
    let product = client.glweKey.decryptPhase(key.schemeSwitching.maskRow(shifted, component: 0))
    let bits = client.glweKey.bits
    let expectedShifted = (0..<n).map { j -> UInt64 in
      j == 0 ? (bits[n - 1] == 1 ? phase : 0) : (bits[j - 1] == 1 ? 0 &- phase : 0)
    }
    #expect((0..<n).allSatisfy { error(product[$0], expectedShifted[$0]) < 0x1p44 })
  }

  @Test func circuitBootstrapGivesAGgswOfTheBit() {
    // A one-bit table through vertical packing is one CMux: it selects entry `bit`.
    let (client, key) = Self.keys
    let table: [UInt64] = [3 << 59, 11 << 59]
    for bit in [Int64(0), 1, 1, 0] {
      let ggsw = key.bitsAsGgsw(client.encrypt(message: bit, bits: 1), bits: 1)
      #expect(ggsw.count == 1)
      let out = key.verticalPacking(table, bits: ggsw)
      #expect(client.decrypt(out, bits: 4) == (bit == 0 ? 3 : 11))
    }
  }

  /// 10 bits with N = 256: a CMux tree over the top two bits, then 8 rotation steps.
  @Test func tenBitLookupSelectsTheEntry() {
    let (client, key) = Self.keys
    var rng = SecureRandom(seed: 10)
    let values = (0..<1024).map { _ in Int64(rng.next() % 16) }
    let table = values.map { UInt64($0) << 59 }
    for x in [Int64(0), 1, 255, 256, 513, 1023, Int64(rng.next() % 1024), Int64(rng.next() % 1024)] {
      let out = key.lookup(client.encrypt(message: x, bits: 10), inputBits: 10, outputPhases: table)
      #expect(client.decrypt(out, bits: 4) == values[Int(x)], "x = \(x)")
    }
  }

  /// 16 bits: 256 table slices, a 255-CMux tree.
  @Test func sixteenBitLookup() {
    let (client, key) = Self.keys
    let values = (0..<(1 << 16)).map { Int64(($0 * 7 + ($0 >> 9)) % 251) }
    let table = values.map { UInt64($0) << 55 }
    for x in [Int64(0), 40_000, 65_535] {
      let out = key.lookup(client.encrypt(message: x, bits: 16), inputBits: 16, outputPhases: table)
      #expect(client.decrypt(out, bits: 8) == values[Int(x)], "x = \(x)")
    }
  }

  /// A signed message is looked up by its two's-complement low bits.
  @Test func signedInputReadsTwosComplementIndex() {
    let (client, key) = Self.keys
    let w = 9
    let table = (0..<(1 << w)).map { UInt64($0 % 13) << 59 }
    for x in [Int64(-256), -1, -77, 100] {
      let index = Int(x) & ((1 << w) - 1)
      let out = key.lookup(client.encrypt(message: x, bits: w), inputBits: w, outputPhases: table)
      #expect(client.decrypt(out, bits: 4) == Int64(index % 13), "x = \(x)")
    }
  }

  /// The input of a wide lookup is usually a sum of bootstrap outputs: noise times a 2-norm.
  @Test func lookupAfterLevelledSum() {
    let (client, key) = Self.keys
    let w = 11
    let a = client.encrypt(message: 700, bits: w), b = client.encrypt(message: 300, bits: w)
    let sum = a.multiplied(by: 2) + b  // 1700
    let table = (0..<(1 << w)).map { UInt64($0 >> 7) << 59 }
    #expect(client.decrypt(key.lookup(sum, inputBits: w, outputPhases: table), bits: 4) == 1700 >> 7)
  }

  /// Clean first decisions (`cleanDecisionScaleLog`): a plain one-bit bootstrap, margin 1/4,
  /// before the multi-value one (margin 1/(4(ℓ_cb+1)) = 1/12 here). An input with σ = 2^−14 has
  /// its lowest bit read at σ = 2^−4: the model gives one decision in six wrong without, under
  /// 10^−3 per lookup with; the lookups select the right entries.
  @Test func cleanDecisionsTolerateNoisierInputs() {
    let (client, key) = Self.keys
    var clean = Self.wide
    clean.cleanDecisionScaleLog = 3
    #expect(clean.cleanDecisions(bits: 10) == 8 && Self.wide.cleanDecisions(bits: 10) == 0)
    let cleanKey = WideLookupKey(server: key.server, packing: key.packing, schemeSwitching: key.schemeSwitching, parameters: clean)
    let variance = 0x1p-28
    let plain = WideLookupNoise(classic: Self.classic, wide: Self.wide).errorProbability(inputVariance: variance, bits: 10)
    let withClean = WideLookupNoise(classic: Self.classic, wide: clean).errorProbability(inputVariance: variance, bits: 10)
    #expect(plain > 0.1 && withClean < 1e-3, "\(plain) \(withClean)")
    #expect(WideLookupNoise(classic: Self.classic, wide: clean).bootstraps(bits: 10) == 18)
    var rng = SecureRandom(seed: 14)
    let table = (0..<1024).map { UInt64($0 % 16) << 59 }
    for x in [0, 1, 513, 1023, 700] {
      let input = client.bigLweKey.encrypt(phase: UInt64(x) << 53, noiseStdDev: 0x1p50, using: &rng)
      #expect(client.decrypt(cleanKey.lookup(input, inputBits: 10, outputPhases: table), bits: 4) == Int64(x % 16), "x = \(x)")
    }
  }

  /// `lookupBatch` runs groups of bit extractions in lockstep (`bitLevelsMany`): every result,
  /// with two tables, clean first decisions and either thread count, is bit-for-bit the lone
  /// `lookup` of its input.
  @Test func batchedLookupsEqualLoneLookups() {
    let (client, stored) = Self.keys
    var parameters = Self.wide
    parameters.cleanDecisionScaleLog = 8
    let key = WideLookupKey(server: stored.server, packing: stored.packing, schemeSwitching: stored.schemeSwitching, parameters: parameters)
    let w = 9
    let first: [UInt64] = (0..<(1 << w)).map { UInt64($0 % 16) << 59 }
    let second: [UInt64] = (0..<(1 << w)).map { UInt64(($0 * 5) % 16) << 59 }
    let tables = [first, second]
    let messages: [Int64] = [0, 511, 256, 77, 300]
    let inputs = messages.map { client.encrypt(message: $0, bits: w) }
    let selectors = [0, 1, 1, 0, 1]
    let lone = inputs.indices.map { key.lookup(inputs[$0], inputBits: w, outputPhases: tables[selectors[$0]]) }
    for threads in [1, 2] {
      let batch = key.lookupBatch(inputs, inputBits: w, tables: tables, tableIndex: selectors, threads: threads)
      let same = zip(batch, lone).allSatisfy { $0.storage == $1.storage }
      #expect(batch.count == lone.count && same, "threads = \(threads)")
    }
    for (i, m) in messages.enumerated() {
      let expected: Int64 = selectors[i] == 0 ? m % 16 : (m * 5) % 16
      #expect(client.decrypt(lone[i], bits: 4) == expected, "x = \(m)")
    }
  }

  /// Wide-lookup keys survive a file round trip; truncated, altered or foreign files are refused.
  @Test func keyFilesRoundTripAndRejectDamage() throws {
    let (client, stored) = Self.keys
    var parameters = stored.parameters
    parameters.cleanDecisionScaleLog = 7
    let key = WideLookupKey(server: stored.server, packing: stored.packing, schemeSwitching: stored.schemeSwitching, parameters: parameters)
    let bytes = key.serialized()
    #expect(bytes.count == WideLookupKey.serializedSize(parameters: key.server.parameters, wide: key.parameters))
    let read = try WideLookupKey(serialized: bytes, server: key.server)
    #expect(read.parameters == key.parameters)
    #expect(read.packing.data == key.packing.data)
    #expect(read.schemeSwitching.data == key.schemeSwitching.data)
    let table = (0..<1024).map { UInt64($0 % 16) << 59 }
    #expect(client.decrypt(read.lookup(client.encrypt(message: 999, bits: 10), inputBits: 10, outputPhases: table), bits: 4) == 999 % 16)
    #expect(throws: TFHEFormatError.self) { try WideLookupKey(serialized: Array(bytes.dropLast(9)), server: key.server) }
    var altered = bytes
    altered[200] ^= 1
    #expect(throws: TFHEFormatError.self) { try WideLookupKey(serialized: altered, server: key.server) }
    var rng = SecureRandom(seed: 3)
    let other = ClientKey(parameters: .insecureTest(precision: 2), using: &rng).makeServerKey(using: &rng)
    #expect(throws: TFHEFormatError.self) { try WideLookupKey(serialized: bytes, server: other) }
    #expect(throws: TFHEFormatError.self) { try ServerKey(serialized: bytes) }
    // A file of format version 1 (a packing key per GGSW row) is refused with a message saying
    // to generate the keys again, before its payload is read.
    var versionOne = bytes
    versionOne[4] = 1; versionOne[5] = 0
    #expect { try WideLookupKey(serialized: versionOne, server: key.server) } throws: { error in
      "\(error)".contains("format version 1") && "\(error)".contains("torus keygen")
    }
    #expect(throws: TFHEFormatError.self) { try TFHEFileHeader(prefix: versionOne) }
  }
}
