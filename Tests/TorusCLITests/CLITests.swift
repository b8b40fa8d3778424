import Foundation
import Testing
import TorusTestSupport

/// Runs the built `torus` / `torus-opt` executables (beside the test bundle) as a user would.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
  var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.contains("error:") } }
}

enum CLI {
  static let productsDirectory: URL = {
    // The test bundle (or the xctest binary) lives in the products directory with the executables.
    var url = Bundle.main.bundleURL
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("torus").path) && url.path != "/" {
      url = url.deletingLastPathComponent()
    }
    return url
  }()

  static func run(_ tool: String, _ arguments: [String], stdin: String? = nil) throws -> CommandResult {
    let p = Process()
    p.executableURL = productsDirectory.appendingPathComponent(tool)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }

  static let denseRelu = SharedData.packageRoot.appendingPathComponent("Examples/circuits/dense_relu.mlir").path
}

@Suite struct TorusCLITests {
  @Test func missingCircuitIsOneErrorLine() throws {
    let r = try CLI.run("torus", ["run", "/nonexistent/circuit.mlir"])
    #expect(r.status == 1)
    #expect(r.errorLines.count == 1, "\(r.stderr)")
    #expect(r.stderr.contains("/nonexistent/circuit.mlir"))
    #expect(!r.stderr.contains("ExitCode"))
  }

  /// `torus conformance --max-key-gb` takes a positive size, in encrypted mode only.
  @Test func conformanceKeySizeLimitIsChecked() throws {
    for (args, message) in [(["--mode", "encrypted", "--max-key-gb", "0"], "must be positive"),
                            (["--mode", "encrypted", "--max-key-gb", "x"], "max-key-gb"),
                            (["--max-key-gb", "2"], "--mode encrypted only")] {
      let r = try CLI.run("torus", ["conformance", "/nonexistent.yaml"] + args)
      #expect(r.status == 64, "\(args): \(r.stderr)")
      #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
    }
  }

  /// A failure inside the encrypted all-in-one run prints its message once, without a second
  /// `error: ExitCode(rawValue: 1)` line.
  @Test func encryptedFailureIsPrintedOnce() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let circuit = dir.appendingPathComponent("wide.mlir")
    try """
      func.func @main(%x: !FHE.eint<16>, %t: tensor<65536xi64>) -> !FHE.eint<16> {
        %r = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<16>, tensor<65536xi64>) -> !FHE.eint<16>
        return %r : !FHE.eint<16>
      }
      """.write(to: circuit, atomically: true, encoding: .utf8)
    let r = try CLI.run("torus", ["run", circuit.path, "--mode", "encrypted"])
    #expect(r.status == 1)
    #expect(r.errorLines.count == 1, "\(r.stderr)")
    #expect(!r.stderr.contains("ExitCode"))
  }

  @Test func simulateWritesTheOutputFile() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("x.json"), output = dir.appendingPathComponent("y.json")
    try "[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]]".write(to: input, atomically: true, encoding: .utf8)
    let r = try CLI.run("torus", ["run", CLI.denseRelu, "--input", input.path, "-o", output.path])
    #expect(r.status == 0, "\(r.stderr)")
    let text = try String(contentsOf: output, encoding: .utf8)
    #expect(text.contains("["))
  }

  @Test func wrongInputShapeIsAnError() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("x.json")
    try "[1, 2, 3]".write(to: input, atomically: true, encoding: .utf8)
    let r = try CLI.run("torus", ["run", CLI.denseRelu, "--input", input.path])
    #expect(r.status == 1)
    #expect(r.errorLines.count == 1, "\(r.stderr)")
  }

  @Test func gzipCircuitsAreRead() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let gz = dir.appendingPathComponent("c.mlir.gz")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -c \"$0\" > \"$1\"", CLI.denseRelu, gz.path]
    try p.run()
    p.waitUntilExit()
    let plain = try CLI.run("torus-opt", [CLI.denseRelu, "--fhe-bitwidth-report", "-o", "/dev/null"])
    let r = try CLI.run("torus", ["run", gz.path, "--input", "/dev/null"])
    // The circuit parses (the error is about the input, not the file).
    #expect(r.stderr.contains("/dev/null"), "\(r.stderr)")
    #expect(!r.stderr.contains("expected"), "\(r.stderr)")
    #expect(plain.status == 0)
    // torus-opt reads it too, and prints what the plain file gives.
    let printed = try CLI.run("torus-opt", [gz.path])
    let printedPlain = try CLI.run("torus-opt", [CLI.denseRelu])
    #expect(printed.status == 0 && printed.stdout == printedPlain.stdout, "\(printed.stderr)")
    // A truncated gzip stream is an error naming the file, not a crash or a parse of garbage.
    let bytes = try Data(contentsOf: gz)
    let cut = dir.appendingPathComponent("cut.mlir.gz")
    try bytes.prefix(bytes.count / 2).write(to: cut)
    let broken = try CLI.run("torus-opt", [cut.path])
    #expect(broken.status != 0 && broken.stderr.contains("cut.mlir.gz"), "\(broken.stderr)")
  }

  @Test func compileWithoutInputsetIsAUsageError() throws {
    let mlp = SharedData.packageRoot.appendingPathComponent("Examples/mlp/mlp.qonnx.onnx").path
    let r = try CLI.run("torus", ["compile", mlp, "-o", "/tmp/never-written.mlir"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("an inputset is required"))
  }

  @Test func torusOptReportsParseErrorsWithFileLineColumn() throws {
    let r = try CLI.run("torus-opt", ["-"], stdin: "func.func @f() {\n  %x = \"FHE.zero\"( : () -> !FHE.eint<4>\n}\n")
    #expect(r.status == 1)
    #expect(r.stderr.contains("<stdin>:2:"), "\(r.stderr)")
  }
}

