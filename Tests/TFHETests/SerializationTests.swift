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
