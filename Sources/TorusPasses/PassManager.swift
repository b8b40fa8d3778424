import Dispatch
import TorusIR

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes text to standard error (passes and instrumentation report there by default).
public func writeToStandardError(_ text: String) {
  var text = text
  text.withUTF8 { buf in
    var offset = 0
    while offset < buf.count {
      let n = write(2, buf.baseAddress! + offset, buf.count - offset)
      if n <= 0 { return }
      offset += n
    }
  }
}

/// `value` with `decimals` digits after the point (no Foundation in this layer).
func fixed(_ value: Double, _ decimals: Int) -> String {
  var scale = 1.0
  for _ in 0..<decimals { scale *= 10 }
  let n = Int((value * scale).rounded())
  let whole = n / Int(scale)
  var frac = String(n % Int(scale))
  while frac.count < decimals { frac = "0" + frac }
  return decimals == 0 ? String(whole) : "\(whole).\(frac)"
}

func padLeft(_ s: String, _ width: Int) -> String {
  s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

/// A pass option: name, kind, default and help, declared once in `PassInfo`.
public struct PassOptionSpec: Sendable {
  public enum Kind: Sendable {
    case int(Int)
    case bool(Bool)
    case string(String)
  }
  public var name: String
  public var kind: Kind
  public var help: String

  public static func int(_ name: String, default value: Int, help: String) -> PassOptionSpec {
    PassOptionSpec(name: name, kind: .int(value), help: help)
  }
  public static func bool(_ name: String, default value: Bool, help: String) -> PassOptionSpec {
    PassOptionSpec(name: name, kind: .bool(value), help: help)
  }
  public static func string(_ name: String, default value: String, help: String) -> PassOptionSpec {
    PassOptionSpec(name: name, kind: .string(value), help: help)
  }

  var defaultText: String {
    switch kind {
    case .int(let v): String(v)
    case .bool(let v): String(v)
    case .string(let v): v
    }
  }
}

/// What `--help`, pipeline parsing and the docs know of a pass.
public struct PassInfo: Sendable {
  /// The CLI name (`canonicalize`) used in flags and pipelines.
  public var argument: String
  public var summary: String
  public var options: [PassOptionSpec]
  /// The op kind the pass runs on; nil: any op (usually the module).
  public var anchor: OpName?

  public init(argument: String, summary: String, options: [PassOptionSpec] = [], anchor: OpName? = nil) {
    self.argument = argument
    self.summary = summary
    self.options = options
    self.anchor = anchor
  }
}

/// An error in a pass's options (`canonicalize{max-iterations=x}`).
public struct PassOptionError: Error, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A pass failed; its diagnostics say why.
public struct PassFailure: Error, CustomStringConvertible {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
  public init(_ diagnostic: Diagnostic) { diagnostics = [diagnostic] }
  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Parsed values of a pass's options, checked against its `PassInfo`.
public struct PassOptions: Sendable {
  public let info: PassInfo
  private var values: [String: String]

  /// Parses `key=value key2=value2` (the text inside `{…}` of a pipeline element).
  public init(info: PassInfo, text: String = "") throws(PassOptionError) {
    self.info = info
    values = [:]
    for item in text.split(whereSeparator: { $0 == " " || $0 == "," }) where !item.isEmpty {
      var parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      // `--pass=value` for a pass with a single option (e.g. `--fhe-max-bitwidth=16`).
      if parts.count == 1, info.options.count == 1, !info.options.contains(where: { $0.name == parts[0] }) {
        parts = [info.options[0].name, parts[0]]
      }
      guard let spec = info.options.first(where: { $0.name == parts[0] }) else {
        let known = info.options.map(\.name).joined(separator: ", ")
        throw PassOptionError("no such option '\(parts[0])' for pass '\(info.argument)'\(known.isEmpty ? "" : " (options: \(known))")")
      }
      let value = parts.count > 1 ? parts[1] : "true"
      switch spec.kind {
      case .int where Int(value) == nil:
        throw PassOptionError("option '\(spec.name)' of pass '\(info.argument)' expects an integer, got '\(value)'")
      case .bool where Bool(value) == nil && value != "1" && value != "0":
        throw PassOptionError("option '\(spec.name)' of pass '\(info.argument)' expects true or false, got '\(value)'")
      default: break
      }
      values[spec.name] = value
    }
  }

  private func raw(_ name: String) throws(PassOptionError) -> (PassOptionSpec, String?) {
    guard let spec = info.options.first(where: { $0.name == name }) else {
      throw PassOptionError("pass '\(info.argument)' has no option '\(name)'")
    }
    return (spec, values[name])
  }

  public func int(_ name: String) throws(PassOptionError) -> Int {
    let (spec, v) = try raw(name)
    if let v, let i = Int(v) { return i }
    if case .int(let d) = spec.kind { return d }
    throw PassOptionError("option '\(name)' is not an integer")
  }

  public func bool(_ name: String) throws(PassOptionError) -> Bool {
    let (spec, v) = try raw(name)
    if let v { return v == "true" || v == "1" }
    if case .bool(let d) = spec.kind { return d }
    throw PassOptionError("option '\(name)' is not a boolean")
  }

  public func string(_ name: String) throws(PassOptionError) -> String {
    let (spec, v) = try raw(name)
    if let v { return v }
    if case .string(let d) = spec.kind { return d }
    return spec.defaultText
  }

  /// `{a=1 b=2}` as written in a pipeline, omitting defaults.
  public var pipelineText: String {
    values.isEmpty ? "" : "{" + values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "}"
  }
}

/// What a running pass can reach: the registry and a place for statistics and diagnostics.
public final class PassContext: @unchecked Sendable {
  public let registry: DialectRegistry
  /// Where passes that print (e.g. `print-op-stats`) write.
  public var output: (String) -> Void
  /// Canonicalization patterns contributed by the tool's dialects.
  public var extraPatterns: [any RewritePattern] = []
  public init(registry: DialectRegistry, output: @escaping (String) -> Void = writeToStandardError) {
    self.registry = registry
    self.output = output
  }
}

/// A transformation or analysis over an op and everything nested in it.
public protocol Pass {
  static var info: PassInfo { get }
  init(options: PassOptions) throws(PassOptionError)
  func run(on op: Operation, context: PassContext) throws(PassFailure)
}

/// Passes known by name, for pipelines and `--help`.
public struct PassRegistry: @unchecked Sendable {
  public private(set) var passes: [String: any Pass.Type] = [:]
  public init() {}

  public mutating func register(_ pass: any Pass.Type) { passes[pass.info.argument] = pass }

  public var sorted: [any Pass.Type] { passes.values.sorted { $0.info.argument < $1.info.argument } }

  /// The generic passes every tool has.
  public static var standard: PassRegistry {
    var r = PassRegistry()
    for p in standardPasses { r.register(p) }
    return r
  }
}

/// One element of a pipeline: a pass, or a nested pipeline run on child ops of a kind.
public indirect enum PipelineElement {
  case pass(any Pass, options: PassOptions)
  case nested(OpPassManager)
}

/// A sequence of passes anchored on an op kind (nil: any).
public final class OpPassManager {
  public let anchor: OpName?
  public private(set) var elements: [PipelineElement] = []
  public init(anchor: OpName?) { self.anchor = anchor }

  public func add(_ pass: any Pass, options: PassOptions) { elements.append(.pass(pass, options: options)) }
  public func nest(_ pm: OpPassManager) { elements.append(.nested(pm)) }

  /// The pipeline in textual form: `builtin.module(func.func(canonicalize),cse)`.
  public var pipelineText: String {
    let inner = elements.map { e -> String in
      switch e {
      case .pass(let p, let o): type(of: p).info.argument + o.pipelineText
      case .nested(let pm): pm.pipelineText
      }
    }.joined(separator: ",")
    return "\(anchor?.rawValue ?? "any")(\(inner))"
  }
}

/// Instrumentation hooks: IR printing and timing.
public struct PassInstrumentation {
  public var verifyEach = true
  public var printBefore: Set<String> = []
  public var printAfter: Set<String> = []
  public var printAfterAll = false
  public var printBeforeAll = false
  public var timing = false
  public var printOptions = PrintOptions()
  public var dump: (String) -> Void = writeToStandardError
  public init() {}
}

/// Runs a pipeline over a module, with verification and instrumentation between passes.
public final class PassManager {
  public let root: OpPassManager
  public var instrumentation = PassInstrumentation()
  public let context: PassContext
  /// Wall time per pass, in order of first run.
  public private(set) var timings: [(name: String, seconds: Double)] = []

  public init(root: OpPassManager, context: PassContext) {
    self.root = root
    self.context = context
  }

  public func run(_ module: Module) throws(PassFailure) {
    let start = DispatchTime.now()
    try run(root, on: module.operation, module: module)
    if instrumentation.timing { report(total: Self.seconds(since: start)) }
  }

  static func seconds(since t: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9
  }

  private func run(_ pm: OpPassManager, on op: Operation, module: Module) throws(PassFailure) {
    for element in pm.elements {
      switch element {
      case .pass(let pass, _):
        let info = type(of: pass).info
        if instrumentation.printBeforeAll || instrumentation.printBefore.contains(info.argument) {
          dump(op, header: "// -----// IR Dump Before \(typeName(pass)) (\(info.argument)) //----- //", module: module)
        }
        let t = DispatchTime.now()
        try pass.run(on: op, context: context)
        record(info.argument, Self.seconds(since: t))
        if instrumentation.verifyEach {
          do { try Verifier().verify(op) } catch { throw PassFailure(error) }
        }
        if instrumentation.printAfterAll || instrumentation.printAfter.contains(info.argument) {
          dump(op, header: "// -----// IR Dump After \(typeName(pass)) (\(info.argument)) //----- //", module: module)
        }
      case .nested(let inner):
        for region in op.regions {
          for block in region.blocks {
            for child in block.operations where inner.anchor == nil || child.name == inner.anchor {
              try run(inner, on: child, module: module)
            }
          }
        }
      }
    }
  }

  private func typeName(_ pass: any Pass) -> String { String(describing: type(of: pass)) }

  private func dump(_ op: Operation, header: String, module: Module) {
    let text: String
    if op === module.operation {
      text = String(decoding: module.print(options: instrumentation.printOptions), as: UTF8.self)
    } else {
      text = String(decoding: Module(operation: op).print(options: instrumentation.printOptions), as: UTF8.self)
    }
    instrumentation.dump(header + "\n" + text + "\n")
  }

  private func record(_ name: String, _ s: Double) {
    if let i = timings.firstIndex(where: { $0.name == name }) { timings[i].seconds += s } else { timings.append((name, s)) }
  }

  private func report(total: Double) {
    var lines = ["===-------------------------------------------------------------------------===",
                 "                         ... Execution time report ...",
                 "===-------------------------------------------------------------------------===",
                 "  Total Execution Time: \(fixed(total, 4)) seconds", "",
                 "  ----Wall Time----  ----Name----"]
    for (name, s) in timings {
      let pct = total > 0 ? 100 * s / total : 0
      lines.append("  \(padLeft(fixed(s, 4), 8)) (\(padLeft(fixed(pct, 1), 5))%)  \(name)")
    }
    lines.append("  \(padLeft(fixed(total, 4), 8)) (100.0%)  Total")
    instrumentation.dump(lines.joined(separator: "\n") + "\n")
  }
}

/// Parses textual pipelines: `builtin.module(func.func(canonicalize{max-iterations=3}),cse)`.
public struct PipelineParser {
  public let passes: PassRegistry
  public init(passes: PassRegistry) { self.passes = passes }

  /// Parses `text`; a top-level `builtin.module(…)` wrapper is optional.
  public func parse(_ text: String) throws(PassOptionError) -> OpPassManager {
    var chars = Array(text.filter { !$0.isWhitespace || true })
    var i = 0
    let root = OpPassManager(anchor: nil)
    try parseElements(&chars, &i, into: root)
    guard i == chars.count else { throw PassOptionError("unexpected '\(chars[i])' at offset \(i) of the pass pipeline") }
    // Unwrap a single top-level `builtin.module(…)`: the module is the root already.
    if root.elements.count == 1, case .nested(let pm) = root.elements[0], pm.anchor == "builtin.module" { return reanchor(pm) }
    return root
  }

  private func reanchor(_ pm: OpPassManager) -> OpPassManager {
    let r = OpPassManager(anchor: nil)
    for e in pm.elements {
      switch e {
      case .pass(let p, let o): r.add(p, options: o)
      case .nested(let n): r.nest(n)
      }
    }
    return r
  }

  private func skipSpaces(_ c: [Character], _ i: inout Int) {
    while i < c.count && c[i].isWhitespace { i += 1 }
  }

  private func parseElements(_ c: inout [Character], _ i: inout Int, into pm: OpPassManager) throws(PassOptionError) {
    while true {
      skipSpaces(c, &i)
      var name = ""
      while i < c.count && (c[i].isLetter || c[i].isNumber || c[i] == "-" || c[i] == "_" || c[i] == ".") {
        name.append(c[i])
        i += 1
      }
      guard !name.isEmpty else { throw PassOptionError("expected a pass or op name at offset \(i) of the pass pipeline") }
      skipSpaces(c, &i)
      if i < c.count && c[i] == "(" {
        i += 1
        let nested = OpPassManager(anchor: OpName(name))
        skipSpaces(c, &i)
        if i < c.count && c[i] != ")" { try parseElements(&c, &i, into: nested) }
        guard i < c.count && c[i] == ")" else { throw PassOptionError("expected ')' to close '\(name)(' in the pass pipeline") }
        i += 1
        pm.nest(nested)
      } else {
        var optionText = ""
        if i < c.count && c[i] == "{" {
          i += 1
          while i < c.count && c[i] != "}" {
            optionText.append(c[i])
            i += 1
          }
          guard i < c.count else { throw PassOptionError("expected '}' to close the options of '\(name)'") }
          i += 1
        }
        guard let type = passes.passes[name] else {
          throw PassOptionError("'\(name)' does not refer to a registered pass or pass pipeline")
        }
        let options = try PassOptions(info: type.info, text: optionText)
        pm.add(try type.init(options: options), options: options)
      }
      skipSpaces(c, &i)
      guard i < c.count && c[i] == "," else { return }
      i += 1
    }
  }
}

/// A typed pass option: declared once as a `static let` of the pass, listed in `PassInfo.options`
/// through `spec`, and read as `options[Self.max]` — no option names as strings at the read site.
///
///     static let max = PassOption<Int>("max", default: 16, help: "widest encrypted integer allowed")
///     static let info = PassInfo(argument: "fhe-max-bitwidth", summary: "…", options: [max.spec])
///     init(options: PassOptions) { limit = options[Self.max] }
public struct PassOption<Value: Sendable>: Sendable {
  public let spec: PassOptionSpec
  let defaultValue: Value
  let read: @Sendable (String) -> Value?
}

extension PassOption where Value == Int {
  public init(_ name: String, default value: Int, help: String) {
    self.init(spec: .int(name, default: value, help: help), defaultValue: value, read: { Int($0) })
  }
}

extension PassOption where Value == Bool {
  public init(_ name: String, default value: Bool, help: String) {
    self.init(spec: .bool(name, default: value, help: help), defaultValue: value, read: { $0 == "true" || $0 == "1" })
  }
}

extension PassOption where Value == String {
  public init(_ name: String, default value: String, help: String) {
    self.init(spec: .string(name, default: value, help: help), defaultValue: value, read: { $0 })
  }
}

extension PassOptions {
  /// The value of a typed option (its default when not given); values were checked against
  /// their kind when the options were parsed.
  public subscript<Value>(_ option: PassOption<Value>) -> Value {
    values[option.spec.name].flatMap(option.read) ?? option.defaultValue
  }
}
