import Foundation
import TFHE
import Testing
import TorusEncrypted
import TorusFHE
import TorusFormats
import TorusIR
import TorusInterpreter
import TorusPasses
import TorusTestSupport

/// Encrypted runs on small, insecure test parameters (few bootstraps) must equal simulate mode.
@Suite struct EncryptedModeTests {
  static let circuitText = """
    func.func @main(%x: tensor<4x!FHE.eint<3>>, %y: tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>> {
      %w = arith.constant dense<[1, 2, 1, 1]> : tensor<4xi4>
      %s = "FHELinalg.mul_eint_int"(%x, %w) : (tensor<4x!FHE.eint<3>>, tensor<4xi4>) -> tensor<4x!FHE.eint<3>>
      %a = "FHELinalg.add_eint"(%s, %y) : (tensor<4x!FHE.eint<3>>, tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>>
      %t = arith.constant dense<[7, 6, 5, 4, 3, 2, 1, 0]> : tensor<8xi64>
      %r = "FHELinalg.apply_lookup_table"(%a, %t) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
      return %r : tensor<4x!FHE.eint<3>>
    }
    """

  struct Setup {
    let circuit: Circuit
    let client: EncryptedClient
    let server: EncryptedServer
    let clientKey: ClientKey
    let serverKey: ServerKey
  }

  static func setup(_ text: String = circuitText) throws -> Setup {
    let circuit = try Circuit(source: text)
    let params = ParameterSet.insecureTest(precision: 3)
    var rng = SecureRandom(seed: 42)
    let clientKey = ClientKey(parameters: params, using: &rng)
    let serverKey = clientKey.makeServerKey(using: &rng, threads: 2)
    let identity = CircuitIdentity(
      circuit: CircuitIdentity.fingerprint(of: circuit.function.operation), function: circuit.function.symbolName,
      parameters: params.fingerprint)
    return Setup(
      circuit: circuit, client: EncryptedClient(key: clientKey, circuit: circuit, identity: identity),
      server: EncryptedServer(key: serverKey, circuit: circuit, identity: identity), clientKey: clientKey, serverKey: serverKey)
  }

  @Test func encryptedRunEqualsSimulate() throws {
    let s = try Self.setup()
    let x = NDArray([0, 1, 2, 3], shape: [4])
    let y = NDArray([1, 1, 2, 0], shape: [4])
    let encrypted = try s.client.decrypt(try s.server.run(try s.client.encrypt([x, y]), threads: 2))
    let simulated = try Simulator(circuit: s.circuit, options: SimulateOptions(threads: 1)).run(arrays: [x, y])
    #expect(encrypted[0].int64Values == simulated[0].int64Values)
    #expect(encrypted[0].int64Values == [6, 4, 3, 4])
  }

  @Test func bitExtractionMatchesSimulate() throws {
    let s = try Self.setup("""
      func.func @main(%x: tensor<8x!FHE.eint<3>>) -> tensor<8x!FHE.eint<3>> {
        %0 = "FHELinalg.lsb"(%x) : (tensor<8x!FHE.eint<3>>) -> tensor<8x!FHE.eint<3>>
        return %0 : tensor<8x!FHE.eint<3>>
      }
      """)
    let x = NDArray([0, 1, 2, 3, 4, 5, 6, 7], shape: [8])
    let encrypted = try s.client.decrypt(try s.server.run(try s.client.encrypt([x]), threads: 2))
    #expect(encrypted[0].int64Values == [0, 1, 0, 1, 0, 1, 0, 1])
  }

