import Foundation
import Synchronization
import Testing
import TorusEncrypted
import TorusFHE
import TorusFHETransforms
import TorusIR
import TorusInterpreter
import TorusTestSupport

/// Counts the bootstraps an interpreter run performs on top of the clear domain.
final class BootstrapCounter: Sendable {
  let count = Atomic<Int>(0)
}

struct CountingDomain: FHEDomain {
  typealias Ciphertext = UInt64
  let base = ClearDomain()
  let counter: BootstrapCounter
  var name: String { "counting" }
  func encrypt(_ value: Int64, width: Int) -> UInt64 { base.encrypt(value, width: width) }
  func decrypt(_ c: UInt64, width: Int, signed: Bool) -> Int64 { base.decrypt(c, width: width, signed: signed) }
  func zero() -> UInt64 { 0 }
  func add(_ a: UInt64, _ b: UInt64) -> UInt64 { base.add(a, b) }
  func sub(_ a: UInt64, _ b: UInt64) -> UInt64 { base.sub(a, b) }
  func negate(_ a: UInt64) -> UInt64 { base.negate(a) }
  func addPlain(_ a: UInt64, _ value: Int64, width: Int) -> UInt64 { base.addPlain(a, value, width: width) }
  func mulPlain(_ a: UInt64, _ value: Int64) -> UInt64 { base.mulPlain(a, value) }
  func bootstrap(_ inputs: [UInt64], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [UInt64] {
    counter.count.add(inputs.count, ordering: .relaxed)
    return try base.bootstrap(inputs, lookup, threads: threads)
  }
  func extractMostSignificantBit(_ inputs: [UInt64], outputWidth: Int, threads: Int) throws(InterpreterError) -> [UInt64] {
    counter.count.add(inputs.count, ordering: .relaxed)
    return try base.extractMostSignificantBit(inputs, outputWidth: outputWidth, threads: threads)
  }
  func traceBits(_ c: UInt64) -> UInt64 { c }
}

/// Every registered FHE / FHELinalg / Tracing op, run from `Tests/mlir/ops/fhe-ops.mlir`: the
/// interpreter, the noise analysis and the bit-width report must agree on its bootstraps.
@Suite struct OpConsistencyTests {
  static let examples = SharedData.packageRoot.appendingPathComponent("Tests/mlir/ops/fhe-ops.mlir")

  static func parse() throws -> Module {
    let text = try String(contentsOf: examples, encoding: .utf8)
    return try parseVerified(text, name: examples.path, registry: .fhe)
  }

  static func functions(_ module: Module) -> [FuncDialect.FuncOp] {
    (module.operation.regions.first?.blocks.first?.operations ?? []).compactMap { FuncDialect.FuncOp($0) }
  }

  @Test func everyRegisteredOpHasAnExample() throws {
    let module = try Self.parse()
    var seen: Set<String> = []
    module.operation.walk { seen.insert($0.name.rawValue) }
    let registry = DialectRegistry.fhe
    let fheOps = registry.ops.keys.filter { ["FHE", "FHELinalg", "Tracing"].contains(String($0.dialect)) }.map(\.rawValue)
    let missing = fheOps.filter { !seen.contains($0) }.sorted()
    #expect(missing.isEmpty, "ops without an example in fhe-ops.mlir: \(missing)")
    #expect(fheOps.count >= 61)
  }

  @Test func everyOpWithEncryptedValuesDeclaresItsInterfaces() throws {
    let module = try Self.parse()
    var missing: [String] = []
    module.operation.walk { op in
      guard op.touchesEncryptedValues, op.name.rawValue != "func.return", op.name.rawValue != "func.func" else { return }
      if op.fheCost == nil { missing.append("\(op.name): FHECostInterface") }
      if !(op.view is any ExecutableOp), op.name.dialect != "tensor" { missing.append("\(op.name): ExecutableOp") }
    }
    #expect(missing.isEmpty, "\(missing)")
  }

