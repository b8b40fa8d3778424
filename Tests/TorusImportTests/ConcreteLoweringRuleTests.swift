import Foundation
import Testing
import TorusFormats
import TorusInterpreter
import TorusQNN
import TorusQNNTransforms

/// Lowering rules found on Brevitas models outside the zoo (`scripts/zoo-extra.py`): each circuit
/// text is what concrete-python emits for the same integer program, and each circuit's
/// simulation equals the program's clear evaluation.
@Suite struct ConcreteLoweringRuleTests {
  /// Lowers `program`, checks the simulated circuit against the clear evaluation on `inputs`
  /// (a batch), and returns the circuit text.
  func lowerAndCompare(_ program: IntegerProgram, _ inputs: [IntTensor]) throws -> String {
    let circuit = try FHELinalgLowering.lower(program, analysis: program.analyzeBitWidths(inputs))
    let text = String(decoding: circuit.print(), as: UTF8.self)
    let clear = program.evaluate(inputs)
    let simulated = try Simulator(circuit: try Circuit(source: text), options: SimulateOptions(threads: 2, trace: { _ in }))
      .run(arrays: inputs.map { NDArray($0.data, shape: $0.shape) })
    for (k, out) in program.outputs.enumerated() {
      #expect(simulated[k].int64Values == clear[out.node].data, "output \(k)")
    }
    return text
  }

