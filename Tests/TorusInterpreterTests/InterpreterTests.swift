import Foundation
import Testing
import TorusFHE
import TorusFormats
import TorusInterpreter
import TorusTestSupport

/// Runs a one-function program on scalar/tensor inputs in simulate mode.
func simulate(_ program: String, _ inputs: [[Int64]], encoding: Encoding = .auto, threads: Int = 1) throws -> [[Int64]] {
  let circuit = try Circuit(source: program)
  let options = SimulateOptions(threads: threads, encoding: encoding, checkInputRange: false, trace: { _ in })
  return try Simulator(circuit: circuit, options: options).run(inputs)
}

func unary(_ op: String, _ from: String, _ to: String) -> String {
  """
  func.func @main(%a: \(from)) -> \(to) {
    %0 = "\(op)"(%a) : (\(from)) -> \(to)
    return %0 : \(to)
  }
  """
}

/// The acceptance examples of the spec (§8.1).
@Suite struct ValueModelTests {
  @Test func negationReportsPaddingBit() throws {
    #expect(try simulate(unary("FHE.neg_eint", "!FHE.eint<7>", "!FHE.eint<7>"), [[1]]) == [[255]])
    #expect(try simulate(unary("FHE.neg_eint", "!FHE.eint<3>", "!FHE.eint<3>"), [[4]]) == [[12]])
  }

  @Test func reinterpretPrecisionKeepsPhase() throws {
    let p = unary("FHE.reinterpret_precision", "!FHE.eint<8>", "!FHE.eint<4>")
    #expect(try simulate(p, [[1]]) == [[0]])
    #expect(try simulate(p, [[16]]) == [[1]])
    #expect(try simulate(p, [[255]]) == [[16]])
    #expect(try simulate(unary("FHE.reinterpret_precision", "!FHE.esint<3>", "!FHE.eint<2>"), [[-2]]) == [[7]])
  }

  @Test func lsbOfTwosComplement() throws {
    let p = unary("FHE.lsb", "!FHE.esint<8>", "!FHE.eint<16>")
    #expect(try simulate(p, [[-1]]) == [[1]])
    #expect(try simulate(p, [[-2]]) == [[0]])
  }

  @Test func roundHalfUpOverflowsIntoPadding() throws {
    let p = unary("FHE.round", "!FHE.eint<5>", "!FHE.eint<3>")
    #expect(try simulate(p, [[23]]) == [[6]])
    #expect(try simulate(p, [[31]]) == [[8]])
  }

  /// Exact rounding clears its dropped bits in chunks; every chunk width gives `(x + 2^(d−1)) >> d`
  /// (kept to the padding bit) on every input, signed and unsigned, with the fewest bootstraps.
  @Test func roundIsExactForEveryChunkWidth() throws {
    for (from, to) in [(8, 3), (8, 7), (7, 1), (9, 4)] {
      let d = from - to
      for signed in [false, true] {
        let t = signed ? "esint" : "eint"
        let p = unary("FHELinalg.round", "tensor<\(1 << from)x!FHE.\(t)<\(from)>>", "tensor<\(1 << from)x!FHE.\(t)<\(to)>>")
        let xs = (0..<Int64(1) << Int64(from)).map { signed ? $0 - (Int64(1) << Int64(from - 1)) : $0 }
        let expected = try simulate(p, [xs])
        if !signed {
          // The carried value's top bits, as a `to`-bit message with its padding bit.
          let reference = xs.map { (($0 + (1 << Int64(d - 1))) >> Int64(d)) & ((1 << Int64(to + 1)) - 1) }
          #expect(expected[0] == reference, "eint<\(from)> → \(to)")
        }
        for chunk in 2...6 {
          let circuit = try Circuit(source: p)
          var options = SimulateOptions(threads: 1, checkInputRange: false, trace: { _ in })
          options.bitExtractionChunk = chunk
          let got = try Simulator(circuit: circuit, options: options).run([xs])
          #expect(got == expected, "\(t)<\(from)> → \(to), chunk \(chunk)")
        }
      }
    }
  }

