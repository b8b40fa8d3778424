import Foundation

/// Locates `shared/` beside the package root (`../shared`), found from this file's path, so every
/// test target reads the shared data the same way and skips with the same message when it is absent.
public enum SharedData {
  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

  /// `shared/<path>` when it exists, else nil.
  public static func url(_ path: String) -> URL? {
    let url = root.appendingPathComponent(path)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  public static var skipMessage: String { "skipped: \(root.path) is absent (shared test data not checked out)" }

  /// Files of `dir` whose names end with `suffix`, sorted.
  public static func files(in dir: URL, suffix: String) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir.appendingPathComponent($0) }
  }

  /// A fresh temporary directory, removed by the caller.
  public static func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("torus-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }
}

/// A small deterministic generator for randomized tests (never for cryptography).
public struct SplitMix64: RandomNumberGenerator {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

import Testing

extension Trait where Self == ConditionTrait {
  /// Runs the test only when `shared/<path>` exists; otherwise a visible skip saying what is missing.
  public static func requiresShared(_ path: String) -> Self {
    .enabled(if: SharedData.url(path) != nil, "\(SharedData.skipMessage) (needs \(path))")
  }
}
