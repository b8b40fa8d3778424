import Testing
import TFHE

@Suite struct RandomTests {
  @Test func chacha20BlockMatchesRFC8439Section232() {
    let key = (0..<32).map { UInt8($0) }
    let nonce: [UInt8] = [0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0]
    let expected = hexBytes(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
        + "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e")
    #expect(ChaCha20.block(key: key, counter: 1, nonce: nonce) == expected)
  }

  @Test func chacha20KeystreamMatchesRFC8439AppendixA1() {
    let expected = hexBytes(
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
        + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586")
    let zero = [UInt8](repeating: 0, count: 32)
    #expect(ChaCha20.block(key: zero, counter: 0, nonce: [UInt8](repeating: 0, count: 12)) == expected)
    // The generator's stream is that keystream read as little-endian words.
    var rng = SecureRandom(key: zero)
    let first = rng.next()
    #expect(first == (0..<8).reduce(UInt64(0)) { $0 | UInt64(expected[$1]) << (8 * UInt64($1)) })
  }

  @Test func bulkFillEqualsWordByWord() {
    var a = SecureRandom(seed: 5), b = SecureRandom(seed: 5)
    _ = a.next(); _ = b.next()
    var bulk = [UInt64](repeating: 0, count: 300)
    bulk.withUnsafeMutableBufferPointer { a.fill($0) }
    let single = (0..<300).map { _ in b.next() }
    #expect(bulk == single)
    #expect(a.next() == b.next())
  }

  @Test func osSeededGeneratorsDiffer() {
    var a = SecureRandom(), b = SecureRandom()
    #expect(a.next() != b.next())
  }

  @Test func gaussianHasRequestedStandardDeviation() {
    var rng = SecureRandom(seed: 9)
    let sigma = 1000.0
    var buffer = [UInt64](repeating: 0, count: 20000)
    buffer.withUnsafeMutableBufferPointer { rng.fillGaussian($0, stdDev: sigma) }
    let values = buffer.map { Double(Int64(bitPattern: $0)) }
    let mean = values.reduce(0, +) / Double(values.count)
    let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    #expect(abs(mean) < 30)
    #expect(abs(sd / sigma - 1) < 0.03)
  }
}
