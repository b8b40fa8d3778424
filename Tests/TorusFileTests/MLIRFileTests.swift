import Foundation
import Testing
import TorusOpt
import TorusTestSupport
import TorusTools

/// `.mlir` file tests as MLIR's lit tests read: every `// RUN:` line of a file under `Tests/mlir`
/// runs `torus-opt` in-process (`%s` is the file) and, when piped to `FileCheck`, its output is
/// checked against the file's `CHECK` lines. `not torus-opt …` expects a failure; `2>&1` checks
/// diagnostics and reports too. Expected-error files use `--split-input-file --verify-diagnostics`.
@Suite struct MLIRFileTests {
  static let root = SharedData.packageRoot.appendingPathComponent("Tests/mlir")

  /// Every `.mlir` file with a RUN line, relative to `Tests/mlir`.
  static let files: [String] = {
    var out: [String] = []
    let e = FileManager.default.enumerator(atPath: root.path)
    while let p = e?.nextObject() as? String {
      guard p.hasSuffix(".mlir"), let text = try? String(contentsOf: root.appendingPathComponent(p), encoding: .utf8),
        text.contains("// RUN:")
      else { continue }
      out.append(p)
    }
    return out.sorted()
  }()

  struct RunLine {
    var expectFailure = false
    var arguments: [String] = []
    var fileCheckPrefix: String?
    var mergeStandardError = false
  }

  /// Splits a command on blanks, keeping single- or double-quoted words together.
  static func words(_ s: String) -> [String] {
    var out: [String] = [], cur = "", quote: Character?
    for c in s {
      if let q = quote {
        if c == q { quote = nil } else { cur.append(c) }
      } else if c == "'" || c == "\"" {
        quote = c
      } else if c == " " || c == "\t" {
        if !cur.isEmpty { out.append(cur); cur = "" }
      } else {
        cur.append(c)
      }
    }
    if !cur.isEmpty { out.append(cur) }
    return out
  }

  static func parse(_ command: String, file: String) throws -> RunLine {
    var run = RunLine()
    let stages = command.split(separator: "|").map { words(String($0)) }
    var tool = stages[0]
    if tool.first == "not" { run.expectFailure = true; tool.removeFirst() }
    guard tool.first == "torus-opt" else { throw FileCheck.Failure(line: 0, message: "RUN line must call torus-opt: \(command)") }
    tool.removeFirst()
    if let i = tool.firstIndex(of: "2>&1") { run.mergeStandardError = true; tool.remove(at: i) }
    run.arguments = tool.map { $0.replacingOccurrences(of: "%s", with: file) }
    if stages.count > 1 {
      let fc = stages[1]
      guard fc.first == "FileCheck" else { throw FileCheck.Failure(line: 0, message: "only FileCheck may follow a pipe: \(command)") }
      run.fileCheckPrefix = fc.first { $0.hasPrefix("--check-prefix=") }.map { String($0.dropFirst("--check-prefix=".count)) } ?? "CHECK"
    }
    return run
  }

  @Test(arguments: files)
  func runLinesPass(_ relative: String) throws {
    let url = Self.root.appendingPathComponent(relative)
    let text = try String(contentsOf: url, encoding: .utf8)
    // RUN lines may continue with a trailing backslash.
    var commands: [String] = [], pending = ""
    for line in text.split(separator: "\n") {
      guard let r = line.range(of: "// RUN:") else { continue }
      var body = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
      let continues = body.hasSuffix("\\")
      if continues { body.removeLast() }
      pending += body + " "
      if !continues { commands.append(pending); pending = "" }
    }
    for command in commands {
      let run = try Self.parse(command, file: url.path)
      let output = FileManager.default.temporaryDirectory.appendingPathComponent("torus-filetest-\(UUID().uuidString).mlir")
      defer { try? FileManager.default.removeItem(at: output) }
      var arguments = run.arguments
      if !arguments.contains("-o") { arguments += ["-o", output.path] }
      final class Captured: @unchecked Sendable { var text = "" }
      let errors = Captured()
      var tool = OptTool.torus
      tool.standardError = { errors.text += $0 }
      let status = tool.main(arguments)
      let stdout = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
      if run.expectFailure {
        #expect(status != 0, "\(relative): expected failure of: \(command)")
      } else {
        #expect(status == 0, "\(relative): \(command)\n\(errors.text)")
      }
      if let prefix = run.fileCheckPrefix {
        let checks = FileCheck(checkFile: text, prefix: prefix)
        #expect(!checks.directives.isEmpty, "\(relative): no \(prefix) lines")
        do { try checks.check(run.mergeStandardError ? stdout + errors.text : stdout) } catch {
          Issue.record("\(relative): \(error)\n--- output ---\n\(run.mergeStandardError ? stdout + errors.text : stdout)")
        }
      }
    }
  }

  @Test func everyFileTestDirectoryHasTests() {
    #expect(Self.files.count >= 8, "\(Self.files)")
  }
}

/// The checker itself must fail where FileCheck fails.
@Suite struct FileCheckTests {
  static let output = """
    func.func @f(%arg0: i32) -> i32 {
      %0 = arith.addi %arg0, %arg0 : i32
      return %0 : i32
    }
    """

  @Test func matchesInOrderWithVariablesAndRegex() throws {
    try FileCheck(checkFile: """
      // CHECK-LABEL: func.func @f
      // CHECK-NEXT: [[V:%[0-9]+]] = arith.addi %arg0, %arg0
      // CHECK-NOT: muli
      // CHECK: return [[V]] : {{i[0-9]+}}
      """).check(Self.output)
  }

  @Test(arguments: [
    "// CHECK: return\n// CHECK: arith.addi",  // out of order
    "// CHECK: func.func\n// CHECK-NEXT: return",  // not on the next line
    "// CHECK-NOT: addi\n// CHECK: return",  // forbidden text present
    "// CHECK: [[V:%[0-9]+]] = arith.addi\n// CHECK: return [[V]]x",  // variable then mismatch
    "// CHECK: func.func @g",
  ])
  func failsWhereFileCheckFails(_ checks: String) {
    #expect(throws: FileCheck.Failure.self) { try FileCheck(checkFile: checks).check(Self.output) }
  }
}