  @Test func roundingStepsUseFewestBootstraps() {
    #expect(RoundingSteps.chunks(dropped: 6, chunk: 1) == [1, 1, 1, 1, 1, 1])
    #expect(RoundingSteps.chunks(dropped: 6, chunk: 5) == [5, 1])
    #expect(RoundingSteps.bootstraps(dropped: 6, chunk: 5) == 3)
    #expect(RoundingSteps.bootstraps(dropped: 8, chunk: 4) == 4)
    #expect(RoundingSteps.bootstraps(dropped: 2, chunk: 4) == 2)
    #expect(RoundingSteps.chunks(dropped: 0, chunk: 3).isEmpty)
    for d in 1...12 {
      for c in 1...6 {
        let chunks = RoundingSteps.chunks(dropped: d, chunk: c)
        #expect(chunks.reduce(0, +) == d && chunks.allSatisfy { $0 >= 1 && $0 <= c })
        #expect(RoundingSteps.bootstraps(dropped: d, chunk: c) <= min(d, 2 * ((d + c - 1) / c)))
      }
    }
  }

  @Test func maxOfSignedIntegers() throws {
    let p = """
      func.func @main(%a: !FHE.esint<4>, %b: !FHE.esint<4>) -> !FHE.esint<4> {
        %0 = "FHE.max_eint"(%a, %b) : (!FHE.esint<4>, !FHE.esint<4>) -> !FHE.esint<4>
        return %0 : !FHE.esint<4>
      }
      """
    #expect(try simulate(p, [[-4], [-3]]) == [[-3]])
  }

  @Test func negacyclicLookup() throws {
    // Out of range (padding bit set): the table entry is negated.
    let p = """
      func.func @main(%a: !FHE.eint<2>) -> !FHE.eint<3> {
        %t = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
        %0 = "FHE.apply_lookup_table"(%a, %t) : (!FHE.eint<2>, tensor<4xi64>) -> !FHE.eint<3>
        return %0 : !FHE.eint<3>
      }
      """
    #expect(try simulate(p, [[2]]) == [[3]])
    #expect(try simulate(p, [[5]]) == [[16 - 2]])
  }

  @Test func crtEncodingOfWideLookup() throws {
    // bug_834: a 15-bit lookup picks CRT; 2·(-2) decodes to M - 4 with M = 34320.
    let p = """
      func.func @main(%a: !FHE.eint<15>) -> !FHE.eint<15> {
        %t = arith.constant dense<2> : tensor<32768xi64>
        %c = arith.constant -2 : i16
        %0 = "FHE.apply_lookup_table"(%a, %t) : (!FHE.eint<15>, tensor<32768xi64>) -> !FHE.eint<15>
        %1 = "FHE.mul_eint_int"(%0, %c) : (!FHE.eint<15>, i16) -> !FHE.eint<15>
        return %1 : !FHE.eint<15>
      }
      """
    #expect(try simulate(p, [[2]]) == [[34316]])
  }

  @Test func conv2dWithGroups() throws {
    let p = """
      func.func @main(%x: tensor<1x6x4x4x!FHE.eint<6>>) -> tensor<1x3x3x3x!FHE.eint<6>> {
        %w = arith.constant dense<[[[[1, 2], [1, 2]], [[1, 2], [1, 2]]], [[[1, 2], [1, 2]], [[1, 2], [1, 2]]], [[[1, 2], [1, 2]], [[1, 2], [1, 2]]]]> : tensor<3x2x2x2xi7>
        %0 = "FHELinalg.conv2d"(%x, %w) {group = 3 : i64} : (tensor<1x6x4x4x!FHE.eint<6>>, tensor<3x2x2x2xi7>) -> tensor<1x3x3x3x!FHE.eint<6>>
        return %0 : tensor<1x3x3x3x!FHE.eint<6>>
      }
      """
    let x = (0..<96).map { Int64($0 % 4 + 1) }
    let r = try simulate(p, [x], threads: 2)
    #expect(r[0] == Array(repeating: [20, 32, 44], count: 9).flatMap { $0 })
  }

