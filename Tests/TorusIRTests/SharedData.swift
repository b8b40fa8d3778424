import Foundation

/// Locates `shared/` beside the package root (`../shared`), found from this file's path.
enum SharedData {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

  /// `shared/<path>` when it exists, else nil.
  static func url(_ path: String) -> URL? {
    let url = root.appendingPathComponent(path)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  static var skipMessage: String { "skipped: \(root.path) is absent (shared test data not checked out)" }

  static func files(in dir: URL, suffix: String) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir.appendingPathComponent($0) }
  }
}

/// A small deterministic generator for randomized tests (never for cryptography).
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
