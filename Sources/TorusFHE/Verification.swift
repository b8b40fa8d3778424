import TorusIR

/// Shared verifier rules of the FHE dialects, with Concrete's wording.
public enum FHEVerify {
  /// Describes what an operand or result must be, for MLIR's type-constraint message.
  public indirect enum Kind: Sendable {
    case encryptedInteger, encryptedUnsigned, encryptedSigned, encryptedBool, anyEncrypted
    case clearInteger
    case tensorOf(Kind)
    case clearTensor, indexTensor
    case anyTensor
    /// `kind` with another description (Concrete's wording, sometimes empty).
    case described(String, Kind)

    var description: String {
      switch self {
      case .encryptedInteger: "An encrypted integer"
      case .encryptedUnsigned: "An encrypted unsigned integer"
      case .encryptedSigned: "An encrypted signed integer"
      case .encryptedBool: "An encrypted boolean"
      case .anyEncrypted: "An encrypted value"
      case .clearInteger: "integer"
      case .tensorOf(let k): "tensor of \(k.description) values"
      case .clearTensor: "tensor of integer values"
      case .indexTensor: "tensor of index values"
      case .anyTensor: "ranked tensor of any type values"
      case .described(let d, _): d
      }
    }

    func matches(_ t: IRType) -> Bool {
      switch self {
      case .encryptedInteger: if let e = t.encryptedScalar { return !e.isBool } else { return false }
      case .encryptedUnsigned: if case .eint? = t.encryptedScalar { return true } else { return false }
      case .encryptedSigned: if case .esint? = t.encryptedScalar { return true } else { return false }
      case .encryptedBool: return t.encryptedScalar == .ebool
      case .anyEncrypted: return t.encryptedScalar != nil
      case .clearInteger: return t.isInteger
      case .tensorOf(let k):
        guard case .tensor(let s, let e, _) = t, !s.contains(dynamicSize) else { return false }
        return k.matches(e)
      case .clearTensor:
        guard case .tensor(let s, let e, _) = t, !s.contains(dynamicSize) else { return false }
        return e.isInteger
      case .indexTensor:
        guard case .tensor(let s, let e, _) = t, !s.contains(dynamicSize) else { return false }
        return e == .index
      case .anyTensor:
        guard case .tensor(let s, _, _) = t else { return false }
        return !s.contains(dynamicSize)
      case .described(_, let k): return k.matches(t)
      }
    }
  }

  /// Checks operand and result types against their constraints (MLIR's generated checks).
  public static func types(_ op: Operation, operands: [Kind?], results: [Kind?] = []) throws(VerifyError) {
    for (i, k) in operands.enumerated() where i < op.operands.count {
      if let k, !k.matches(op.operands[i].type) {
        throw VerifyError("operand #\(i) must be \(k.description), but got '\(op.operands[i].type)'")
      }
    }
    for (i, k) in results.enumerated() where i < op.results.count {
      if let k, !k.matches(op.results[i].type) {
        throw VerifyError("result #\(i) must be \(k.description), but got '\(op.results[i].type)'")
      }
    }
  }

  /// "Input/result consistency": result has the signedness and width of `input`.
  public static func sameAsResult(_ input: IRType, _ result: IRType) throws(VerifyError) {
    guard let a = input.encryptedElement, let r = result.encryptedElement else { return }
    if a.isSigned != r.isSigned { throw VerifyError("should have the signedness of encrypted inputs and result equal") }
    if a.width != r.width { throw VerifyError("should have the width of encrypted inputs and result equal") }
  }

  /// "Inputs consistency": two encrypted inputs of equal signedness and width.
  public static func sameInputs(_ a: IRType, _ b: IRType) throws(VerifyError) {
    guard let x = a.encryptedElement, let y = b.encryptedElement else { return }
    if x.isSigned != y.isSigned { throw VerifyError("should have the signedness of encrypted inputs equal") }
    if x.width != y.width { throw VerifyError("should have the width of encrypted inputs equal") }
  }

  /// A lookup table element type must be signless with at most 64 bits.
  public static func isLUTElement(_ t: IRType) -> Bool {
    if case .integer(let w, .signless) = t { return w <= 64 }
    return false
  }

  /// The `i64` array attribute `name` (array or dense), or nil when absent.
  public static func int64Array(_ op: Operation, _ name: String) -> [Int64]? {
    switch op.attribute(name) {
    case .array(let a)?: return a.compactMap(\.integerValue)
    case .denseElements(let d)?: return d.int64Values
    case .denseArray(_, let v)?: return v
    default: return nil
    }
  }

  /// The shape of a dense attribute `name`, or nil.
  public static func attributeShape(_ op: Operation, _ name: String) -> [Int]? {
    switch op.attribute(name) {
    case .denseElements(let d)?: return d.type.staticShape
    case .array(let a)?: return [a.count]
    case .denseArray(_, let v)?: return [v.count]
    default: return nil
    }
  }

  /// Numpy-style broadcasting check shared by FHELinalg's binary elementwise ops.
  public static func broadcasting(_ op: Operation) throws(VerifyError) {
    let shapes = op.operands.map { $0.type.staticShape }
    let result = op.results[0].type.staticShape
    let maxRank = shapes.map(\.count).max() ?? 0
    guard result.count == maxRank else {
      throw VerifyError(
        "should have the number of dimensions of the result equal to the highest number of dimensions of operands, got \(result.count) expect \(maxRank)")
    }
    for i in 0..<maxRank {
      var expected = 1
      for (j, s) in shapes.enumerated() {
        let k = i - (maxRank - s.count)
        guard k >= 0 else { continue }
        let d = s[k]
        if d == 1 { continue }
        if expected == 1 {
          expected = d
        } else if d != expected {
          throw VerifyError(
            "has the dimension #\(s.count - k) of the operand #\(j) incompatible with other operands, got \(d) expect 1 or \(expected)")
        }
      }
      if result[i] != expected {
        throw VerifyError(
          "has the dimension #\(maxRank - i) of the result incompatible with operands dimension, got \(result[i]) expect \(expected)")
      }
    }
  }

  /// FHELinalg "Eint" element trait: both encrypted operands share signedness and width.
  public static func encryptedOperandsAgree(_ a: IRType, _ b: IRType) throws(VerifyError) {
    guard let x = a.encryptedElement, let y = b.encryptedElement else { return }
    if x.isSigned != y.isSigned { throw VerifyError("should have the signedness of encrypted arguments equal") }
    if x.width != y.width { throw VerifyError("should have the width of encrypted equals, got \(y.width) expect \(x.width)") }
  }
}
