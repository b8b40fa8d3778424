import Foundation
import Testing
import TorusFormats
import TorusTestSupport

func expectFixtureError(_ yaml: String, _ expected: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
  do {
    let f = try FixtureFile(yaml: yaml, fileName: "t.yaml")
    Issue.record("expected error '\(expected)', parsed \(f.documents.count) documents",
                 sourceLocation: sourceLocation)
  } catch {
    #expect(error.description == expected, sourceLocation: sourceLocation)
  }
}

@Suite struct FixtureTests {
  static let e2eDirectory = SharedData.url("conformance/concrete-e2e")

  @Test(.enabled(if: e2eDirectory != nil, "\(SharedData.skipMessage)"))
  func readsAllConcreteFixtures() throws {
    let dir = try #require(FixtureTests.e2eDirectory)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(files.count == 11)
    var programs = 0, tests = 0, values = 0
    var encodings: [FixtureEncoding: Int] = [:]
    for name in files {
      let file = try FixtureFile(contentsOf: dir.appendingPathComponent(name))
      programs += file.documents.count
      for p in file.documents {
        #expect(!p.description.isEmpty)
        #expect(p.program.contains("func.func @main"), "\(name): \(p.description)")
        encodings[p.encoding, default: 0] += 1
        tests += p.tests.count
        for t in p.tests {
          for v in (t.inputs ?? []) + (t.outputs ?? []) {
            values += 1
            #expect(v.bitPatterns.count == NDArray.elementCount(v.shape))
            #expect((1...64).contains(v.width))
          }
        }
      }
    }
    #expect(programs == 203)
    #expect(encodings[.crt] == 16)
    #expect(tests > programs)
    #expect(values > 0)
  }

  @Test(.enabled(if: e2eDirectory != nil, "\(SharedData.skipMessage)"))
  func readsQuirksOfRealFixtures() throws {
    let dir = try #require(FixtureTests.e2eDirectory)
    let multi = try FixtureFile(contentsOf: dir.appendingPathComponent("end_to_end_multi_ouput.yaml"))
    let zero = try #require(multi.documents.first)
    #expect(zero.description == "zero")
    // `- inputs:` and `- outputs:` are two list items: two tests.
    #expect(zero.tests.count == 2)
    #expect(zero.tests[0] == FixtureTest(inputs: nil, outputs: nil))
    #expect(zero.tests[1].inputs == nil)
    #expect(zero.tests[1].outputs == [
      FixtureValue(.tensor([0, 0], shape: [2])), FixtureValue(.scalar(0)),
    ])
    let fhe = try FixtureFile(contentsOf: dir.appendingPathComponent("end_to_end_fhelinalg.yaml"))
    let withPError = fhe.documents.filter { $0.pError != nil }
    #expect(withPError.allSatisfy { $0.pError == 6.3342483999973e-05 })
    let negatives = fhe.documents.flatMap(\.tests).flatMap { ($0.inputs ?? []) + ($0.outputs ?? []) }
      .filter { $0.signed && $0.int64Values.contains { $0 < 0 } }
    #expect(!negatives.isEmpty)
  }

  @Test func parsesValuesExactly() throws {
    let yaml = """
      # comment
      description: exact
      program: |
        func.func @main(%a: i64) -> i64 {
          return %a : i64
        }
      p-error: 1e-06
      encoding: native
      large-integer-crt-decomposition: [7, 8, 9, 11, 13]
      test-error-rates:
        - global-p-error: 0.0001
          nb-repetition: 100
      v0-parameter: [2, 10, 750, 3, 8, 5, 3]
      use_default_fhe_constraints: true
      tests:
        - inputs:
          - scalar: 18446744073709551615
          - scalar: -4
            signed: true
          - tensor: [1, 2, 3, 255, 0, 7]
            shape: [2, 3]
            width: 8
          - scalar: 5
            tensor: [1]
            shape: [1]
          - tensor: [0xFFFF, 0x0, -0x0]
            shape: [3]
            width: 16
          - scalar: 0xFF
            width: 8
            signed: true
          outputs:
          - scalar: -9223372036854775808
            signed: true
            width: 64
      ---
      description: second
      program: "func.func @main() { return }"
      tests:
        - outputs:
      """
    let file = try FixtureFile(yaml: yaml, fileName: "t.yaml")
    #expect(file.documents.count == 2)
    let p = file.documents[0]
    #expect(p.pError == 1e-06)
    #expect(p.encoding == .native)
    #expect(p.program.hasPrefix("func.func @main(%a: i64) -> i64 {\n  return"))
    #expect(p.largeIntegerCRTDecomposition == [7, 8, 9, 11, 13])
    #expect(p.testErrorRates == [FixtureErrorRate(globalPError: 0.0001, repetitions: 100)])
    #expect(p.v0Parameter == [2, 10, 750, 3, 8, 5, 3])
    #expect(p.useDefaultFHEConstraints == true)
    let inputs = try #require(p.tests[0].inputs)
    #expect(inputs[0] == FixtureValue(.scalar(UInt64.max), width: 64, signed: false))
    #expect(inputs[1].int64Values == [-4])
    #expect(inputs[1].bitPatterns == [UInt64(bitPattern: -4)])
    #expect(inputs[2].shape == [2, 3])
    #expect(inputs[2].containerBits == 8)
    #expect(inputs[2].ndArray == NDArray([1, 2, 3, 255, 0, 7], shape: [2, 3]))
    #expect(inputs[3] == FixtureValue(.scalar(5)))  // scalar wins over tensor
    #expect(inputs[4].bitPatterns == [65535, 0, 0])
    #expect(inputs[5].int64Values == [-1])  // hex is the container's bit pattern
    #expect(p.tests[0].outputs?.first?.int64Values == [Int64.min])
    let q = file.documents[1]
    #expect(q.pError == nil)
    #expect(q.encoding == .auto)
    #expect(q.testErrorRates.isEmpty)
    #expect(q.tests == [FixtureTest(inputs: nil, outputs: nil)])
  }

  @Test func rejectsBadFixturesNamingFileAndDocument() {
    let head = "description: d\nprogram: p\n"
    expectFixtureError(head + "tests:\n  - inputs:\n    - scalar: 1\n      width: 65\n",
                       "'t.yaml' document 0 ('d'): tests[0].inputs[0].width: width 65 exceeds 64")
    expectFixtureError(head + "tests:\n  - inputs:\n    - scalar: -1\n",
                       "'t.yaml' document 0 ('d'): tests[0].inputs[0].scalar: expected an integer in 0 to 2^64-1 (width 64, unsigned), found '-1'")
    expectFixtureError(head + "tests:\n  - outputs:\n    - scalar: 128\n      width: 8\n      signed: true\n",
                       "'t.yaml' document 0 ('d'): tests[0].outputs[0].scalar: expected an integer in -2^7 to 2^7-1 (width 8, signed), found '128'")
    expectFixtureError(head + "tests:\n  - inputs:\n    - scalar: 0x100\n      width: 8\n",
                       "'t.yaml' document 0 ('d'): tests[0].inputs[0].scalar: expected an integer in 0 to 2^8-1 (width 8, unsigned), found '0x100'")
    expectFixtureError(head + "tests:\n  - inputs:\n    - shape: [1]\n",
                       "'t.yaml' document 0 ('d'): tests[0].inputs[0]: expected key 'scalar' or 'tensor', found neither")
    expectFixtureError(head + "tests:\n  - inputs:\n    - tensor: [1, 2]\n      shape: [3]\n",
                       "'t.yaml' document 0 ('d'): tests[0].inputs[0]: shape 3 needs 3 values, found 2")
    expectFixtureError(head + "encoding: fancy\ntests: []\n",
                       "'t.yaml' document 0 ('d'): 'encoding': expected 'auto', 'native' or 'crt', found 'fancy'")
    expectFixtureError(head + "tests: []\n---\nprogram: p\ntests: []\n",
                       "'t.yaml' document 1: missing key 'description'")
    expectFixtureError(head + "tests: []\nbogus: 1\n", "'t.yaml' document 0 ('d'): unknown key 'bogus'")
    do {
      _ = try FixtureFile(yaml: "description: [unclosed\n", fileName: "t.yaml")
      Issue.record("expected a yaml syntax error")
    } catch {
      #expect(error.description.hasPrefix("'t.yaml'"))
      #expect(error.description.contains("invalid yaml"))
    }
  }
}

