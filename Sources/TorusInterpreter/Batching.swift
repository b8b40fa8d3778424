import TorusFHE
import TorusFormats
import TorusIR

/// How input arrays bind to a function's arguments: each array is one sample, or carries a batch
/// along an extra leading axis, or along a leading 1 of the argument's shape (Concrete-ML's
/// `1×12×8×8` circuits fed `20×12×8×8`). Every run mode (simulate, encrypted) splits and stacks
/// with it.
public struct BatchLayout: Sendable {
  public enum Kind: Sendable, Equatable { case single, extraDim, replacesOne }
  public private(set) var kinds: [Kind] = []
  /// The batch size, nil when every array is a single sample.
  public private(set) var batch: Int?

  public init(arrays: [NDArray], types: [IRType], function: String) throws(InterpreterError) {
    guard arrays.count == types.count else {
      throw .invalidInput("function '@\(function)' takes \(types.count) argument\(types.count == 1 ? "" : "s"), got \(arrays.count) input\(arrays.count == 1 ? "" : "s")")
    }
    for (i, (a, t)) in zip(arrays, types).enumerated() {
      let s = t.isRankedTensor ? t.staticShape : []
      let kind: Kind
      if a.shape == s {
        kind = .single
      } else if a.shape.count == s.count + 1 && Array(a.shape.dropFirst()) == s {
        kind = .extraDim
      } else if !s.isEmpty && s[0] == 1 && a.shape.count == s.count && Array(a.shape.dropFirst()) == Array(s.dropFirst()) {
        kind = .replacesOne
      } else {
        throw .invalidInput("input #\(i) has shape \(formatShape(a.shape)), but argument #\(i) of '@\(function)' has type '\(t)' (shape \(formatShape(s)), optionally with a leading batch dimension)")
      }
      if kind != .single {
        if let b = batch, b != a.shape[0] { throw .invalidInput("input #\(i) has a batch of \(a.shape[0]), others \(b)") }
        batch = a.shape[0]
      }
      kinds.append(kind)
    }
  }

  /// Samples to run (1 when nothing is batched).
  public var sampleCount: Int { batch ?? 1 }

  /// Sample `b` of argument `k`'s flat values.
  public func slice(_ values: [Int64], argument k: Int, sample b: Int) -> [Int64] {
    guard kinds[k] != .single, let batch else { return values }
    let n = values.count / batch
    return Array(values[(b * n)..<((b + 1) * n)])
  }

  /// The shape of a result stacked over the batch: a leading 1 is replaced by the batch when the
  /// inputs were batched that way.
  public func stackedShape(_ per: [Int]) -> [Int] {
    guard let batch else { return per }
    return kinds.contains(.replacesOne) && per.first == 1 ? [batch] + per.dropFirst() : [batch] + per
  }
}
