import Foundation
import Testing
import TorusFHE
import TorusFHETransforms
import TorusIR
import TorusOpt
import TorusPasses
import TorusTestSupport

/// Parses and verifies `text` with the FHE dialects; returns the first diagnostic message.
func verifyMessage(_ text: String) -> String? {
  do {
    _ = try parseVerified(text, name: "t.mlir", registry: .fhe)
    return nil
  } catch {
    return error.message
  }
}

@Suite struct FHETypeTests {
  @Test func parsesEncryptedTypes() {
    #expect(EncryptedType(body: "eint<4>") == .eint(4))
    #expect(EncryptedType(body: "esint<16>") == .esint(16))
    #expect(EncryptedType(body: "ebool") == .ebool)
    #expect(EncryptedType(body: "ebool")?.width == 2)
    #expect(EncryptedType(.opaque(dialect: "FHE", body: "eint<7>"))?.irType == .opaque(dialect: "FHE", body: "eint<7>"))
    #expect(EncryptedType(.i64) == nil)
  }

  @Test func rejectsZeroPrecision() {
    #expect(verifyMessage("func.func @f(%a: !FHE.eint<0>) { return }") == "FHE.eint doesn't support precision of 0")
    #expect(verifyMessage("func.func @f(%a: !FHE.esint<0>) { return }") == "FHE.esint doesn't support precision of 0")
  }
}

@Suite struct FHEVerifierTests {
  @Test func rejectsMismatchedWidths() {
    let m = verifyMessage("""
      func.func @f(%a: !FHE.eint<2>, %b: !FHE.eint<3>) -> !FHE.eint<2> {
        %0 = "FHE.add_eint"(%a, %b) : (!FHE.eint<2>, !FHE.eint<3>) -> !FHE.eint<2>
        return %0 : !FHE.eint<2>
      }
      """)
    #expect(m == "'FHE.add_eint' op should have the width of encrypted inputs equal")
  }

  @Test func rejectsWrongTableSize() {
    let m = verifyMessage("""
      func.func @f(%a: !FHE.eint<2>, %t: tensor<8xi64>) -> !FHE.eint<2> {
        %0 = "FHE.apply_lookup_table"(%a, %t) : (!FHE.eint<2>, tensor<8xi64>) -> !FHE.eint<2>
        return %0 : !FHE.eint<2>
      }
      """)
    #expect(m == "'FHE.apply_lookup_table' op : `lut` (operand #2) inner dimension should have size 4(=2^2) to match `ct` (operand #1) elements bitwidth (2)")
  }

  @Test func checksBroadcasting() {
    let m = verifyMessage("""
      func.func @f(%a: tensor<3x4x!FHE.eint<2>>, %b: tensor<3x5x!FHE.eint<2>>) -> tensor<3x4x!FHE.eint<2>> {
        %0 = "FHELinalg.add_eint"(%a, %b) : (tensor<3x4x!FHE.eint<2>>, tensor<3x5x!FHE.eint<2>>) -> tensor<3x4x!FHE.eint<2>>
        return %0 : tensor<3x4x!FHE.eint<2>>
      }
      """)
    #expect(m == "'FHELinalg.add_eint' op has the dimension #1 of the operand #1 incompatible with other operands, got 5 expect 1 or 4")
  }

  @Test func matmulShapes() throws {
    #expect(try FHELinalg.MatMulEintIntOp.resultShape([5, 1, 3, 4], [2, 4, 6]) == [5, 2, 3, 6])
    #expect(try FHELinalg.MatMulEintIntOp.resultShape([4], [2, 4, 6]) == [2, 6])
    #expect(try FHELinalg.MatMulEintIntOp.resultShape([3, 4], [4]) == [3])
    #expect(throws: VerifyError.self) { try FHELinalg.MatMulEintIntOp.resultShape([4], [4]) }
  }