@Suite struct ModeFlagTests {
  @Test(arguments: [
    (["--mode", "simulate", "--eval-keys", "K"], "--eval-keys cannot be used in simulate mode"),
    (["--mode", "simulate", "--global-p-error", "1e-3"], "--global-p-error/--p-error cannot be used in simulate mode"),
    (["--mode", "encrypted", "--encoding", "crt"], "--encoding cannot be used in encrypted mode"),
    (["--mode", "encrypted", "--profile", "--parallel-samples"], "--profile, --parallel-samples cannot be used in encrypted mode"),
    (["--mode", "encrypted", "--eval-keys", "K", "--raw"], "--raw cannot be used with --eval-keys"),
    (["--mode", "encrypted", "--eval-keys", "K", "--trace"], "--trace cannot be used with --eval-keys"),
  ])
  func flagsAModeIgnoresAreRefused(_ flags: [String], _ message: String) throws {
    let r = try CLI.run("torus", ["run", CLI.denseRelu] + flags)
    #expect(r.status == 64, "\(r.stderr)")
    #expect(r.stderr.contains(message), "\(r.stderr)")
  }

  /// The all-in-one encrypted run on a small circuit: keys, encryption, run and decryption in the
  /// library session, the same outputs as simulate.
  @Test func encryptedRoundTripEqualsSimulate() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let circuit = dir.appendingPathComponent("c.mlir"), input = dir.appendingPathComponent("x.json")
    try """
      func.func @main(%x: tensor<3x!FHE.eint<2>>) -> tensor<3x!FHE.eint<2>> {
        %t = arith.constant dense<[3, 2, 1, 0]> : tensor<4xi64>
        %r = "FHELinalg.apply_lookup_table"(%x, %t) : (tensor<3x!FHE.eint<2>>, tensor<4xi64>) -> tensor<3x!FHE.eint<2>>
        return %r : tensor<3x!FHE.eint<2>>
      }
      """.write(to: circuit, atomically: true, encoding: .utf8)
    try "[0, 1, 3]".write(to: input, atomically: true, encoding: .utf8)
    let encrypted = try CLI.run("torus", ["run", circuit.path, "--mode", "encrypted", "--input", input.path, "--threads", "1"])
    let simulated = try CLI.run("torus", ["run", circuit.path, "--input", input.path])
    #expect(encrypted.status == 0, "\(encrypted.stderr)")
    #expect(simulated.stdout.contains(": 3 2 0"), "\(simulated.stdout)")
    #expect(encrypted.stdout == simulated.stdout)
  }
}