  /// Approximate rounding as `torus compile --rounding-method approximate` lowers it: the next
  /// lookup's bootstrap rounds a 6-bit value to 3 bits. Inputs whose dropped bits are not next to
  /// the half-way point (x mod 8 in {0, 1, 6, 7}) round as exact rounding does.
  @Test func approximateRoundingRoundsInTheLookup() throws {
    let s = try Self.setup("""
      func.func @main(%x: tensor<12x!FHE.eint<6>>) -> tensor<12x!FHE.eint<3>> {
        %h = "FHELinalg.reinterpret_precision"(%x) : (tensor<12x!FHE.eint<6>>) -> tensor<12x!FHE.eint<62>>
        %c = arith.constant dense<36028797018963967> : tensor<1xi63>
        %s = "FHELinalg.add_eint_int"(%h, %c) : (tensor<12x!FHE.eint<62>>, tensor<1xi63>) -> tensor<12x!FHE.eint<62>>
        %r = "FHELinalg.reinterpret_precision"(%s) : (tensor<12x!FHE.eint<62>>) -> tensor<12x!FHE.eint<3>>
        %t = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : tensor<8xi64>
        %o = "FHELinalg.apply_lookup_table"(%r, %t) : (tensor<12x!FHE.eint<3>>, tensor<8xi64>) -> tensor<12x!FHE.eint<3>>
        return %o : tensor<12x!FHE.eint<3>>
      }
      """)
    let xs: [Int64] = [0, 1, 6, 7, 8, 15, 22, 25, 31, 38, 49, 55]
    let x = NDArray(xs, shape: [12])
    let exact = xs.map { ($0 + 4) >> 3 }
    let simulated = try Simulator(circuit: s.circuit, options: SimulateOptions(threads: 1)).run(arrays: [x])
    #expect(simulated[0].int64Values == exact)
    let encrypted = try s.client.decrypt(try s.server.run(try s.client.encrypt([x]), threads: 2))
    #expect(encrypted[0].int64Values == exact)
  }

  /// Exact rounding on ciphertexts clears its 4 dropped bits in one chunk (a sign bootstrap and
  /// a 3-bit lookup) with these keys, and equals simulate mode.
  @Test func exactRoundingClearsChunksOfBits() throws {
    let s = try Self.setup("""
      func.func @main(%x: tensor<8x!FHE.eint<6>>) -> tensor<8x!FHE.eint<2>> {
        %0 = "FHELinalg.round"(%x) : (tensor<8x!FHE.eint<6>>) -> tensor<8x!FHE.eint<2>>
        return %0 : tensor<8x!FHE.eint<2>>
      }
      """)
    #expect(TFHEDomain(server: s.serverKey).bitExtractionChunk == 4)
    let xs: [Int64] = [0, 7, 8, 9, 23, 24, 40, 55]
    let x = NDArray(xs, shape: [8])
    let encrypted = try s.client.decrypt(try s.server.run(try s.client.encrypt([x]), threads: 2))
    #expect(encrypted[0].int64Values == xs.map { ($0 + 8) >> 4 })
  }

  @Test func resultsDoNotDependOnThreadCount() throws {
    let s = try Self.setup()
    let input = try s.client.encrypt([NDArray([3, 2, 1, 0], shape: [4]), NDArray([0, 0, 0, 1], shape: [4])])
    let one = try s.client.decrypt(try s.server.run(input, threads: 1))
    let two = try s.client.decrypt(try s.server.run(input, threads: 2))
    #expect(one[0].int64Values == two[0].int64Values)
  }

  @Test func ciphertextFilesRoundTripAndRejectDamage() throws {
    let s = try Self.setup()
    let params = s.clientKey.parameters
    let batch = try s.client.encrypt([NDArray([1, 2, 3, 4], shape: [4]), NDArray([0, 0, 0, 0], shape: [4])].map { NDArray($0.int64Values.map { $0 % 4 }, shape: [4]) })
    let bytes = batch.serialized(parameters: params)
    let back = try EncryptedBatch(serialized: bytes, path: "a.ct", parameters: params)
    #expect(try s.client.decrypt(back)[0].int64Values == [1, 2, 3, 0])
    #expect(throws: EncryptedModeError.self) { try EncryptedBatch(serialized: Array(bytes.prefix(bytes.count / 2)), path: "a.ct", parameters: params) }
    var flipped = bytes
    flipped[bytes.count / 3] ^= 0x10
    #expect(throws: EncryptedModeError.self) { try EncryptedBatch(serialized: flipped, path: "a.ct", parameters: params) }
    #expect(throws: EncryptedModeError.self) { try EncryptedBatch(serialized: Array("not a ciphertext".utf8), path: "a.ct", parameters: params) }
  }

