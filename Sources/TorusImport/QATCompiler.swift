import Foundation
import TorusFormats
import TorusIR
import TorusONNX
import TorusQNN
import TorusQNNTransforms

/// Everything `compile` produces for a QAT model.
public struct CompiledModel {
  /// The FHE circuit (`func.func @_clear_forward_proxy` of FHE / FHELinalg ops).
  public var circuit: Module
  /// The integer program the circuit computes (clear evaluation, validation).
  public var program: IntegerProgram
  /// Quantizers of the inputs (`quantize_input`) and outputs (`dequantize_output`).
  public var inputQuantizers: [Quantizer]
  public var outputQuantizers: [Quantizer]
  /// Raw float calibration statistics per qnn node.
  public var calibration: CalibrationStatistics
  /// Bounds and widths of every circuit node.
  public var bitWidths: BitWidthAnalysis
  /// `maximum_integer_bit_width` as concrete-python reports it.
  public var maximumBitWidth: Int { bitWidths.maximumBitWidth }
  /// Number of table lookups (PBS) in one circuit evaluation.
  public var lookupCount: Int
}

/// Compiles Brevitas QAT models (QONNX) into integer FHE circuits, as Concrete-ML 1.9 does.
public enum QATCompiler {
  /// Import, shape inference, calibration on the inputsets, quantization, fusion into lookups,
  /// bit-width analysis and lowering to FHELinalg.
  ///
  /// - Parameters:
  ///   - model: the imported `qnn` module (`importONNX`).
  ///   - inputsets: one float array per graph input, samples on axis 0.
  ///   - nBitsInputs / nBitsOutputs: Concrete-ML's `n_bits` `model_inputs` / `model_outputs`.
  ///   - rounding: Concrete-ML's `rounding_threshold_bits` and method (nil: exact accumulators).
  public static func compile(
    model: Module, inputsets: [NDArray], nBitsInputs: Int = 4, nBitsOutputs: Int = 4,
    rounding: AccumulatorRounding? = nil
  ) throws(QNNError) -> CompiledModel {
    guard nBitsOutputs >= nBitsInputs else {
      throw .invalidOption("n_bits model_outputs (\(nBitsOutputs)) must be at least model_inputs (\(nBitsInputs))")
    }
    let graph = try QGraph(module: model)
    let calibration = try graph.calibrate(inputsets)
    let program = try graph.buildIntegerProgram(
      calibration: calibration, bits: QuantizationBits(modelInputs: nBitsInputs, modelOutputs: nBitsOutputs),
      rounding: rounding, inputset: inputsets)
    let analysis = program.analyzeBitWidths(program.quantizeInputs(inputsets))
    try program.checkLookupWidths(analysis)
    let circuit = try FHELinalgLowering.lower(program, analysis: analysis)
    let lookups = program.nodes.reduce(0) { n, node in
      if case .lookup = node.op { return n + node.shape.reduce(1, *) }
      return n
    }
    return CompiledModel(
      circuit: circuit, program: program, inputQuantizers: program.inputQuantizers,
      outputQuantizers: program.outputs.map(\.quantizer), calibration: calibration, bitWidths: analysis,
      lookupCount: lookups)
  }

  /// `compile` from an ONNX file.
  public static func compile(
    onnx url: URL, inputsets: [NDArray], nBitsInputs: Int = 4, nBitsOutputs: Int = 4, rounding: AccumulatorRounding? = nil
  ) throws -> CompiledModel {
    try compile(
      model: importONNX(contentsOf: url), inputsets: inputsets, nBitsInputs: nBitsInputs, nBitsOutputs: nBitsOutputs,
      rounding: rounding)
  }
}
