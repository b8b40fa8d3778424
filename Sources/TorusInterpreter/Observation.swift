import TorusFHE
import TorusIR

/// One value an op produced, as the client would read it: encrypted elements decoded at their
/// declared width (in encrypted mode this needs the client key: a debugging aid only).
public struct ObservedValue: Sendable, Equatable {
  public var shape: [Int]
  public var values: [Int64]
  /// The encrypted element type, nil for a clear value.
  public var encrypted: EncryptedType?

  /// Bits the values actually need (two's complement when signed), to set beside the declared width.
  public var usedWidth: Int {
    let signed = encrypted?.isSigned ?? values.contains { $0 < 0 }
    var w = 1
    for v in values {
      let need = signed ? (v < 0 ? 65 - (~v).leadingZeroBitCount : 65 - v.leadingZeroBitCount) : 64 - max(v, 0).leadingZeroBitCount
      w = max(w, need)
    }
    return w
  }

  /// `tensor<2x3x!FHE.eint<6>> min -3 max 17 (uses 6 of 6 bits): [1, 2, 3, …]`.
  public func summary(first: Int = 8) -> String {
    let shapeText = shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
    guard let lo = values.min(), let hi = values.max() else { return "\(shapeText): empty" }
    var text = "\(shapeText) min \(lo) max \(hi)"
    if let e = encrypted { text += " (uses \(usedWidth) of \(e.width) bits\(e.isSigned ? ", signed" : ""))" }
    let shown = values.prefix(first).map(String.init).joined(separator: ", ")
    return text + ": [\(shown)\(values.count > first ? ", …" : "")]"
  }
}

/// An op of the run function, observed after it ran.
public struct ObservedOp: Sendable {
  /// Position of the op in the function body (the same in two runs of the same circuit).
  public var index: Int
  public var name: String
  /// Where the op was written (or came from: `torus compile` keeps ONNX node names).
  public var location: Location
  public var results: [ObservedValue]
}

/// Receives every op's results in order (`torus run --trace`, `torus diff`).
public typealias OpObserver = @Sendable (ObservedOp) -> Void

extension Interpreter {
  /// The results of `op` decoded for an observer.
  func observe(_ op: Operation, index: Int, _ results: [RuntimeValue<C>]) -> ObservedOp {
    let values = zip(op.results, results).map { (value, runtime) -> ObservedValue in
      switch runtime {
      case .encrypted(let t):
        let e = value.type.encryptedElement ?? .eint(64)
        return ObservedValue(shape: t.shape, values: t.elements.map { domain.decrypt($0, width: e.width, signed: e.isSigned) }, encrypted: e)
      case .clear(let t):
        return ObservedValue(shape: t.shape, values: t.elements, encrypted: nil)
      }
    }
    return ObservedOp(index: index, name: op.name.rawValue, location: op.location, results: values)
  }
}