  @Test func wrongShapesAndOutOfRangeValuesAreRejected() throws {
    let s = try Self.setup()
    #expect(throws: EncryptedModeError.self) { try s.client.encrypt([NDArray([1, 2, 3], shape: [3]), NDArray([0, 0, 0, 0], shape: [4])]) }
    #expect(throws: EncryptedModeError.self) { try s.client.encrypt([NDArray([9, 0, 0, 0], shape: [4]), NDArray([0, 0, 0, 0], shape: [4])]) }
    #expect(throws: EncryptedModeError.self) { try s.client.encrypt([NDArray([1, 0, 0, 0], shape: [4])]) }
  }

  @Test func ciphertextsOfAnotherCircuitAreRefused() throws {
    let s = try Self.setup()
    let batch = try s.client.encrypt([NDArray([1, 0, 0, 0], shape: [4]), NDArray([0, 0, 0, 0], shape: [4])])
    var other = batch
    other.identity.circuit ^= 1
    #expect(throws: EncryptedModeError.self) { try s.server.run(other, threads: 1) }
  }

  @Test func serverFilesHoldNoSecretKey() throws {
    let s = try Self.setup()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("torus-keys-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try KeyDirectory.write(client: s.clientKey, server: s.serverKey, identity: s.server.identity, to: dir)
    let serverFiles = try FileManager.default.contentsOfDirectory(atPath: dir + "/server")
    #expect(serverFiles.sorted() == ["circuit.id", "server.key"])
    // No server file parses as a client key, and the secret key bytes appear in none of them.
    let secret = s.clientKey.serialized()
    let keyBits = s.clientKey.lweKey.bits.map { UInt8($0) }
    for name in serverFiles {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/server/" + name)))
      #expect((try? ClientKey(serialized: bytes)) == nil)
      #expect(!Self.contains(bytes, Array(secret.suffix(64))))
      #expect(!Self.contains(bytes, Array(keyBits.prefix(24))))
    }
    // And the server side reads back and runs.
    let server = try KeyDirectory.readServer(dir + "/server", expected: s.server.identity)
    #expect(server.parameters.fingerprint == s.serverKey.parameters.fingerprint)
  }

  /// Encrypt, decrypt and the server step take the parameters from the key directory, so a key
  /// file that does not match its `circuit.id` must be refused, as must another circuit's keys.
  @Test func keyDirectoriesAreCheckedAgainstTheCircuitAndTheirKeys() throws {
    let s = try Self.setup()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("torus-keys-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try KeyDirectory.write(client: s.clientKey, server: s.serverKey, identity: s.server.identity, to: dir)
    let id = s.server.identity
    let (key, found) = try KeyDirectory.readClient(dir, circuit: id.circuit, function: id.function)
    #expect(found == id && key.parameters.fingerprint == s.clientKey.parameters.fingerprint)
    #expect(throws: EncryptedModeError.self) { try KeyDirectory.readServer(dir + "/server", circuit: id.circuit ^ 1, function: id.function) }
    #expect(throws: EncryptedModeError.self) { try KeyDirectory.readClient(dir, circuit: id.circuit, function: "other") }
    // A client key of other parameters put in place of the right one.
    var rng = SecureRandom(seed: 7)
    let other = ClientKey(parameters: ParameterSet.insecureTest(precision: 2), using: &rng)
    try FileIO.write(other.serialized(), to: KeyDirectory.clientKeyPath(dir), mode: 0o600)
    #expect(throws: EncryptedModeError.self) { try KeyDirectory.readClient(dir, circuit: id.circuit, function: id.function) }
  }

  static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, hay.count >= needle.count else { return false }
    for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle { return true }
    return false
  }
}

@Suite struct ParameterSelectionTests {
  /// One 4-bit table lookup on 64 elements (Concrete's `tlu_p4_n64` benchmark).
  static var lookup64: Circuit {
    get throws {
      try Circuit(source: """
        func.func @f(%x: tensor<64x!FHE.eint<4>>) -> tensor<64x!FHE.eint<4>> {
          %t = arith.constant dense<[3, 4, 7, 12, 3, 12, 7, 4, 3, 4, 7, 12, 3, 12, 7, 4]> : tensor<16xi64>
          %0 = "FHELinalg.apply_lookup_table"(%x, %t) : (tensor<64x!FHE.eint<4>>, tensor<16xi64>) -> tensor<64x!FHE.eint<4>>
          return %0 : tensor<64x!FHE.eint<4>>
        }
        """)
    }
  }

