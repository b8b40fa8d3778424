import Foundation
import Testing
import TorusFormats
import TorusQNN
import TorusQNNTransforms

/// Focused checks of the Concrete-ML rules the zoo needed (Spec/Compile.md section 8d); the
/// reference numbers come from numpy 1.26 (Concrete-ML 1.9's).
@Suite struct ZooRuleTests {
  /// numpy's `percentile` (linear method), used for BatchNormalization's calibration clipping.
  @Test func percentileMatchesNumpy() {
    let v = [0.3, -1.25, 2.5, 0.0, 7.75, -3.0, 1.0, 4.5, -0.5, 2.25, 6.0].sorted()
    #expect(QuantMath.percentile(sorted: v, 0.1) == -2.9825)
    #expect(QuantMath.percentile(sorted: v, 99.9) == 7.7325000000000035)
    #expect(QuantMath.percentile(sorted: v, 50) == 1.0)
    #expect(QuantMath.percentile(sorted: v, 37.5) == 0.22499999999999998)
  }

  /// Float weights re-quantized with op_weights bits: range in float32, division in float32.
  @Test func floatWeightsAreQuantizedAsNumpyDoesOnFloat32() {
    let w = FloatTensor(shape: [4], data: [-0.3, 0.5, 0.1234, -0.0999].map { Double(Float($0)) })
    let (q, quantizer) = QGraph.quantizeWeights(w, bits: 8)
    #expect(quantizer.scale == 0.0031372549487095253)
    #expect(quantizer.isSigned && quantizer.zeroPoint == 0)
    #expect(q.data == [-96, 127, 39, -32])
  }

  /// A bare accumulator output dequantizes with one float zero point per channel (axis 1).
  @Test func perChannelZeroPointsDequantizeAlongAxis1() {
    let q = Quantizer(bits: 8, isSigned: false, scale: 0.5, channelZeroPoints: [1.5, -2])
    #expect(q.dequantize([3, 3, 4, 4], shape: [2, 2]) == [0.75, 2.5, 1.25, 3])
    let plain = Quantizer(bits: 8, isSigned: false, scale: 0.5, zeroPoint: 1)
    #expect(plain.dequantize([3, 5], shape: [1, 2]) == [1, 2])
  }

  /// `combine` applies both chains to one input: SiLU's `x · sigmoid(x)` as one table.
  @Test func combinedChainsFuseIntoOneFunction() {
    let silu = FusedFunction(
      steps: [.dequantize(scale: 0.25, zeroPoint: 0), .combine(.mul, [], [.sigmoid])],
      rounding: .quantize(Quantizer(bits: 8, isSigned: true, scale: 0.01)))
    for v in Int64(-8)...8 {
      let x = 0.25 * Double(v)
      #expect(silu.apply(v, channel: 0) == Quantizer(bits: 8, isSigned: true, scale: 0.01).quantize(x * QuantMath.sigmoid(x)))
    }
    let sqrt2 = Double(2).squareRoot()
    let gelu = FusedFunction(
      steps: [.combine(.mul, [], [.constant(.div, [sqrt2], constantFirst: false), .unary(.erf), .constant(.add, [1], constantFirst: false)])],
      rounding: .rescale(scale: 0.001, zeroPoint: 0))
    #expect(gelu.apply(1, channel: 0) == Int64(((1 + erf(1 / sqrt2)) / 0.001).rounded(.toNearestOrEven)))
    let reversed = FusedFunction(steps: [.constant(.sub, [1], constantFirst: true)], rounding: .rescale(scale: 1, zeroPoint: 0))
    #expect(reversed.apply(3, channel: 0) == -2)
  }

  /// Tables made for a reader that fused the float values instead are dropped, the rest renumbered.
  @Test func deadNodesArePrunedAndRenumbered() {
    let q = Quantizer(bits: 4, isSigned: true, scale: 1)
    let id = FusedFunction(steps: [], rounding: .quantize(q))
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 2], name: "x"),
      IntegerProgram.Node(op: .lookup(x: 0, function: id), shape: [1, 2], name: "dead"),
      IntegerProgram.Node(op: .lookup(x: 0, function: id), shape: [1, 2], name: "a"),
      IntegerProgram.Node(op: .mul(2, 0), shape: [1, 2], name: "m"),
    ]
    p.outputs = [(3, q)]
    p.pruneDeadNodes()
    #expect(p.nodes.map(\.name) == ["x", "a", "m"])
    #expect(p.nodes[2].op == .mul(1, 0))
    #expect(p.outputs[0].node == 2)
    #expect(p.evaluate([IntTensor(shape: [1, 2], data: [3, -2])])[2].data == [9, 4])
  }

  /// ONNX Slice clamping, negative steps included (the reversed pads of `F.pad`'s export).
  @Test func sliceRangesFollowONNX() {
    #expect(SliceMath.range(dim: 8, start: 1, end: 7, step: 2) == (1, 3))
    #expect(SliceMath.range(dim: 4, start: -1, end: Int(Int64.min / 2), step: -1) == (3, 4))
    #expect(SliceMath.range(dim: 8, start: 2, end: 100, step: 1) == (2, 6))
    let n = SliceMath.normalize([1, 6, 8, 8], starts: [2], ends: [8], axes: [3], steps: [])
    #expect(n?.begin == [0, 0, 0, 2] && n?.size == [1, 6, 8, 6] && n?.step == [1, 1, 1, 1])
  }

  /// Reshapes of encrypted values as concrete-python lowers them: one collapse or expand when
  /// the ranks differ and the dimensions group, else a collapse to 1-D and an expand.
  @Test func reshapesLowerAsConcretePython() throws {
    let q = Quantizer(bits: 4, isSigned: true, scale: 1)
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: q), shape: [1, 6, 4], name: "x"),
      IntegerProgram.Node(op: .reshape(x: 0), shape: [1, 24], name: "collapse"),
      IntegerProgram.Node(op: .reshape(x: 1), shape: [1, 4, 6], name: "expand"),
      IntegerProgram.Node(op: .reshape(x: 2), shape: [1, 6, 4], name: "twoSteps"),
    ]
    p.outputs = [(3, q)]
    let x = IntTensor(shape: [2, 6, 4], data: (0..<48).map { Int64($0 % 13) - 6 })
    #expect(p.evaluate([x])[3].data == x.data)
    let circuit = try FHELinalgLowering.lower(p, analysis: p.analyzeBitWidths([x]))
    let text = String(decoding: circuit.print(), as: UTF8.self)
    #expect(text.contains("tensor.collapse_shape %arg0 [[0], [1, 2]] : tensor<1x6x4x!FHE.esint<4>> into tensor<1x24x!FHE.esint<4>>"))
    #expect(text.contains("[[0], [1, 2]] : tensor<1x24x!FHE.esint<4>> into tensor<1x4x6x!FHE.esint<4>>"))
    #expect(text.contains("[[0, 1, 2]] : tensor<1x4x6x!FHE.esint<4>> into tensor<24x!FHE.esint<4>>"))
    #expect(text.contains("[[0, 1, 2]] : tensor<24x!FHE.esint<4>> into tensor<1x6x4x!FHE.esint<4>>"))
  }
}
