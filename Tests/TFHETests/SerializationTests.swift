import Testing
import TFHE

@Suite struct SerializationTests {
  let params = ParameterSet.insecureTest(precision: 2)

  @Test func clientKeyRoundTrips() throws {
    let (client, _) = KeyCache.shared.keys(params)
    let back = try ClientKey(serialized: client.serialized(), expecting: params)
    #expect(back.glweKey == client.glweKey && back.lweKey == client.lweKey)
    #expect(back.parameters == params)
  }

  @Test func evaluationKeysRoundTripAndStillBootstrap() throws {
    let (client, server) = KeyCache.shared.keys(params)
    let bytes = server.serialized()
    // Header (24) + parameters (48) + keys + checksum (8): nothing else, so no secret material.
    #expect(bytes.count == 24 + 48 + params.bootstrapKeyBytes + params.keySwitchingKeyBytes + 8)
    let back = try ServerKey(serialized: bytes)
    #expect(back.bootstrapKey.data == server.bootstrapKey.data)
    #expect(back.keySwitchingKey.data == server.keySwitchingKey.data)
    // On disk each GGSW is row-major polynomials (real parts, then imaginary parts), whatever
    // blocked layout the external product reads in memory: check the first GGSW word by word.
    let k1 = params.glweDimension.glweSize, n = params.polynomialSize.rawValue, m = n / 2
    let rows = k1 * params.pbsLevel.rawValue
    func fileDouble(_ index: Int) -> Double {
      let at = 24 + 48 + 8 * index
      return Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) })
    }
    let data = server.bootstrapKey.data.array
    var sameLayout = true
    for row in 0..<rows {
      for col in 0..<k1 {
        for q in 0..<n {
          let point = q % m, half = q / m
          let blocked = ((point / 8 * k1 + col) * rows + row) * 16 + half * 8 + point % 8
          sameLayout = sameLayout && fileDouble((row * k1 + col) * n + q) == data[blocked]
        }
      }
    }
    #expect(sameLayout)
    let tv = back.lookupTable(values: [3, 2, 1, 0], inputBits: 2, outputBits: 2)
    #expect(client.decrypt(back.programmableBootstrap(client.encrypt(message: 1, bits: 2), testPolynomial: tv), bits: 2) == 2)
  }

  @Test func ciphertextsRoundTrip() throws {
    let (client, _) = KeyCache.shared.keys(params)
    let cts = (0..<3).map { client.encrypt(message: Int64($0), bits: 2) }
    #expect(try LweCiphertext.deserialize(LweCiphertext.serialize(cts, parameters: params), expecting: params) == cts)
  }

  @Test func truncatedFileIsRejected() {
    let (client, _) = KeyCache.shared.keys(params)
    let bytes = client.serialized()
    let cut = Array(bytes.prefix(bytes.count - 100))
    #expect(throws: TFHEFormatError.truncated(expected: bytes.count, found: cut.count)) {
      try ClientKey(serialized: cut)
    }
    #expect(throws: TFHEFormatError.truncated(expected: 32, found: 10)) {
      try ClientKey(serialized: Array(bytes.prefix(10)))
    }
    let e = TFHEFormatError.truncated(expected: 1048600, found: 1000)
    #expect(e.description == "truncated file: expected 1048600 bytes, found 1000")
  }

  @Test func corruptedFileIsRejected() {
    let (_, server) = KeyCache.shared.keys(params)
    var bytes = server.serialized()
    bytes[bytes.count / 2] ^= 0x10
    #expect { try ServerKey(serialized: bytes) } throws: { error in
      guard case .checksumMismatch = error as? TFHEFormatError else { return false }
      return "\(error)".hasPrefix("checksum mismatch")
    }
    var magic = server.serialized()
    magic[0] = 0x58
    #expect(throws: TFHEFormatError.badMagic) { try ServerKey(serialized: magic) }
  }

  @Test func mismatchedParametersOrKindAreRejected() {
    let (client, _) = KeyCache.shared.keys(params)
    let bytes = client.serialized()
    #expect { try ClientKey(serialized: bytes, expecting: .insecureTest(precision: 3)) } throws: { error in
      "\(error)".hasPrefix("parameter fingerprint mismatch: expected p=3")
    }
    #expect(throws: TFHEFormatError.wrongKind(expected: .evaluationKeys, found: TFHEFileKind.clientKey.rawValue)) {
      try ServerKey(serialized: bytes)
    }
    #expect { try ClientKey(serialized: bytes + [0]) } throws: { error in
      "\(error)".hasPrefix("unexpected trailing bytes")
    }
  }
}