  @Test func oneLookupGetsConcretesSetForItsPrecision() throws {
    let c = try Self.lookup64
    let plan = try ParameterSelection.plan(for: c.function.operation)
    #expect(plan.parameters.precision == 4)
    #expect(plan.bootstrapCount == 64)
    #expect(plan.globalErrorProbability <= 1e-5)
  }

  @Test func accumulatorNormsEnterTheErrorEstimate() throws {
    let c = try Circuit(source: """
      func.func @f(%x: tensor<1x32x!FHE.eint<4>>) -> tensor<1x1x!FHE.eint<4>> {
        %w = arith.constant dense<[\((0..<32).map { _ in "[7]" }.joined(separator: ", "))]> : tensor<32x1xi4>
        %m = "FHELinalg.matmul_eint_int"(%x, %w) : (tensor<1x32x!FHE.eint<4>>, tensor<32x1xi4>) -> tensor<1x1x!FHE.eint<4>>
        %t = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : tensor<16xi64>
        %r = "FHELinalg.apply_lookup_table"(%m, %t) : (tensor<1x1x!FHE.eint<4>>, tensor<16xi64>) -> tensor<1x1x!FHE.eint<4>>
        return %r : tensor<1x1x!FHE.eint<4>>
      }
      """)
    let plan = try ParameterSelection.plan(for: c.function.operation)
    // The matmul feeds the lookup a sum of 32 inputs times 7: squared 2-norm 32·49.
    #expect(plan.maxSquaredNorm == 32 * 49)
    #expect(plan.globalErrorProbability <= 1e-5)
  }

  @Test func aPerLookupTargetCanOnlyRaiseTheParameters() throws {
    let c = try Self.lookup64
    let loose = try ParameterSelection.plan(for: c.function.operation)
    let strict = try ParameterSelection.plan(for: c.function.operation, target: ErrorTarget(global: 1e-5, perLookup: 1e-40))
    #expect(BootstrapCost.milliseconds(strict.parameters) > BootstrapCost.milliseconds(loose.parameters))
    #expect(throws: ParameterSelectionError.self) {
      try ParameterSelection.plan(for: c.function.operation, target: ErrorTarget(global: 1.5))
    }
    #expect(loose.estimatedSeconds(threads: 2) * 2 == loose.estimatedSeconds(threads: 1))
  }

  /// Fresh inputs carry far less noise than bootstrap outputs: the same matmul feeding a lookup
  /// needs bigger parameters when its inputs come out of a bootstrap.
  @Test func freshAndBootstrappedNoiseAreTrackedApart() throws {
    func plan(afterLookup: Bool) throws -> EncryptionPlan {
      let weights = (0..<12).map { _ in "[1]" }.joined(separator: ", ")
      let identity = (0..<128).map(String.init).joined(separator: ", ")
      let source = afterLookup
        ? "%t0 = arith.constant dense<[\(identity)]> : tensor<128xi64>\n  %x = \"FHELinalg.apply_lookup_table\"(%a, %t0) : (tensor<1x12x!FHE.eint<7>>, tensor<128xi64>) -> tensor<1x12x!FHE.eint<7>>"
        : "%x = \"FHELinalg.neg_eint\"(%a) : (tensor<1x12x!FHE.eint<7>>) -> tensor<1x12x!FHE.eint<7>>"
      let c = try Circuit(source: """
        func.func @f(%a: tensor<1x12x!FHE.eint<7>>) -> tensor<1x1x!FHE.eint<7>> {
          \(source)
          %w = arith.constant dense<[\(weights)]> : tensor<12x1xi2>
          %m = "FHELinalg.matmul_eint_int"(%x, %w) : (tensor<1x12x!FHE.eint<7>>, tensor<12x1xi2>) -> tensor<1x1x!FHE.eint<7>>
          %t = arith.constant dense<[\(identity)]> : tensor<128xi64>
          %r = "FHELinalg.apply_lookup_table"(%m, %t) : (tensor<1x1x!FHE.eint<7>>, tensor<128xi64>) -> tensor<1x1x!FHE.eint<7>>
          return %r : tensor<1x1x!FHE.eint<7>>
        }
        """)
      return try ParameterSelection.plan(for: c.function.operation)
    }
    let fresh = try plan(afterLookup: false), bootstrapped = try plan(afterLookup: true)
    #expect(fresh.maxSquaredNorm == 12 && bootstrapped.maxSquaredNorm == 12)
    #expect(BootstrapCost.milliseconds(bootstrapped.parameters) > BootstrapCost.milliseconds(fresh.parameters))
  }

