import Foundation
import Testing
import TorusFormats
import TorusImport
import TorusInterpreter
import TorusONNX
import TorusPasses
import TorusQNN
import TorusIR
import TorusQNNTransforms
import TorusTestSupport

/// Import-level rules of the zoo: unsupported ops are all named, constant shape arithmetic is
/// folded, element-wise activations import.
@Suite(.requiresShared("models/zoo")) struct ZooImportTests {
  func zooModel(_ name: String) throws -> ONNXModel {
    try ONNXModel(contentsOf: try #require(SharedData.url("models/zoo/\(name)/model.qonnx.onnx")))
  }

  /// Every unsupported node is listed by name, and the supported element-wise ops are not.
  @Test func listsOnlyTheUnsupportedNodes() throws {
    var model = try zooModel("mlp-activations")
    let tanh = try #require(model.graph.nodes.firstIndex { $0.opType == "Tanh" })
    let leaky = try #require(model.graph.nodes.firstIndex { $0.opType == "LeakyRelu" })
    model.graph.nodes[tanh].opType = "Hardmax"
    model.graph.nodes[leaky].opType = "Softmax"
    do {
      _ = try importONNX(model, fileName: "m.onnx")
      Issue.record("import succeeded")
    } catch {
      #expect(error.description == "'m.onnx': 2 unsupported nodes: '/tanh/act_quant/activation_impl/Tanh' (Hardmax), '/leaky/LeakyRelu' (Softmax)")
    }
  }

  /// The lowering lists every node it cannot take too (two independent branches here); the
  /// nodes that read a failed one are not reported again.
  @Test func loweringListsEveryFailedNode() throws {
    let module = try importONNX(try zooModel("mul-sub-branches"), fileName: "m.onnx")
    module.operation.walk { op in
      if op.name == QNN.GemmOp.name, case .name(let node, _) = op.location, node != "/fc/Gemm" {
        op.attributes["alpha"] = .f32(2)
      }
    }
    let inputset = try Npy.read(contentsOf: try #require(SharedData.url("models/zoo/mul-sub-branches/inputset.npy")))
    do {
      _ = try QATCompiler.compile(model: module, inputsets: [inputset])
      Issue.record("expected a lowering error")
    } catch {
      guard case .several(let errors) = error else { Issue.record("unexpected \(error)"); return }
      #expect(errors.count == 2)
      #expect(error.description.hasPrefix("2 nodes cannot be lowered:\n"))
      #expect(error.description.contains("/fc_a/") && error.description.contains("/fc_b/"))
    }
  }

  /// Bad uses of the new ops are clear errors: a Cast to an integer type, a Gather index list
  /// outside the axis (at shape inference, naming the node).
  @Test func badCastAndGatherIndicesAreRefused() throws {
    var model = try zooModel("cnn1d-last-step")
    let gather = try #require(model.graph.nodes.firstIndex { $0.opType == "Gather" })
    let indexName = model.graph.nodes[gather].inputs[1]
    model.graph.initializers[indexName] = NDArray([0, 99], shape: [2])
    model.graph.nodes.removeAll { $0.outputs.contains(indexName) }
    let module = try importONNX(model, fileName: "g.onnx")
    let inputset = try Npy.read(contentsOf: try #require(SharedData.url("models/zoo/cnn1d-last-step/inputset.npy")))
    do {
      _ = try QATCompiler.compile(model: module, inputsets: [inputset])
      Issue.record("an index out of range compiled")
    } catch {
      #expect(String(describing: error).contains("index 99 on axis"), "\(error)")
    }

    var cast = try zooModel("cnn1d-last-step")
    cast.graph.nodes[gather].opType = "Cast"
    cast.graph.nodes[gather].inputs = [cast.graph.nodes[gather].inputs[0]]
    cast.graph.nodes[gather].attributes = ["to": .int(7)]
    do {
      _ = try importONNX(cast, fileName: "c.onnx")
      Issue.record("a Cast to INT64 imported")
    } catch {
      #expect(error.description.contains("node '/Gather': cast to ONNX type 7 is not supported"), "\(error.description)")
    }
  }

  /// `F.pad`'s constant subgraph (ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast) is
  /// folded at import: the Pad gets constant pads and no other op of it is left.
  @Test func padSubgraphIsFolded() throws {
    let module = try importONNX(try zooModel("pad-transpose-slice"), fileName: "p.onnx")
    let text = String(decoding: module.print(), as: UTF8.self)
    #expect(text.contains("\"qnn.pad\"") && text.contains("pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>"))
    for op in ["ConstantOfShape", "Cast"] { #expect(!text.contains(op)) }
    let graph = try QGraph(module: module)
    #expect(graph.nodes.filter { if case .slice = $0.op { true } else { false } }.count == 2)
  }

  /// A Concat whose operands carry different quantizers is refused, naming the Concat.
  @Test func concatNeedsOneQuantizer() throws {
    var model = try zooModel("concat-branches")
    let q = try #require(model.graph.nodes.firstIndex { $0.name == "/q_cat/act_quant/export_handler_1/Quant" })
    let scale = model.graph.nodes[q].inputs[1]
    model.graph.initializers[scale + "_other"] = NDArray(float64: [0.5], shape: [])
    model.graph.nodes[q].inputs[1] = scale + "_other"
    let inputset = try Npy.read(contentsOf: try #require(SharedData.url("models/zoo/concat-branches/inputset.npy")))
    do {
      _ = try QATCompiler.compile(model: try importONNX(model, fileName: "c.onnx"), inputsets: [inputset], nBitsInputs: 8, nBitsOutputs: 8)
      Issue.record("compile succeeded")
    } catch {
      #expect("\(error)".hasPrefix("node '/Concat': Concat operands must share one quantizer"))
    }
  }

  /// Value-moving ops that change nothing (Unsqueeze then Squeeze, a Transpose and its inverse,
  /// a full Slice) inserted before a Gemm leave Concrete-ML's raw outputs unchanged, and the
  /// circuit's simulation equals the program: the general reshape/transpose/slice lowering.
  @Test func identityMovesKeepOutputs() throws {
    var model = try zooModel("two-inputs")
    let gemm = try #require(model.graph.nodes.firstIndex { $0.name == "/fc/Gemm" })
    let x = model.graph.nodes[gemm].inputs[0]
    model.graph.initializers["ax2"] = NDArray([2], shape: [1])
    model.graph.initializers["s0"] = NDArray([0], shape: [1])
    model.graph.initializers["s1"] = NDArray([16], shape: [1])
    model.graph.initializers["a1"] = NDArray([1], shape: [1])
    let template = model.graph.nodes[gemm]
    func node(_ name: String, _ op: String, _ ins: [String], _ attrs: [String: ONNXAttribute] = [:]) -> ONNXNode {
      var n = template
      (n.name, n.opType, n.domain, n.inputs, n.outputs, n.attributes) = (name, op, "", ins, [name + "_out"], attrs)
      return n
    }
    let moves = [
      node("/t/Unsqueeze", "Unsqueeze", [x, "ax2"]), node("/t/Transpose", "Transpose", ["/t/Unsqueeze_out"], ["perm": .ints([0, 2, 1])]),
      node("/t/Transpose_1", "Transpose", ["/t/Transpose_out"], ["perm": .ints([0, 2, 1])]),
      node("/t/Squeeze", "Squeeze", ["/t/Transpose_1_out", "ax2"]), node("/t/Slice", "Slice", ["/t/Squeeze_out", "s0", "s1", "a1"]),
    ]
    model.graph.nodes[gemm].inputs[0] = "/t/Slice_out"
    model.graph.nodes.insert(contentsOf: moves, at: gemm)
    let folder = try #require(SharedData.url("models/zoo/two-inputs"))
    let inputsets = try (0..<2).map { try Npy.read(contentsOf: folder.appendingPathComponent("inputset_\($0).npy")) }
    let compiled = try QATCompiler.compile(model: try importONNX(model, fileName: "t.onnx"), inputsets: inputsets, nBitsInputs: 8, nBitsOutputs: 8)
    let tests = try (0..<2).map { try Npy.read(contentsOf: folder.appendingPathComponent("test_inputs_q_\($0).npy")) }
    let circuit = try Circuit(source: String(decoding: compiled.circuit.print(), as: UTF8.self))
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 2, trace: { _ in })).run(arrays: tests)
    let expected = try Npy.read(contentsOf: folder.appendingPathComponent("expected_simulate_q.npy")).int64Values
    #expect(simulated[0].int64Values == expected)
    let text = String(decoding: compiled.circuit.print(), as: UTF8.self)
    #expect(text.contains("FHELinalg.transpose") && text.contains("tensor.expand_shape"))
  }

  /// A standalone zero Pad (read by a Slice, so not fused into a Conv) and the Slice that removes
  /// it, plus identity element-wise ops in a fused chain (PRelu of slope 1, Max with a very small
  /// constant, Min with a large one), leave concat-branches' raw outputs unchanged.
  @Test func standalonePadAndIdentityActivationsKeepOutputs() throws {
    var model = try zooModel("concat-branches")
    let template = model.graph.nodes[0]
    func node(_ name: String, _ op: String, _ ins: [String], _ attrs: [String: ONNXAttribute] = [:]) -> ONNXNode {
      var n = template
      (n.name, n.opType, n.domain, n.inputs, n.outputs, n.attributes) = (name, op, "", ins, [name + "_out"], attrs)
      return n
    }
    let g = model.graph
    model.graph.initializers["pads"] = NDArray([0, 0, 1, 2, 0, 0, 1, 2], shape: [8])
    model.graph.initializers["starts"] = NDArray([1, 2], shape: [2])
    model.graph.initializers["ends"] = NDArray([9, 10], shape: [2])
    model.graph.initializers["axes"] = NDArray([2, 3], shape: [2])
    model.graph.initializers["one"] = NDArray(float64: [1], shape: [1])
    model.graph.initializers["low"] = NDArray(float64: [-1000], shape: [])
    model.graph.initializers["high"] = NDArray(float64: [1000], shape: [])
    // Pad + Slice between the Concat and the Conv that reads it.
    let conv = try #require(g.nodes.firstIndex { $0.name == "/conv_c/Conv" })
    model.graph.nodes[conv].inputs[0] = "/t/Slice_out"
    model.graph.nodes.insert(
      contentsOf: [node("/t/Pad", "Pad", [g.nodes[conv].inputs[0], "pads"], ["mode": .string("constant")]),
                   node("/t/Slice", "Slice", ["/t/Pad_out", "starts", "ends", "axes"])], at: conv)
    // PRelu(·, 1), Max(·, -1000), Min(·, 1000) after the first branch's Relu.
    let relu = try #require(model.graph.nodes.firstIndex { $0.name == "/Relu" })
    let quant = try #require(model.graph.nodes.firstIndex { $0.inputs.first == model.graph.nodes[relu].outputs[0] })
    model.graph.nodes[quant].inputs[0] = "/t/Min_out"
    model.graph.nodes.insert(
      contentsOf: [node("/t/PRelu", "PRelu", [model.graph.nodes[relu].outputs[0], "one"]), node("/t/Max", "Max", ["/t/PRelu_out", "low"]),
                   node("/t/Min", "Min", ["/t/Max_out", "high"])], at: relu + 1)
    let folder = try #require(SharedData.url("models/zoo/concat-branches"))
    let inputset = try Npy.read(contentsOf: folder.appendingPathComponent("inputset.npy"))
    let compiled = try QATCompiler.compile(model: try importONNX(model, fileName: "c.onnx"), inputsets: [inputset], nBitsInputs: 8, nBitsOutputs: 8)
    let circuit = try Circuit(source: String(decoding: compiled.circuit.print(), as: UTF8.self))
    let tests = try Npy.read(contentsOf: folder.appendingPathComponent("test_inputs_q.npy"))
    let simulated = try Simulator(circuit: circuit, options: SimulateOptions(threads: 2, trace: { _ in })).run(arrays: [tests])
    let expected = try Npy.read(contentsOf: folder.appendingPathComponent("expected_simulate_q.npy")).int64Values
    #expect(simulated[0].int64Values == expected)
    #expect(String(decoding: compiled.circuit.print(), as: UTF8.self).contains("tensor.extract_slice"))
  }

  /// The five qnn passes, run one by one on IR (calibration and quantizers stored as
  /// attributes between them), compose to the same circuit as `torus compile` on every zoo model
  /// compiled without rounding: each new op has its shape, calibration and quantization rules in
  /// the pass path too.
  @Test func passesComposeToTheCompiledCircuit() throws {
    for name in ["two-inputs", "mlp-activations", "mlp-silu-gelu", "mul-sub-branches", "resnet-add", "lowbit-w2-a2",
                 "concat-branches", "cnn1d-last-step", "pad-transpose-slice", "pot-auto-round"] {
      let folder = try #require(SharedData.url("models/zoo/\(name)"))
      let info = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("info.json"))) as! [String: Any]
      let n = (info["compile_call"] as! [String: Any])["n_bits"] as? [String: Any]
      let (i, o) = (n?["model_inputs"] as? Int ?? 8, n?["model_outputs"] as? Int ?? 8)
      let sets = SharedData.files(in: folder, suffix: ".npy").filter { $0.lastPathComponent.hasPrefix("inputset") }
      let inputset = sets.map(\.path).joined(separator: ":")
      let bits = "n-bits-inputs=\(i) n-bits-outputs=\(o)"
      let module = try importONNX(try zooModel(name), fileName: "m.onnx")
      var registry = PassRegistry.standard
      QNNPasses.register(into: &registry)
      let pipeline = "qnn-shape-inference,qnn-calibrate{inputset=\(inputset)},qnn-quantize{\(bits)},qnn-fuse-lookup-tables{\(bits)},"
        + "qnn-to-fhelinalg{inputset=\(inputset) \(bits)}"
      let pm = PassManager(root: try PipelineParser(passes: registry).parse(pipeline), context: PassContext(registry: QNN.registry))
      try pm.run(module)
      let compiled = try QATCompiler.compile(
        onnx: folder.appendingPathComponent("model.qonnx.onnx"), inputsets: try sets.map { try Npy.read(contentsOf: $0) },
        nBitsInputs: i, nBitsOutputs: o)
      let viaPasses = String(decoding: module.print(), as: UTF8.self)
      let direct = String(decoding: compiled.circuit.print(), as: UTF8.self)
      #expect(viaPasses.contains(direct.split(separator: "\n").dropFirst().dropLast(2).joined(separator: "\n")), "\(name)")
    }
  }
}
