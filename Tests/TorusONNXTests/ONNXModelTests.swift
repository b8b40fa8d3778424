import Foundation
import Testing
import TorusFormats
import TorusONNX
import TorusTestSupport

/// A minimal protobuf writer for building test models by hand.
struct PB {
  var bytes: [UInt8] = []

  mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
    bytes.append(UInt8(v))
  }
  mutating func tag(_ field: Int, _ wire: UInt64) { varint(UInt64(field) << 3 | wire) }
  mutating func int(_ field: Int, _ v: Int64) { tag(field, 0); varint(UInt64(bitPattern: v)) }
  mutating func data(_ field: Int, _ b: [UInt8]) { tag(field, 2); varint(UInt64(b.count)); bytes += b }
  mutating func string(_ field: Int, _ s: String) { data(field, Array(s.utf8)) }
  mutating func float(_ field: Int, _ f: Float) {
    tag(field, 5)
    withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes += $0 }
  }
  mutating func message(_ field: Int, _ build: (inout PB) -> Void) {
    var inner = PB()
    build(&inner)
    data(field, inner.bytes)
  }
  mutating func packedFloats(_ field: Int, _ values: [Float]) {
    var raw: [UInt8] = []
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw += $0 } }
    data(field, raw)
  }
  mutating func packedInts(_ field: Int, _ values: [Int64]) {
    var inner = PB()
    for v in values { inner.varint(UInt64(bitPattern: v)) }
    data(field, inner.bytes)
  }
}

/// A model whose graph holds one initializer built by `tensor`.
func modelWithInitializer(_ tensor: @escaping (inout PB) -> Void) -> [UInt8] {
  var m = PB()
  m.int(1, 8)
  m.message(7) { g in g.message(5, tensor) }
  return m.bytes
}

func expectONNXError(_ bytes: [UInt8], _ expected: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
  do {
    let m = try ONNXModel(serializedBytes: bytes, fileName: "t.onnx")
    Issue.record("expected error '\(expected)', parsed \(m.graph.nodes.count) nodes",
                 sourceLocation: sourceLocation)
  } catch {
    #expect(error.description == expected, sourceLocation: sourceLocation)
  }
}

