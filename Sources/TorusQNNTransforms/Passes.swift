import Foundation
import TorusFormats
import TorusIR
import TorusPasses
import TorusQNN

/// The passes of this module, for a tool's `PassRegistry`.
public enum QNNPasses {
  public static var all: [any Pass.Type] {
    [
      QNNShapeInferencePass.self, QNNCalibratePass.self, QNNQuantizePass.self, QNNFuseLookupTablesPass.self,
      QNNToFHELinalgPass.self,
    ]
  }

  /// Adds `qnn` passes to a registry (`torus-opt` wiring: `tool.passes`, and `QNN.self` in `tool.registry`).
  public static func register(into registry: inout PassRegistry) {
    for p in all { registry.register(p) }
  }

  /// Options shared by the passes (declared once, read typed).
  static let inputsetOption = PassOption<String>("inputset", default: "", help: "one .npy file per graph input, separated by ':'")
  static let nBitsInputs = PassOption<Int>("n-bits-inputs", default: 4, help: "n_bits model_inputs")
  static let nBitsOutputs = PassOption<Int>("n-bits-outputs", default: 4, help: "n_bits model_outputs")
  static func bits(_ options: PassOptions) -> QuantizationBits {
    QuantizationBits(modelInputs: options[nBitsInputs], modelOutputs: options[nBitsOutputs])
  }

  /// Reads the `.npy` files of a `path[:path…]` option (one per graph input).
  static func loadInputset(_ option: String, pass: String) throws(PassFailure) -> [NDArray] {
    guard !option.isEmpty else {
      throw PassFailure(Diagnostic(.error, at: .unknown, "pass '\(pass)' needs option 'inputset' (.npy files separated by ':')"))
    }
    var arrays: [NDArray] = []
    for path in option.split(separator: ":") {
      do { arrays.append(try ArrayFile.read(String(path))) } catch {
        throw PassFailure(Diagnostic(.error, at: .unknown, "inputset: \(error)"))
      }
    }
    return arrays
  }

  static func failure(_ e: QNNError, _ op: TorusIR.Operation) -> PassFailure {
    PassFailure(Diagnostic(.error, at: op.location, e.description))
  }

  /// The qnn ops of the main function, in graph-node order (arguments first, as `QGraph` numbers them).
  static func graphOps(_ module: Module) -> [TorusIR.Operation?] {
    guard let fn = IRSkeleton.mainFunction(of: module), let block = fn.body else { return [] }
    return block.arguments.map { _ in nil } + block.operations.filter { $0.name != FuncDialect.ReturnOp.name }.map { $0 }
  }

  /// Calibration statistics stored by `qnn-calibrate` as `qnn.calibration = [min, max]`, if every op has them.
  static func storedCalibration(_ module: Module, graph: QGraph) -> CalibrationStatistics? {
    let ops = graphOps(module)
    var stats = CalibrationStatistics(minimum: [], maximum: [])
    for (i, op) in ops.enumerated() {
      if let op, let pair = op.attributes["qnn.calibration"]?.arrayValue, pair.count == 2,
        case .float(let lo, _) = pair[0], case .float(let hi, _) = pair[1]
      {
        stats.minimum.append(lo.doubleValue)
        stats.maximum.append(hi.doubleValue)
      } else if op == nil || i < graph.inputs.count {
        stats.minimum.append(0)
        stats.maximum.append(0)
      } else {
        return nil
      }
    }
    return stats
  }

  static func f64(_ v: Double) -> Attribute { .float(FloatBits(kind: .f64, value: v), .float(.f64)) }

  static func quantizerAttribute(_ q: Quantizer) -> Attribute {
    .dictionary(AttributeDictionary([
      NamedAttribute("bits", .i64(Int64(q.bits))), NamedAttribute("narrow", .bool(q.isNarrow)),
      NamedAttribute("scale", f64(q.scale)), NamedAttribute("signed", .bool(q.isSigned)),
      NamedAttribute("zero_point", .i64(q.zeroPoint)),
    ]))
  }
}

