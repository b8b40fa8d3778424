import Foundation
import Testing
import TorusFormats
import TorusImport
import TorusONNX
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
}
