import Dispatch
import Foundation
import TorusFormats
import TorusIR
import TorusPasses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An `mlir-opt`-style tool over a set of dialects and passes: parse, verify, run passes, print.
///
/// Build your own tool with extra dialects and passes:
///
///     var tool = OptTool(name: "my-opt")
///     tool.registry.register(MyDialect.self)
///     tool.passes.register(MyPass.self)
///     exit(tool.main(Array(CommandLine.arguments.dropFirst())))
public struct OptTool {
  public var name: String
  public var registry: DialectRegistry
  public var passes: PassRegistry
  /// Canonicalization patterns of the registered dialects.
  public var canonicalizationPatterns: [any RewritePattern] = []
  public var version = "0.1.0"
  /// Where diagnostics and the output of reporting passes go (standard error; tests capture it).
  public var standardError: (String) -> Void = writeToStandardError

  public init(name: String, registry: DialectRegistry = .core, passes: PassRegistry = .standard) {
    self.name = name
    self.registry = registry
    self.passes = passes
  }

  /// Runs the tool on `arguments` (without the program name); returns the exit status.
  public func main(_ arguments: [String]) -> Int32 {
    let options: OptOptions
    do {
      options = try OptOptions.parse(arguments, tool: self)
    } catch {
      standardError("\(name): \(error)\nRun '\(name) --help' for usage.\n")
      return 2
    }
    if options.showHelp {
      writeStandardOutput(helpText())
      return 0
    }
    if options.showVersion {
      writeStandardOutput("\(name) \(version)\n")
      return 0
    }
    if options.showDialects {
      var r = registry
      for d in options.disabledDialects { r.unregister(namespace: d) }
      writeStandardOutput("Available Dialects: " + r.dialects.keys.sorted().joined(separator: ", ") + "\n")
      return 0
    }
    return OptRun(tool: self, options: options).run()
  }

