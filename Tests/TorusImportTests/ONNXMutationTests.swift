import Foundation
import Testing
import TorusFormats
import TorusIR
import TorusImport
import TorusONNX
import TorusQNNTransforms
import TorusTestSupport

/// Bad model files only get diagnostics: the zoo's ONNX files, mutated at random (seeded) —
/// truncated, bytes flipped, initializers with wrong dimensions or missing, nodes removed,
/// inputs rewired, attributes changed — are imported and compiled; each must either compile
/// or fail with a typed error that says something. A crash would end the test process; a hang
/// is caught by the time limit. `TORUS_FUZZ_SEED` and `TORUS_FUZZ_ROUNDS` (mutants per model ×30)
/// fuzz longer locally.
@Suite(.requiresShared("models/zoo")) struct ONNXMutationTests {
  enum Outcome: Hashable { case compiled, onnxError, importError, compileError }

  @Test(.timeLimit(.minutes(10))) func mutatedZooModelsOnlyGetDiagnostics() throws {
    let zoo = try #require(SharedData.url("models/zoo"))
    let folders = try FileManager.default.contentsOfDirectory(atPath: zoo.path).sorted()
      .map { zoo.appendingPathComponent($0) }
      .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.qonnx.onnx").path) }
    #expect(folders.count == 15)
    let environment = ProcessInfo.processInfo.environment
    var rng = SplitMix64(seed: environment["TORUS_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x7075_7a7a)
    let rounds = environment["TORUS_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 1
    var counts: [Outcome: Int] = [:]
    var mutants = 0
    for folder in folders {
      let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.qonnx.onnx")))
      // A small inputset keeps calibration quick; the rules do not depend on its size.
      let inputsets = try SharedData.files(in: folder, suffix: ".npy")
        .filter { $0.lastPathComponent.hasPrefix("inputset") }
        .map { try Npy.read(contentsOf: $0).slice(0..<16) }
      let original = try ONNXModel(serializedBytes: bytes, fileName: "model.qonnx.onnx")
      // Byte-level damage.
      for k in 0..<(18 * rounds) {
        var damaged = bytes
        switch k % 3 {
        case 0: damaged = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case 1:
          for _ in 0..<Int.random(in: 1...8, using: &rng) { damaged[Int.random(in: 0..<damaged.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
        default:
          let at = Int.random(in: 0..<bytes.count, using: &rng)
          damaged.insert(contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
        }
        mutants += 1
        counts[try Self.outcome(of: damaged, inputsets: inputsets, name: folder.lastPathComponent), default: 0] += 1
      }
      // Structural damage on the parsed model.
      for k in 0..<(10 * rounds) {
        var model = original
        Self.mutate(&model, kind: k % 5, rng: &rng)
        mutants += 1
        counts[try Self.outcome(of: model, inputsets: inputsets, name: folder.lastPathComponent), default: 0] += 1
      }
    }
    print("onnx mutations: \(mutants) mutants of \(folders.count) zoo models — \(counts[.onnxError] ?? 0) refused as ONNX, \(counts[.importError] ?? 0) by the importer, \(counts[.compileError] ?? 0) by the compiler, \(counts[.compiled] ?? 0) compiled")
    // Most damage must be caught; a flipped byte in a weight may still compile (a different model).
    #expect((counts[.compiled] ?? 0) < mutants / 2)
  }

  /// Wrong dims, a missing initializer, a removed node, a rewired input, a changed attribute.
  static func mutate(_ model: inout ONNXModel, kind: Int, rng: inout SplitMix64) {
    var graph = model.graph
    let names = graph.initializerNames.filter { graph.initializers[$0] != nil }
    switch kind {
    case 0 where !names.isEmpty:
      let name = names[Int.random(in: 0..<names.count, using: &rng)]
      let a = graph.initializers[name]!
      let shape = a.rank >= 2 ? Array(a.shape.reversed()) : [1, a.shape.first ?? 1]
      graph.initializers[name] = (try? NDArray(shape: shape.reduce(1, *) == a.storage.count ? shape : [a.storage.count], storage: a.storage)) ?? a
      if shape == a.shape { graph.initializers[name] = try? NDArray(shape: [1] + a.shape, storage: a.storage) }
    case 1 where !names.isEmpty:
      let name = names[Int.random(in: 0..<names.count, using: &rng)]
      graph.initializers[name] = nil
      graph.initializerNames.removeAll { $0 == name }
    case 2 where !graph.nodes.isEmpty:
      graph.nodes.remove(at: Int.random(in: 0..<graph.nodes.count, using: &rng))
    case 3 where graph.nodes.count > 1:
      let i = Int.random(in: 0..<graph.nodes.count, using: &rng)
      if !graph.nodes[i].inputs.isEmpty {
        let other = graph.nodes[Int.random(in: 0..<graph.nodes.count, using: &rng)]
        graph.nodes[i].inputs[0] = other.outputs.first ?? "nowhere"
      }
    default:
      let i = Int.random(in: 0..<max(1, graph.nodes.count), using: &rng)
      if i < graph.nodes.count, let key = graph.nodes[i].attributes.keys.sorted().first {
        graph.nodes[i].attributes[key] = .int(Int64.random(in: -3...70, using: &rng))
      } else if i < graph.nodes.count {
        graph.nodes[i].opType += "X"
      }
    }
    model.graph = graph
  }

  static func outcome(of bytes: [UInt8], inputsets: [NDArray], name: String) throws -> Outcome {
    let model: ONNXModel
    do { model = try ONNXModel(serializedBytes: bytes, fileName: name) } catch {
      #expect(!"\(error)".isEmpty)
      return .onnxError
    }
    return try outcome(of: model, inputsets: inputsets, name: name)
  }

  static func outcome(of model: ONNXModel, inputsets: [NDArray], name: String) throws -> Outcome {
    let module: Module
    do { module = try importONNX(model, fileName: name) } catch {
      #expect(!"\(error)".isEmpty)
      return .importError
    }
    do {
      _ = try CompilePipeline.compile(module, inputsets: inputsets, options: CompileOptions(bits: QuantizationBits(modelInputs: 4, modelOutputs: 4)))
    } catch {
      #expect(!"\(error)".isEmpty)
      return .compileError
    }
    return .compiled
  }
}