  @Test func acceptsConv2dAndSum() {
    #expect(verifyMessage("""
      func.func @f(%x: tensor<1x6x4x4x!FHE.eint<6>>, %w: tensor<3x2x2x2xi7>) -> tensor<1x3x3x3x!FHE.eint<6>> {
        %0 = "FHELinalg.conv2d"(%x, %w) {group = 3 : i64} : (tensor<1x6x4x4x!FHE.eint<6>>, tensor<3x2x2x2xi7>) -> tensor<1x3x3x3x!FHE.eint<6>>
        return %0 : tensor<1x3x3x3x!FHE.eint<6>>
      }
      """) == nil)
    #expect(verifyMessage("""
      func.func @f(%x: tensor<3x4x!FHE.eint<6>>) -> tensor<3x1x!FHE.eint<6>> {
        %0 = "FHELinalg.sum"(%x) {axes = [1], keep_dims = true} : (tensor<3x4x!FHE.eint<6>>) -> tensor<3x1x!FHE.eint<6>>
        return %0 : tensor<3x1x!FHE.eint<6>>
      }
      """) == nil)
  }
}

@Suite struct ConcreteVerifierConformanceTests {
  static let accept = SharedData.url("conformance/mlir-syntax/accept")

  static func files(invalid: Bool) throws -> [URL] {
    guard let dir = accept else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasPrefix("concrete__Dialect__FHE") && $0.hasSuffix(".mlir") && $0.contains(".invalid__c") == invalid }
      .sorted().map { dir.appendingPathComponent($0) }
  }

  static var tool: OptTool {
    var t = OptTool(name: "torus-opt", registry: .fhe)
    t.passes.registerFHEPasses()
    return t
  }

  @Test(.enabled(if: accept != nil, "\(SharedData.skipMessage)"))
  func expectedErrorsAreProduced() throws {
    var checked = 0
    for url in try Self.files(invalid: true) {
      let text = try String(contentsOf: url, encoding: .utf8)
      guard text.contains("expected-error") else { continue }
      #expect(Self.tool.main(["--verify-diagnostics", url.path, "-o", "/dev/null"]) == 0, "\(url.lastPathComponent)")
      checked += 1
    }
    #expect(checked == 141)
  }

  @Test(.enabled(if: accept != nil, "\(SharedData.skipMessage)"))
  func validFilesVerify() throws {
    var checked = 0
    for url in try Self.files(invalid: false) {
      let text = try String(contentsOf: url, encoding: .utf8)
      // Negative tests written with FileCheck instead of expected-error comments.
      if let range = text.range(of: "CHECK-LABEL: ") {
        let expected = text[range.upperBound...].prefix { $0 != "\n" }
        // Concrete's verifier errors; other CHECK lines (e.g. the optimizer's NoParametersFound) are not ours.
        if expected.hasPrefix("error: ") || expected.contains("doesn't support precision") {
          let message = verifyMessage(text) ?? "(none)"
          #expect(expected.hasSuffix(message) || message.hasSuffix(expected.replacingOccurrences(of: "error: ", with: "")), "\(url.lastPathComponent): \(message)")
          continue
        }
      }
      #expect(verifyMessage(text) == nil, "\(url.lastPathComponent)")
      checked += 1
    }
    #expect(checked >= 170)
  }
}

@Suite struct BitWidthTests {
  static let program = """
    func.func @main(%a: !FHE.eint<3>, %t: tensor<8xi64>) -> !FHE.eint<17> {
      %0 = "FHE.apply_lookup_table"(%a, %t) : (!FHE.eint<3>, tensor<8xi64>) -> !FHE.eint<17>
      return %0 : !FHE.eint<17>
    }
    """

  @Test func reportsWidthsAndLookups() throws {
    let module = try parseVerified(Self.program, registry: .fhe)
    let a = BitWidthAnalysis(function: module.operation)
    #expect(a.maxWidth == 17)
    #expect(a.lookupsPerWidth == [3: 1])
    #expect(a.entries.map(\.width) == [17])
  }

  @Test func limitNamesTheOpAndChain() throws {
    let module = try parseVerified(Self.program, registry: .fhe)
    let a = BitWidthAnalysis(function: module.operation)
    let v = try #require(a.firstViolation(limit: 16))
    #expect(v.contains("'FHE.apply_lookup_table' produces a 17-bit encrypted integer"))
    #expect(v.contains("function argument (3 bits)"))
    #expect(a.firstViolation(limit: 17) == nil)
  }

  /// Approximate rounding adds its offset at 62 bits: fine while only phase ops see the value,
  /// a violation once anything decodes it at that width.
  @Test func widePhaseOnlyValuesAreAllowedUntilDecoded() throws {
    // The analysis outlives the module it was made from (it keeps the IR alive itself).
    func analysis(returning result: String) throws -> BitWidthAnalysis {
      let text = """
        func.func @main(%x: !FHE.eint<6>) -> \(result == "%s" ? "!FHE.eint<62>" : "!FHE.eint<3>") {
          %h = "FHE.reinterpret_precision"(%x) : (!FHE.eint<6>) -> !FHE.eint<62>
          %c = arith.constant 36028797018963967 : i63
          %s = "FHE.add_eint_int"(%h, %c) : (!FHE.eint<62>, i63) -> !FHE.eint<62>
          %r = "FHE.reinterpret_precision"(%s) : (!FHE.eint<62>) -> !FHE.eint<3>
          return \(result) : \(result == "%s" ? "!FHE.eint<62>" : "!FHE.eint<3>")
        }
        """
      let module = try parseVerified(text, registry: .fhe)
      return BitWidthAnalysis(function: module.operation)
    }
    #expect(try analysis(returning: "%r").firstViolation(limit: 16) == nil)
    let returned = try #require(try analysis(returning: "%s").firstViolation(limit: 16))
    #expect(returned.contains("produces a 62-bit encrypted integer, more than the limit of 16 bits"))
  }
}
