import Foundation
import Testing
import TorusIR
import TorusTestSupport

/// Mutated corpus files (byte flips, truncation, deletion, duplication) give diagnostics, never a crash.
@Suite struct RobustnessTests {
  static func seeds() -> [[UInt8]] {
    guard let corpus = SharedData.url("conformance/mlir-syntax") else {
      // Without the corpus, mutate a small built-in circuit.
      return [Array("""
        func.func @main(%a: !FHE.eint<4>, %t: tensor<4xi5>) -> !FHE.eint<4> {
          %c = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
          %0 = "FHE.apply_lookup_table"(%a, %c) : (!FHE.eint<4>, tensor<4xi64>) -> !FHE.eint<4>
          %1 = tensor.extract %t[%i] : tensor<4xi5>
          return %0 : !FHE.eint<4>
        }
        """.utf8)]
    }
    var files = SharedData.files(in: corpus.appendingPathComponent("accept"), suffix: ".mlir")
      + SharedData.files(in: corpus.appendingPathComponent("reject"), suffix: ".mlir")
    files = files.filter { ((try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0) < 16_000 }
    return files.compactMap { try? Array(Data(contentsOf: $0)) } + textLayerSeeds
  }

  /// The forms the text layer learned from MLIR no one here wrote: blanks in shapes, opaque
  /// dialect types and attributes, wide and subnormal floats, `#0` uses, hex dense literals.
  static let textLayerSeeds: [[UInt8]] = [
    """
    func.func @f(%a: tensor<3 x 4 x !FHE.eint<8>>, %b: !foo<"bar \"baz\"">) -> !foo<"bar \"baz\""> attributes {x = #foo<"a">} {
      %0:2 = "test.op"(%a) : (tensor<3 x 4 x !FHE.eint<8>>) -> (i32, i32)
      %1 = "test.use"(%0#0, %0#1) : (i32, i32) -> i32
      return %b : !foo<"bar \"baz\"">
    }
    """,
    """
    func.func @g() {
      "x.y"() {a = 1.5 : f80, b = 0x4000C000000000000000 : f80, c = 2.25 : f128, d = 1.0e-40 : f32, e = 0x1 : f16} : () -> ()
      "x.y"() {a = dense<"0x0102"> : tensor<2xi8>, b = dense<[1.5, 2.5]> : tensor<2xf80>, c = dense<"0x0000803F"> : tensor<1xf32>} : () -> ()
      return
    }
    """,
  ].map { Array($0.utf8) }

  static func mutate(_ bytes: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
    var b = bytes
    guard !b.isEmpty else { return b }
    let interesting = Array("{}()[]<>:,=%^#!@\"\\-x0123456789.e?* \n".utf8)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      guard !b.isEmpty else { break }
      let i = Int.random(in: 0..<b.count, using: &rng)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
      case 1: b[i] = interesting.randomElement(using: &rng)!
      case 2: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...16, using: &rng)))
      case 3:
        let j = Int.random(in: i..<min(b.count, i + 64), using: &rng)
        b.insert(contentsOf: b[i...j], at: Int.random(in: 0...b.count, using: &rng))
      default: b.removeSubrange(i..<b.count)
      }
    }
    return b
  }

  @Test func mutatedInputsNeverCrash() {
    let seeds = Self.seeds()
    var rng = SplitMix64(seed: 0x7075_7275)
    var rejected = 0
    var accepted = 0
    let cases = 4000
    var slowest = 0.0
    for k in 0..<cases {
      let input = Self.mutate(seeds[k % seeds.count], using: &rng)
      let start = Date()
      switch Harness.load(input) {
      case .success(let m):
        accepted += 1
        // Whatever was accepted must print, and print parses back.
        let text = Harness.print(m, generic: true)
        if case .failure(let d) = Harness.load(Array(text.utf8)) {
          Issue.record("printed output of an accepted mutation does not parse: \(d)")
        }
      case .failure(let d):
        rejected += 1
        #expect(!d.message.isEmpty)
      }
      slowest = max(slowest, Date().timeIntervalSince(start))
    }
    print("robustness: \(cases) mutated inputs, \(accepted) accepted, \(rejected) rejected with a diagnostic, slowest \(Int(slowest * 1000)) ms")
    #expect(slowest < 2.0)
  }
}
