import ChessEngine
import ChessRules
import Foundation
import TorusFormats
import TorusImport
import TorusInterpreter
import TorusQNN
import TorusQNNTransforms

/// One FHE.Chess network compiled to a circuit file (plus its quantization sidecar), as
/// `torus compile` makes it: the source network takes the board, the target network the board
/// and the one-hot from-square.
struct CompiledNetwork: Sendable {
  let name: String
  let path: String
  let circuit: Circuit
  let modelIO: ModelIO

  /// Compiles `<models>/chess-<name>-<hidden>/model.qonnx.onnx` with its inputset(s) into
  /// `<work>/<name>.mlir` (n_bits 4/4, as FHE.Chess compiled them), unless that file is already
  /// there from an earlier start with the same settings.
  static func compile(name: String, models: String, hidden: String, rounding: Int?, work: String, log: (String) -> Void) throws
    -> CompiledNetwork
  {
    let dir = "\(models)/chess-\(name)-\(hidden)"
    let onnx = dir + "/model.qonnx.onnx"
    guard FileManager.default.fileExists(atPath: onnx) else { throw EngineSetupError("'\(onnx)' not found (--models points at ../shared/models)") }
    let inputsets = name == "source" ? [dir + "/inputset.npy"] : [dir + "/inputset_board.npy", dir + "/inputset_source.npy"]
    let path = "\(work)/\(name)-\(hidden)\(rounding.map { "-r\($0)" } ?? "").mlir"
    if !FileManager.default.fileExists(atPath: path) || !FileManager.default.fileExists(atPath: QuantizationMetadata.path(forCircuit: path)) {
      let start = Date()
      let compiled = try QATCompiler.compile(
        onnx: URL(fileURLWithPath: onnx), inputsets: try inputsets.map { p throws in try ArrayFile.read(p) }, nBitsInputs: 4,
        nBitsOutputs: 4, rounding: rounding.map { AccumulatorRounding(thresholdBits: $0, method: .exact) }, maxBitWidth: 16,
        stage: { _ in })
      try Data(compiled.circuit.print()).write(to: URL(fileURLWithPath: path))
      try QuantizationMetadata(
        model: onnx, inputs: compiled.program.inputQuantizers, outputs: compiled.program.outputs.map(\.quantizer)
      ).write(to: QuantizationMetadata.path(forCircuit: path))
      log(String(format: "compiled the %@ network (%@) in %.1f s: %d-bit, %@", name, hidden, Date().timeIntervalSince(start),
                 compiled.maximumBitWidth, path))
    }
    guard let io = try ModelIO.forCircuit(path, raw: false) else { throw EngineSetupError("no quantization sidecar for '\(path)'") }
    return CompiledNetwork(name: name, path: path, circuit: try Circuit(contentsOf: URL(fileURLWithPath: path)), modelIO: io)
  }

  /// The network's float inputs for a board (and a from-square): shaped as the circuit's arguments.
  func inputs(_ planes: [Float], source: [Float]?) -> [NDArray] {
    var arrays = [NDArray(float64: planes.map(Double.init), shape: [1, 12, 8, 8])]
    if let source { arrays.append(NDArray(float64: source.map(Double.init), shape: [1, 64])) }
    return arrays
  }
}

struct EngineSetupError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

/// The networks in simulate mode: the compiled circuits run on exact clear integers, in process.
struct SimulatedScorer: MoveScorer {
  let source: CompiledNetwork
  let target: CompiledNetwork

  func sourceScores(_ planes: [Float]) throws -> [Double] { try run(source, source.inputs(planes, source: nil)) }

  func targetScores(_ planes: [Float], source from: [Float]) throws -> [Double] { try run(target, target.inputs(planes, source: from)) }

  func run(_ network: CompiledNetwork, _ inputs: [NDArray]) throws -> [Double] {
    let quantized = try network.modelIO.quantize(inputs)
    let sim = Simulator(circuit: network.circuit, options: SimulateOptions(threads: 1))
    let raw = try sim.run(arrays: quantized)
    return network.modelIO.dequantize(raw)[0].doubleValues
  }

  /// The raw integer outputs, for comparing with the encrypted mode's.
  func raw(_ network: CompiledNetwork, _ inputs: [NDArray]) throws -> [Int64] {
    let sim = Simulator(circuit: network.circuit, options: SimulateOptions(threads: 1))
    return try sim.run(arrays: try network.modelIO.quantize(inputs))[0].int64Values
  }
}