@Suite struct TraceAndDiffTests {
  static let circuit = """
    func.func @main(%x: tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>> {
      %t1 = arith.constant dense<[0, 1, 2, 3, 3, 2, 1, 0]> : tensor<8xi64>
      %t2 = arith.constant dense<[7, 6, 5, 4, 3, 2, 1, 0]> : tensor<8xi64>
      %1 = "FHELinalg.apply_lookup_table"(%x, %t1) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
      %2 = "FHELinalg.apply_lookup_table"(%1, %t2) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
      return %2 : tensor<4x!FHE.eint<3>>
    }
    """

  func files(_ dir: URL) throws -> (String, String, String) {
    let a = dir.appendingPathComponent("a.mlir"), b = dir.appendingPathComponent("b.mlir"), x = dir.appendingPathComponent("x.json")
    try Self.circuit.write(to: a, atomically: true, encoding: .utf8)
    // The same circuit with one table entry flipped in the first lookup (t1[2]: 2 -> 5).
    try Self.circuit.replacingOccurrences(of: "[0, 1, 2, 3, 3, 2, 1, 0]", with: "[0, 1, 5, 3, 3, 2, 1, 0]")
      .write(to: b, atomically: true, encoding: .utf8)
    try "[0, 1, 2, 7]".write(to: x, atomically: true, encoding: .utf8)
    return (a.path, b.path, x.path)
  }

  @Test func traceSummarizesEveryOp() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (a, _, x) = try files(dir)
    let r = try CLI.run("torus", ["run", a, "--input", x, "--trace"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("trace ") }
    #expect(lines.count == 2, "\(r.stderr)")  // the two lookups (constants are not traced)
    #expect(lines.contains { $0.contains("[2] FHELinalg.apply_lookup_table") && $0.contains("4 min 0 max 2 (uses 2 of 3 bits): [0, 1, 2, 0]") }, "\(r.stderr)")
    let selected = try CLI.run("torus", ["run", a, "--input", x, "--trace=apply_lookup_table"])
    #expect(selected.stderr.split(separator: "\n").filter { $0.hasPrefix("trace ") }.count == 2)
  }

  @Test func diffNamesTheFirstDifferingOpAndFindsNoneOnTheSameCircuit() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (a, b, x) = try files(dir)
    let same = try CLI.run("torus", ["diff", a, a, "--input", x])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stdout.contains("no difference"))
    let flipped = try CLI.run("torus", ["diff", a, b, "--input", x])
    #expect(flipped.status == 1)
    #expect(flipped.stdout.contains("first difference at op [2] FHELinalg.apply_lookup_table"), "\(flipped.stdout)")
    #expect(flipped.stdout.contains("result #0, element 2: 2 ("), "\(flipped.stdout)")
  }

  @Test func diffRefusesWhatItCannotCompare() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (a, b, x) = try files(dir)
    let same = try CLI.run("torus", ["diff", a, "--input", x, "--left", "encrypted", "--right", "encrypted"])
    #expect(same.status == 64 && same.stderr.contains("nothing to compare"))
    let right = try CLI.run("torus", ["diff", a, b, "--input", x, "--right", "simulate"])
    #expect(right.status == 64 && right.stderr.contains("--right applies to a single circuit"))
    let batch = dir.appendingPathComponent("batch.json")
    try "[[0, 1, 2, 3], [1, 1, 1, 1]]".write(to: batch, atomically: true, encoding: .utf8)
    let sample = try CLI.run("torus", ["diff", a, b, "--input", batch.path, "--sample", "5"])
    #expect(sample.status != 0 && sample.stderr.contains("--sample 5 is out of range: the inputs hold 2 samples"), "\(sample.stderr)")
    let missing = try CLI.run("torus", ["diff", a, dir.appendingPathComponent("nope.mlir").path, "--input", x])
    #expect(missing.status == 1 && missing.errorLines.count == 1, "\(missing.stderr)")
  }

  @Test func diffOfSimulateAndEncryptedAgrees() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (a, _, x) = try files(dir)
    let r = try CLI.run("torus", ["diff", a, "--input", x, "--threads", "1"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("no difference"))
    #expect(r.stderr.contains("debugging only"))
  }
}

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct ViewTests {
  /// The HTML view is well-formed XML with one box per op on ciphertexts.
  @Test func htmlViewHasOneBoxPerOp() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let html = dir.appendingPathComponent("v.html"), svg = dir.appendingPathComponent("v.svg"), dot = dir.appendingPathComponent("v.dot")
    for out in [html, svg, dot] {
      let r = try CLI.run("torus", ["view", CLI.denseRelu, "-o", out.path])
      #expect(r.status == 0, "\(r.stderr)")
    }
    // dense_relu: matmul, add, lookup (the constant is not drawn).
    let text = try String(contentsOf: html, encoding: .utf8)
    #expect(text.hasPrefix("<!DOCTYPE html>"))
    let body = Data(text.drop { $0 != "\n" }.dropFirst().utf8)
    let document = try XMLDocument(data: body, options: [])
    let boxes = try document.nodes(forXPath: "//*[local-name()='g'][@class='op']")
    #expect(boxes.count == 3)
    #expect(text.contains("FHELinalg.apply_lookup_table") && text.contains("8 PBS"))
    _ = try XMLDocument(data: try Data(contentsOf: svg), options: [])
    let graph = try String(contentsOf: dot, encoding: .utf8)
    #expect(graph.hasPrefix("digraph") && graph.contains("->"))
    let bad = try CLI.run("torus", ["view", CLI.denseRelu, "-o", dir.appendingPathComponent("v.png").path])
    #expect(bad.status == 64)
  }
}