/// Infers static shapes of every `qnn` value from the inputs and constants, and retypes the function.
/// Example: Tests/TorusImportTests/PassTests.swift
public struct QNNShapeInferencePass: Pass {
  public static let info = PassInfo(argument: "qnn-shape-inference", summary: "Infer static shapes of qnn values")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    let module = Module(operation: op)
    let graph: QGraph
    do { graph = try QGraph(module: module) } catch { throw QNNPasses.failure(error, op) }
    let ops = QNNPasses.graphOps(module)
    for (i, o) in ops.enumerated() {
      guard let o, o.name.dialect == "qnn", let block = o.parentBlock else { continue }
      let type = QNN.tensorType(graph.nodes[i].shape)
      guard o.results[0].type != type else { continue }
      // Values are retyped by replacing their op.
      let replacement = TorusIR.Operation(
        name: o.name, definition: o.definition, operands: o.operands, resultTypes: [type], attributes: o.attributes,
        properties: o.properties, location: o.location)
      block.insert(replacement, before: o)
      o.results[0].replaceAllUses(with: replacement.results[0])
      o.erase()
    }
    guard let fn = IRSkeleton.mainFunction(of: module), let block = fn.body, let ret = block.terminator else { return }
    fn.operation.setInherentAttribute(
      "function_type", .type(.function(inputs: block.arguments.map(\.type), results: ret.operands.map(\.type))))
  }
}

/// Runs the graph in float64 over an inputset and records each op's raw output range as
/// `qnn.calibration = [min : f64, max : f64]` (Concrete-ML's QAT calibration pass).
/// Example: Tests/TorusImportTests/PassTests.swift
public struct QNNCalibratePass: Pass {
  public static let info = PassInfo(
    argument: "qnn-calibrate", summary: "Calibrate a qnn graph on an inputset (float64)",
    options: [QNNPasses.inputsetOption.spec])
  let inputset: String
  public init(options: PassOptions) throws(PassOptionError) { inputset = options[QNNPasses.inputsetOption] }

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    let module = Module(operation: op)
    let arrays = try QNNPasses.loadInputset(inputset, pass: Self.info.argument)
    do {
      let graph = try QGraph(module: module)
      let stats = try graph.calibrate(arrays)
      for (i, o) in QNNPasses.graphOps(module).enumerated() {
        guard let o else { continue }
        o.attributes["qnn.calibration"] = .array([QNNPasses.f64(stats.minimum[i]), QNNPasses.f64(stats.maximum[i])])
      }
    } catch { throw QNNPasses.failure(error, op) }
  }
}

/// Derives every quantizer (Brevitas values taken over, calibrated common scales) and records
/// them: `qnn.input_quantizer` on arguments, `qnn.quantizer` on ops producing circuit integers.
/// Needs `qnn-calibrate` first when the graph adds two integer tensors.
public struct QNNQuantizePass: Pass {
  public static let info = PassInfo(
    argument: "qnn-quantize", summary: "Quantize a calibrated qnn graph (Concrete-ML 1.9 QAT rules)",
    options: [QNNPasses.nBitsInputs.spec, QNNPasses.nBitsOutputs.spec])
  let bits: QuantizationBits
  public init(options: PassOptions) throws(PassOptionError) {
    bits = QNNPasses.bits(options)
  }

  static func program(_ module: Module, bits: QuantizationBits, op: TorusIR.Operation) throws(PassFailure) -> (QGraph, IntegerProgram) {
    do {
      let graph = try QGraph(module: module)
      return (graph, try graph.buildIntegerProgram(calibration: QNNPasses.storedCalibration(module, graph: graph), bits: bits))
    } catch { throw QNNPasses.failure(error, op) }
  }

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    let module = Module(operation: op)
    let (_, program) = try Self.program(module, bits: bits, op: op)
    let ops = QNNPasses.graphOps(module)
    if let fn = IRSkeleton.mainFunction(of: module) {
      let old = fn.operation.attribute("arg_attrs")?.arrayValue ?? []
      var attrs: [Attribute] = []
      for (k, q) in program.inputQuantizers.enumerated() {
        var d = (k < old.count ? old[k].dictionaryValue : nil) ?? AttributeDictionary()
        d["qnn.input_quantizer"] = QNNPasses.quantizerAttribute(q)
        attrs.append(.dictionary(d))
      }
      fn.operation.setInherentAttribute("arg_attrs", .array(attrs))
    }
    for node in program.nodes {
      guard let last = node.sources.last, let o = ops[last] else { continue }
      switch node.op {
      case .lookup(_, let f):
        if case .quantize(let q) = f.rounding { o.attributes["qnn.quantizer"] = QNNPasses.quantizerAttribute(q) }
        if case .rescale(let s, _) = f.rounding { o.attributes["qnn.common_scale"] = QNNPasses.f64(s) }
      case .input(_, let q): o.attributes["qnn.quantizer"] = QNNPasses.quantizerAttribute(q)
      default: break
      }
    }
  }
}

