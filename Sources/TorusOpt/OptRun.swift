import TorusIR
import TorusPasses

/// One invocation: reads the input, processes each chunk, prints or checks diagnostics.
struct OptRun {
  let tool: OptTool
  let options: OptOptions

  func run() -> Int32 {
    let bytes: [UInt8]
    do { bytes = try readInput(options.input) } catch {
      writeToStandardError("\(tool.name): \(error)\n")
      return 1
    }
    let name = options.input == "-" ? "<stdin>" : options.input
    var registry = tool.registry
    registry.allowUnregisteredDialects = options.allowUnregistered
    for d in options.disabledDialects { registry.unregister(namespace: d) }

    let chunks = options.splitInputFile ? split(bytes) : [(bytes, 0)]
    var outputs: [[UInt8]] = []
    var failed = false
    for (chunk, lineOffset) in chunks {
      let file = SourceFile(name: name, bytes: chunk, lineOffset: lineOffset)
      var diagnostics: [Diagnostic] = []
      let printed = process(file, registry: registry, diagnostics: &diagnostics)
      if options.verifyDiagnostics {
        let checker = ExpectedDiagnostics(file: file)
        let problems = checker.check(diagnostics)
        if !problems.isEmpty {
          failed = true
          for p in problems { writeToStandardError(p.rendered(sources: [file.name: file]) + "\n") }
        }
        if let printed { outputs.append(printed) }
      } else if let printed {
        outputs.append(printed)
      } else {
        failed = true
        for d in diagnostics { writeToStandardError(d.rendered(sources: [file.name: file]) + "\n") }
      }
    }
    var out: [UInt8] = outputs.count == 1 ? outputs[0] : []
    if outputs.count > 1 {
      for (i, o) in outputs.enumerated() {
        if i > 0 { out += Array("// -----\n".utf8) }
        out += o
      }
    }
    if !failed || options.verifyDiagnostics {
      do { try writeOutput(options.output, out) } catch {
        writeToStandardError("\(tool.name): \(error)\n")
        return 1
      }
    }
    return failed ? 1 : 0
  }

  /// Splits on lines that are exactly the marker; each chunk keeps its first line number.
  private func split(_ bytes: [UInt8]) -> [([UInt8], Int)] {
    var chunks: [([UInt8], Int)] = []
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
        chunks.append((Array(bytes[start..<i]), startLine))
        start = min(end + 1, bytes.count)
        startLine = line + 1
      }
      line += 1
      i = end + 1
    }
    chunks.append((Array(bytes[start..<bytes.count]), startLine))
    return chunks
  }

  /// Parses, verifies and transforms one buffer; nil when it failed (with diagnostics).
  private func process(_ file: SourceFile, registry: DialectRegistry, diagnostics: inout [Diagnostic]) -> [UInt8]? {
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
      let context = PassContext(registry: registry)
      context.extraPatterns = tool.canonicalizationPatterns
      let pm = PassManager(root: options.pipeline, context: context)
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
    var text = module.print(
      options: PrintOptions(generic: options.printGeneric, debugInfo: options.printDebugInfo), capacityHint: file.bytes.count)
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
