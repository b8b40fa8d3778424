import Foundation
import Testing
import TorusFormats
import TorusIR
import TorusImport
import TorusQNN
import TorusQNNTransforms
import TorusTestSupport

/// One chess model folder of `shared/models` and what Concrete-ML recorded for it.
struct ReferenceModel: CustomStringConvertible, Sendable {
  var folder: String
  var inputNames: [String]  // "" for a single input, else "_board", "_source"
  /// Folder of `model.qonnx.onnx` when not `folder` (the -r6 folders reuse the h128 export).
  var onnxFolder: String? = nil
  /// `rounding_threshold_bits` of the compile call.
  var roundingBits: Int? = nil
  var description: String { folder }
  var onnxPath: String { "models/\(onnxFolder ?? folder)/model.qonnx.onnx" }

  static let fast = [
    ReferenceModel(folder: "chess-source-h8", inputNames: [""]),
    ReferenceModel(folder: "chess-target-h8", inputNames: ["_board", "_source"]),
    ReferenceModel(folder: "chess-source-h32", inputNames: [""]),
    ReferenceModel(folder: "chess-target-h32", inputNames: ["_board", "_source"]),
  ]
  static let large = [
    ReferenceModel(folder: "chess-source-h128", inputNames: [""]),
    ReferenceModel(folder: "chess-target-h128", inputNames: ["_board", "_source"]),
    ReferenceModel(folder: "chess-source-h128-r6", inputNames: [""], onnxFolder: "chess-source-h128", roundingBits: 6),
    ReferenceModel(folder: "chess-target-h128-r6", inputNames: ["_board", "_source"], onnxFolder: "chess-target-h128", roundingBits: 6),
  ]

  func load(_ name: String) throws -> NDArray {
    try Npy.read(contentsOf: SharedData.url("models/\(folder)/\(name)")!)
  }

  var maximumBitWidth: Int? {
    guard let url = SharedData.url("models/\(folder)/info.json"), let data = try? Data(contentsOf: url),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let circuit = json["circuit"] as? [String: Any]
    else { return nil }
    return circuit["maximum_integer_bit_width"] as? Int
  }
}

/// Exact-match counts of one model against Concrete-ML's recorded results.
struct ValidationResult: CustomStringConvertible {
  var model: String
  var inputs: (Int, Int)
  var clearQuant: (Int, Int)
  var simulate: (Int, Int)
  var maxBitWidth: (Int, Int?)
  var seconds: Double
  /// Our float64 (calibration) forward vs Brevitas' float32 torch forward: equal after rounding to float32.
  var float: (Int, Int) = (0, 0)
  var description: String {
    "\(model): inputs \(inputs.0)/\(inputs.1), clear_quant \(clearQuant.0)/\(clearQuant.1), simulate_q \(simulate.0)/\(simulate.1), max bit width \(maxBitWidth.0) (info.json \(maxBitWidth.1.map(String.init) ?? "?")), float forward \(float.0)/\(float.1), compile \(String(format: "%.2f", seconds)) s"
  }
  var exact: Bool {
    inputs.0 == inputs.1 && clearQuant.0 == clearQuant.1 && simulate.0 == simulate.1 && maxBitWidth.0 == maxBitWidth.1
  }
}

func validate(_ m: ReferenceModel) throws -> ValidationResult {
  let start = Date()
  let module = try importONNX(contentsOf: SharedData.url(m.onnxPath)!)
  let inputsets = try m.inputNames.map { try m.load("inputset\($0).npy") }
  let compiled = try QATCompiler.compile(model: module, inputsets: inputsets, rounding: m.roundingBits.map { AccumulatorRounding(thresholdBits: $0) })
  let seconds = Date().timeIntervalSince(start)
  if let dir = ProcessInfo.processInfo.environment["TORUS_DUMP_DIR"] {
    // For inspection with torus-opt: the imported qnn graph and the circuit.
    let qnn = try importONNX(contentsOf: SharedData.url(m.onnxPath)!)
    try Data(qnn.print()).write(to: URL(fileURLWithPath: "\(dir)/\(m.folder).qnn.mlir"))
    try Data(compiled.circuit.print()).write(to: URL(fileURLWithPath: "\(dir)/\(m.folder).circuit.mlir"))
  }

  let tests = try m.inputNames.map { try m.load("test_inputs\($0).npy") }
  let expectedQ = try m.inputNames.map { try m.load("test_inputs_q\($0).npy").int64Values }
  let q = compiled.program.quantizeInputs(tests)
  var inputMatches = 0, inputTotal = 0
  for (ours, theirs) in zip(q, expectedQ) {
    inputTotal += theirs.count
    inputMatches += zip(ours.data, theirs).filter { $0 == $1 }.count
  }
  // The circuit consumes the recorded integers (so output checks do not depend on input quantization).
  let recorded = zip(q, expectedQ).map { IntTensor(shape: $0.shape, data: $1) }
  let values = compiled.program.evaluate(recorded)
  let out = values[compiled.program.outputs[0].node]
  let simulate = try m.load("expected_simulate_q.npy").int64Values
  let clear = try m.load("expected_clear_quant.npy").doubleValues
  let deq = compiled.program.dequantizeOutput(0, out).data.map { Double(Float($0)) }
  let graph = try QGraph(module: module)
  let floatOut = try graph.evaluateFloat(tests)[graph.outputs[0]].data.map { Float($0) }
  let expectedFloat = try m.load("expected_float.npy").doubleValues.map { Float($0) }
  return ValidationResult(
    model: m.folder, inputs: (inputMatches, inputTotal),
    clearQuant: (zip(deq, clear).filter { $0 == $1 }.count, clear.count),
    simulate: (zip(out.data, simulate).filter { $0 == $1 }.count, simulate.count),
    maxBitWidth: (compiled.maximumBitWidth, m.maximumBitWidth), seconds: seconds,
    float: (zip(floatOut, expectedFloat).filter { $0 == $1 }.count, expectedFloat.count))
}