/// Marks how the graph becomes a circuit: integer ops get `qnn.integer`, and every univariate op
/// between two integer ops gets `qnn.lookup = N`, the table lookup it is fused into (one table per
/// channel when constants differ).
public struct QNNFuseLookupTablesPass: Pass {
  public static let info = PassInfo(
    argument: "qnn-fuse-lookup-tables", summary: "Group univariate float chains into per-channel table lookups",
    options: QNNQuantizePass.info.options)
  let bits: QuantizationBits
  public init(options: PassOptions) throws(PassOptionError) {
    bits = QNNPasses.bits(options)
  }

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    let module = Module(operation: op)
    let (_, program) = try QNNQuantizePass.program(module, bits: bits, op: op)
    let ops = QNNPasses.graphOps(module)
    var lookup = 0
    for node in program.nodes {
      if case .lookup(_, let f) = node.op {
        if case .rescale = f.rounding {
          // The operand rescales of an integer Add belong to the Add.
          for s in node.sources {
            guard let o = ops[s] else { continue }
            let previous = o.attributes["qnn.rescale_lookups"]?.arrayValue ?? []
            o.attributes["qnn.rescale_lookups"] = .array(previous + [.i64(Int64(lookup))])
          }
        } else {
          for s in node.sources { ops[s]?.attributes["qnn.lookup"] = .i64(Int64(lookup)) }
        }
        lookup += 1
      } else {
        for s in node.sources { ops[s]?.attributes["qnn.integer"] = .unit }
      }
    }
  }
}

/// Lowers the quantized graph to Concrete's integer circuit (`FHELinalg` / `FHE` ops, generic
/// form): the module's contents are replaced by `func.func @_clear_forward_proxy`. Widths come
/// from evaluating the inputset through the integer program (multi-precision sharing).
public struct QNNToFHELinalgPass: Pass {
  public static let info = PassInfo(
    argument: "qnn-to-fhelinalg", summary: "Lower a quantized qnn graph to FHELinalg integer ops",
    options: QNNQuantizePass.info.options + QNNCalibratePass.info.options + [
      maxBitWidthOption.spec, roundingThresholdBits.spec, roundingMethod.spec,
    ])
  static let maxBitWidthOption = PassOption<Int>("max-bit-width", default: 16, help: "widest table lookup input allowed")
  static let roundingThresholdBits = PassOption<Int>(
    "rounding-threshold-bits", default: 0, help: "round accumulators to this many bits (0: exact)")
  static let roundingMethod = PassOption<String>(
    "rounding-method", default: "exact", help: "exact (FHE.round) or approximate (folded into the lookup's bootstrap)")
  let bits: QuantizationBits
  let inputset: String
  let maxBitWidth: Int
  let rounding: AccumulatorRounding?
  public init(options: PassOptions) throws(PassOptionError) {
    bits = QNNPasses.bits(options)
    inputset = options[QNNPasses.inputsetOption]
    maxBitWidth = options[Self.maxBitWidthOption]
    let r = options[Self.roundingThresholdBits]
    let m = options[Self.roundingMethod]
    guard let method = AccumulatorRounding.Method(rawValue: m) else {
      throw PassOptionError("option 'rounding-method' of pass '\(Self.info.argument)' expects exact or approximate, got '\(m)'")
    }
    rounding = r > 0 ? AccumulatorRounding(thresholdBits: r, method: method) : nil
  }

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    let module = Module(operation: op)
    let arrays = try QNNPasses.loadInputset(inputset, pass: Self.info.argument)
    do {
      let stored = QNNPasses.storedCalibration(module, graph: try QGraph(module: module))
      let compiled = try CompilePipeline.compile(
        module, inputsets: arrays, options: CompileOptions(bits: bits, rounding: rounding, maxBitWidth: maxBitWidth), calibration: stored)
      let circuit = compiled.circuit
      for o in module.body.operations { o.dropAllReferences() }
      module.body.removeAll { _ in true }
      for o in circuit.body.operations {
        circuit.body.removeAll { $0 === o }
        module.body.append(o)
      }
      module.operation.attributes["qnn.maximum_bit_width"] = .i64(Int64(compiled.maximumBitWidth))
    } catch { throw QNNPasses.failure(error, op) }
  }
}
