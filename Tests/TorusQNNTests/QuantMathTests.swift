import Foundation
import Testing
import TorusIR
import TorusQNN
import TorusQNNTransforms

@Suite struct QuantMathTests {
  @Test func rintRoundsHalfToEven() {
    #expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(roundHalfEven) == [0, 2, 2, -0, -2, 2])
  }

  @Test func quantizerRangesFollowSignAndNarrow() {
    let s = Quantizer(bits: 4, isSigned: true, scale: 1)
    let n = Quantizer(bits: 4, isSigned: true, isNarrow: true, scale: 1)
    let u = Quantizer(bits: 4, isSigned: false, scale: 1)
    #expect((s.lowerBound, s.upperBound) == (-8, 7))
    #expect((n.lowerBound, n.upperBound) == (-7, 7))
    #expect((u.lowerBound, u.upperBound) == (0, 15))
    #expect(s.quantize(100) == 7 && s.quantize(-100) == -8 && u.quantize(-3) == 0)
  }

  @Test func quantizeUsesHalfToEvenAfterZeroPoint() {
    let q = Quantizer(bits: 4, isSigned: true, scale: 0.25, zeroPoint: 1)
    #expect(q.quantize(0.375) == 2)  // 1.5 + 1 = 2.5 → 2
    #expect(q.dequantize(2) == 0.25)
  }

  @Test func brevitasFakeQuantClipsThenRounds() {
    let b = BrevitasQuant(scale: 0.5, zeroPoint: 0, bitWidth: 4, isSigned: true, isNarrow: true)
    #expect(b.integer(100) == 7 && b.integer(-100) == -7)
    #expect(b.fakeQuantize(0.75) == 1.0)  // 1.5 → 2
    #expect(b.quantizer.lowerBound == -7)
    // Concrete-ML 1.9 reads signed=0, narrow=1 as signed=1, narrow=0.
    let odd = BrevitasQuant(scale: 1, zeroPoint: 0, bitWidth: 4, isSigned: false, isNarrow: true)
    #expect(odd.isSigned && !odd.isNarrow)
  }

  @Test func bitWidthsFollowConcretePython() {
    #expect(QuantMath.bitWidth(lo: -20, hi: 22) == 6)
    #expect(QuantMath.bitWidth(lo: 0, hi: 15) == 4)
    #expect(QuantMath.bitWidth(lo: -40, hi: 35) == 7)
    #expect(QuantMath.bitWidth(lo: -8, hi: 7) == 4)
    #expect(QuantMath.bitWidth(lo: 0, hi: 0) == 1)
    #expect(QuantMath.bitWidth(lo: -4532, hi: 4516) == 14)
  }

  @Test func fittedParametersUseAllLevels() {
    let (s, z) = QuantMath.fitParameters(rmin: -1, rmax: 2, bits: 4, qat: false)
    #expect(s == 0.2 && z == 5)
    #expect(QuantMath.fitParameters(rmin: -1, rmax: 2, bits: 4, qat: true).1 == 0)
    #expect(QuantMath.fitParameters(rmin: 3, rmax: 3, bits: 4, qat: false) == (3, 0))
    #expect(QuantMath.fitParameters(rmin: 0, rmax: 0, bits: 4, qat: false) == (1, 0))
  }

  @Test func batchNormDenominatorIsFloat32() {
    let d = QuantMath.batchNormDenominator(variance: 0.3, epsilon: 1e-5)
    #expect(d == Double((Float(0.3) + Float(1e-5)).squareRoot()))
    #expect(d != (Double(Float(0.3)) + Double(Float(1e-5))).squareRoot())
  }

  @Test func sigmoidMatchesLogaddexpForm() {
    #expect(QuantMath.sigmoid(0) == 0.5)
    #expect(abs(QuantMath.sigmoid(3) - 1 / (1 + exp(-3))) < 1e-15)
    #expect(QuantMath.sigmoid(-800) == 0 && QuantMath.sigmoid(800) == 1)
  }

  /// The worked example of qat-lowering.md §5.3: channel 0 of a conv → ReLU quant table.
  @Test func fusedFunctionReproducesWorkedExample() {
    let relu = BrevitasQuant(scale: 0.25, zeroPoint: 0, bitWidth: 4, isSigned: false, isNarrow: false)
    let f = FusedFunction(
      steps: [.accumulator(m: 0.25 * 0.125, final: 0, sumW: [], bias: [0.0625, -0.125]), .relu, .fakeQuant(relu)],
      rounding: .quantize(relu.quantizer))
    #expect([-2, 0, 2, 6, 10, 14].map { f.apply($0, channel: 0) } == [0, 0, 0, 1, 2, 2])
    #expect(f.channelCount == 2)
    // Signed table order: 0 … max, then min … -1.
    let t = FHELinalgLowering.table(f, channel: 0, width: 3, signed: true)
    let order: [Int64] = [0, 1, 2, 3, -4, -3, -2, -1]
    let expected: [Int64] = order.map { f.apply($0, channel: 0) }
    #expect(t == expected)
  }
}

@Suite struct IntegerProgramTests {
  /// `round_bit_pattern` keeps the value's magnitude: `((x + 2^(l-1)) >> l) << l`, ties upward.
  @Test func roundKeepsMagnitudeAndRoundsTiesUp() {
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: Quantizer(bits: 8, isSigned: true, scale: 1)), shape: [1, 6], name: "x"),
      IntegerProgram.Node(op: .round(x: 0, lsbs: 2), shape: [1, 6], name: "r"),
    ]
    let v = p.evaluate([IntTensor(shape: [1, 6], data: [-6, -5, -2, 1, 2, 6])])
    #expect(v[1].data == [-4, -4, 0, 0, 4, 8])
  }

  /// A lookup applies its per-channel function along axis 1.
  @Test func lookupIsPerChannel() {
    let f = FusedFunction(
      steps: [.accumulator(m: 1, final: 0, sumW: [], bias: [0, 10])], rounding: .quantize(Quantizer(bits: 8, isSigned: true, scale: 1)))
    var p = IntegerProgram()
    p.nodes = [
      IntegerProgram.Node(op: .input(index: 0, quantizer: Quantizer(bits: 8, isSigned: true, scale: 1)), shape: [1, 2, 2], name: "x"),
      IntegerProgram.Node(op: .lookup(x: 0, function: f), shape: [1, 2, 2], name: "t"),
    ]
    #expect(p.evaluate([IntTensor(shape: [1, 2, 2], data: [1, 2, 3, 200])])[1].data == [1, 2, 13, 127])
  }
}
