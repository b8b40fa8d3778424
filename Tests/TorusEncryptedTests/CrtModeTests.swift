import Foundation
import TFHE
import Testing
import TorusEncrypted
import TorusFormats
import TorusInterpreter

/// Encrypted runs on values in residues (`TFHECrtDomain`), on a small insecure set: the
/// interpreter's levelled ops wrap each residue, lookups read the covering moduli, the client
/// decodes results; all must equal simulate mode.
@Suite struct CrtModeTests {
  /// `(v² + 5) mod 16` for the signed 6-bit `v` whose two's complement is the index.
  static let table: String = (0..<64).map { (j: Int) -> String in
    let v = j >= 32 ? j - 64 : j
    return String((v * v + 5) % 16)
  }.joined(separator: ", ")

  static let circuitText = """
    func.func @main(%x: tensor<4x!FHE.esint<6>>) -> tensor<4x!FHE.eint<4>> {
      %w = arith.constant dense<[3, -2, 5, -7]> : tensor<4xi5>
      %s = "FHELinalg.mul_eint_int"(%x, %w) : (tensor<4x!FHE.esint<6>>, tensor<4xi5>) -> tensor<4x!FHE.esint<6>>
      %c = arith.constant dense<[1, -2, 3, 4]> : tensor<4xi6>
      %a = "FHELinalg.add_eint_int"(%s, %c) : (tensor<4x!FHE.esint<6>>, tensor<4xi6>) -> tensor<4x!FHE.esint<6>>
      %n = "FHELinalg.neg_eint"(%a) : (tensor<4x!FHE.esint<6>>) -> tensor<4x!FHE.esint<6>>
      %t = arith.constant dense<[\(table)]> : tensor<64xi64>
      %r = "FHELinalg.apply_lookup_table"(%n, %t) : (tensor<4x!FHE.esint<6>>, tensor<64xi64>) -> tensor<4x!FHE.eint<4>>
      return %r : tensor<4x!FHE.eint<4>>
    }
    """

  /// n = 32, k = 1, N = 256 (insecure), as `WideLookupTests`; residues mod 7·5·3.
  static func setup() throws -> (Circuit, EncryptedClient, EncryptedServer) {
    let circuit = try Circuit(source: circuitText)
    let params = ParameterSet(
      precision: 1, lweDimension: 32, glweDimension: 1, polynomialSize: 256, pbsBaseLog: 15, pbsLevel: 3, ksBaseLog: 6, ksLevel: 5,
      glweNoiseVariance: 0x1p-120, lweNoiseVariance: 0x1p-70, source: "insecure CRT test set (n = 32)")
    let wide = WideLookupParameters(
      packingBaseLog: 18, packingLevel: 2, packingNoiseVariance: 0x1p-120, circuitBootstrapBaseLog: 10, circuitBootstrapLevel: 2)
    var rng = SecureRandom(seed: 0x4352_54)
    let clientKey = ClientKey(parameters: params, using: &rng)
    let serverKey = clientKey.makeServerKey(using: &rng, threads: 2)
    let wideKey = clientKey.makeWideLookupKey(server: serverKey, parameters: wide, using: &rng, threads: 2)
    let crt = CrtEncoding(moduli: [7, 5, 3])
    let identity = CircuitIdentity(
      circuit: CircuitIdentity.fingerprint(of: circuit.function.operation), function: circuit.function.symbolName,
      parameters: params.fingerprint, residues: crt)
    return (circuit, EncryptedClient(key: clientKey, circuit: circuit, identity: identity, crt: crt),
            EncryptedServer(key: serverKey, circuit: circuit, identity: identity, wide: wideKey, crt: crt))
  }

  @Test func crtRunEqualsSimulate() throws {
    let (circuit, client, server) = try Self.setup()
    let x = NDArray([-4, 3, 2, -1], shape: [4])
    let batch = try client.encrypt([x])
    if case .encrypted(_, _, _, let cts) = batch.samples[0][0] { #expect(cts.count == 12) }  // three residues per element
    let encrypted = try client.decrypt(try server.run(batch, threads: 2))
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 1)).run(arrays: [x])
    #expect(encrypted[0].int64Values == simulated[0].int64Values)
    // −(x·w + c) = 11, 8, −13, −11 → (v² + 5) mod 16
    #expect(encrypted[0].int64Values == [14, 5, 14, 14])
  }

  /// A `.ct` file of residues says so (version 2) and round-trips; cut short or with its residue
  /// count changed it is refused; `circuit.id` keeps the residues and refuses a bad field.
  @Test func residueFilesRoundTripAndRejectDamage() throws {
    let (_, client, server) = try Self.setup()
    let params = server.key.parameters
    let batch = try client.encrypt([NDArray([-4, 3, 2, -1], shape: [4])])
    let bytes = batch.serialized(parameters: params)
    #expect(Array(bytes.prefix(8)) == Array("TORUSCT2".utf8))
    let back = try EncryptedBatch(serialized: bytes, path: "x.ct", parameters: params)
    #expect(back.identity == batch.identity && back.identity.residues == CrtEncoding(moduli: [7, 5, 3]))
    #expect(try client.decrypt(try server.run(back, threads: 1))[0].int64Values == [14, 5, 14, 14])
    #expect(throws: EncryptedModeError.self) { try EncryptedBatch(serialized: Array(bytes.dropLast(9)), path: "x.ct", parameters: params) }
    // The same ciphertexts under an identity with two moduli: 12 ciphertexts for 4 elements is wrong.
    var two = batch
    two.identity.residues = CrtEncoding(moduli: [7, 5])
    #expect(throws: EncryptedModeError.self) {
      try EncryptedBatch(serialized: two.serialized(parameters: params), path: "y.ct", parameters: params)
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("torus-crt-\(UInt64.random(in: 0...UInt64.max))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try KeyDirectory.write(client: client.key, server: server.key, wide: server.wide, identity: client.identity, to: dir)
    #expect(try KeyDirectory.identity(of: dir + "/client").residues == CrtEncoding(moduli: [7, 5, 3]))
    let idPath = dir + "/server/circuit.id"
    let text = try String(contentsOfFile: idPath, encoding: .utf8)
    #expect(text.contains("residues=7,5,3;64"))
    for bad in ["residues=7,5,14;64", "residues=7,21;64", "residues=7,x;64", "residues=7,5"] {
      try text.replacingOccurrences(of: "residues=7,5,3;64", with: bad).write(toFile: idPath, atomically: true, encoding: .utf8)
      #expect(throws: EncryptedModeError.self) { try KeyDirectory.identity(of: dir + "/server") }
    }
  }

  /// Native ciphertexts (one per element, identity without residues) are refused by a CRT server.
  @Test func nativeCiphertextsAreRefusedByACrtServer() throws {
    let (circuit, client, server) = try Self.setup()
    var nativeIdentity = client.identity
    nativeIdentity.residues = nil
    let native = EncryptedClient(key: client.key, circuit: circuit, identity: nativeIdentity)
    #expect(throws: EncryptedModeError.self) { try server.run(try native.encrypt([NDArray([1, 2, 3, 4], shape: [4])]), threads: 1) }
  }
}
