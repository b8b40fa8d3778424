import TorusIR
import TorusPasses

/// One invocation: reads the input, processes each chunk, prints or checks diagnostics.
struct OptRun {
  let tool: OptTool
  let options: OptOptions

  func run() -> Int32 {
    let name = options.input == "-" ? "<stdin>" : options.input
    let whole: SourceFile
    do { whole = try readSource(options.input, name: name) } catch {
      tool.standardError("\(tool.name): \(error)\n")
      return 1
    }
    var registry = tool.registry
    registry.allowUnregisteredDialects = options.allowUnregistered
    for d in options.disabledDialects { registry.unregister(namespace: d) }

    let files = options.splitInputFile
      ? split(whole.bytes).map { SourceFile(name: name, bytes: $0.0, lineOffset: $0.1) } : [whole]
    var outputs: [[UInt8]] = []
    var failed = false
    // A single module streams straight to the output file; split chunks are gathered first.
    var sink: OutputSink?
    if files.count == 1 && !options.verifyDiagnostics {
      do { sink = try OutputSink(path: options.output) } catch {
        tool.standardError("\(tool.name): \(error)\n")
        return 1
      }
    }
    for file in files {
      var diagnostics: [Diagnostic] = []
      let printed = process(file, registry: registry, diagnostics: &diagnostics, sink: sink)
      if options.verifyDiagnostics {
        let checker = ExpectedDiagnostics(file: file)
        let problems = checker.check(diagnostics)
        if !problems.isEmpty {
          failed = true
          for p in problems { tool.standardError(p.rendered(sources: [file.name: file]) + "\n") }
        }
        if let printed { outputs.append(printed) }
      } else if let printed {
        outputs.append(printed)
      } else {
        failed = true
        for d in diagnostics { tool.standardError(d.rendered(sources: [file.name: file]) + "\n") }
      }
    }
    if let sink {
      sink.close()
      return failed ? 1 : 0
    }
    var out: [UInt8] = []
    for (i, o) in outputs.enumerated() {
      if i > 0 { out += Array("// -----\n".utf8) }
      out += o
    }
    if !failed || options.verifyDiagnostics {
      do { try writeOutput(options.output, out) } catch {
        tool.standardError("\(tool.name): \(error)\n")
        return 1
      }
    }
    return failed ? 1 : 0
  }

  /// Splits on lines that are exactly the marker; each chunk keeps its first line number.
  private func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [(ArraySlice<UInt8>, Int)] {
    let bytes = Array(bytes)
    var chunks: [(ArraySlice<UInt8>, Int)] = []
    var start = 0
    var startLine = 0
    var line = 0
    var i = 0
    let marker = Array(options.splitMarker.utf8)
    while i <= bytes.count {
      let end = bytes[i...].firstIndex(of: 10) ?? bytes.count
      var content = bytes[i..<end]
      while let l = content.last, l == 13 || l == 32 || l == 9 { content = content.dropLast() }
      if content.elementsEqual(marker) {
        chunks.append((bytes[start..<i], startLine))
        start = min(end + 1, bytes.count)
        startLine = line + 1
      }
      line += 1
      i = end + 1
    }
    chunks.append((bytes[start..<bytes.count], startLine))
    return chunks
  }

  /// Parses, verifies and transforms one buffer; nil when it failed (with diagnostics).
  /// With a sink, the output goes there and the result is empty on success.
  private func process(_ file: SourceFile, registry: DialectRegistry, diagnostics: inout [Diagnostic], sink: OutputSink?) -> [UInt8]? {
    let module: Module
    do {
      module = try OpAsmParser(file: file, registry: registry).parseModule()
    } catch {
      diagnostics.append(error.diagnostic(in: file))
      return nil
    }
    do { try Verifier().verify(module.operation) } catch {
      diagnostics.append(error)
      return nil
    }
    if !options.pipeline.elements.isEmpty {
      let context = PassContext(registry: registry, output: tool.standardError)
      context.extraPatterns = tool.canonicalizationPatterns
      let pm = PassManager(root: options.pipeline, context: context)
      pm.instrumentation.dump = tool.standardError
      pm.instrumentation.verifyEach = options.verifyEach
      pm.instrumentation.printAfterAll = options.printAfterAll
      pm.instrumentation.printBeforeAll = options.printBeforeAll
      pm.instrumentation.printAfter = options.printAfter
      pm.instrumentation.printBefore = options.printBefore
      pm.instrumentation.timing = options.timing
      pm.instrumentation.printOptions = PrintOptions(generic: options.printGeneric, debugInfo: options.printDebugInfo)
      do { try pm.run(module) } catch {
        diagnostics += error.diagnostics
        return nil
      }
    }
    // mlir-opt ends its output with a blank line.
    let printOptions = PrintOptions(generic: options.printGeneric, debugInfo: options.printDebugInfo)
    if let sink {
      module.print(options: printOptions) { sink.write($0) }
      sink.write([10])
      return []
    }
    var text = module.print(options: printOptions, capacityHint: file.bytes.count)
    text.append(10)
    return text
  }
}

/// `// expected-error @+1 {{text}}` comments and the check of emitted diagnostics against them.
struct ExpectedDiagnostics {
  struct Expected {
    var severity: Severity
    var line: Int
    var text: String
    var commentLine: Int
  }
  let file: SourceFile
  var expected: [Expected] = []

  init(file: SourceFile) {
    self.file = file
    let text = String(decoding: file.bytes, as: UTF8.self)
    for (index, lineText) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = index + 1 + file.lineOffset
      var rest = lineText[...]
      while let r = rest.range(of: "expected-") {
        rest = rest[r.upperBound...]
        guard let sev = [Severity.error, .warning, .note, .remark].first(where: { rest.hasPrefix($0.rawValue) }) else { continue }
        rest = rest.dropFirst(sev.rawValue.count)
        var target = line
        let trimmed = rest.drop(while: { $0 == " " })
        if trimmed.hasPrefix("@") {
          var spec = trimmed.dropFirst()
          if spec.hasPrefix("above") {
            target = line - 1
            spec = spec.dropFirst(5)
          } else if spec.hasPrefix("below") {
            target = line + 1
            spec = spec.dropFirst(5)
          } else {
            let sign = spec.first
            spec = spec.dropFirst()
            let digits = spec.prefix(while: { $0.isNumber })
            spec = spec.dropFirst(digits.count)
            let n = Int(digits) ?? 0
            target = sign == "-" ? line - n : line + n
          }
          rest = spec
        }
        guard let open = rest.range(of: "{{"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { continue }
        expected.append(Expected(severity: sev, line: target, text: String(rest[open.upperBound..<close.lowerBound]), commentLine: line))
        rest = rest[close.upperBound...]
      }
    }
  }

  /// Diagnostics describing mismatches (empty when everything matched).
  func check(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    var unmatched = expected
    var problems: [Diagnostic] = []
    let all = diagnostics.flatMap { [$0] + $0.notes }
    for d in all {
      let line = d.location.fileLineCol?.line ?? -1
      if let k = unmatched.firstIndex(where: { $0.severity == d.severity && $0.line == line && d.message.contains($0.text) }) {
        unmatched.remove(at: k)
      } else if d.severity != .note {
        problems.append(Diagnostic(at: d.location, "unexpected \(d.severity.rawValue): \(d.message)"))
      }
    }
    for e in unmatched where e.severity != .note {
      problems.append(Diagnostic(at: .fileLineCol(file: file.name, line: e.commentLine, column: 1), "expected \(e.severity.rawValue) \"\(e.text)\" was not produced"))
    }
    return problems
  }
}