@Suite struct ModelValidationTests {
  /// Small models: bit-exact against Concrete-ML 1.9 (clear inference, simulation, max width).
  @Test(.requiresShared("models"), arguments: ReferenceModel.fast)
  func reproducesConcreteMLExactly(_ m: ReferenceModel) throws {
    let r = try validate(m)
    print("validation: \(r)")
    #expect(r.exact, "\(r)")
  }

  /// The h128 models (a few seconds each); run with `TORUS_LARGE_MODELS=1`.
  @Test(
    .enabled(if: ProcessInfo.processInfo.environment["TORUS_LARGE_MODELS"] != nil, "the h128 models run with TORUS_LARGE_MODELS=1"),
    .requiresShared("models"), arguments: ReferenceModel.large)
  func reproducesLargeModels(_ m: ReferenceModel) throws {
    let r = try validate(m)
    print("validation: \(r)")
    #expect(r.exact, "\(r)")
  }
}

/// The circuit's ops (without constants) as `name(operand types) -> result types`, with table contents.
func circuitSignature(_ module: Module) -> [String] {
  var out: [String] = []
  module.operation.walk { op in
    guard op.name.dialect == "FHE" || op.name.dialect == "FHELinalg" || op.name.rawValue.hasPrefix("tensor.insert_slice")
      || op.name.rawValue.hasPrefix("tensor.collapse") || op.name.rawValue == "func.func" || op.name.rawValue == "func.return"
    else { return }
    var text = op.name.rawValue + "(" + op.operands.map { "\($0.type)" }.joined(separator: ", ") + ") -> "
      + op.results.map { "\($0.type)" }.joined(separator: ", ")
    if op.name.rawValue == "func.func" { text += " \(op.attribute("function_type").map { "\($0)" } ?? "")" }
    if op.name.rawValue.contains("lookup_table") {
      for v in op.operands.dropFirst() {
        if let c = v.definingOp, case .denseElements(let d)? = c.attribute("value") {
          let fnv = d.int64Values.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64(bitPattern: $1)) &* 0x100_0000_01b3 }
          text += " table#\(d.type):\(String(fnv, radix: 16))"
        }
      }
    }
    out.append(text)
  }
  return out
}

@Suite struct CircuitComparisonTests {
  /// Our circuit has the same ops, types and tables as the one Concrete-ML emitted, and the same text.
  @Test(.requiresShared("models"), arguments: [("chess-source-h8", "mlir_source.txt"), ("chess-target-h8", "mlir_target.txt")])
  func matchesConcreteMLCircuit(_ folder: String, _ file: String) throws {
    let reference = try #require(SharedData.url("models/\(folder)/\(file)"))
    let m = ReferenceModel.fast.first { $0.folder == folder }!
    let module = try importONNX(contentsOf: SharedData.url("models/\(folder)/model.qonnx.onnx")!)
    let compiled = try QATCompiler.compile(model: module, inputsets: try m.inputNames.map { try m.load("inputset\($0).npy") })
    var registry = DialectRegistry.core
    registry.allowUnregisteredDialects = true
    let text = try String(contentsOf: reference, encoding: .utf8)
    let theirs = try parseVerified(text, name: file, registry: registry)
    let ours = circuitSignature(compiled.circuit).sorted()
    let expected = circuitSignature(theirs).sorted()
    #expect(expected.count == ours.count && expected.count > 10, "\(expected.count) reference ops, \(ours.count) ours")
    #expect(expected.filter { $0.contains("table#") }.count >= 7)
    let missing = expected.filter { !ours.contains($0) }
    let extra = ours.filter { !expected.contains($0) }
    #expect(missing.isEmpty && extra.isEmpty, "missing: \(missing.joined(separator: "\n"))\nextra: \(extra.joined(separator: "\n"))")
    // Our text parses back, and is Concrete-ML's text byte for byte (their file has no final newline).
    let printed = String(decoding: compiled.circuit.print(), as: UTF8.self)
    #expect(printed == text + "\n", "circuit text differs from \(file)")
    _ = try parseVerified(printed, name: "ours.mlir", registry: registry)
  }
}
