import Foundation

/// Runs blocking work (evaluation, key loading, planning) on a thread of its own, so that
/// neither the HTTP event loops nor Swift's cooperative pool wait on it.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
    let thread = Thread {
      do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
    }
    thread.stackSize = 16 << 20
    thread.start()
  }
}

/// Seconds since 1970, the stores' time unit.
func now() -> Double { Date().timeIntervalSince1970 }

/// A fresh random identifier (128 bits from the system CSPRNG), hex.
func randomHex(bytes: Int = 16) -> String {
  var rng = SystemRandomNumberGenerator()
  return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
}
