import Testing
import TorusIR

@Suite struct DiagnosticTests {
  func error(_ text: String, registry: DialectRegistry = Harness.registry()) -> Diagnostic? {
    if case .failure(let d) = Harness.load(text, registry: registry) { return d }
    return nil
  }

  @Test func diagnosticNamesFileLineColumnWithCaret() throws {
    let file = SourceFile(name: "bad.mlir", text: "func.func @f() {\n  %0 = \"x.a\"() : () -> i32 i32\n}\n")
    var r = DialectRegistry.core
    r.allowUnregisteredDialects = true
    do {
      _ = try OpAsmParser(file: file, registry: r).parseModule()
      Issue.record("expected a parse error")
    } catch {
      let text = error.diagnostic(in: file).rendered(sources: ["bad.mlir": file])
      #expect(text.hasPrefix("bad.mlir:2:"))
      #expect(text.contains("error: "))
      #expect(text.contains("\n  %0 = \"x.a\"() : () -> i32 i32\n"))
      #expect(text.hasSuffix("^"))
    }
  }

  @Test func unregisteredDialectNeedsTheFlag() throws {
    var strict = DialectRegistry.core
    strict.allowUnregisteredDialects = false
    let d = try #require(error("\"x.op\"() : () -> ()", registry: strict))
    #expect(d.message.contains("allow-unregistered-dialect"))
  }

  @Test func verifierChecksReturnTypes() throws {
    let d = try #require(error("func.func @f(%a: i32) -> i64 {\n  return %a : i32\n}"))
    #expect(d.message == "type of return operand 0 ('i32') doesn't match function result type ('i64') in function @f")
    #expect(d.location.fileLineCol?.line == 2)
  }

  @Test func verifierChecksDominanceInFunctions() throws {
    let d = try #require(error("func.func @f() {\n  %1 = \"x.b\"(%0) : (i32) -> i32\n  %0 = \"x.a\"() : () -> i32\n  return\n}"))
    #expect(d.message == "operand #0 does not dominate this use")
  }

  @Test func graphRegionsAllowForwardReferences() {
    if case .failure(let d) = Harness.load("%1 = \"x.use\"(%0) : (i32) -> i32\n%0 = \"x.def\"(%1) : (i32) -> i32") {
      Issue.record("unexpected \(d)")
    }
  }

  @Test func isolatedRegionsCannotSeeOuterValues() throws {
    let d = try #require(error("""
      %0 = "x.def"() : () -> i32
      func.func @f() -> i32 {
        return %0 : i32
      }
      """))
    #expect(d.message.contains("undeclared SSA value") || d.message.contains("outside the region"))
  }

  @Test func symbolRedefinitionIsRejected() throws {
    let d = try #require(error("func.func @f() { return }\nfunc.func @f() { return }"))
    #expect(d.message == "redefinition of symbol named 'f'")
  }

  @Test func integerLiteralsAreRangeChecked() throws {
    #expect(error("\"x.a\"() {v = 128 : si8} : () -> ()")?.message == "integer constant out of range for attribute")
    #expect(error("\"x.a\"() {v = -129 : i8} : () -> ()")?.message == "integer constant out of range for attribute")
    #expect(error("\"x.a\"() {v = 255 : i8} : () -> ()") == nil)
  }

  @Test func attributesAndTypesPrintCanonically() throws {
    guard case .success(let m) = Harness.load("\"x.a\"() {b = 0x10 : i32, a = 1.5 : f32, c = dense<[7, 7]> : tensor<2xi3>} : () -> ()") else {
      Issue.record("parse failed")
      return
    }
    #expect(Harness.print(m, generic: true).contains("{a = 1.500000e+00 : f32, b = 16 : i32, c = dense<-1> : tensor<2xi3>}"))
  }

  @Test func largeDenseConstantsPrintAsHex() throws {
    let values = (0..<101).map(String.init).joined(separator: ", ")
    guard case .success(let m) = Harness.load("\"x.a\"() {c = dense<[\(values)]> : tensor<101xi8>} : () -> ()") else {
      Issue.record("parse failed")
      return
    }
    #expect(Harness.print(m, generic: true).contains("dense<\"0x00010203"))
  }
}

@Suite struct ControlFlowTests {
  @Test func branchOperandsMustMatchSuccessorArguments() throws {
    guard case .failure(let d) = Harness.load("""
      func.func @f(%a: i32) {
        cf.br ^bb1(%a : i32)
      ^bb1(%x: i64):
        return
      }
      """) else {
      Issue.record("expected a verifier error")
      return
    }
    #expect(d.message.contains("type mismatch for bb argument #0"))
  }

  @Test func usesInUnreachableBlocksAreNotDominanceErrors() {
    if case .failure(let d) = Harness.load("""
      func.func @f() {
        return
      ^bb1:
        "x.use"(%v) : (i32) -> ()
        cf.br ^bb1
      ^bb2:
        %v = "x.def"() : () -> i32
        cf.br ^bb1
      }
      """) {
      Issue.record("unexpected \(d)")
    }
  }
}
