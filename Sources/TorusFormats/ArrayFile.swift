import Foundation

/// Arrays on disk by file name: `.json` is a JSON tensor, anything else NumPy `.npy`. The one
/// place the command-line tools read and write arrays.
public enum ArrayFile {
  /// Why an array file could not be read or written.
  public struct Error: Swift.Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Reads `path` as `.json` or `.npy`.
  public static func read(_ path: String) throws(ArrayFile.Error) -> NDArray {
    let url = URL(fileURLWithPath: path)
    do {
      if url.pathExtension == "json" { return try JSONTensor.read(contentsOf: url) }
      return try Npy.read(contentsOf: url)
    } catch {
      throw Error(description: "cannot read array '\(path)': \(error)")
    }
  }

  /// Writes `array` to `path` as `.json` or `.npy`.
  public static func write(_ array: NDArray, to path: String) throws(ArrayFile.Error) {
    let url = URL(fileURLWithPath: path)
    do {
      if url.pathExtension == "json" { try JSONTensor.write(array, to: url) } else { try Npy.write(array, to: url) }
    } catch {
      throw Error(description: "cannot write '\(path)': \(error)")
    }
  }

  /// Writes the first array to `output` and every array to `directory/output_<k>.npy`, as asked.
  public static func write(_ arrays: [NDArray], output: String?, directory: String?) throws(ArrayFile.Error) {
    if let output, let first = arrays.first { try write(first, to: output) }
    if let directory {
      do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
        throw Error(description: "cannot create directory '\(directory)': \(error.localizedDescription)")
      }
      for (k, a) in arrays.enumerated() { try write(a, to: "\(directory)/output_\(k).npy") }
    }
  }

  /// One line per array for a terminal: `output #k <shape>: values…`.
  public static func summary(_ arrays: [NDArray]) -> String {
    arrays.enumerated().map { k, a in "output #\(k) \(a): \(a.int64Values.map(String.init).joined(separator: " "))" }.joined(separator: "\n")
  }
}
