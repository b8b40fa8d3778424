import Foundation
import TorusFormats
import TorusIR
import TorusONNX
import TorusQNN
import TorusQNNTransforms

/// Compiles Brevitas QAT models (QONNX) into integer FHE circuits, as Concrete-ML 1.9 does:
/// the ONNX import in front of `CompilePipeline`.
public enum QATCompiler {
  /// Compiles an imported `qnn` module (`importONNX`); see `CompilePipeline.compile`.
  ///
  /// - Parameters:
  ///   - inputsets: one float array per graph input, samples on axis 0.
  ///   - nBitsInputs / nBitsOutputs: Concrete-ML's `n_bits` `model_inputs` / `model_outputs`.
  ///   - rounding: Concrete-ML's `rounding_threshold_bits` and method (nil: exact accumulators).
  public static func compile(
    model: Module, inputsets: [NDArray], nBitsInputs: Int = 4, nBitsOutputs: Int = 4,
    rounding: AccumulatorRounding? = nil, maxBitWidth: Int = 16, stage: (String) -> Void = { _ in }
  ) throws(QNNError) -> CompiledModel {
    let options = CompileOptions(
      bits: QuantizationBits(modelInputs: nBitsInputs, modelOutputs: nBitsOutputs), rounding: rounding, maxBitWidth: maxBitWidth)
    return try CompilePipeline.compile(model, inputsets: inputsets, options: options, stage: stage)
  }

  /// `compile` from an ONNX file (the import is the first stage).
  public static func compile(
    onnx url: URL, inputsets: [NDArray], nBitsInputs: Int = 4, nBitsOutputs: Int = 4, rounding: AccumulatorRounding? = nil,
    maxBitWidth: Int = 16, stage: (String) -> Void = { _ in }
  ) throws -> CompiledModel {
    let model = try importONNX(contentsOf: url)
    stage("import")
    return try compile(
      model: model, inputsets: inputsets, nBitsInputs: nBitsInputs, nBitsOutputs: nBitsOutputs, rounding: rounding,
      maxBitWidth: maxBitWidth, stage: stage)
  }
}
