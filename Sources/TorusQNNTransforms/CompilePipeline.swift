import TorusFHE
import TorusFormats
import TorusIR
import TorusQNN

/// Everything a compile produces for a QAT model.
public struct CompiledModel {
  /// The FHE circuit (`func.func @_clear_forward_proxy` of FHE / FHELinalg ops), verified.
  public var circuit: Module
  /// The integer program the circuit computes (clear evaluation, validation).
  public var program: IntegerProgram
  /// Quantizers of the inputs (`quantize_input`) and outputs (`dequantize_output`).
  public var inputQuantizers: [Quantizer] { program.inputQuantizers }
  public var outputQuantizers: [Quantizer] { program.outputs.map(\.quantizer) }
  /// Raw float calibration statistics per qnn node.
  public var calibration: CalibrationStatistics
  /// Bounds and widths of every circuit node.
  public var bitWidths: BitWidthAnalysis
  /// `maximum_integer_bit_width` as concrete-python reports it.
  public var maximumBitWidth: Int { bitWidths.maximumBitWidth }
  /// Number of table lookups (PBS) in one circuit evaluation.
  public var lookupCount: Int {
    program.nodes.reduce(0) { n, node in
      if case .lookup = node.op { return n + node.shape.reduce(1, *) }
      return n
    }
  }
}

/// The options of `compile_brevitas_qat_model` that change the circuit.
public struct CompileOptions: Sendable {
  /// Concrete-ML's `n_bits` for model inputs and outputs.
  public var bits: QuantizationBits
  /// `rounding_threshold_bits` and its method (nil: exact accumulators).
  public var rounding: AccumulatorRounding?
  /// Widest encrypted integer allowed (Concrete: 16).
  public var maxBitWidth: Int

  public init(bits: QuantizationBits = QuantizationBits(modelInputs: 4, modelOutputs: 4), rounding: AccumulatorRounding? = nil, maxBitWidth: Int = 16) {
    self.bits = bits
    self.rounding = rounding
    self.maxBitWidth = maxBitWidth
  }
}

/// The one compile path of a quantized `qnn` graph to an FHE circuit: `torus compile`, the
/// `qnn-to-fhelinalg` pass and the tests all call `compile`.
///
/// Stages: calibration on the inputsets (skipped when the module carries a stored calibration),
/// quantization and fusion into lookups (`IntegerProgram`), bit-width analysis on the quantized
/// inputset, lowering to registered FHELinalg ops, verification. `stage` is called after each
/// with its name (the timing table of `torus compile`). Spec/Compile.md says why the middle
/// stages work on a graph and an integer program rather than on IR.
public enum CompilePipeline {
  public static func compile(
    _ module: Module, inputsets: [NDArray], options: CompileOptions, calibration stored: CalibrationStatistics? = nil,
    stage: (String) -> Void = { _ in }
  ) throws(QNNError) -> CompiledModel {
    let bits = options.bits
    guard bits.modelOutputs >= bits.modelInputs else {
      throw .invalidOption("n_bits model_outputs (\(bits.modelOutputs)) must be at least model_inputs (\(bits.modelInputs))")
    }
    let graph = try QGraph(module: module)
    _ = try graph.validateInputset(inputsets)
    let calibration: CalibrationStatistics
    if let stored { calibration = stored } else { calibration = try graph.calibrate(inputsets) }
    stage("calibration")
    let program = try graph.buildIntegerProgram(calibration: calibration, bits: bits, rounding: options.rounding, inputset: inputsets)
    stage("quantization and lookup fusion")
    let analysis = program.analyzeBitWidths(program.quantizeInputs(inputsets))
    stage("bit-width analysis")
    try program.checkLookupWidths(analysis, limit: options.maxBitWidth)
    if analysis.maximumBitWidth > options.maxBitWidth {
      throw .invalidOption(
        "the circuit needs \(analysis.maximumBitWidth)-bit integers, above the limit of \(options.maxBitWidth) (use --rounding-threshold-bits)")
    }
    let circuit = try FHELinalgLowering.lower(program, analysis: analysis)
    do { try Verifier().verify(circuit.operation) } catch {
      throw .malformedGraph("the lowered circuit does not verify (a lowering bug): \(error.message)")
    }
    stage("lowering to FHELinalg")
    return CompiledModel(circuit: circuit, program: program, calibration: calibration, bitWidths: analysis)
  }
}
