import Foundation



/// What `torus run` needs to take float inputs and return float outputs for a compiled model:
/// the quantizer of every circuit input and output. Written beside the circuit as `CIRCUIT.quant.json`.
public struct QuantizationMetadata: Codable, Sendable, Equatable {
  public var format = "torus-quantization 1"
  public var model: String
  public var inputs: [Quantizer]
  public var outputs: [Quantizer]

  public init(model: String, inputs: [Quantizer], outputs: [Quantizer]) {
    self.model = model
    self.inputs = inputs
    self.outputs = outputs
  }

  /// The sidecar path of a circuit file.
  public static func path(forCircuit circuit: String) -> String { circuit + ".quant.json" }

  public func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(self).write(to: URL(fileURLWithPath: path))
  }

  /// The metadata beside `circuit`, nil when there is none (a plain circuit takes integers).
  public static func read(forCircuit circuit: String) throws -> QuantizationMetadata? {
    let p = path(forCircuit: circuit)
    guard let data = FileManager.default.contents(atPath: p) else { return nil }
    do { return try JSONDecoder().decode(QuantizationMetadata.self, from: data) } catch {
      throw QuantizationMetadataError(path: p, reason: "\(error)")
    }
  }
}

/// A sidecar that cannot be read.
public struct QuantizationMetadataError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
  public var description: String { "cannot read quantization metadata '\(path)': \(reason)" }
}
