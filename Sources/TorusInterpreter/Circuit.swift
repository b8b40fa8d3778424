import Dispatch
import Foundation
import TorusFHE
import TorusFormats
import TorusIR

/// A parsed, verified module and the function to run.
public final class Circuit: @unchecked Sendable {
  /// The module.
  public let module: Module
  /// The function run by default or by name.
  public let function: FuncDialect.FuncOp
  /// Constants and tables shared by every run.
  public let cache = ConstantCache()

  /// Parses and verifies `source`; picks `functionName`, else `main`, else the only function.
  public init(source: String, fileName: String = "<circuit>", functionName: String? = nil) throws(InterpreterError) {
    let file = SourceFile(name: fileName, text: source)
    let parsed: Module
    do { parsed = try OpAsmParser(file: file, registry: .fhe).parseModule() } catch {
      throw .invalidProgram(error.diagnostic(in: file).rendered(sources: [fileName: file]))
    }
    do { try Verifier().verify(parsed.operation) } catch {
      throw .invalidProgram(error.rendered(sources: [fileName: file]))
    }
    module = parsed
    var functions: [FuncDialect.FuncOp] = []
    for block in parsed.operation.regions.first?.blocks ?? [] {
      for op in block.operations { if let f = FuncDialect.FuncOp(op), !f.isDeclaration { functions.append(f) } }
    }
    let names = functions.map { "@" + $0.symbolName }.joined(separator: ", ")
    if let functionName {
      guard let f = functions.first(where: { $0.symbolName == functionName }) else {
        throw .invalidProgram("no function '@\(functionName)' in the module (functions: \(names))")
      }
      function = f
    } else if let f = functions.first(where: { $0.symbolName == "main" }) {
      function = f
    } else if functions.count == 1 {
      function = functions[0]
    } else {
      throw .invalidProgram("the module has \(functions.count) functions and none is '@main'; choose one with --function (functions: \(names))")
    }
  }

  /// Reads a circuit file (gzip-compressed files are decompressed).
  public convenience init(contentsOf url: URL, functionName: String? = nil) throws(InterpreterError) {
    let text: String
    do { text = try Gzip.readText(contentsOf: url) } catch {
      throw .invalidInput("\(url.path): \(error.description)")
    }
    try self.init(source: text, fileName: url.path, functionName: functionName)
  }

  /// Argument types of the function.
  public var argumentTypes: [IRType] { function.functionType.inputs }
  /// Result types of the function.
  public var resultTypes: [IRType] { function.functionType.results }

  /// The widest encrypted integer in the function.
  public var maxEncryptedWidth: Int {
    var w = 0
    function.operation.walk { op in
      for v in op.results + op.operands { if let e = v.type.encryptedElement { w = max(w, e.width) } }
    }
    for t in argumentTypes { if let e = t.encryptedElement { w = max(w, e.width) } }
    return w
  }

  /// What `encoding: auto` picks: CRT when a table lookup reads an encrypted input wider than
  /// 8 bits and every op has a CRT lowering; native otherwise (spec §0.6).
  public var autoEncodingIsCRT: Bool {
    var wide = false
    var nativeOnly = false
    function.operation.walk { op in
      guard let cost = op.fheCost else { return }
      if cost is any NativeEncodingOnlyOp { nativeOnly = true }
      if cost.bootstrapGroups.contains(where: { $0.inputWidth > 8 }) { wide = true }
    }
    return wide && !nativeOnly
  }
}

/// How encrypted integers are represented in simulate mode.
public enum Encoding: String, Sendable, CaseIterable {
  /// 64-bit torus phase with a padding bit (§0.1).
  case native
  /// Residues modulo a product of small coprimes (§0.6).
  case crt
  /// CRT for wide lookups, native otherwise.
  case auto
}

/// Options of a simulate run.
public struct SimulateOptions: Sendable {
  /// Threads for tensor ops.
  public var threads: Int
  /// Encoding model.
  public var encoding: Encoding
  /// Explicit CRT moduli (else Concrete's table for the widest integer).
  public var crtModuli: [Int]?
  /// Reject encrypted inputs outside the range of their type.
  public var checkInputRange: Bool
  /// Where trace ops print.
  public var trace: @Sendable (String) -> Void
  /// Print per-op wall times to standard error.
  public var profile = false
  /// Run the samples of a batch concurrently (one thread each) instead of splitting each op.
  public var parallelSamples = false
  /// Chunk width of exact rounding (`RoundingSteps`): changes the steps, never the result.
  public var bitExtractionChunk = 1
  /// Sees every op's results (`torus run --trace`, `torus diff`).
  public var observer: OpObserver?

  public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, encoding: Encoding = .auto, crtModuli: [Int]? = nil,
              checkInputRange: Bool = true, trace: @escaping @Sendable (String) -> Void = { print($0, terminator: "") }) {
    self.threads = threads
    self.encoding = encoding
    self.crtModuli = crtModuli
    self.checkInputRange = checkInputRange
    self.trace = trace
  }
}

/// Runs circuits in simulate mode on integer arrays.
public struct Simulator: Sendable {
  public let circuit: Circuit
  public let options: SimulateOptions

  public init(circuit: Circuit, options: SimulateOptions) {
    self.circuit = circuit
    self.options = options
  }

  /// The encoding actually used.
  public var resolvedEncoding: Encoding {
    switch options.encoding {
    case .auto: circuit.autoEncodingIsCRT ? .crt : .native
    case let e: e
    }
  }