  /// ONNX Gather of an index tensor: `x[:, indices]` as concrete-python's fancy indexing.
  @Test func gatherOfAnIndexTensorIsAFancyIndex() throws {
    let q = Quantizer(bits: 8, isSigned: false, scale: 1)
    var p = IntegerProgram()
    let indices = [0, 2, 5, 6, 9, 10, 13, 15]
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 16], name: "x"),
      IntegerProgram.Node(op: .gather(x: 0, axis: 1, indices: indices, indexShape: [8]), shape: [1, 8], name: "g"),
    ]
    p.outputs = [(1, q)]
    let x = IntTensor(shape: [3, 16], data: (0..<48).map { Int64(($0 * 37) % 251) })
    #expect(p.evaluate([x])[1].data == (0..<3).flatMap { r in indices.map { x.data[r * 16 + $0] } })
    let text = try lowerAndCompare(p, [x])
    // concrete-python's text for the same indexing (zoo-extra x-gather-indices).
    #expect(text.contains("%cst = arith.constant dense<0> : tensor<1xindex>"))
    #expect(text.contains("arith.constant dense<[0, 2, 5, 6, 9, 10, 13, 15]> : tensor<8xindex>"))
    #expect(text.contains("tensor.expand_shape %cst [[0, 1, 2]] : tensor<1xindex> into tensor<1x1x1xindex>"))
    #expect(text.contains("\"FHELinalg.broadcast\"(%expanded) : (tensor<1x1x1xindex>) -> tensor<1x8x1xindex>"))
    #expect(text.contains("\"FHELinalg.concat\"(%0, %1) {axis = 2 : i64} : (tensor<1x8x1xindex>, tensor<1x8x1xindex>) -> tensor<1x8x2xindex>"))
    #expect(text.contains("\"FHELinalg.fancy_index\"(%arg0, %2) : (tensor<1x16x!FHE.eint<8>>, tensor<1x8x2xindex>) -> tensor<1x8x!FHE.eint<8>>"))
  }

  /// A 2-D index tensor in the middle of three axes (a slice before and after it).
  @Test func gatherOfAMatrixOfIndicesKeepsTheOtherAxes() throws {
    let q = Quantizer(bits: 5, isSigned: true, scale: 1)
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 5, 3], name: "x"),
      IntegerProgram.Node(op: .gather(x: 0, axis: 1, indices: [4, 0, 1, 1], indexShape: [2, 2]), shape: [1, 2, 2, 3], name: "g"),
    ]
    p.outputs = [(1, q)]
    let x = IntTensor(shape: [2, 5, 3], data: (0..<30).map { Int64($0 % 31) - 15 })
    let g = p.evaluate([x])[1]
    #expect(g.shape == [2, 2, 2, 3])
    #expect(Array(g.data[0..<6]) == Array(x.data[12..<15]) + Array(x.data[0..<3]))
    let text = try lowerAndCompare(p, [x])
    #expect(text.contains("-> tensor<1x2x2x3x3xindex>"))
  }

  /// A lookup whose table is one value over its input's range: zeros plus the value.
  @Test func constantTablesBecomeZerosPlusTheValue() throws {
    let q = Quantizer(bits: 3, isSigned: true, scale: 1)
    let seven = FusedFunction(steps: [.constant(.mul, [0], constantFirst: false), .constant(.add, [7], constantFirst: false)],
      rounding: .rescale(scale: 1, zeroPoint: 0))
    let identity = FusedFunction(steps: [], rounding: .rescale(scale: 1, zeroPoint: 0))
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 4], name: "x"),
      IntegerProgram.Node(op: .lookup(x: 0, function: seven), shape: [1, 4], name: "seven"),
      IntegerProgram.Node(op: .lookup(x: 0, function: identity), shape: [1, 4], name: "copy"),
    ]
    p.outputs = [(1, q), (2, q)]
    let x = IntTensor(shape: [2, 4], data: [-4, -1, 0, 3, 2, 1, -3, -2])
    let text = try lowerAndCompare(p, [x])
    #expect(text.contains("\"FHE.zero_tensor\"() : () -> tensor<1x4x!FHE.eint<3>>"))
    #expect(text.contains("arith.constant 7 : i4"))
    #expect(text.components(separatedBy: "apply_lookup_table").count == 2, "only the identity stays a lookup")
  }

  /// Exact rounding of a value held wider than its own width (its group is wider): shifted to
  /// the top and reinterpreted at its own width first; the result has that width minus the bits.
  @Test func roundingAValueHeldWiderShiftsItFirst() throws {
    let small = Quantizer(bits: 5, isSigned: true, scale: 1)
    let wide = Quantizer(bits: 9, isSigned: true, scale: 1)
    let identity = FusedFunction(steps: [], rounding: .rescale(scale: 1, zeroPoint: 0))
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: small), shape: [1, 4], name: "a"),
      IntegerProgram.Node(op: .input(index: 1, quantizer: wide), shape: [1, 4], name: "b"),
      IntegerProgram.Node(op: .add(0, 1, negate: false), shape: [1, 4], name: "sum"),
      IntegerProgram.Node(op: .round(x: 0, lsbs: 2), shape: [1, 4], name: "rounded"),
      IntegerProgram.Node(op: .lookup(x: 3, function: identity), shape: [1, 4], name: "read"),
    ]
    p.outputs = [(2, wide), (4, small)]
    let a = IntTensor(shape: [2, 4], data: [-16, -7, 5, 15, 9, -2, 0, 13])
    let b = IntTensor(shape: [2, 4], data: [-200, 3, 255, 0, 17, -90, 100, 1])
    let analysis = p.analyzeBitWidths([a, b])
    #expect(analysis.widths[0] == 5 && analysis.assigned[0] > 5)
    #expect(analysis.assigned[3] == 3)
    let text = try lowerAndCompare(p, [a, b])
    #expect(text.contains("\"FHELinalg.reinterpret_precision\""))
    #expect(text.contains("-> tensor<1x4x!FHE.esint<5>>\n"))
    #expect(text.contains("\"FHELinalg.round\"(%"))
  }

  /// A Brevitas-quantized bias (Int32Bias) is added to the accumulator as integers, typed as
  /// Concrete types a clear constant (its range's width + 1).
  @Test func quantizedBiasIsAnIntegerAddition() throws {
    let q = Quantizer(bits: 6, isSigned: true, scale: 1)
    var p = IntegerProgram()
    let w = IntTensor(shape: [3, 2], data: [1, -2, 3, 0, -1, 2])
    let bias = IntTensor(shape: [2], data: [264, -141])
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 3], name: "x"),
      IntegerProgram.Node(op: .matmul(x: 0, weights: w), shape: [1, 2], name: "acc"),
      IntegerProgram.Node(op: .addConstant(x: 1, values: bias), shape: [1, 2], name: "biased"),
    ]
    p.outputs = [(2, q)]
    let x = IntTensor(shape: [2, 3], data: [5, -7, 31, -32, 0, 12])
    let expected: [Int64] = [217, -89, 220, -53]  // x·w + bias, row by row
    #expect(p.evaluate([x])[2].data == expected)
    let text = try lowerAndCompare(p, [x])
    #expect(text.contains("arith.constant dense<[264, -141]> : tensor<2xi11>"))
    #expect(text.contains("\"FHELinalg.add_eint_int\"(%0, %cst_0) : (tensor<1x2x!FHE.esint<9>>, tensor<2xi11>)"))
  }

  /// Comparisons, Or, Not and Round as Concrete-ML's QAT numpy implementations compute them.
  @Test func comparisonsAndRoundFollowNumpy() {
    #expect(BinaryFunction.greater.apply(0.5, 0.5) == 0 && BinaryFunction.greaterOrEqual.apply(0.5, 0.5) == 1)
    #expect(BinaryFunction.less.apply(-1, 0) == 1 && BinaryFunction.lessOrEqual.apply(1, 0) == 0)
    #expect(BinaryFunction.equal.apply(2, 2) == 1 && BinaryFunction.or.apply(0, -3) == 1 && BinaryFunction.or.apply(0, 0) == 0)
    #expect(UnaryFunction.not.apply(0) == 1 && UnaryFunction.not.apply(0.25) == 0)
    #expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6].map(UnaryFunction.round.apply) == [-2, -2, -0, 0, 2, 2, 3])
    // Where(c, t, f) = c·t + (1 − c)·f, one tensor feeding all three: Where(x > 0.5, x, −x).
    let whereStep = FloatStep.combine(.add,
      [.combine(.mul, [.constant(.greater, [0.5], constantFirst: false)], [])],
      [.combine(.mul, [.constant(.greater, [0.5], constantFirst: false), .constant(.sub, [1], constantFirst: true)], [.unary(.neg)])])
    let f = FusedFunction(steps: [.dequantize(scale: 0.25, zeroPoint: 0), whereStep], rounding: .rescale(scale: 0.25, zeroPoint: 0))
    #expect((-4...4).map { f.apply(Int64($0), channel: 0) } == [4, 3, 2, 1, 0, -1, -2, 3, 4])
  }
}