@Suite struct ONNXModelTests {
  @Test func readsHandBuiltModel() throws {
    var m = PB()
    m.int(1, 8)
    m.string(2, "torus-test")
    m.message(8) { $0.string(1, ""); $0.int(2, 17) }
    m.message(8) { $0.string(1, "qonnx.custom_op.general"); $0.int(2, 1) }
    m.message(7) { g in
      g.string(2, "main")
      g.message(1) { n in
        n.string(1, "x"); n.string(1, "w"); n.string(2, "y")
        n.string(3, "conv0"); n.string(4, "Conv")
        n.message(5) { $0.string(1, "group"); $0.int(20, 2); $0.int(3, 1) }
        n.message(5) { $0.string(1, "pads"); $0.int(20, 7); $0.packedInts(8, [1, 1, 1, 1]) }
        n.message(5) { $0.string(1, "alpha"); $0.int(20, 1); $0.float(2, 0.5) }
        n.message(5) { $0.string(1, "mode"); $0.int(20, 3); $0.string(4, "floor") }
        n.message(5) { $0.string(1, "names"); $0.int(20, 8); $0.string(9, "a"); $0.string(9, "b") }
        n.message(5) { a in
          a.string(1, "value"); a.int(20, 4)
          a.message(5) { $0.int(1, 2); $0.int(2, 3); $0.packedInts(5, [-1, 1]) }  // int8 in int32_data
        }
        n.message(5) { a in
          a.string(1, "body"); a.int(20, 5)
          a.message(6) { $0.string(2, "sub"); $0.message(1) { $0.string(4, "Identity") } }
        }
      }
      g.message(1) { n in
        n.string(1, "y"); n.string(2, "z"); n.string(4, "Quant"); n.string(7, "qonnx.custom_op.general")
      }
      g.message(5) { t in  // int64 initializer in raw_data
        t.packedInts(1, [2, 2]); t.int(2, 7); t.string(8, "w")
        var raw: [UInt8] = []
        for v: Int64 in [1, -2, 3, Int64.max] { withUnsafeBytes(of: v.littleEndian) { raw += $0 } }
        t.data(9, raw)
      }
      g.message(5) { t in  // float initializer in float_data
        t.int(1, 3); t.int(2, 1); t.string(8, "b"); t.packedFloats(4, [0.5, -1, 2])
      }
      g.message(5) { t in  // bool in int32_data
        t.int(1, 2); t.int(2, 9); t.string(8, "mask"); t.packedInts(5, [1, 0])
      }
      g.message(5) { t in  // double, scalar
        t.int(2, 11); t.string(8, "s")
        t.tag(10, 1); withUnsafeBytes(of: (2.5 as Double).bitPattern.littleEndian) { t.bytes += $0 }
      }
      g.message(11) { v in
        v.string(1, "x")
        v.message(2) { ty in
          ty.message(1) { tt in
            tt.int(1, 1)
            tt.message(2) { s in
              s.message(1) { $0.string(2, "batch") }
              s.message(1) { $0.int(1, 12) }
              s.message(1) { _ in }
            }
          }
        }
      }
      g.message(11) { $0.string(1, "w") }
      g.message(12) { $0.string(1, "z") }
    }
    let model = try ONNXModel(serializedBytes: m.bytes, fileName: "t.onnx")
    #expect(model.irVersion == 8)
    #expect(model.producer == "torus-test")
    #expect(model.opsets == ["": 17, "qonnx.custom_op.general": 1])
    let g = model.graph
    #expect(g.name == "main")
    #expect(g.nodes.map(\.opType) == ["Conv", "Quant"])
    #expect(g.nodes[1].domain == "qonnx.custom_op.general")
    let conv = g.nodes[0]
    #expect(conv.inputs == ["x", "w"])
    #expect(conv.outputs == ["y"])
    #expect(conv.attributes["group"] == .int(1))
    #expect(conv.attributes["pads"]?.intsValue == [1, 1, 1, 1])
    #expect(conv.attributes["alpha"] == .float(0.5))
    #expect(conv.attributes["mode"] == .string("floor"))
    #expect(conv.attributes["names"] == .strings(["a", "b"]))
    #expect(conv.attributes["value"]?.tensorValue?.storage == .int8([-1, 1]))
    guard case .graph(let body) = conv.attributes["body"] else {
      Issue.record("expected a graph attribute")
      return
    }
    #expect(body.name == "sub")
    #expect(body.nodes.map(\.opType) == ["Identity"])
    #expect(g.initializerNames == ["w", "b", "mask", "s"])
    #expect(g.initializers["w"] == NDArray([1, -2, 3, Int64.max], shape: [2, 2]))
    #expect(g.initializers["b"]?.storage == .float32([0.5, -1, 2]))
    #expect(g.initializers["mask"]?.storage == .bool([true, false]))
    #expect(g.initializers["s"] == NDArray(float64: [2.5], shape: []))
    #expect(g.inputs.count == 2)
    #expect(g.inputs[0] == ONNXValueInfo(name: "x", elementType: .float,
                                         shape: [.symbol("batch"), .value(12), .unknown]))
    #expect(g.inputs[1].elementType == nil)
    #expect(g.runtimeInputs.map(\.name) == ["x"])
    #expect(g.outputs.map(\.name) == ["z"])
  }

  @Test func rejectsBadTensorsAndModels() {
    expectONNXError(modelWithInitializer { t in
      t.int(1, 2); t.int(1, 3); t.int(2, 1); t.string(8, "w"); t.packedFloats(4, [1, 2, 3, 4, 5])
    }, "initializer 'w': size mismatch: dims 2×3 'float' (1) need 6 values in 'float_data', found 5")
    expectONNXError(modelWithInitializer { t in
      t.int(1, 4); t.int(2, 7); t.string(8, "r"); t.data(9, Array(repeating: 0, count: 31))
    }, "initializer 'r': size mismatch: dims 4 'int64' (7) need 32 bytes in 'raw_data', found 31")
    expectONNXError(modelWithInitializer { t in
      t.int(1, 2); t.int(2, 10); t.string(8, "h"); t.data(9, [0, 0, 0, 0])
    }, "initializer 'h': unsupported tensor data type 'float16' (10)")
    expectONNXError(modelWithInitializer { t in
      t.int(1, 2); t.int(2, 1); t.string(8, "e"); t.int(14, 1)
      t.message(13) { $0.string(1, "location"); $0.string(2, "weights.bin") }
    }, "initializer 'e': external tensor data is not supported (expected data inside the model file)")
    expectONNXError(modelWithInitializer { t in
      t.int(1, -1); t.int(2, 1); t.string(8, "n")
    }, "initializer 'n': invalid dims [-1]")
    expectONNXError({ var m = PB(); m.int(1, 8); return m.bytes }(),
                    "invalid ONNX file 't.onnx': expected a graph, found none")
    expectONNXError(Array("this is not a protobuf\n".utf8),
                    "corrupt ONNX file 't.onnx': malformed protobuf data")
    expectONNXError({ var m = PB(); m.message(7) { $0.string(2, "main") }; return Array(m.bytes.dropLast(2)) }(),
                    "corrupt ONNX file 't.onnx': truncated protobuf data")
  }

  @Test(.enabled(if: SharedData.url("models/chess-source-h8/model.qonnx.onnx") != nil,
                 "\(SharedData.skipMessage)"))
  func corruptedCopiesFailCleanly() throws {
    let source = try #require(SharedData.url("models/chess-source-h8/model.qonnx.onnx"))
    let original = [UInt8](try Data(contentsOf: source))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("torus-onnx-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // Cuts inside the graph field (which spans nearly the whole file) must be reported.
    for fraction in [0.01, 0.1, 0.37, 0.5, 0.83, 0.99] {
      let url = dir.appendingPathComponent("cut-\(fraction).onnx")
      try Data(original.prefix(Int(Double(original.count) * fraction))).write(to: url)
      #expect(throws: ONNXError.self) { try ONNXModel(contentsOf: url) }
    }
    // Flipped bytes may still parse (inside float data); they must never crash.
    var rng = SystemRandomNumberGenerator()
    for i in 0..<60 {
      var bytes = original
      for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
      let url = dir.appendingPathComponent("flip-\(i).onnx")
      try Data(bytes).write(to: url)
      _ = try? ONNXModel(contentsOf: url)
    }
    #expect(throws: ONNXError.self) { try ONNXModel(contentsOf: dir.appendingPathComponent("absent.onnx")) }
  }

  struct Expected: Sendable, CustomStringConvertible {
    var folder: String
    var file: String
    var nodes: Int
    var quantNodes: Int
    var initializers: Int
    var inputs: Int
    var runtimeInputs: [[Int64]]
    var convWeight: [Int]
    var convWeightSum: Double
    var description: String { "\(folder)/\(file)" }
  }

  static let models: [Expected] = [
    .init(folder: "chess-source-h8", file: "model.qonnx.onnx", nodes: 40, quantNodes: 19, initializers: 59,
          inputs: 32, runtimeInputs: [[1, 12, 8, 8]], convWeight: [8, 12, 3, 3], convWeightSum: 11.17039042711258),
    .init(folder: "chess-source-h8", file: "model.cml.onnx", nodes: 40, quantNodes: 19, initializers: 59,
          inputs: 1, runtimeInputs: [[1, 12, 8, 8]], convWeight: [8, 12, 3, 3], convWeightSum: 11.17039042711258),
    .init(folder: "chess-target-h8", file: "model.qonnx.onnx", nodes: 41, quantNodes: 23, initializers: 44,
          inputs: 14, runtimeInputs: [[1, 12, 8, 8], [1, 64]], convWeight: [8, 12, 3, 3],
          convWeightSum: -0.5181798450648785),
    .init(folder: "chess-target-h8", file: "model.cml.onnx", nodes: 41, quantNodes: 23, initializers: 44,
          inputs: 2, runtimeInputs: [[1, 12, 8, 8], [1, 64]], convWeight: [8, 12, 3, 3],
          convWeightSum: -0.5181798450648785),
    .init(folder: "chess-source-h32", file: "model.qonnx.onnx", nodes: 40, quantNodes: 19, initializers: 59,
          inputs: 32, runtimeInputs: [[1, 12, 8, 8]], convWeight: [32, 12, 3, 3], convWeightSum: 33.381073124706745),
    .init(folder: "chess-target-h32", file: "model.cml.onnx", nodes: 41, quantNodes: 23, initializers: 44,
          inputs: 2, runtimeInputs: [[1, 12, 8, 8], [1, 64]], convWeight: [32, 12, 3, 3],
          convWeightSum: 31.533523231744766),
    .init(folder: "chess-source-h128", file: "model.qonnx.onnx", nodes: 40, quantNodes: 19, initializers: 59,
          inputs: 32, runtimeInputs: [[1, 12, 8, 8]], convWeight: [128, 12, 3, 3], convWeightSum: 75.21632359921932),
    .init(folder: "chess-target-h128", file: "model.qonnx.onnx", nodes: 41, quantNodes: 23, initializers: 43,
          inputs: 14, runtimeInputs: [[1, 12, 8, 8], [1, 64]], convWeight: [128, 12, 3, 3],
          convWeightSum: 48.182033978402615),
  ]

  // Expected numbers come from the `onnx` Python package: scripts/onnx-summary.py.
  @Test(.enabled(if: SharedData.url("models") != nil, "\(SharedData.skipMessage)"), arguments: models)
  func readsChessModels(_ e: Expected) throws {
    let url = try #require(SharedData.url("models/\(e.folder)/\(e.file)"))
    let model = try ONNXModel(contentsOf: url)
    #expect(model.irVersion == 7)
    #expect(model.opsets == ["": 14, "onnx.brevitas": 1])
    #expect(model.producer == "pytorch")
    let g = model.graph
    #expect(g.nodes.count == e.nodes)
    #expect(g.nodes.filter { $0.opType == "Quant" }.count == e.quantNodes)
    #expect(Set(g.nodes.filter { $0.opType == "Quant" }.map(\.domain)) == ["onnx.brevitas"])
    #expect(Set(g.nodes.map(\.opType)).isSuperset(of: ["Quant", "Conv", "Relu", "Gemm", "Flatten", "Sigmoid"]))
    #expect(g.nodes.filter { $0.opType == "Conv" }.count == 5)
    #expect(g.initializers.count == e.initializers)
    #expect(g.inputs.count == e.inputs)
    #expect(g.runtimeInputs.map { $0.shape ?? [] } == e.runtimeInputs.map { $0.map(ONNXDimension.value) })
    #expect(g.runtimeInputs.allSatisfy { $0.elementType == .float })
    #expect(g.outputs.count == 1)
    #expect(g.outputs.first?.shape == [.value(1), .value(64)])

    // The first Conv's weight comes through a Quant node from a float initializer.
    let conv = try #require(g.nodes.first { $0.opType == "Conv" })
    #expect(conv.attributes["kernel_shape"] == .ints([3, 3]))
    #expect(conv.attributes["pads"] == .ints([1, 1, 1, 1]))
    #expect(conv.attributes["group"] == .int(1))
    let producer = try #require(g.nodes.first { $0.outputs.contains(conv.inputs[1]) })
    #expect(producer.opType == "Quant")
    #expect(producer.attributes["rounding_mode"] == .string("ROUND"))
    let weight = try #require(g.initializers[producer.inputs[0]])
    #expect(weight.dtype == .float32)
    #expect(weight.shape == e.convWeight)
    let sum = weight.doubleValues.reduce(0, +)
    #expect(abs(sum - e.convWeightSum) < 1e-9 * max(1, abs(e.convWeightSum)))
  }
}