  /// On Concrete's dense + ReLU benchmark the choice and the error estimate are Concrete's own.
  @Test(.requiresShared("bench/dense_16x8_relu.mlir")) func denseBenchmarkGetsConcretesParameters() throws {
    let url = try #require(SharedData.url("bench/dense_16x8_relu.mlir"))
    let c = try Circuit(source: String(decoding: try Data(contentsOf: url), as: UTF8.self))
    let plan = try ParameterSelection.plan(for: c.function.operation)
    #expect(plan.parameters.lweDimension.rawValue == 976 && plan.parameters.polynomialSize.rawValue == 8192)
    #expect(abs(plan.globalErrorProbability - 9.839e-6) < 0.2e-6)  // concrete-python: 9.839e-6
  }

  @Test func costReportPrintsThePlanAndRejectsBadOptionsAndCircuits() throws {
    let c = try Self.lookup64
    var printed = ""
    let context = PassContext(registry: .fhe) { printed += $0 }
    try CostReportPass(options: PassOptions(info: CostReportPass.info)).run(on: c.module.operation, context: context)
    #expect(printed.contains("@f: parameters: p=4 n=807 k=2 N=1024"))
    #expect(printed.contains("64 bootstraps per run (64 at 4 bits)") && printed.contains("estimated run time"))
    for bad in ["p-error=2", "global-p-error=x", "p-error=0"] {
      #expect(throws: PassOptionError.self) { try CostReportPass(options: PassOptions(info: CostReportPass.info, text: bad)) }
    }
    let wide = try Circuit(source: """
      func.func @g(%x: !FHE.eint<12>) -> !FHE.eint<12> {
        %t = arith.constant dense<0> : tensor<4096xi64>
        %0 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<12>, tensor<4096xi64>) -> !FHE.eint<12>
        return %0 : !FHE.eint<12>
      }
      """)
    try CostReportPass(options: PassOptions(info: CostReportPass.info)).run(on: wide.module.operation, context: context)
    #expect(printed.contains("1 wide at 12 bits, 12 each") && printed.contains("packing"))
    let tooNoisy = try Circuit(source: ParameterSelectionTests.scaledLookups(1 << 20, type: "i22"))
    #expect(throws: PassFailure.self) {
      try CostReportPass(options: PassOptions(info: CostReportPass.info)).run(on: tooNoisy.module.operation, context: context)
    }
  }

  /// Exact rounding of a wide accumulator with a large 2-norm: its bit extractions scale the
  /// accumulator's noise by up to 2^11, which Concrete's one-level sets cannot absorb; the same
  /// sets with two bootstrap levels can, and clear several bits per step.
  @Test func exactRoundingGetsLowNoiseBootstraps() throws {
    let weights = (0..<64).map { _ in "[6]" }.joined(separator: ", ")
    let c = try Circuit(source: """
      func.func @f(%x: tensor<1x64x!FHE.eint<3>>) -> tensor<1x1x!FHE.eint<3>> {
        %t0 = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : tensor<8xi64>
        %a = "FHELinalg.apply_lookup_table"(%x, %t0) : (tensor<1x64x!FHE.eint<3>>, tensor<8xi64>) -> tensor<1x64x!FHE.eint<11>>
        %w = arith.constant dense<[\(weights)]> : tensor<64x1xi4>
        %m = "FHELinalg.matmul_eint_int"(%a, %w) : (tensor<1x64x!FHE.eint<11>>, tensor<64x1xi4>) -> tensor<1x1x!FHE.eint<11>>
        %r = "FHELinalg.round"(%m) : (tensor<1x1x!FHE.eint<11>>) -> tensor<1x1x!FHE.eint<3>>
        %t = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : tensor<8xi64>
        %o = "FHELinalg.apply_lookup_table"(%r, %t) : (tensor<1x1x!FHE.eint<3>>, tensor<8xi64>) -> tensor<1x1x!FHE.eint<3>>
        return %o : tensor<1x1x!FHE.eint<3>>
      }
      """)
    #expect(throws: ParameterSelectionError.self) {
      try ParameterSelection.plan(for: c.function.operation, candidates: ParameterSet.concreteCatalog, wideCandidates: [])
    }
    let plan = try ParameterSelection.plan(for: c.function.operation)
    #expect(plan.parameters.pbsLevel.rawValue >= 2 && plan.globalErrorProbability <= 1e-5)
    #expect(plan.bitExtractionChunk > 1)
    #expect(plan.roundingBootstraps == RoundingSteps.bootstraps(dropped: 8, chunk: plan.bitExtractionChunk))
    #expect(plan.bootstrapsPerWidth == [3: 65])
  }

  /// lsb reads one bit, but its 8-bit result must still decrypt: the bootstrap output noise has
  /// to stay well inside half an 8-bit step (conformance `lsb_8_to_8` failed without this check).
  @Test func resultsMustDecryptAtTheirWidth() throws {
    let c = try Circuit(source: """
      func.func @f(%x: tensor<4x!FHE.eint<8>>) -> tensor<4x!FHE.eint<8>> {
        %0 = "FHELinalg.lsb"(%x) : (tensor<4x!FHE.eint<8>>) -> tensor<4x!FHE.eint<8>>
        return %0 : tensor<4x!FHE.eint<8>>
      }
      """)
    let plan = try ParameterSelection.plan(for: c.function.operation)
    #expect(NoiseModel(plan.parameters).bootstrapVariance.squareRoot() < 0x1p-10 / 4)
    #expect(try NoiseAnalysis(function: c.function.operation).results.map(\.count) == [4])
  }

  /// A 12-bit lookup has no classic set (N = 8192 would be needed, and far less noise): the plan
  /// takes Concrete's 12-bit WoP-PBS set and runs the lookup wide (one blind rotation per bit).
  @Test func wideLookupsGetAWidePlan() throws {
    let c = try Circuit(source: """
      func.func @f(%x: !FHE.eint<12>) -> !FHE.eint<12> {
        %t = arith.constant dense<0> : tensor<4096xi64>
        %0 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<12>, tensor<4096xi64>) -> !FHE.eint<12>
        return %0 : !FHE.eint<12>
      }
      """)
    let plan = try ParameterSelection.plan(for: c.function.operation)
    #expect(plan.wide != nil)
    #expect(plan.parameters.polynomialSize.rawValue == 1024)
    #expect(plan.classicLookupMaxWidth < 12)
    #expect(plan.wideLookupsPerWidth == [12: 1])
    #expect(plan.bootstrapCount == 12)
    #expect(plan.globalErrorProbability <= 1e-5)
    let text = plan.description
    #expect(text.contains("1 wide at 12 bits"))
    #expect(text.contains("packing"))
  }

  /// A 16-bit result read by the client needs output noise below 2^−20.3: Concrete's
  /// decomposition (σ ≈ 2^−17.6) does not reach it, a finer one from
  /// `ParameterSet.wideLookupCandidates` does, and the plan says which (natively; by default the
  /// residues' estimate is lower by more than `residuesAdvantage`, and they win).
  @Test func sixteenBitResultsTakeAFinerWideDecomposition() throws {
    let c = try Circuit(source: """
      func.func @f(%x: !FHE.eint<16>) -> !FHE.eint<16> {
        %t = arith.constant dense<0> : tensor<65536xi64>
        %0 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<16>, tensor<65536xi64>) -> !FHE.eint<16>
        return %0 : !FHE.eint<16>
      }
      """)
    let byDefault = try ParameterSelection.plan(for: c.function.operation)
    #expect(byDefault.crt != nil)
    let plan = try ParameterSelection.plan(for: c.function.operation, crtCandidates: [])
    #expect(plan.crt == nil && byDefault.estimatedSeconds(threads: 1) < ParameterSelection.residuesAdvantage * plan.estimatedSeconds(threads: 1))
    let wide = try #require(plan.wide)
    let model = WideLookupNoise(classic: plan.parameters, wide: wide)
    #expect(erfc(0x1p-18 / (model.outputVariance(bits: 16).squareRoot() * 2.0.squareRoot())) <= 1e-5)
    let (base, concreteDefault) = try #require(ParameterSet.concreteWideLookup(precision: 16))
    #expect(WideLookupNoise(classic: base, wide: concreteDefault).outputVariance(bits: 16) > model.outputVariance(bits: 16))
    #expect(plan.description.contains("circuit bootstrapping \(wide.circuitBootstrapLevel.rawValue)×2^\(wide.circuitBootstrapBaseLog.rawValue)"))
  }

  /// A wide lookup's output scaled by 2^10 and read by another wide lookup would need output
  /// noise near 2^−31 natively: no decomposition gives that, so the plan puts the values in
  /// residues, where each residue tolerates the scaled noise. Scaled by 2^20, not even residues
  /// do: the plan refuses and says how clean the cleanest wide lookups are.
  @Test func tooNoisyWideResultsGoToResiduesOrAreRefusedWithAReason() throws {
    let scaled = try Circuit(source: Self.scaledLookups(1024, type: "i17"))
    let plan = try ParameterSelection.plan(for: scaled.function.operation)
    let crt = try #require(plan.crt)
    #expect(crt.moduli.reduce(1, *) >= 1 << 16)
    #expect(plan.description.contains("values in residues (CRT 17·15·13·11·7)"))
    #expect(plan.globalErrorProbability <= 1e-5)
    let c = try Circuit(source: Self.scaledLookups(1 << 20, type: "i22"))
    do {
      _ = try ParameterSelection.plan(for: c.function.operation)
      Issue.record("a plan was found")
    } catch {
      #expect(error.description.contains("the cleanest wide lookups here leave σ ≈ 2^"))
    }
  }

  /// `residues: true` asks for a CRT plan where a native one exists; a circuit with exact
  /// rounding has none, and says why.
  @Test func residuesCanBeAskedForAndRoundingRefusesThem() throws {
    let wide = try Circuit(source: """
      func.func @f(%x: !FHE.eint<12>) -> !FHE.eint<12> {
        %t = arith.constant dense<0> : tensor<4096xi64>
        %0 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<12>, tensor<4096xi64>) -> !FHE.eint<12>
        return %0 : !FHE.eint<12>
      }
      """)
    #expect(try ParameterSelection.plan(for: wide.function.operation).crt == nil)
    let plan = try ParameterSelection.plan(for: wide.function.operation, target: ErrorTarget(residues: true))
    let crt = try #require(plan.crt)
    #expect(crt.moduli.reduce(1, *) >= 1 << 12 && plan.globalErrorProbability <= 1e-5)
    let rounding = try Circuit(source: """
      func.func @g(%x: tensor<3x!FHE.eint<12>>) -> tensor<3x!FHE.eint<10>> {
        %r = "FHELinalg.round"(%x) : (tensor<3x!FHE.eint<12>>) -> tensor<3x!FHE.eint<10>>
        return %r : tensor<3x!FHE.eint<10>>
      }
      """)
    do {
      _ = try ParameterSelection.plan(for: rounding.function.operation, target: ErrorTarget(residues: true))
      Issue.record("a plan in residues was made for exact rounding")
    } catch {
      #expect(error.description.contains("exact rounding (round, lsb) has no residue form"))
    }
    #expect(throws: PassOptionError.self) {
      try CostReportPass(options: PassOptions(info: CostReportPass.info, text: "encoding=crt"))
    }
  }

  /// Two 16-bit lookups, the first one's output times `factor` before the second.
  static func scaledLookups(_ factor: Int, type: String) -> String {
    """
    func.func @f(%x: !FHE.eint<16>) -> !FHE.eint<16> {
      %t = arith.constant dense<0> : tensor<65536xi64>
      %0 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<16>, tensor<65536xi64>) -> !FHE.eint<16>
      %c = arith.constant \(factor) : \(type)
      %1 = "FHE.mul_eint_int"(%0, %c) : (!FHE.eint<16>, \(type)) -> !FHE.eint<16>
      %2 = "FHE.apply_lookup_table"(%1, %t) : (!FHE.eint<16>, tensor<65536xi64>) -> !FHE.eint<16>
      return %2 : !FHE.eint<16>
    }
    """
  }

  /// Through the interpreter: a 10-bit lookup goes wide, the 4-bit lookup after it classic (an
  /// insecure small set, as in `WideLookupTests`); encrypted = simulate.
  @Test func wideAndClassicLookupsInOneCircuitEqualSimulate() throws {
    let table10 = (0..<1024).map { String(($0 * 5 + 3) % 16) }.joined(separator: ", ")
    let circuit = try Circuit(source: """
      func.func @main(%x: tensor<3x!FHE.eint<10>>) -> tensor<3x!FHE.eint<4>> {
        %t = arith.constant dense<[\(table10)]> : tensor<1024xi64>
        %a = "FHELinalg.apply_lookup_table"(%x, %t) : (tensor<3x!FHE.eint<10>>, tensor<1024xi64>) -> tensor<3x!FHE.eint<4>>
        %u = arith.constant dense<[15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]> : tensor<16xi64>
        %b = "FHELinalg.apply_lookup_table"(%a, %u) : (tensor<3x!FHE.eint<4>>, tensor<16xi64>) -> tensor<3x!FHE.eint<4>>
        return %b : tensor<3x!FHE.eint<4>>
      }
      """)
    let classic = ParameterSet(
      precision: 4, lweDimension: 32, glweDimension: 1, polynomialSize: 512, pbsBaseLog: 15, pbsLevel: 3, ksBaseLog: 6, ksLevel: 5,
      glweNoiseVariance: 0x1p-120, lweNoiseVariance: 0x1p-70, source: "insecure test set (n = 32)")
    let wideParameters = WideLookupParameters(
      packingBaseLog: 18, packingLevel: 2, packingNoiseVariance: 0x1p-120, circuitBootstrapBaseLog: 10, circuitBootstrapLevel: 2)
    var rng = SecureRandom(seed: 7)
    let clientKey = ClientKey(parameters: classic, using: &rng)
    let serverKey = clientKey.makeServerKey(using: &rng, threads: 2)
    let wide = clientKey.makeWideLookupKey(server: serverKey, parameters: wideParameters, using: &rng, threads: 2)
    let identity = CircuitIdentity(
      circuit: CircuitIdentity.fingerprint(of: circuit.function.operation), function: "main", parameters: classic.fingerprint)
    let client = EncryptedClient(key: clientKey, circuit: circuit, identity: identity)
    // The 10-bit lookup is wider than this set's classic bootstraps read, the 4-bit one is not.
    #expect(wide.classicLookupMaxWidth >= 4 && wide.classicLookupMaxWidth < 10)
    let server = EncryptedServer(key: serverKey, circuit: circuit, identity: identity, wide: wide)
    let x = NDArray([0, 517, 1023], shape: [3])
    let encrypted = try client.decrypt(try server.run(try client.encrypt([x]), threads: 2))
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 1)).run(arrays: [x])
    #expect(encrypted[0].int64Values == simulated[0].int64Values)
    let expected: [Int64] = [0, 517, 1023].map { (x: Int) -> Int64 in 15 - Int64((x * 5 + 3) % 16) }
    #expect(encrypted[0].int64Values == expected)
  }

  /// Exact rounding and a wide lookup in one circuit: rounding's bit extractions stay classic on the
  /// WoP set's bootstraps, and their outputs are not charged the (larger) wide-lookup noise. Sets
  /// whose keys exceed the memory are not chosen (the 10-bit classic set needs 9.6 GB).
  @Test func roundingAndWideLookupsMixInOnePlan() throws {
    let c = try Circuit(source: """
      func.func @main(%x: tensor<3x!FHE.eint<12>>) -> tensor<3x!FHE.eint<4>> {
        %r = "FHELinalg.round"(%x) : (tensor<3x!FHE.eint<12>>) -> tensor<3x!FHE.eint<10>>
        %t = arith.constant dense<0> : tensor<1024xi64>
        %a = "FHELinalg.apply_lookup_table"(%r, %t) : (tensor<3x!FHE.eint<10>>, tensor<1024xi64>) -> tensor<3x!FHE.eint<4>>
        return %a : tensor<3x!FHE.eint<4>>
      }
      """)
    let plan = try ParameterSelection.plan(for: c.function.operation, memory: 4_000_000_000)
    #expect(plan.wide != nil)
    #expect(plan.wideLookupsPerWidth == [10: 3])
    #expect(plan.roundingBootstraps > 0)
    #expect(plan.evaluationKeyBytes < 4_000_000_000)
    #expect(plan.globalErrorProbability <= 1e-5)
  }
}