  /// Random inputs in each argument's range (booleans 0/1, clear values small).
  static func inputs(for function: FuncDialect.FuncOp, _ rng: inout SplitMix64) -> [[Int64]] {
    function.functionType.inputs.map { type in
      let n = type.isRankedTensor ? type.staticShape.reduce(1, *) : 1
      if let e = type.encryptedElement {
        let range = e.isBool ? 0...1 : e.valueRange
        return (0..<n).map { _ in Int64.random(in: range, using: &rng) }
      }
      return (0..<n).map { _ in Int64.random(in: -3...3, using: &rng) }
    }
  }

  @Test func interpreterNoiseAnalysisAndBitWidthAgreeOnBootstraps() throws {
    let module = try Self.parse()
    let text = try String(contentsOf: Self.examples, encoding: .utf8)
    var rng = SplitMix64(seed: 11)
    var checked = 0
    for function in Self.functions(module) {
      let name = function.symbolName
      let circuit = try Circuit(source: text, fileName: Self.examples.path, functionName: name)
      var options = SimulateOptions(threads: 1, encoding: .native, trace: { _ in })
      options.checkInputRange = true
      let counter = BootstrapCounter()
      _ = try Simulator(circuit: circuit, options: options).run(Self.inputs(for: circuit.function, &rng), domain: CountingDomain(counter: counter))
      let interpreted = counter.count.load(ordering: .relaxed)
      let noise = try NoiseAnalysis(function: circuit.function.operation, bitExtractionChunk: 1).bootstrapCount
      let bitWidth = BitWidthAnalysis(function: circuit.function.operation).lookupsPerWidth.values.reduce(0, +)
      let declared = circuit.function.operation.fheCostBootstraps
      #expect(interpreted == noise, "@\(name): interpreter \(interpreted), noise analysis \(noise)")
      #expect(interpreted == bitWidth, "@\(name): interpreter \(interpreted), bit-width report \(bitWidth)")
      #expect(interpreted == declared, "@\(name): interpreter \(interpreted), declared \(declared)")
      checked += 1
    }
    #expect(checked >= 60)
  }

  /// The counts that once disagreed (noise analysis: 2 per output instead of 2·K).
  @Test func contractionsOfTwoEncryptedOperandsCountTwoLookupsPerProduct() throws {
    let module = try Self.parse()
    var counts: [String: Int] = [:]
    for f in Self.functions(module) { counts[f.symbolName] = try NoiseAnalysis(function: f.operation).bootstrapCount }
    #expect(counts["linalg_dot_eint_eint"] == 2 * 4)
    #expect(counts["linalg_matmul_eint_eint"] == 2 * 4 * 6)
    #expect(counts["linalg_matmul_eint_eint_vector"] == 2 * 3 * 8)
    #expect(counts["linalg_maxpool2d"] == 4 * 9)
  }

  /// An op with encrypted results and no cost interface is an error, not a levelled op.
  @Test func opWithoutInterfaceIsRefused() throws {
    let text = """
      func.func @main(%a: !FHE.eint<4>) -> !FHE.eint<4> {
        %r = "mystery.op"(%a) : (!FHE.eint<4>) -> !FHE.eint<4>
        return %r : !FHE.eint<4>
      }
      """
    var registry = DialectRegistry.fhe
    registry.allowUnregisteredDialects = true
    let module = try parseVerified(text, registry: registry)
    let f = try #require(Self.functions(module).first)
    #expect(throws: NoiseAnalysisError.self) { try NoiseAnalysis(function: f.operation) }
    let report = BitWidthAnalysis(function: f.operation)
    #expect(report.missingInterfaceDiagnostic?.message.contains("'mystery.op' op has encrypted results but declares no FHE cost interface") == true)
  }
}

extension TorusIR.Operation {
  /// Bootstraps the ops nested here declare (chunk 1).
  var fheCostBootstraps: Int {
    var n = 0
    walk { op in n += op.fheCost?.bootstrapGroups.reduce(0) { $0 + $1.bootstraps() } ?? 0 }
    return n
  }
}
