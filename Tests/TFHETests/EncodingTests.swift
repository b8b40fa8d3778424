import Testing
import TFHE

@Suite struct EncodingTests {
  @Test func encodeUsesDeltaWithPaddingBit() {
    #expect(Encoding.delta(bits: 4) == 1 << 59)
    #expect(Encoding.encode(message: 3, bits: 4) == 3 << 59)
    #expect(Encoding.encode(message: -1, bits: 4) == 0 &- (1 << 59))
  }

  @Test func decodeRoundsHalfUpAndReducesModulo2pPlus1() {
    let d = Encoding.delta(bits: 3)
    #expect(Encoding.decode(phase: 5 * d + d / 2 - 1, bits: 3) == 5)
    #expect(Encoding.decode(phase: 5 * d + d / 2, bits: 3) == 6)
    #expect(Encoding.decode(phase: 0 &- 1, bits: 3) == 0)
    #expect(Encoding.decode(phase: 12 * d, bits: 3) == 12)  // padding bit set
    #expect(Encoding.decode(phase: 0 &- d, bits: 3, signed: true) == -1)
    #expect(Encoding.decode(phase: 3 * d, bits: 3, signed: true) == 3)
    #expect(Encoding.decode(phase: 4 * d, bits: 3, signed: true) == -4)
  }

  @Test func lookupTableLayoutMatchesConcrete() {
    // N = 64, p = 2: box = 16; [0,8) -> L0, [8,24) -> L1, [24,40) -> L2, [40,56) -> L3, [56,64) -> -L0
    let tv = TestPolynomial.lookupTable(values: [1, 2, 3, 0], inputBits: 2, outputBits: 2, signed: false,
                                        polynomialSize: PolynomialSize(64))
    let d = Encoding.delta(bits: 2)
    #expect(tv.coefficients[0] == d && tv.coefficients[7] == d)
    #expect(tv.coefficients[8] == 2 * d && tv.coefficients[23] == 2 * d)
    #expect(tv.coefficients[24] == 3 * d && tv.coefficients[40] == 0 && tv.coefficients[55] == 0)
    #expect(tv.coefficients[56] == 0 &- d && tv.coefficients[63] == 0 &- d)
    #expect(tv.inputOffset == 0)
    let signed = TestPolynomial.lookupTable(values: [1, 2, 3, 0], inputBits: 2, outputBits: 2, signed: true,
                                            polynomialSize: PolynomialSize(64))
    #expect(signed.inputOffset == 1 << 62)
    #expect(signed.coefficients[0] == 3 * d)  // entry 0 <- L[(0 + 2) mod 4]
  }

  @Test func levelledOperationsActOnThePhase() {
    let (client, _) = KeyCache.shared.keys(.insecureTest(precision: 3))
    let a = client.encrypt(message: 3, bits: 3), b = client.encrypt(message: 2, bits: 3)
    #expect(client.decrypt(a + b, bits: 3) == 5)
    #expect(client.decrypt(a - b, bits: 3) == 1)
    #expect(client.decrypt(-b, bits: 3, signed: true) == -2)
    #expect(client.decrypt(a.adding(plaintext: Encoding.encode(message: 1, bits: 3)), bits: 3) == 4)
    #expect(client.decrypt(b.multiplied(by: 3), bits: 3) == 6)
    #expect(client.decrypt(b.multiplied(by: -1), bits: 3, signed: true) == -2)
  }
}
