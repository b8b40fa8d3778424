import Foundation
import Testing
import TorusFormats
import TorusIR
import TorusImport
import TorusInterpreter
import TorusONNX
import TorusPasses
import TorusQNN
import TorusQNNTransforms
import TorusTestSupport

let h8 = ReferenceModel.fast[0]
let target8 = ReferenceModel.fast[1]

/// The model's ONNX file (the suites that call this require `shared/models`).
func loadModel(_ m: ReferenceModel) throws -> ONNXModel {
  try ONNXModel(contentsOf: try #require(SharedData.url("models/\(m.folder)/model.qonnx.onnx")))
}

@Suite(.requiresShared("models/chess-target-h8"), .requiresShared("models/chess-source-h8")) struct ImportErrorTests {
  @Test func listsEveryUnsupportedNode() throws {
    var model = try loadModel(h8)
    let convs = model.graph.nodes.indices.filter { model.graph.nodes[$0].opType == "Conv" }
    model.graph.nodes[convs[1]].opType = "Hardmax"
    model.graph.nodes[convs[3]].opType = "Softmax"
    #expect(throws: ImportError.self) { try importONNX(model, fileName: "m.onnx") }
    do {
      _ = try importONNX(model, fileName: "m.onnx")
    } catch {
      #expect(error.description == "'m.onnx': 2 unsupported nodes: '/qconv2/Conv' (Hardmax), '/qconv4/Conv' (Softmax)")
    }
  }

  /// Supported ops used in ways we cannot take are listed together too, each with its node.
  @Test func listsEveryMisusedNode() throws {
    var model = try loadModel(h8)
    let convs = model.graph.nodes.indices.filter { model.graph.nodes[$0].opType == "Conv" }
    for k in [convs[0], convs[2]] { model.graph.nodes[k].attributes["auto_pad"] = .string("SAME_UPPER") }
    do {
      _ = try importONNX(model, fileName: "m.onnx")
      Issue.record("expected an import error")
    } catch {
      guard case .invalidNodes(_, let errors) = error else { Issue.record("unexpected \(error)"); return }
      #expect(errors.count == 2)
      #expect(error.description.hasPrefix("'m.onnx': 2 nodes cannot be imported:\n"))
      for k in [convs[0], convs[2]] { #expect(error.description.contains("node '\(model.graph.nodes[k].name)': auto_pad")) }
    }

  }

  @Test func rejectsFloatModel() throws {
    var model = try loadModel(h8)
    for i in model.graph.nodes.indices where model.graph.nodes[i].opType == "Quant" {
      model.graph.nodes[i].opType = "Identity"
      model.graph.nodes[i].domain = ""
      model.graph.nodes[i].inputs = [model.graph.nodes[i].inputs[0]]
    }
    #expect(throws: ImportError.notQuantizationAware(file: "f.onnx")) { try importONNX(model, fileName: "f.onnx") }
  }

  @Test func rejectsMissingOrWrongShapedInputset() throws {
    let model = try loadModel(target8)
    let module = try importONNX(model, fileName: "t.onnx")
    let board = try target8.load("inputset_board.npy")
    #expect(throws: QNNError.invalidInputset("expected 2 arrays (one per graph input), found 1")) {
      try QATCompiler.compile(model: module, inputsets: [board])
    }
    let wrong = try board.reshaped([200, 12, 64])
    do {
      _ = try QATCompiler.compile(model: module, inputsets: [wrong, try target8.load("inputset_source.npy")])
      Issue.record("expected an inputset error")
    } catch {
      #expect("\(error)" == "invalid inputset: input 0 ('x.715'): expected shape N×12×8×8, found 200×12×64")
    }
  }

  @Test func rejectsLookupWiderThan16Bits() throws {
    let model = try loadModel(h8)
    let module = try importONNX(model, fileName: "w.onnx")
    // Weights on a 1000× finer 16-bit grid: accumulators far beyond 16 bits.
    module.operation.walk { op in
      guard op.name == QNN.QuantOp.name, op.operands[0].definingOp?.name == ArithDialect.ConstantOp.name,
        let s = op.floatAttribute("scale")
      else { return }
      op.attributes["scale"] = .f32(Float(s / 1000))
      op.attributes["bit_width"] = .i64(16)
    }
    do {
      _ = try QATCompiler.compile(model: module, inputsets: [try h8.load("inputset.npy")])
      Issue.record("expected a bit-width error")
    } catch let e as QNNError {
      guard case .bitWidthExceeded(_, let bits, 16) = e else {
        Issue.record("unexpected \(e)")
        return
      }
      #expect(bits > 16)
      #expect(e.description.contains("only up to 16-bit table lookups are supported"))
    }
  }
}

@Suite struct PassTests {
  func run(_ pipeline: String, on module: Module) throws {
    var passes = PassRegistry.standard
    QNNPasses.register(into: &passes)
    let pm = PassManager(root: try PipelineParser(passes: passes).parse(pipeline), context: PassContext(registry: QNN.registry))
    try pm.run(module)
  }

  @Test func importedGraphPrintsAndParsesBack() throws {
    let model = try loadModel(target8)
    let module = try importONNX(model, fileName: "t.onnx")
    try Verifier().verify(module.operation)
    let text = String(decoding: module.print(), as: UTF8.self)
    #expect(text.contains("func.func @main(%arg0: tensor<1x12x8x8xf32> {qnn.name = \"x.715\"}, %arg1: tensor<1x64xf32> {qnn.name = \"x.777\"})"))
    #expect(text.contains("\"qnn.conv\"") && text.contains("\"qnn.batch_norm\"") && text.contains("\"qnn.add\""))
    var registry = DialectRegistry.core
    registry.allowUnregisteredDialects = true
    _ = try parseVerified(text, name: "t.mlir", registry: registry)
  }

  @Test func eachPassRunsAndTheyComposeToTheCircuit() throws {
    let model = try loadModel(target8)
    let dir = SharedData.root.appendingPathComponent("models/\(target8.folder)").path
    let inputset = "\(dir)/inputset_board.npy:\(dir)/inputset_source.npy"
    let module = try importONNX(model, fileName: "t.onnx")
    try run("qnn-shape-inference", on: module)
    var text = String(decoding: module.print(), as: UTF8.self)
    #expect(text.contains("-> tensor<1x64xf32>") && !text.contains("tensor<*xf32>"))
    try run("qnn-calibrate{inputset=\(inputset)}", on: module)
    try run("qnn-quantize", on: module)
    try run("qnn-fuse-lookup-tables", on: module)
    text = String(decoding: module.print(), as: UTF8.self)
    #expect(text.contains("qnn.calibration = [") && text.contains("qnn.input_quantizer = {bits = 4 : i64"))
    #expect(text.contains("qnn.common_scale") && text.contains("qnn.lookup = ") && text.contains("qnn.integer"))
    try run("qnn-to-fhelinalg{inputset=\(inputset)}", on: module)
    text = String(decoding: module.print(), as: UTF8.self)
    #expect(text.contains("func.func @_clear_forward_proxy(%arg0: tensor<1x12x8x8x!FHE.esint<9>>, %arg1: tensor<1x64x!FHE.eint<7>>) -> tensor<1x64x!FHE.eint<4>>"))
    #expect(module.operation.attributes["qnn.maximum_bit_width"]?.integerValue == 11)
  }

  /// `--rounding-method approximate` drops FHE.round (no bit-extraction bootstraps) for a
  /// precision cast before the lookup, with one more bit on the accumulator so that rounding up
  /// carries: the circuit computes exactly the integer program's `(x + 2^(l-1)) >> l`.
  @Test(arguments: [3, 5])
  func approximateRoundingIsExactInTheClear(_ bits: Int) throws {
    let url = try #require(SharedData.url("models/\(h8.folder)/model.qonnx.onnx"))
    let inputset = try h8.load("inputset.npy"), tests = try h8.load("test_inputs_q.npy")
    let rounding = AccumulatorRounding(thresholdBits: bits, method: .approximate)
    let compiled = try QATCompiler.compile(onnx: url, inputsets: [inputset], rounding: rounding)
    let text = String(decoding: compiled.circuit.print(), as: UTF8.self)
    #expect(!text.contains("FHELinalg.round") && text.contains("FHELinalg.reinterpret_precision"))
    let circuit = try Circuit(source: text)
    let arrays = [NDArray(tests.int64Values, shape: [tests.shape[0], 1] + Array(tests.shape.dropFirst()))]
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 2)).run(arrays: arrays)[0].int64Values
    let q = IntTensor(shape: tests.shape, data: tests.int64Values)
    let expected = compiled.program.evaluate([q])[compiled.program.outputs[0].node].data
    #expect(simulated == expected)
    #expect(simulated.count == 20 * 64)
  }

  /// Concrete-ML's rules 3.12 a/c: a graph input that does not go straight into exactly one
  /// Brevitas Quant gets a signed post-training quantizer with `model_inputs` bits fitted on the
  /// inputset (the float ops after it become a lookup). Checked on the MLP example with a ReLU put
  /// in front of its input Quant (a), and with its first Gemm reading the input directly (c): the
  /// emitted circuit computes exactly what the integer program does.
  @Test(arguments: ["relu before the input Quant", "Gemm on the raw input"])
  func inputsWithoutTheirOwnQuantGetACalibratedQuantizer(_ variant: String) throws {
    let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Examples/mlp").standardized
    var text = String(decoding: try importONNX(contentsOf: example.appendingPathComponent("mlp.qonnx.onnx")).print(), as: UTF8.self)
    let quant = #"%0 = "qnn.quant"(%arg0) {"#
    #expect(text.contains(quant))
    if variant.hasPrefix("relu") {
      text = text.replacingOccurrences(of: quant, with: #"%r = "qnn.relu"(%arg0) : (tensor<1x2xf32>) -> tensor<*xf32>"# + "\n" + #"%0 = "qnn.quant"(%r) {"#)
      text = text.replacingOccurrences(of: #"} : (tensor<1x2xf32>) -> tensor<*xf32>"#, with: #"} : (tensor<*xf32>) -> tensor<*xf32>"#)
    } else {
      text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        guard line.contains(#""qnn.gemm"(%0, %1, %cst_0)"#) else { return String(line) }
        return line.replacingOccurrences(of: "%0,", with: "%arg0,")
          .replacingOccurrences(of: ": (tensor<*xf32>, tensor<*xf32>", with: ": (tensor<1x2xf32>, tensor<*xf32>")
      }.joined(separator: "\n")
    }
    let module = try parseVerified(text, name: "mlp.mlir", registry: QNN.registry)
    let inputset = try Npy.read(contentsOf: example.appendingPathComponent("inputset.npy"))
    let tests = try Npy.read(contentsOf: example.appendingPathComponent("test_inputs.npy"))
    let compiled = try QATCompiler.compile(model: module, inputsets: [inputset])

    let q = compiled.inputQuantizers[0]
    #expect(q.isSigned && q.bits == 4)
    let quantized = compiled.program.quantizeInputs([tests])
    let expected = compiled.program.evaluate(quantized)[compiled.program.outputs[0].node].data
    let circuit = try Circuit(source: String(decoding: compiled.circuit.print(), as: UTF8.self))
    let batch = NDArray(quantized[0].data, shape: [20, 1, 2])
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 1)).run(arrays: [batch])[0].int64Values
    #expect(simulated == expected)
    #expect(simulated.count == 60)
    // And it still computes the model: the float graph's class on most test points.
    let graph = try QGraph(module: module)
    let float = try graph.evaluateFloat([tests])[graph.outputs[0]].data
    let ours = compiled.program.dequantizeOutput(0, IntTensor(shape: [20, 3], data: simulated)).data
    func argmax(_ v: [Double], _ row: Int) -> Int { (0..<3).max { v[row * 3 + $0] < v[row * 3 + $1] }! }
    let agree = (0..<20).filter { argmax(float, $0) == argmax(ours, $0) }.count
    print("\(variant): input quantizer \(q), argmax agreement with the float graph \(agree)/20")
    #expect(agree >= 16)
  }

  @Test func badRoundingOptionsAreRejected() throws {
    let model = try loadModel(h8)
    let module = try importONNX(model, fileName: "m.onnx")
    let dir = SharedData.root.appendingPathComponent("models/\(h8.folder)").path
    #expect(throws: (any Error).self) {
      try run("qnn-to-fhelinalg{inputset=\(dir)/inputset.npy rounding-threshold-bits=3 rounding-method=fast}", on: module)
    }
    let inputset = try h8.load("inputset.npy")
    #expect(throws: QNNError.self) {
      try QATCompiler.compile(model: module, inputsets: [inputset], rounding: AccumulatorRounding(thresholdBits: 0, method: .approximate))
    }
  }

  @Test func calibrateNeedsAnInputset() throws {
    let model = try loadModel(h8)
    let module = try importONNX(model, fileName: "m.onnx")
    #expect(throws: PassFailure.self) { try run("qnn-calibrate", on: module) }
  }
}
