import Testing
import Foundation
import TFHE

@Suite struct BootstrapTests {
  /// Every p-bit input through a random table decrypts to the table entry.
  @Test(arguments: 1...8)
  func everyInputThroughRandomTable(_ p: Int) {
    let params = functionalParameters(p)
    let (client, server) = KeyCache.shared.keys(params)
    var rng = SecureRandom(seed: UInt64(100 + p))
    let table = (0..<(1 << p)).map { _ in Int64(rng.next() % (1 << UInt64(p))) }
    let tv = server.lookupTable(values: table, inputBits: p, outputBits: p)
    let inputs = (0..<(1 << p)).map { client.encrypt(message: Int64($0), bits: p) }
    let outputs = server.bootstrapBatch(inputs, tables: [tv])
    let decoded = outputs.map { client.decrypt($0, bits: p) }
    #expect(decoded == table, "p=\(p) with \(params)")
  }

  @Test func signedInputsUseTwosComplementTable() {
    let p = 3
    let (client, server) = KeyCache.shared.keys(.concrete(precision: p))
    // L[x mod 8] = 2x (as a signed 4-bit result, within range for x in -4...3 after mod 2^(q+1))
    let values: [Int64] = [0, 2, 4, 6, -8, -6, -4, -2]
    let tv = server.lookupTable(values: values, inputBits: p, outputBits: 4, signed: true)
    let xs: [Int64] = [-4, -3, -2, -1, 0, 1, 2, 3]
    let outs = server.bootstrapBatch(xs.map { client.encrypt(message: $0, bits: p) }, tables: [tv])
    #expect(outs.map { client.decrypt($0, bits: 4, signed: true) } == xs.map { 2 * $0 })
  }

  @Test func paddingBitGivesNegatedEntry() {
    let p = 2
    let (client, server) = KeyCache.shared.keys(.concrete(precision: p))
    let tv = server.lookupTable(values: [1, 2, 3, 1], inputBits: p, outputBits: p)
    // input 5 = 4 + 1: padding bit set -> -L[1] = -2 ≡ 6 mod 8
    let out = server.programmableBootstrap(client.encrypt(message: 5, bits: p), testPolynomial: tv)
    #expect(client.decrypt(out, bits: p) == 6)
  }

  @Test func bitExtractionWithConstantPolynomial() {
    // lsb of a 3-bit message to width 3 (fhe-dialects §0.7): multiply by 2^(p-0), add 2^62,
    // bootstrap with constant -2^(62-w), add 2^(62-w).
    let p = 3, w = 3
    let (client, server) = KeyCache.shared.keys(.concrete(precision: p))
    let tv = TestPolynomial.constant(0 &- (1 << UInt64(62 - w)), polynomialSize: server.parameters.polynomialSize)
    for m in [Int64(2), 5] {
      let shifted = client.encrypt(message: m, bits: p).multiplied(by: 1 << Int64(p)).adding(plaintext: 1 << 62)
      let bit = server.programmableBootstrap(shifted, testPolynomial: tv).adding(plaintext: 1 << UInt64(62 - w))
      #expect(client.decrypt(bit, bits: w) == m & 1)
    }
  }

  @Test func batchResultsDoNotDependOnThreadCount() {
    let p = 4
    let (client, server) = KeyCache.shared.keys(.insecureTest(precision: p))
    let tvs = [server.lookupTable(values: (0..<16).map { Int64($0 ^ 5) }, inputBits: p, outputBits: p),
               server.lookupTable(values: (0..<16).map { Int64(15 - $0) }, inputBits: p, outputBits: p)]
    let inputs = (0..<6).map { client.encrypt(message: Int64($0 * 2), bits: p) }
    let which = [0, 1, 0, 1, 1, 0]
    let one = server.bootstrapBatch(inputs, tables: tvs, tableIndex: which, threads: 1)
    let many = server.bootstrapBatch(inputs, tables: tvs, tableIndex: which, threads: 3)
    #expect(one == many)
    let seq = inputs.indices.map { server.programmableBootstrap(inputs[$0], testPolynomial: tvs[which[$0]]) }
    #expect(seq == one)
    let decoded: [Int64] = one.map { client.decrypt($0, bits: p) }
    var expected: [Int64] = []
    for i in 0..<6 { expected.append(which[i] == 0 ? Int64((i * 2) ^ 5) : Int64(15 - i * 2)) }
    #expect(decoded == expected)
  }
}

@Suite struct ConcurrencyTests {
  @Test func concurrentCallsMatchSequentialOnes() {
    let p = 3
    let (client, server) = KeyCache.shared.keys(.insecureTest(precision: p))
    let tv = server.lookupTable(values: (0..<8).map { Int64(7 - $0) }, inputBits: p, outputBits: p)
    let inputs = (0..<8).map { client.encrypt(message: Int64($0), bits: p) }
    let expected = inputs.map { server.programmableBootstrap($0, testPolynomial: tv) }
    let results = ResultBox(count: inputs.count)
    DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
      results.set(i, server.programmableBootstrap(inputs[i], testPolynomial: tv))
    }
    #expect(results.values == expected)
  }

  @Test func groupedKeySwitchEqualsSingleOnes() {
    let (client, server) = KeyCache.shared.keys(.insecureTest(precision: 2))
    let inputs = (0..<5).map { client.encrypt(message: Int64($0), bits: 2) }
    #expect(server.keySwitchingKey.keySwitchMany(inputs) == inputs.map { server.keySwitch($0) })
  }
}

final class ResultBox: @unchecked Sendable {
  private var slots: [LweCiphertext?]  // guarded by lock
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ v: LweCiphertext) { lock.lock(); slots[i] = v; lock.unlock() }
  var values: [LweCiphertext] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