@Suite struct FixtureEmptyDocumentTests {
  /// Concrete's generated fixtures may end with `---`: an empty document is skipped, as
  /// Concrete's harness does, instead of refusing the whole file.
  @Test func emptyDocumentsAreSkipped() throws {
    let yaml = """
      description: one
      program: |
        func.func @main(%a: i64) -> i64 {
          return %a : i64
        }
      tests:
        - inputs:
          - scalar: 1
          outputs:
          - scalar: 1
      ---
      ---
      description: two
      program: |
        func.func @main(%a: i64) -> i64 {
          return %a : i64
        }
      tests:
        - inputs:
          - scalar: 2
          outputs:
          - scalar: 2
      ---
      """
    let file = try FixtureFile(yaml: yaml, fileName: "t.yaml")
    #expect(file.documents.map(\.description) == ["one", "two"])
  }
}

@Suite struct JUnitReportTests {
  @Test func writesWellFormedJUnitWithEscapedMessages() throws {
    let report = JUnitReport(name: "conformance", suites: [
      JUnitReport.Suite(name: "a.yaml", cases: [
        .init(classname: "a.yaml", name: "#0 add test 0", seconds: 0.5, outcome: .passed),
        .init(classname: "a.yaml", name: "#1 <lut> & \"quotes\"", outcome: .failed("expected [1, 2]\ngot [1, 3] <&>")),
        .init(classname: "a.yaml", name: "#2 wide", outcome: .skipped("16-bit")),
      ])
    ])
    let text = String(decoding: try report.xmlData(), as: UTF8.self)
    #expect(text.contains("<testsuites"))
    #expect(text.contains("tests=\"3\"") && text.contains("failures=\"1\"") && text.contains("skipped=\"1\""))
    #expect(text.contains("&lt;lut&gt; &amp; &quot;quotes&quot;") || text.contains("&lt;lut&gt; &amp; \"quotes\""))
    #expect(text.contains("<skipped message=\"16-bit\""))
    #expect(!text.contains("<&>"))
  }
}