  /// The `--help` text: usage, every flag, every pass with its summary and options.
  public func helpText() -> String {
    var lines = [
      "OVERVIEW: \(name): parse, verify, transform and print MLIR (Torus dialects)",
      "",
      "USAGE: \(name) [options] [FILE|-] [-o FILE]",
      "  FILE (or standard input) may be gzip-compressed, e.g. circuit.mlir.gz.",
      "",
      "OPTIONS:",
    ]
    for (flag, help) in OptOptions.flagHelp { lines.append("  " + flag.padding(32) + help) }
    lines += ["", "Passes (each also a flag, e.g. --canonicalize or --canonicalize=max-iterations=3):"]
    for p in passes.sorted {
      lines.append("  --" + p.info.argument.padding(30) + p.info.summary)
      for o in p.info.options {
        lines.append("      " + ("\(o.name)=<\(o.kindName)>").padding(28) + "\(o.help) (default: \(o.defaultDescription))")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}

extension PassOptionSpec {
  var kindName: String {
    switch kind {
    case .int: "int"
    case .bool: "bool"
    case .string: "string"
    }
  }
  var defaultDescription: String {
    switch kind {
    case .int(let v): String(v)
    case .bool(let v): String(v)
    case .string(let v): "'\(v)'"
    }
  }
}

/// A command-line error.
public struct OptUsageError: Error, CustomStringConvertible {
  public var description: String
}

/// Parsed command line of an opt tool (flags named as in mlir-opt).
public struct OptOptions {
  public var input = "-"
  public var output = "-"
  public var allowUnregistered = false
  public var printGeneric = false
  public var printDebugInfo = false
  public var splitInputFile = false
  public var splitMarker = "// -----"
  public var verifyDiagnostics = false
  public var verifyEach = true
  public var disabledDialects: [String] = []
  public var pipeline: OpPassManager
  public var printAfterAll = false
  public var printBeforeAll = false
  public var printBefore: Set<String> = []
  public var printAfter: Set<String> = []
  public var timing = false
  public var showHelp = false
  public var showVersion = false
  public var showDialects = false

  static let flagHelp: [(String, String)] = [
    ("-o <file>", "output file (default: '-', standard output)"),
    ("--allow-unregistered-dialect", "accept ops, types and attributes of unknown dialects"),
    ("--disable-dialect=<a,b>", "leave the named dialects unregistered (e.g. FHE,FHELinalg,Tracing)"),
    ("--mlir-print-op-generic", "print every op in generic form"),
    ("--mlir-print-debuginfo", "print op locations"),
    ("--split-input-file[=marker]", "process chunks separated by '// -----' independently"),
    ("--verify-diagnostics", "check emitted diagnostics against expected-error comments"),
    ("--verify-each[=true|false]", "verify the IR after each pass (default: true)"),
    ("--pass-pipeline=<text>", "run a textual pipeline, e.g. 'builtin.module(canonicalize,cse)'"),
    ("-p <text>", "same as --pass-pipeline"),
    ("--mlir-print-ir-after-all", "print the IR after every pass"),
    ("--mlir-print-ir-before-all", "print the IR before every pass"),
    ("--mlir-print-ir-after=<pass>", "print the IR after the named pass"),
    ("--mlir-print-ir-before=<pass>", "print the IR before the named pass"),
    ("--mlir-timing", "print a per-pass wall-time table"),
    ("--show-dialects", "list the registered dialects"),
    ("--version", "print the version"),
    ("--help", "print this help"),
  ]

  static func parse(_ args: [String], tool: OptTool) throws(OptUsageError) -> OptOptions {
    var o = OptOptions(pipeline: OpPassManager(anchor: nil))
    var positional: [String] = []
    var i = 0
    func value(_ flag: String, _ inline: String?) throws(OptUsageError) -> String {
      if let inline { return inline }
      i += 1
      guard i < args.count else { throw OptUsageError(description: "missing value for '\(flag)'") }
      return args[i]
    }
    var pipelineText: String?
    while i < args.count {
      let arg = args[i]
      if arg == "-" || !arg.hasPrefix("-") {
        positional.append(arg)
        i += 1
        continue
      }
      var flag = arg.hasPrefix("--") ? String(arg.dropFirst(2)) : String(arg.dropFirst())
      var inline: String?
      if let eq = flag.firstIndex(of: "=") {
        inline = String(flag[flag.index(after: eq)...])
        flag = String(flag[..<eq])
      }
      switch flag {
      case "o": o.output = try value("-o", inline)
      case "allow-unregistered-dialect": o.allowUnregistered = inline.map { $0 != "false" } ?? true
      case "mlir-print-op-generic": o.printGeneric = true
      case "mlir-print-debuginfo": o.printDebugInfo = true
      case "split-input-file":
        o.splitInputFile = true
        if let inline, !inline.isEmpty { o.splitMarker = inline }
      case "verify-diagnostics": o.verifyDiagnostics = true
      case "verify-each": o.verifyEach = inline.map { $0 != "false" && $0 != "0" } ?? true
      case "disable-dialect":
        o.disabledDialects += try value("--disable-dialect", inline).split(separator: ",").map(String.init)
      case "pass-pipeline", "p": pipelineText = try value("--pass-pipeline", inline)
      case "mlir-print-ir-after-all": o.printAfterAll = true
      case "mlir-print-ir-before-all": o.printBeforeAll = true
      case "mlir-print-ir-after": o.printAfter.insert(try value("--mlir-print-ir-after", inline))
      case "mlir-print-ir-before": o.printBefore.insert(try value("--mlir-print-ir-before", inline))
      case "mlir-timing": o.timing = true
      case "help", "h": o.showHelp = true
      case "version": o.showVersion = true
      case "show-dialects": o.showDialects = true
      default:
        guard let pass = tool.passes.passes[flag] else {
          throw OptUsageError(description: "unknown command line argument '\(arg)'")
        }
        do {
          let options = try PassOptions(info: pass.info, text: inline ?? "")
          o.pipeline.add(try pass.init(options: options), options: options)
        } catch {
          throw OptUsageError(description: error.description)
        }
      }
      i += 1
    }
    if let pipelineText {
      guard o.pipeline.elements.isEmpty else {
        throw OptUsageError(description: "'--pass-pipeline' cannot be combined with individual pass flags")
      }
      do { o.pipeline = try PipelineParser(passes: tool.passes).parse(pipelineText) } catch {
        throw OptUsageError(description: "invalid pass pipeline: \(error)")
      }
    }
    guard positional.count <= 1 else { throw OptUsageError(description: "too many positional arguments: \(positional.joined(separator: " "))") }
    o.input = positional.first ?? "-"
    return o
  }
}

func writeStandardOutput(_ text: String) {
  var text = text
  text.withUTF8 { writeAll(1, UnsafeRawBufferPointer($0)) }
}

func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) {
  var offset = 0
  while offset < buf.count {
    let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
    if n <= 0 { return }
    offset += n
  }
}

/// Reads a whole file (or standard input for `-`) into a source buffer, without an extra copy;
/// a gzip stream (circuits ship as `.mlir.gz`; MLIR text never starts with byte 0x1f) is
/// decompressed first.
public func readSource(_ path: String, name: String) throws(OptUsageError) -> SourceFile {
  let file = try readPlainSource(path, name: name)
  let bytes = file.bytes
  guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return file }
  let data = Data(buffer: bytes)
  do {
    return SourceFile(name: name, bytes: [UInt8](try Gzip.decompress(data)))
  } catch {
    throw OptUsageError(description: "could not read '\(path)': \(error)")
  }
}

private func readPlainSource(_ path: String, name: String) throws(OptUsageError) -> SourceFile {
  if path != "-" {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw OptUsageError(description: "could not open input file '\(path)': \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
      let size = Int(st.st_size)
      let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size + 1)
      var offset = 0
      while offset < size {
        let n = read(fd, buffer.baseAddress! + offset, size - offset)
        if n < 0 {
          buffer.deallocate()
          throw OptUsageError(description: "could not read '\(path)': \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        offset += n
      }
      return SourceFile(name: name, adopting: buffer, count: offset)
    }
  }
  return SourceFile(name: name, bytes: try readInput(path))
}

func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// Output written as it is produced (to a file or standard output).
final class OutputSink {
  let fd: Int32
  init(path: String) throws(OptUsageError) {
    fd = path == "-" ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw OptUsageError(description: "could not open output file '\(path)': \(String(cString: strerror(errno)))") }
  }
  func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { writeAll(fd, $0) } }
  func close() { if fd != 1 { closeDescriptor(fd) } }
}

/// Reads a whole file (or standard input for `-`).
public func readInput(_ path: String) throws(OptUsageError) -> [UInt8] {
  let fd = path == "-" ? 0 : open(path, O_RDONLY)
  guard fd >= 0 else { throw OptUsageError(description: "could not open input file '\(path)': \(String(cString: strerror(errno)))") }
  defer { if fd != 0 { close(fd) } }
  var st = stat()
  var result: [UInt8] = []
  if fstat(fd, &st) == 0, st.st_size > 0 { result.reserveCapacity(Int(st.st_size)) }
  var chunk = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 { throw OptUsageError(description: "could not read '\(path)': \(String(cString: strerror(errno)))") }
    if n == 0 { break }
    result.append(contentsOf: chunk[0..<n])
  }
  return result
}

/// Writes `bytes` to a file (or standard output for `-`).
public func writeOutput(_ path: String, _ bytes: [UInt8]) throws(OptUsageError) {
  let fd = path == "-" ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { throw OptUsageError(description: "could not open output file '\(path)': \(String(cString: strerror(errno)))") }
  defer { if fd != 1 { close(fd) } }
  bytes.withUnsafeBytes { writeAll(fd, $0) }
}
