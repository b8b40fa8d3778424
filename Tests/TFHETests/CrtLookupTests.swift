import Foundation
import Testing
import TFHE

/// Values in residues (`CrtEncoding`): the encoding's arithmetic, the full-domain bootstrap of an
/// odd modulus, and CRT lookups after levelled sums that wrap every residue, on the small
/// insecure set of `WideLookupTests`.
@Suite struct CrtLookupTests {
  @Test func encodingArithmetic() {
    let crt = CrtEncoding(moduli: [17, 15, 13, 11])
    for m in crt.moduli {
      for r in 0..<m {
        #expect(CrtEncoding.residue(phase: CrtEncoding.phase(residue: r, modulus: m), modulus: m) == r)
        // A phase a third of a slot off still reads r.
        let off = CrtEncoding.phase(residue: r, modulus: m) &+ UInt64(Double(UInt64.max) / Double(3 * m))
        #expect(CrtEncoding.residue(phase: off, modulus: m) == r)
      }
    }
    for x in [Int64(0), 1, -1, 8191, -8192, 12_345, -18_232] {
      let all = Array(crt.moduli.indices)
      #expect(crt.centeredValue(residues: crt.moduli.map { CrtEncoding.reduce(x, modulus: $0) }, indices: all) == x)
    }
    // 9 bits: three moduli of 4 bits (15 rotations) beat 17·15 (too small) and 17·15·13 (16).
    #expect(crt.moduliIndices(forBits: 9) == [1, 2, 3])
    #expect(crt.moduliIndices(forBits: 16) == nil)
    #expect(CrtEncoding(coveringBits: 14)?.moduli == [32, 17, 15, 13])
    // A power of two needs no conversion: 9 bits read 32·17 (5 + 6 rotations).
    let withPowerOfTwo = CrtEncoding(moduli: [32, 17, 15, 13])
    #expect(withPowerOfTwo.moduliIndices(forBits: 9) == [0, 1])
    #expect(CrtEncoding.phase(residue: 5, modulus: 32) == 5 << 59)
    // Address map: residues 3 (mod 7, bits 0–2) and 4 (mod 5, bits 3–5) are 24, centered −11,
    // entry 21 of a 5-bit table; residues 7 and 5 never occur.
    let small = CrtEncoding(moduli: [7, 5])
    let map = WideLookupKey.crtEntryIndex(encoding: small, readIndices: [0, 1], inputBits: 5, signed: true)
    #expect(map.count == 64 && map[3 | 4 << 3] == 21 && map[7] == -1 && map[5 << 3] == -1)
    #expect(map[6 | 4 << 3] == Int32(-1 & 31))  // residues (6, 4) are −1: entry 31
    // Unsigned, 24 is entry 24 (P = 35 ≥ 2^5, no centering).
    #expect(WideLookupKey.crtEntryIndex(encoding: small, readIndices: [0, 1], inputBits: 5, signed: false)[3 | 4 << 3] == 24)
  }

  /// Every residue of an odd modulus, with no padding bit, reaches its own output (moduli whose
  /// margin `1/(4m)` is above 7σ of this set's modulus switch, σ ≈ 2^−8.6 at N = 256).
  @Test(arguments: [3, 7, 13])
  func fullDomainBootstrapReadsEveryResidue(m: Int) {
    let (client, key) = WideLookupTests.keys
    let outputs = (0..<m).map { UInt64(($0 * 5 + 3) % m) << 58 }
    let tp = TestPolynomial.oddModulus(m, outputPhases: outputs, polynomialSize: key.server.parameters.polynomialSize)
    for r in 0..<m {
      let c = client.encrypt(phase: CrtEncoding.phase(residue: r, modulus: m))
      let out = key.server.programmableBootstrap(c, testPolynomial: tp)
      #expect(client.decrypt(out, bits: 5) == Int64((r * 5 + 3) % m), "r = \(r) mod \(m)")
    }
  }

  /// `2a − 3b + 5` with a, b in residues mod 7·5·3 or 8·5·3 (each residue wraps on its own; 8 is
  /// read by bit extraction alone), then a signed 6-bit table: every output residue holds the
  /// table entry of the true sum.
  @Test(arguments: [[7, 5, 3], [8, 5, 3]])
  func lookupAfterWrappingLevelledSum(moduli: [Int]) {
    let (client, key) = WideLookupTests.keys
    let crt = CrtEncoding(moduli: moduli)
    func encrypt(_ x: Int64) -> [LweCiphertext] {
      crt.moduli.map { client.encrypt(phase: CrtEncoding.phase(residue: CrtEncoding.reduce(x, modulus: $0), modulus: $0)) }
    }
    let w = 6
    let read = crt.moduliIndices(forBits: w)!
    let entries = WideLookupKey.crtEntryIndex(encoding: crt, readIndices: read, inputBits: w, signed: true)
    // Signed table by two's complement index: entry j holds f(x) for the x with low bits j.
    let f: (Int64) -> Int64 = { x in (x * x) % 23 - 11 }
    let table = (0..<(1 << w)).map { j -> Int64 in f(j >= 32 ? Int64(j) - 64 : Int64(j)) }
    let pairs: [(Int64, Int64)] = [(0, 0), (10, 2), (-9, 4), (3, 10), (-7, -1)]
    let sums = pairs.map { a, b in zip(encrypt(a), encrypt(b)).enumerated().map { i, ab in
      ab.0.multiplied(by: 2) - ab.1.multiplied(by: 3)
        + LweCiphertext(trivial: CrtEncoding.phase(residue: 5 % crt.moduli[i], modulus: crt.moduli[i]), dimension: ab.0.dimension)
    } }
    let outs = key.crtLookupBatch(sums.map { s in read.map { s[$0] } }, encoding: crt, readIndices: read, entryIndex: entries,
                                  tables: [table], threads: 2)
    for ((a, b), out) in zip(pairs, outs) {
      let x = 2 * a - 3 * b + 5
      let residues = zip(out, crt.moduli).map { CrtEncoding.residue(phase: client.decryptPhase($0), modulus: $1) }
      #expect(crt.centeredValue(residues: residues, indices: [0, 1, 2]) == f(x), "a = \(a), b = \(b)")
    }
  }
}
