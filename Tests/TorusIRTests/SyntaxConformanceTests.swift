import Foundation
import Testing
import TorusIR
import TorusTestSupport

/// Runs `../shared/conformance/mlir-syntax` in-process: mlir-opt-19's output is the oracle.
@Suite struct SyntaxConformanceTests {
  static let corpus = SharedData.url("conformance/mlir-syntax")

  /// Trailing spaces and trailing blank lines are not significant (the corpus README's normalisation).
  static func normalized(_ s: String) -> String {
    var lines = s.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.replacingOccurrences(of: "[ \t]+$", with: "", options: .regularExpression) }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines.joined(separator: "\n")
  }

  static func read(_ url: URL) -> [UInt8] { (try? Array(Data(contentsOf: url))) ?? [] }

  @Test(.requiresShared("conformance/mlir-syntax")) func acceptCasesPrintAsUpstream() throws {
    let corpus = try #require(Self.corpus)
    var passed = 0
    var failures: [String] = []
    for input in SharedData.files(in: corpus.appendingPathComponent("accept"), suffix: ".mlir") {
      let base = input.deletingPathExtension()
      let name = input.lastPathComponent
      func check(_ label: String, _ got: String, _ goldenSuffix: String) {
        let golden = base.path + goldenSuffix
        guard let want = try? String(contentsOfFile: golden, encoding: .utf8) else { return }
        if Self.normalized(got) == Self.normalized(want) { passed += 1 } else { failures.append("\(name) [\(label)]") }
      }
      guard case .success(let module) = Harness.load(Self.read(input), name: name) else {
        failures.append("\(name) [rejected]")
        continue
      }
      check("generic", Harness.print(module, generic: true), ".generic.golden")
      check("pretty", Harness.print(module, generic: false), ".pretty.golden")
      check("debuginfo", Harness.print(module, generic: true, debugInfo: true), ".generic-debuginfo.golden")
      // Round trips: generic golden and pretty golden both read back to the generic golden.
      for (label, suffix) in [("generic round trip", ".generic.golden"), ("pretty golden reparse", ".pretty.golden")] {
        let bytes = Self.read(URL(fileURLWithPath: base.path + suffix))
        switch Harness.load(bytes, name: name) {
        case .success(let m): check(label, Harness.print(m, generic: true), ".generic.golden")
        case .failure(let d): failures.append("\(name) [\(label): \(d)]")
        }
      }
      // Our own pretty form is a fixed point.
      let pretty = Harness.print(module, generic: false)
      if case .success(let m) = Harness.load(Array(pretty.utf8), name: name), Harness.print(m, generic: false) == pretty {
        passed += 1
      } else {
        failures.append("\(name) [pretty fixed point]")
      }
    }
    print("mlir-syntax accept checks: \(passed) passed, \(failures.count) failed")
    for f in failures.prefix(20) { print("  FAIL \(f)") }
    #expect(failures.isEmpty)
    #expect(passed > 2000)
  }

  @Test(.requiresShared("conformance/mlir-syntax")) func rejectCasesFailAtUpstreamPosition() throws {
    let corpus = try #require(Self.corpus)
    var passed = 0
    var failures: [String] = []
    for input in SharedData.files(in: corpus.appendingPathComponent("reject"), suffix: ".mlir") {
      let name = input.lastPathComponent
      let golden = (try? String(contentsOfFile: input.deletingPathExtension().path + ".error.golden", encoding: .utf8)) ?? ""
      let want = golden.split(separator: "\n").first.map { $0.split(separator: ":").prefix(2).joined(separator: ":") } ?? "?"
      switch Harness.load(Self.read(input), name: name) {
      case .success: failures.append("\(name): accepted")
      case .failure(let d):
        let got = d.location.fileLineCol.map { "\($0.line):\($0.column)" } ?? "?"
        if got == want { passed += 1 } else { failures.append("\(name): error at \(got), upstream at \(want): \(d.message)") }
      }
    }
    print("mlir-syntax reject cases: \(passed) passed, \(failures.count) failed")
    for f in failures { print("  FAIL \(f)") }
    #expect(failures.isEmpty)
    #expect(passed >= 25)
  }
}
