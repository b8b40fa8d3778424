import TorusFormats
import TorusQNN

/// Float ↔ integer conversion for a compiled model's circuit (its `CIRCUIT.quant.json` sidecar):
/// `torus run` takes float inputs and returns float outputs through it.
public struct ModelIO: Sendable {
  public let metadata: QuantizationMetadata

  public init(metadata: QuantizationMetadata) { self.metadata = metadata }

  /// Quantizes float inputs with the model's input quantizers.
  public func quantize(_ arrays: [NDArray]) throws(QuantizationMetadataError) -> [NDArray] {
    guard arrays.count == metadata.inputs.count else {
      throw QuantizationMetadataError(
        path: metadata.model,
        reason: "the model takes \(metadata.inputs.count) input\(metadata.inputs.count == 1 ? "" : "s"), got \(arrays.count)")
    }
    return zip(arrays, metadata.inputs).map { a, q in NDArray(a.doubleValues.map(q.quantize), shape: a.shape) }
  }

  /// Dequantizes the circuit's integer outputs to floats.
  public func dequantize(_ arrays: [NDArray]) -> [NDArray] {
    zip(arrays, metadata.outputs).map { a, q in NDArray(float64: q.dequantize(a.int64Values, shape: a.shape), shape: a.shape) }
  }

  /// The sidecar of `circuit` (nil when there is none, or when `raw` integers were asked for).
  public static func forCircuit(_ circuit: String, raw: Bool) throws(QuantizationMetadataError) -> ModelIO? {
    guard !raw else { return nil }
    do { return try QuantizationMetadata.read(forCircuit: circuit).map(ModelIO.init) } catch let e as QuantizationMetadataError {
      throw e
    } catch {
      throw QuantizationMetadataError(path: QuantizationMetadata.path(forCircuit: circuit), reason: "\(error)")
    }
  }
}