  /// Runs one sample: one integer array per argument (clear values as bit patterns).
  public func run(_ inputs: [[Int64]]) throws(InterpreterError) -> [[Int64]] {
    switch resolvedEncoding {
    case .crt:
      let p = circuit.maxEncryptedWidth
      let moduli: [UInt64]
      if let m = options.crtModuli { moduli = m.map { UInt64($0) } } else {
        guard let m = CRTClearDomain.defaultModuli(forWidth: p) else {
          throw .unsupported("CRT encoding of \(p)-bit integers (at most 16 bits)")
        }
        moduli = m
      }
      return try run(inputs, domain: CRTClearDomain(moduli: moduli))
    default:
      return try run(inputs, domain: ClearDomain(bitExtractionChunk: options.bitExtractionChunk))
    }
  }

  /// Computes constants and lookup tables once, before the first sample (not needed for
  /// correctness: runs fill the same cache on first use).
  public func prepare() throws(InterpreterError) {
    try Interpreter(domain: ClearDomain(bitExtractionChunk: options.bitExtractionChunk), threads: options.threads, cache: circuit.cache).prepare(circuit.function)
  }

  /// Runs one sample in `domain`.
  public func run<D: FHEDomain>(_ inputs: [[Int64]], domain: D) throws(InterpreterError) -> [[Int64]] {
    let types = circuit.argumentTypes
    guard inputs.count == types.count else {
      throw .invalidInput("function '@\(circuit.function.symbolName)' takes \(types.count) argument\(types.count == 1 ? "" : "s"), got \(inputs.count) input\(inputs.count == 1 ? "" : "s")")
    }
    var args: [RuntimeValue<D.Ciphertext>] = []
    for (i, (values, type)) in zip(inputs, types).enumerated() {
      let shape = type.isRankedTensor ? type.staticShape : []
      guard values.count == shape.reduce(1, *) else {
        throw .invalidInput("argument #\(i) of type '\(type)' needs \(shape.reduce(1, *)) values, got \(values.count)")
      }
      if let e = type.encryptedElement {
        if options.checkInputRange {
          let range = e.valueRange
          if let bad = values.first(where: { !range.contains($0) }) {
            throw .invalidInput("argument #\(i): value \(bad) does not fit '\(e)' (range \(range.lowerBound)...\(range.upperBound))")
          }
        }
        args.append(.encrypted(Tensor(shape: shape, elements: values.map { domain.encrypt($0, width: e.width) })))
      } else {
        let w = Interpreter<D>.clearWidth(type)
        args.append(.clear(Tensor(shape: shape, elements: values.map { Interpreter<D>.signExtend($0, width: w) })))
      }
    }
    var interpreter = Interpreter(domain: domain, threads: options.threads, cache: circuit.cache, trace: options.trace)
    interpreter.profile = options.profile
    interpreter.observer = options.observer
    let results = try interpreter.run(circuit.function, arguments: args)
    var out: [[Int64]] = []
    for (v, type) in zip(results, circuit.resultTypes) {
      switch v {
      case .encrypted(let t):
        let e = type.encryptedElement ?? .eint(64)
        out.append(t.elements.map { domain.decrypt($0, width: e.width, signed: e.isSigned) })
      case .clear(let t):
        let w = Interpreter<D>.clearWidth(type)
        out.append(t.elements.map { w >= 64 ? $0 : Int64(bitPattern: UInt64(bitPattern: $0) & ((1 << UInt64(w)) - 1)) })
      }
    }
    return out
  }

  /// Runs on arrays, one per argument. When every input carries an extra leading batch
  /// dimension (or a batch replaces a leading 1), runs once per sample and stacks the results.
  public func run(arrays: [NDArray]) throws(InterpreterError) -> [NDArray] {
    let layout = try BatchLayout(arrays: arrays, types: circuit.argumentTypes, function: circuit.function.symbolName)
    let values = try arrays.enumerated().map { (i, a) throws(InterpreterError) in try Self.integers(a, index: i) }
    let outShapes = circuit.resultTypes.map { $0.isRankedTensor ? $0.staticShape : [] }
    guard let batch = layout.batch else {
      let r = try run(values)
      return zip(r, outShapes).map { NDArray($0, shape: $1) }
    }
    @Sendable func sample(_ b: Int) -> [[Int64]] {
      values.indices.map { layout.slice(values[$0], argument: $0, sample: b) }
    }
    var samples: [[[Int64]]] = []
    if options.parallelSamples && options.threads > 1 && batch > 1 {
      // Independent samples on separate cores, one thread each: same results, more throughput.
      var single = options
      single.threads = 1
      let worker = Simulator(circuit: circuit, options: single)
      let workers = min(options.threads, batch)
      var slots = [Result<[[Int64]], InterpreterError>](repeating: .success([]), count: batch)
      slots.withUnsafeMutableBufferPointer { buf in
        let shared = SharedBuffer(base: buf.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
          var b = w
          while b < batch {
            do throws(InterpreterError) { shared[b] = .success(try worker.run(sample(b))) } catch { shared[b] = .failure(error) }
            b += workers
          }
        }
      }
      for slot in slots { samples.append(try slot.get()) }
    } else {
      for b in 0..<batch { samples.append(try run(sample(b))) }
    }
    return (0..<outShapes.count).map { r in NDArray(samples.flatMap { $0[r] }, shape: layout.stackedShape(outShapes[r])) }
  }

  /// Integer values of an array; floats must be integral.
  static func integers(_ a: NDArray, index: Int) throws(InterpreterError) -> [Int64] {
    if a.dtype.isFloatingPoint {
      var out: [Int64] = []
      for d in a.doubleValues {
        guard d.rounded() == d, abs(d) < 9.2e18 else {
          throw .invalidInput("input #\(index) (\(a.dtype)) holds \(d), which is not an integer; circuits take quantized integers")
        }
        out.append(Int64(d))
      }
      return out
    }
    return a.int64Values
  }
}
