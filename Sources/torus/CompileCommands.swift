import ArgumentParser
import Foundation
import TorusFormats
import TorusIR
import TorusImport
import TorusQNN
import TorusQNNTransforms

#if canImport(Glibc)
  import Glibc
#endif

/// Peak resident memory of this process, in MiB.
func peakMemoryMiB() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_maxrss) / 1024
}

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import an ONNX/QONNX model into the qnn dialect and print it.",
    discussion: "Pipe into torus-opt to run passes one at a time: torus import m.onnx | torus-opt --allow-unregistered-dialect -")

  @Argument(help: "The model (.onnx).") var model: String
  @Option(name: [.customShort("o"), .long], help: "Output file (default: standard output).") var output: String?
  @Flag(help: "Print every op in generic form.") var generic = false

  func run() throws {
    let module: Module
    do { module = try importONNX(contentsOf: URL(fileURLWithPath: model)) } catch { throw fail("\(error)") }
    let text = module.print(options: PrintOptions(generic: generic))
    if let output {
      do { try Data(text).write(to: URL(fileURLWithPath: output)) } catch { throw fail("cannot write '\(output)': \(error.localizedDescription)") }
    } else {
      FileHandle.standardOutput.write(Data(text))
    }
  }
}

struct Compile: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compile a Brevitas QAT model (ONNX/QONNX) to an FHE circuit (MLIR text).",
    discussion: """
      The equivalent of Concrete-ML's compile_brevitas_qat_model(model, inputset, n_bits={"model_inputs": I, \
      "model_outputs": O}): import, calibration on the inputset, quantization (Brevitas values taken over), \
      fusion of univariate chains into table lookups, bit-width assignment and lowering to FHELinalg. Writes \
      the circuit and, beside it, CIRCUIT.quant.json, so that 'torus run' takes float inputs and returns \
      float outputs.
      """)

  @Argument(help: "The model (.onnx).") var model: String
  @Option(name: .customLong("inputset"), help: "Calibration samples (.npy, samples on axis 0), one per model input, in order.") var inputsets: [String] = []
  @Option(help: "Bits of the model inputs and outputs, as an integer n_bits in Concrete-ML (default 8, its default for n_bits=None).") var nBits: Int?
  @Option(help: "Bits of the model inputs (Concrete-ML n_bits['model_inputs']; default 8).") var nBitsInputs: Int?
  @Option(help: "Bits of the model outputs (Concrete-ML n_bits['model_outputs']; default 8).") var nBitsOutputs: Int?

  /// Concrete-ML's `compile_brevitas_qat_model` with `n_bits=None` uses 8 bits for both.
  var inputBits: Int { nBitsInputs ?? nBits ?? 8 }
  var outputBits: Int { nBitsOutputs ?? nBits ?? 8 }
  @Option(help: "Round accumulators to this many bits before each lookup (Concrete-ML rounding_threshold_bits).") var roundingThresholdBits: Int?
  @Option(help: ArgumentHelp(
    "How --rounding-threshold-bits rounds: exact (FHE.round: encrypted = simulate; extra bit-extraction bootstraps, up to one per dropped bit) or approximate (the lookup's own bootstrap rounds: no extra cost; encrypted, values at the noise edge of a half-way point may round the other way).",
    valueName: "exact|approximate")) var roundingMethod: AccumulatorRounding.Method?

  func validate() throws {
    if nBits != nil && (nBitsInputs != nil || nBitsOutputs != nil) {
      throw ValidationError("--n-bits sets both widths; it cannot be combined with --n-bits-inputs or --n-bits-outputs")
    }
    for (flag, v) in [("--n-bits", nBits), ("--n-bits-inputs", nBitsInputs), ("--n-bits-outputs", nBitsOutputs)] {
      if let v, !(1...16).contains(v) { throw ValidationError("\(flag) must be in 1...16, got \(v)") }
    }
    if roundingMethod != nil && roundingThresholdBits == nil {
      throw ValidationError("--rounding-method needs --rounding-threshold-bits")
    }
  }
  @Option(help: "Fail when an integer is wider than this.") var maxBitWidth: Int = 16
  @Flag(help: "Print each op's location: the ONNX node it came from (as mlir-opt's --mlir-print-debuginfo), for 'torus view', --trace and 'torus diff'. Without it the text equals Concrete-ML's.")
  var debugInfo = false
  @Option(name: [.customShort("o"), .long], help: "The circuit file to write (MLIR text).") var output: String

  func run() throws {
    var stages: [(String, Double)] = []
    var t = Date()
    func stage(_ name: String) {
      stages.append((name, Date().timeIntervalSince(t)))
      t = Date()
    }
    let total = Date()
    do {
      guard !inputsets.isEmpty else { throw ValidationError("an inputset is required: --inputset X.npy (one per model input)") }
      let arrays = try inputsets.map { p throws -> NDArray in
        do { return try ArrayFile.read(p) } catch { throw fail("inputset: \(error)") }
      }
      stage("read inputsets")
      let rounding = roundingThresholdBits.map { AccumulatorRounding(thresholdBits: $0, method: roundingMethod ?? .exact) }
      let compiled = try QATCompiler.compile(
        onnx: URL(fileURLWithPath: model), inputsets: arrays, nBitsInputs: inputBits, nBitsOutputs: outputBits,
        rounding: rounding, maxBitWidth: maxBitWidth, stage: stage)
      let circuit = compiled.circuit, program = compiled.program, analysis = compiled.bitWidths
      do {
        try Data(circuit.print(options: PrintOptions(debugInfo: debugInfo))).write(to: URL(fileURLWithPath: output))
        try QuantizationMetadata(model: model, inputs: program.inputQuantizers, outputs: program.outputs.map(\.quantizer))
          .write(to: QuantizationMetadata.path(forCircuit: output))
      } catch { throw fail("cannot write '\(output)': \(error.localizedDescription)") }
      stage("write")
      func pad(_ s: String) -> String { s + String(repeating: " ", count: max(1, 34 - s.count)) }
      for (name, s) in stages { printError("  " + pad(name) + String(format: "%8.3f s", s)) }
      printError("  " + pad("total") + String(format: "%8.3f s   (peak memory %.0f MiB)", Date().timeIntervalSince(total), peakMemoryMiB()))
      print("Max bit-width: \(analysis.maximumBitWidth) bits -> fine in FHE")
    } catch let e as ImportError {
      throw fail("\(e)")
    } catch let e as QNNError {
      throw fail("\(model): \(e)")
    }
  }
}

extension AccumulatorRounding.Method: ExpressibleByArgument {}
