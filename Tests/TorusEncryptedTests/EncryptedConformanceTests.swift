import Foundation
import Testing
import TorusEncrypted
import TorusTestSupport

/// Concrete's end-to-end fixtures on real ciphertexts, the subset CI can afford: the 16-bit
/// programs (CRT-labelled tensors and traces, levelled only) that were skipped by width and
/// encoding before encrypted mode judged programs by their lookups and noise. The whole corpus:
/// `torus conformance ../shared/conformance/concrete-e2e/*.yaml --mode encrypted`.
@Suite struct EncryptedConformanceTests {
  @Test(arguments: ["end_to_end_encrypted_tensor.yaml", "end_to_end_trace.yaml"])
  func sixteenBitProgramsRunEncrypted(_ file: String) throws {
    guard let url = SharedData.url("conformance/concrete-e2e/\(file)") else {
      print(SharedData.skipMessage)
      return
    }
    let results = EncryptedConformanceRunner(threads: 2).run(file: url)
    let failed = results.filter { if case .failed = $0.status { true } else { false } }
    let skipped = results.filter { if case .skipped = $0.status { true } else { false } }
    #expect(!results.isEmpty)
    #expect(failed.isEmpty, "\(failed.map { "#\($0.document) \($0.description): \($0.status)" })")
    #expect(skipped.isEmpty, "\(skipped.map { "#\($0.document) \($0.description): \($0.status)" })")
  }
}
