import Testing
import TorusIR
import TorusPasses

@Suite struct PassTests {
  func module(_ text: String) throws -> Module {
    switch Harness.load(text) {
    case .success(let m): return m
    case .failure(let d): throw d
    }
  }

  @Test func canonicalizeFoldsConstantArithmetic() throws {
    let m = try module("""
      func.func @f() -> i8 {
        %a = arith.constant 100 : i8
        %b = arith.constant 100 : i8
        %c = arith.addi %a, %b : i8
        return %c : i8
      }
      """)
    try Harness.run("canonicalize", on: m)
    let text = Harness.print(m, generic: false)
    #expect(text.contains("arith.constant -56 : i8"))
    #expect(!text.contains("arith.addi"))
  }

  @Test func canonicalizeRemovesDeadPureOps() throws {
    let m = try module("""
      func.func @f(%x: i32) -> i32 {
        %a = arith.muli %x, %x : i32
        return %x : i32
      }
      """)
    try Harness.run("canonicalize", on: m)
    #expect(!Harness.print(m, generic: false).contains("muli"))
  }

  @Test func cseMergesIdenticalPureOps() throws {
    let m = try module("""
      func.func @f(%x: i32) -> (i32, i32) {
        %a = arith.addi %x, %x : i32
        %b = arith.addi %x, %x : i32
        return %a, %b : i32, i32
      }
      """)
    try Harness.run("builtin.module(func.func(cse))", on: m)
    let text = Harness.print(m, generic: false)
    #expect(text.components(separatedBy: "arith.addi").count == 2)
    #expect(text.contains("return %0, %0 : i32, i32"))
  }

  @Test func cseKeepsOpsWithSideEffects() throws {
    let m = try module("""
      %0 = "x.read"() : () -> i32
      %1 = "x.read"() : () -> i32
      "x.use"(%0, %1) : (i32, i32) -> ()
      """)
    try Harness.run("cse", on: m)
    #expect(Harness.print(m, generic: true).components(separatedBy: "x.read").count == 3)
  }

  @Test func symbolDCERemovesUnreferencedPrivateFunctions() throws {
    let m = try module("""
      func.func private @dead() { return }
      func.func private @used() { return }
      func.func @main() {
        func.call @used() : () -> ()
        return
      }
      """)
    try Harness.run("symbol-dce", on: m)
    let text = Harness.print(m, generic: false)
    #expect(!text.contains("@dead"))
    #expect(text.contains("@used"))
  }

  @Test func pipelineParserRejectsUnknownPassesAndOptions() {
    #expect(throws: PassOptionError.self) { try PipelineParser(passes: .standard).parse("builtin.module(nope)") }
    #expect(throws: PassOptionError.self) { try PipelineParser(passes: .standard).parse("canonicalize{bogus=1}") }
    #expect(throws: PassOptionError.self) { try PipelineParser(passes: .standard).parse("canonicalize{max-iterations=abc}") }
    #expect(throws: PassOptionError.self) { try PipelineParser(passes: .standard).parse("func.func(cse") }
  }

  @Test func pipelineRoundTripsToText() throws {
    let pm = try PipelineParser(passes: .standard).parse("builtin.module(func.func(canonicalize{max-iterations=3}),cse)")
    #expect(pm.pipelineText == "any(func.func(canonicalize{max-iterations=3}),cse)")
  }

  @Test func printOpStatsCountsOps() throws {
    let m = try module("func.func @f() { return }")
    var output = ""
    let pm = PassManager(
      root: try PipelineParser(passes: .standard).parse("print-op-stats"),
      context: PassContext(registry: Harness.registry(), output: { output += $0 }))
    try pm.run(m)
    #expect(output.contains("func.func"))
    #expect(output.contains("func.return , 1") || output.contains("func.return   , 1") || output.contains(", 1"))
  }
}
