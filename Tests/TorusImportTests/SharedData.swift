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
}