@Suite struct JUnitCommandTests {
  @Test func resultsListBecomesAJUnitReport() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let list = dir.appendingPathComponent("r.tsv"), xml = dir.appendingPathComponent("r.xml")
    try "accept\ta <b>\tpassed\naccept\tc\tfailed\tgeneric form differs\nreject\td\tskipped\tno golden\n"
      .write(to: list, atomically: true, encoding: .utf8)
    let r = try CLI.run("torus", ["junit", "--from", list.path, "-o", xml.path, "--name", "syntax"])
    #expect(r.status == 0, "\(r.stderr)")
    let document = try XMLDocument(data: try Data(contentsOf: xml), options: [])
    #expect(try document.nodes(forXPath: "//testsuite").count == 2)
    #expect(try document.nodes(forXPath: "//testcase").count == 3)
    #expect(try document.nodes(forXPath: "//failure[@message='generic form differs']").count == 1)
    try "accept\tbroken line\n".write(to: list, atomically: true, encoding: .utf8)
    let bad = try CLI.run("torus", ["junit", "--from", list.path, "-o", xml.path])
    #expect(bad.status != 0 && bad.stderr.contains("r.tsv:1"))
  }
}

@Suite struct CompileFlagTests {
  static let mlp = SharedData.packageRoot.appendingPathComponent("Examples/mlp")

  /// Concrete-ML's n_bits: 8 by default, `--n-bits N` for both, never mixed with the separate flags.
  @Test func nBitsDefaultsAndConflicts() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let onnx = Self.mlp.appendingPathComponent("mlp.qonnx.onnx").path, inputset = Self.mlp.appendingPathComponent("inputset.npy").path
    let byDefault = dir.appendingPathComponent("d.mlir"), explicit8 = dir.appendingPathComponent("e.mlir"), four = dir.appendingPathComponent("f.mlir")
    for (out, flags) in [(byDefault, [String]()), (explicit8, ["--n-bits", "8"]), (four, ["--n-bits-inputs", "4", "--n-bits-outputs", "4"])] {
      let r = try CLI.run("torus", ["compile", onnx, "--inputset", inputset, "-o", out.path] + flags)
      #expect(r.status == 0, "\(r.stderr)")
    }
    #expect(try String(contentsOf: byDefault, encoding: .utf8) == String(contentsOf: explicit8, encoding: .utf8))
    let both = try CLI.run("torus", ["compile", onnx, "--inputset", inputset, "--n-bits", "4", "--n-bits-inputs", "4", "-o", four.path])
    #expect(both.status == 64 && both.stderr.contains("--n-bits sets both widths"))
    let range = try CLI.run("torus", ["compile", onnx, "--inputset", inputset, "--n-bits", "0", "-o", four.path])
    #expect(range.status == 64 && range.stderr.contains("--n-bits must be in 1...16"))
  }
}
