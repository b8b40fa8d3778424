import Foundation
import TFHE

/// Keys shared by all tests (generation is the slow part), keyed by parameter fingerprint.
final class KeyCache: @unchecked Sendable {
  static let shared = KeyCache()
  private var keys: [UInt64: (ClientKey, ServerKey)] = [:]  // guarded by lock
  private let lock = NSLock()

  func keys(_ p: ParameterSet) -> (ClientKey, ServerKey) {
    lock.lock(); defer { lock.unlock() }
    if let k = keys[p.fingerprint] { return k }
    var rng = SecureRandom(seed: p.fingerprint)
    let client = ClientKey(parameters: p, using: &rng)
    let server = client.makeServerKey(using: &rng)
    keys[p.fingerprint] = (client, server)
    return (client, server)
  }
}

/// Parameter sets used by functional tests: Concrete's real sets where cheap (p ≤ 6), the
/// insecure small test sets above (same code paths, far less work).
func functionalParameters(_ p: Int) -> ParameterSet {
  p <= 6 ? .concrete(precision: p) : .insecureTest(precision: p)
}

func hexBytes(_ s: String) -> [UInt8] {
  var out: [UInt8] = []
  var i = s.startIndex
  while i < s.endIndex {
    let j = s.index(i, offsetBy: 2)
    out.append(UInt8(s[i..<j], radix: 16)!)
    i = j
  }
  return out
}