  @Test func resultsDoNotDependOnThreads() throws {
    let p = """
      func.func @main(%a: tensor<64x64x!FHE.eint<7>>, %b: tensor<64x64xi8>) -> tensor<64x64x!FHE.eint<7>> {
        %0 = "FHELinalg.matmul_eint_int"(%a, %b) : (tensor<64x64x!FHE.eint<7>>, tensor<64x64xi8>) -> tensor<64x64x!FHE.eint<7>>
        return %0 : tensor<64x64x!FHE.eint<7>>
      }
      """
    let a = (0..<4096).map { Int64($0 * 7 % 128) }
    let b = (0..<4096).map { Int64($0 * 13 % 256) }
    #expect(try simulate(p, [a, b], threads: 1) == simulate(p, [a, b], threads: 2))
  }
}

@Suite struct InputBindingTests {
  static let program = """
    func.func @main(%a: tensor<1x3x!FHE.eint<4>>) -> tensor<1x3x!FHE.eint<4>> {
      %c = arith.constant dense<1> : tensor<3xi5>
      %0 = "FHELinalg.add_eint_int"(%a, %c) : (tensor<1x3x!FHE.eint<4>>, tensor<3xi5>) -> tensor<1x3x!FHE.eint<4>>
      return %0 : tensor<1x3x!FHE.eint<4>>
    }
    """

  func simulator() throws -> Simulator {
    Simulator(circuit: try Circuit(source: Self.program), options: SimulateOptions(threads: 1))
  }

  @Test func batchReplacesLeadingOne() throws {
    let out = try simulator().run(arrays: [NDArray([1, 2, 3, 4, 5, 6], shape: [2, 3])])
    #expect(out[0].shape == [2, 3])
    #expect(out[0].int64Values == [2, 3, 4, 5, 6, 7])
    let extra = try simulator().run(arrays: [NDArray([1, 2, 3, 4, 5, 6], shape: [2, 1, 3])])
    #expect(extra[0].shape == [2, 1, 3])
  }

  @Test func rejectsWrongCountShapeAndRange() throws {
    let sim = try simulator()
    #expect(throws: InterpreterError.self) { try sim.run(arrays: []) }
    #expect(throws: InterpreterError.self) { try sim.run(arrays: [NDArray([1, 2], shape: [2])]) }
    do {
      _ = try sim.run(arrays: [NDArray([1, 2, 16], shape: [1, 3])])
      Issue.record("expected a range error")
    } catch {
      #expect(error.description.contains("value 16 does not fit '!FHE.eint<4>'"))
    }
    #expect(throws: InterpreterError.self) { try sim.run(arrays: [NDArray(float64: [1.5, 2, 3], shape: [1, 3])]) }
  }
}

@Suite struct SharedDataTests {
  static let e2e = SharedData.url("conformance/concrete-e2e")
  static let chess = SharedData.url("models/chess-source-h8")

  @Test(.enabled(if: e2e != nil, "\(SharedData.skipMessage)"))
  func concreteFixturesPass() throws {
    let dir = try #require(Self.e2e)
    let runner = ConformanceRunner(threads: 2)
    var passed = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".yaml") }).sorted() {
      for r in runner.run(file: dir.appendingPathComponent(name)) {
        #expect(r.status == .passed, "\(r.file) #\(r.document) \(r.description) test \(r.test): \(r.status)")
        if r.status == .passed { passed += 1 }
      }
    }
    #expect(passed == 489)
  }

  @Test(.enabled(if: chess != nil, "\(SharedData.skipMessage)"))
  func chessCircuitReproducesConcreteML() throws {
    let dir = try #require(Self.chess)
    let circuit = try Circuit(contentsOf: dir.appendingPathComponent("mlir_source.txt"))
    let inputs = try Npy.read(contentsOf: dir.appendingPathComponent("test_inputs_q.npy"))
    let expected = try Npy.read(contentsOf: dir.appendingPathComponent("expected_simulate_q.npy"))
    for (threads, parallelSamples) in [(1, false), (2, false), (2, true)] {
      var options = SimulateOptions(threads: threads)
      options.parallelSamples = parallelSamples
      let out = try Simulator(circuit: circuit, options: options).run(arrays: [inputs])
      #expect(out[0].shape == expected.shape)
      #expect(out[0].int64Values == expected.int64Values)
    }
  }
}
