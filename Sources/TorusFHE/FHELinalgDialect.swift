import TorusIR

/// The `FHELinalg` dialect: tensor operations on encrypted integers (Concrete's `FHELinalg`).
///
///     %r = "FHELinalg.add_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
public enum FHELinalg: Dialect {
  public static let namespace = "FHELinalg"
  public static var ops: [any OpDefinition.Type] {
    [
      AddEintIntOp.self, AddEintOp.self, SubIntEintOp.self, SubEintIntOp.self, SubEintOp.self,
      MulEintIntOp.self, MulEintOp.self, NegEintOp.self,
      ApplyLookupTableOp.self, ApplyMultiLookupTableOp.self, ApplyMappedLookupTableOp.self,
      DotEintIntOp.self, DotEintEintOp.self, MatMulEintIntOp.self, MatMulIntEintOp.self, MatMulEintEintOp.self,
      SumOp.self, ConcatOp.self, TransposeOp.self, FromElementOp.self, BroadcastOp.self,
      FancyIndexOp.self, FancyAssignOp.self,
      ToSignedOp.self, ToUnsignedOp.self, RoundOp.self, LsbOp.self, ReinterpretPrecisionOp.self,
      Conv2dOp.self, Maxpool2dOp.self, ChangePartitionOp.self,
    ]
  }

  static let encTensor = FHEVerify.Kind.tensorOf(.encryptedInteger)

  /// Adds a clear tensor to an encrypted one, with broadcasting.
  ///
  ///     %r = "FHELinalg.add_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  public struct AddEintIntOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.add_eint_int"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, .clearTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Adds two encrypted tensors, with broadcasting.
  ///
  ///     %r = "FHELinalg.add_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct AddEintOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.add_eint"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, FHELinalg.encTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Subtracts an encrypted tensor from a clear one (clear first), with broadcasting.
  ///
  ///     %r = "FHELinalg.sub_int_eint"(%c, %a) : (tensor<4xi5>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct SubIntEintOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.sub_int_eint"
    public static let operandKinds: [FHEVerify.Kind] = [.clearTensor, FHELinalg.encTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Subtracts a clear tensor from an encrypted one, with broadcasting.
  ///
  ///     %r = "FHELinalg.sub_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  public struct SubEintIntOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.sub_eint_int"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, .clearTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Subtracts two encrypted tensors, with broadcasting.
  ///
  ///     %r = "FHELinalg.sub_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct SubEintOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.sub_eint"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, FHELinalg.encTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Multiplies an encrypted tensor by a clear one, with broadcasting.
  ///
  ///     %r = "FHELinalg.mul_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  public struct MulEintIntOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.mul_eint_int"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, .clearTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Multiplies two encrypted tensors elementwise (two lookups per element), with broadcasting.
  ///
  ///     %r = "FHELinalg.mul_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct MulEintOp: ElementwiseBinaryOp {
    public static let name: OpName = "FHELinalg.mul_eint"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, FHELinalg.encTensor]
    public static let checksResultElement = false
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Negates every element.
  ///
  ///     %r = "FHELinalg.neg_eint"(%a) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct NegEintOp: OpDefinition {
    public static let name: OpName = "FHELinalg.neg_eint"
    public static let summary = "Negates a tensor of encrypted integers"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor], results: [FHELinalg.encTensor])
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  static let lutMessageTail = "where p is the width of the encrypted integer of the operand #1,expect tensor"

  /// One table lookup per element, all with the same table.
  ///
  ///     %r = "FHELinalg.apply_lookup_table"(%t, %lut) : (tensor<4x!FHE.eint<2>>, tensor<4xi64>) -> tensor<4x!FHE.eint<3>>
  public struct ApplyLookupTableOp: OpDefinition {
    public static let name: OpName = "FHELinalg.apply_lookup_table"
    public static let summary = "Applies a lookup table to every element of an encrypted tensor"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor, .clearTensor], results: [FHELinalg.encTensor])
      let t = operation.operands[0].type
      let lut = operation.operands[1].type
      let p = t.encryptedElement?.width ?? 0
      let size = 1 << min(p, 62)
      if lut.staticShape != [size] || !FHEVerify.isLUTElement(lut.elementType ?? .none) {
        throw VerifyError("should have as operand #2 a tensor<2^pxi{8,16,32,64}>, \(FHELinalg.lutMessageTail) <\(size)xi{8,16,32,64}>")
      }
      if t.staticShape != operation.results[0].type.staticShape {
        throw VerifyError(" should have same shapes for operand #1 and the result")
      }
    }
  }

  /// One lookup per element with a table chosen by the element's trailing indices.
  ///
  ///     %r = "FHELinalg.apply_multi_lookup_table"(%t, %luts) : (tensor<3x3x!FHE.eint<2>>, tensor<3x4xi64>) -> tensor<3x3x!FHE.eint<2>>
  public struct ApplyMultiLookupTableOp: OpDefinition {
    public static let name: OpName = "FHELinalg.apply_multi_lookup_table"
    public static let summary = "Applies a lookup table per element, chosen by the element position"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      let u = FHEVerify.Kind.tensorOf(.encryptedUnsigned)
      try FHEVerify.types(operation, operands: [u, .clearTensor], results: [u])
      let t = operation.operands[0].type
      let luts = operation.operands[1].type
      let p = t.encryptedElement?.width ?? 0
      let size = 1 << min(p, 62)
      if luts.staticShape.last != size || !FHEVerify.isLUTElement(luts.elementType ?? .none) {
        throw VerifyError("should have as operand #2 a tensor<DMx...xD1X2^pxi{8,16,32,64}>, \(FHELinalg.lutMessageTail) <DMx...xD1X\(size)xi{8,16,32,64}>")
      }
      if t.staticShape != operation.results[0].type.staticShape {
        throw VerifyError(" should have same shapes for operand #1 and the result")
      }
    }
  }

  /// One lookup per element with the table `luts[map[i]]`.
  ///
  ///     %r = "FHELinalg.apply_mapped_lookup_table"(%t, %luts, %map) : (tensor<2x!FHE.eint<2>>, tensor<3x4xi64>, tensor<2xindex>) -> tensor<2x!FHE.eint<2>>
  public struct ApplyMappedLookupTableOp: OpDefinition {
    public static let name: OpName = "FHELinalg.apply_mapped_lookup_table"
    public static let summary = "Applies a lookup table per element, chosen by a map of indices"
    public static let shape = OpShape(operands: 3, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor, .clearTensor, .indexTensor], results: [FHELinalg.encTensor])
      let t = operation.operands[0].type
      let luts = operation.operands[1].type
      let map = operation.operands[2].type
      if t.staticShape != operation.results[0].type.staticShape {
        throw VerifyError(": `t` (operand #1) and `map` (operand #2) must have the same shape")
      }
      let p = t.encryptedElement?.width ?? 0
      let size = 1 << min(p, 62)
      if !FHEVerify.isLUTElement(luts.elementType ?? .none) {
        throw VerifyError("should have as operand #2 a tensor<DMx...xD1X2^pxi{8,16,32,64}>, \(FHELinalg.lutMessageTail) <DMx...xD1X\(size)xi{8,16,32,64}>")
      }
      let ts = t.staticShape, ms = map.staticShape
      if ts.count != ms.count {
        throw VerifyError(": 't' (operand #1) rank (=\(ts.count)) differs from 'lut_map.getName()' (operand #3) rank (=\(ms.count))")
      }
      for (i, (a, b)) in zip(ts, ms).enumerated() where a != b {
        throw VerifyError(": 't' (operand #1) dimension #\(i) (=\(a)) differs from 'lut_map.getName()' (operand #3) dimension #\(i) (=\(b))")
      }
      if luts.staticShape.last != size {
        throw VerifyError(": `luts` (operand #2) inner dimension should have size \(size)(=2^\(p)) to match `t` (operand #1) elements bitwidth (\(p))")
      }
    }
  }

  /// Dot product of an encrypted and a clear vector.
  ///
  ///     %r = "FHELinalg.dot_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> !FHE.eint<4>
  public struct DotEintIntOp: OpDefinition {
    public static let name: OpName = "FHELinalg.dot_eint_int"
    public static let summary = "Dot product of an encrypted vector and a clear vector"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor, .clearTensor], results: [.encryptedInteger])
      try FHELinalg.requireVectors(operation)
      let a = operation.operands[0].type.staticShape, b = operation.operands[1].type.staticShape
      if a != b { throw VerifyError("arguments have incompatible shapes") }
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Dot product of two encrypted vectors (two lookups per product).
  ///
  ///     %r = "FHELinalg.dot_eint_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> !FHE.eint<4>
  public struct DotEintEintOp: OpDefinition {
    public static let name: OpName = "FHELinalg.dot_eint_eint"
    public static let summary = "Dot product of two encrypted vectors"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor, FHELinalg.encTensor], results: [.encryptedInteger])
      try FHELinalg.requireVectors(operation)
      let a = operation.operands[0].type.staticShape, b = operation.operands[1].type.staticShape
      if a != b { throw VerifyError("arguments have incompatible shapes") }
      try FHEVerify.sameInputs(operation.operands[0].type, operation.operands[1].type)
    }
  }

  /// Encrypted × clear matrix product (numpy `matmul` shapes).
  ///
  ///     %r = "FHELinalg.matmul_eint_int"(%a, %c) : (tensor<3x4x!FHE.eint<4>>, tensor<4x2xi5>) -> tensor<3x2x!FHE.eint<4>>
  public struct MatMulEintIntOp: MatMulLikeOp {
    public static let name: OpName = "FHELinalg.matmul_eint_int"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, .clearTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Clear × encrypted matrix product (numpy `matmul` shapes).
  ///
  ///     %r = "FHELinalg.matmul_int_eint"(%c, %a) : (tensor<3x4xi5>, tensor<4x2x!FHE.eint<4>>) -> tensor<3x2x!FHE.eint<4>>
  public struct MatMulIntEintOp: MatMulLikeOp {
    public static let name: OpName = "FHELinalg.matmul_int_eint"
    public static let operandKinds: [FHEVerify.Kind] = [.clearTensor, FHELinalg.encTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Encrypted × encrypted matrix product (two lookups per product).
  ///
  ///     %r = "FHELinalg.matmul_eint_eint"(%a, %b) : (tensor<3x4x!FHE.eint<6>>, tensor<4x2x!FHE.eint<6>>) -> tensor<3x2x!FHE.eint<12>>
  public struct MatMulEintEintOp: MatMulLikeOp {
    public static let name: OpName = "FHELinalg.matmul_eint_eint"
    public static let operandKinds: [FHEVerify.Kind] = [FHELinalg.encTensor, FHELinalg.encTensor]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Sum over `axes` (all when empty), optionally keeping reduced dims as 1.
  ///
  ///     %r = "FHELinalg.sum"(%t) {axes = [1], keep_dims = true} : (tensor<3x4x!FHE.eint<7>>) -> tensor<3x1x!FHE.eint<7>>
  public struct SumOp: OpDefinition {
    public static let name: OpName = "FHELinalg.sum"
    public static let summary = "Sums the elements of an encrypted tensor along axes"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    /// The reduced axes (all when the attribute is empty or absent).
    public var axes: [Int] {
      let rank = operation.operands[0].type.staticShape.count
      let a = (FHEVerify.int64Array(operation, "axes") ?? []).map { Int($0) }
      return a.isEmpty ? Array(0..<rank) : a
    }
    /// Whether reduced dims are kept with size 1.
    public var keepDims: Bool { operation.attribute("keep_dims")?.integerValue.map { $0 != 0 } ?? false }

    /// The result shape the attributes imply.
    public var expectedShape: [Int] {
      let input = operation.operands[0].type.staticShape
      let ax = Set(axes)
      var out: [Int] = []
      for (i, d) in input.enumerated() {
        if ax.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
      }
      return out
    }

    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor])
      let r = operation.results[0].type
      guard r.encryptedElement != nil else {
        throw VerifyError("result #0 must be An encrypted integer or a tensor of encrypted integers, but got '\(r)'")
      }
      try FHEVerify.sameAsResult(operation.operands[0].type, r)
      let rank = operation.operands[0].type.staticShape.count
      if axes.contains(where: { $0 < 0 || $0 >= rank }) { throw VerifyError("has invalid axes attribute") }
      let expected = expectedShape
      let actual = r.isRankedTensor ? r.staticShape : []
      if expected != actual || (expected.isEmpty && r.isRankedTensor) {
        throw VerifyError("does not have the proper output shape of \(formatDims(expected))")
      }
    }
  }

  /// Concatenates tensors along `axis`.
  ///
  ///     %r = "FHELinalg.concat"(%a, %b) {axis = 0} : (tensor<3x!FHE.eint<7>>, tensor<4x!FHE.eint<7>>) -> tensor<7x!FHE.eint<7>>
  public struct ConcatOp: OpDefinition {
    public static let name: OpName = "FHELinalg.concat"
    public static let summary = "Concatenates a sequence of tensors along an axis"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The concatenation axis (default 0).
    public var axis: Int { Int(operation.attribute("axis")?.integerValue ?? 0) }

    public func verify() throws(VerifyError) {
      let out = operation.results[0].type
      let ins = operation.operands
      if ins.isEmpty { throw VerifyError("should have at least 1 input") }
      let oe = out.elementType ?? .none
      for v in ins {
        let e = v.type.elementType ?? .none
        if e != oe { throw VerifyError("input element type ('\(e)') doesn't match output element type ('\(oe)')") }
      }
      let os = out.staticShape
      guard axis >= 0 && axis < os.count else { throw VerifyError("has invalid axis attribute") }
      var total = 0
      for (i, v) in ins.enumerated() {
        let s = v.type.staticShape
        var expected = os.map { "\($0)" }
        expected[axis] = "?"
        let ok = s.count == os.count && s.indices.allSatisfy { $0 == axis || s[$0] == os[$0] }
        if !ok { throw VerifyError("does not have the proper shape of <\(expected.joined(separator: "x"))> for input #\(i)") }
        total += s[axis]
      }
      if total != os[axis] {
        var e = os
        e[axis] = total
        throw VerifyError("does not have the proper output shape of \(formatDims(e))")
      }
    }
  }

  /// Permutes dimensions (reverses them when `axes` is empty).
  ///
  ///     %r = "FHELinalg.transpose"(%t) {axes = [1, 0, 2]} : (tensor<2x3x4x!FHE.eint<6>>) -> tensor<3x2x4x!FHE.eint<6>>
  public struct TransposeOp: OpDefinition {
    public static let name: OpName = "FHELinalg.transpose"
    public static let summary = "Transposes a tensor"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    /// The permutation: output dim i is input dim `permutation[i]`.
    public var permutation: [Int] {
      let n = operation.operands[0].type.staticShape.count
      let a = (FHEVerify.int64Array(operation, "axes") ?? []).map { Int($0) }
      return a.isEmpty ? Array((0..<n).reversed()) : a
    }

    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.anyTensor], results: [.anyTensor])
      let i = operation.operands[0].type, o = operation.results[0].type
      let ins = i.staticShape, outs = o.staticShape
      if ins.count != outs.count { throw VerifyError("input and output tensors should have the same number of dimensions") }
      if i.elementType != o.elementType { throw VerifyError("input and output tensors should have the same element type") }
      let n = ins.count
      let axes = (FHEVerify.int64Array(operation, "axes") ?? []).map { Int($0) }
      if axes.isEmpty {
        if Array(ins.reversed()) != outs { throw VerifyError("output tensor should have inverted dimensions of input") }
        return
      }
      if axes.count != n { throw VerifyError("has invalid axes attribute (doesn't have \(n) elements)") }
      for (k, a) in axes.enumerated() {
        if a < 0 || a >= n { throw VerifyError("has invalid axes attribute (axes[\(k)] isn't in range [0, \(n - 1)])") }
        if outs[k] != ins[a] { throw VerifyError("has invalid output shape (output.shape[\(k)] is not input.shape[axes[\(k)]])") }
      }
      if Set(axes).count != n { throw VerifyError("has invalid axes attribute (doesn't contain all input axes)") }
    }
  }

  /// Wraps a scalar in a one-element tensor.
  ///
  ///     %r = "FHELinalg.from_element"(%x) : (!FHE.eint<4>) -> tensor<1x!FHE.eint<4>>
  public struct FromElementOp: OpDefinition {
    public static let name: OpName = "FHELinalg.from_element"
    public static let summary = "Creates a tensor with a single element"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      let x = operation.operands[0].type
      let expected = IRType.tensor(shape: [1], element: x, encoding: nil)
      let got = operation.results[0].type
      if got != expected { throw VerifyError("has invalid output type (expected \(expected), got \(got))") }
    }
  }

  /// numpy `broadcast_to`.
  ///
  ///     %r = "FHELinalg.broadcast"(%t) : (tensor<3x!FHE.eint<4>>) -> tensor<2x3x!FHE.eint<4>>
  public struct BroadcastOp: OpDefinition {
    public static let name: OpName = "FHELinalg.broadcast"
    public static let summary = "Broadcasts a tensor to a shape"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.anyTensor], results: [.anyTensor])
      let i = operation.operands[0].type, o = operation.results[0].type
      if i.elementType != o.elementType { throw VerifyError("input and output tensors should have the same element type") }
      let ins = i.staticShape, outs = o.staticShape
      if ins.count > outs.count {
        throw VerifyError("input shape '\(formatDims(ins))' cannot be broadcasted to output shape '\(formatDims(outs))'")
      }
      for k in 0..<ins.count {
        let a = ins[ins.count - 1 - k], b = outs[outs.count - 1 - k]
        if a != b && a != 1 {
          throw VerifyError("input shape '\(formatDims(ins))' cannot be broadcasted to output shape '\(formatDims(outs))'")
        }
      }
    }
  }

  static func fancyExpected(input: [Int], indices: [Int]) throws(VerifyError) -> [Int] {
    if input.count > 1 {
      if indices.last != input.count {
        throw VerifyError("size of the last dimension of indices '\(indices.last ?? 0)' doesn't match the number of dimensions of input '\(input.count)'")
      }
      return Array(indices.dropLast())
    }
    return indices
  }

  /// Gathers elements at index tuples.
  ///
  ///     %r = "FHELinalg.fancy_index"(%t, %idx) : (tensor<5x!FHE.eint<4>>, tensor<3xindex>) -> tensor<3x!FHE.eint<4>>
  public struct FancyIndexOp: OpDefinition {
    public static let name: OpName = "FHELinalg.fancy_index"
    public static let summary = "Indexes a tensor with a tensor of indices"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.anyTensor, .indexTensor], results: [.anyTensor])
      let i = operation.operands[0].type, o = operation.results[0].type
      let ie = i.elementType ?? .none, oe = o.elementType ?? .none
      if ie != oe { throw VerifyError("input element type '\(ie)' doesn't match output element type '\(oe)'") }
      let e = try FHELinalg.fancyExpected(input: i.staticShape, indices: operation.operands[1].type.staticShape)
      if o.staticShape != e {
        throw VerifyError("output shape '\(formatDims(o.staticShape))' doesn't match the expected output shape '\(formatDims(e))'")
      }
    }
  }

  /// Scatters values at index tuples into a copy of the input.
  ///
  ///     %r = "FHELinalg.fancy_assign"(%t, %idx, %v) : (tensor<5x!FHE.eint<4>>, tensor<3xindex>, tensor<3x!FHE.eint<4>>) -> tensor<5x!FHE.eint<4>>
  public struct FancyAssignOp: OpDefinition {
    public static let name: OpName = "FHELinalg.fancy_assign"
    public static let summary = "Assigns values at the positions given by a tensor of indices"
    public static let shape = OpShape(operands: 3, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.anyTensor, .indexTensor, .anyTensor], results: [.anyTensor])
      let i = operation.operands[0].type, v = operation.operands[2].type, o = operation.results[0].type
      let ie = i.elementType ?? .none
      if let ve = v.elementType, ve != ie { throw VerifyError("values element type '\(ve)' doesn't match input element type '\(ie)'") }
      if let oe = o.elementType, oe != ie { throw VerifyError("output element type '\(oe)' doesn't match input element type '\(ie)'") }
      let e = try FHELinalg.fancyExpected(input: i.staticShape, indices: operation.operands[1].type.staticShape)
      if v.staticShape != e {
        throw VerifyError("values shape '\(formatDims(v.staticShape))' doesn't match the expected values shape '\(formatDims(e))'")
      }
      if o.staticShape != i.staticShape {
        throw VerifyError("output shape '\(formatDims(o.staticShape))' doesn't match the expected output shape '\(formatDims(i.staticShape))'")
      }
    }
  }

  /// Casts every element `eint<p>` → `esint<p>`.
  ///
  ///     %r = "FHELinalg.to_signed"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.esint<4>>
  public struct ToSignedOp: OpDefinition {
    public static let name: OpName = "FHELinalg.to_signed"
    public static let summary = "Casts a tensor of unsigned integers to signed integers"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.tensorOf(.encryptedUnsigned)], results: [.tensorOf(.encryptedSigned)])
      try FHELinalg.sameShapeAndWidth(operation)
    }
  }

  /// Casts every element `esint<p>` → `eint<p>`.
  ///
  ///     %r = "FHELinalg.to_unsigned"(%t) : (tensor<4x!FHE.esint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct ToUnsignedOp: OpDefinition {
    public static let name: OpName = "FHELinalg.to_unsigned"
    public static let summary = "Casts a tensor of signed integers to unsigned integers"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.tensorOf(.encryptedSigned)], results: [.tensorOf(.encryptedUnsigned)])
      try FHELinalg.sameShapeAndWidth(operation)
    }
  }

  static func requireVectors(_ op: Operation) throws(VerifyError) {
    for (i, v) in op.operands.enumerated() where v.type.staticShape.count != 1 {
      throw VerifyError("operand #\(i) must be 1D tensor of integer values, but got '\(v.type)'")
    }
  }

  static func sameShapeAndWidth(_ op: Operation) throws(VerifyError) {
    let i = op.operands[0].type, o = op.results[0].type
    if i.staticShape != o.staticShape { throw VerifyError("input and output tensors should have the same shape") }
    if i.encryptedElement?.width != o.encryptedElement?.width { throw VerifyError("input and output tensors should have the same width") }
  }

  /// Rounds every element to a smaller width.
  ///
  ///     %r = "FHELinalg.round"(%t) : (tensor<4x!FHE.eint<6>>) -> tensor<4x!FHE.eint<4>>
  public struct RoundOp: OpDefinition {
    public static let name: OpName = "FHELinalg.round"
    public static let summary = "Rounds a tensor of ciphertexts to a smaller precision"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor], results: [FHELinalg.encTensor])
      let i = operation.operands[0].type, o = operation.results[0].type
      if i.staticShape != o.staticShape { throw VerifyError("input and output tensors should have the same shape") }
      guard let a = i.encryptedElement, let b = o.encryptedElement else { return }
      if a.width < b.width { throw VerifyError("input tensor should have bigger bit width than output tensor") }
      if a.isSigned != b.isSigned { throw VerifyError("input and output tensors should have the same signedness") }
    }
  }

  /// Least significant bit of every element.
  ///
  ///     %r = "FHELinalg.lsb"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct LsbOp: OpDefinition {
    public static let name: OpName = "FHELinalg.lsb"
    public static let summary = "Extracts the lowest significant bit of every element"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.described("", FHELinalg.encTensor)], results: [FHELinalg.encTensor])
      if operation.operands[0].type.staticShape != operation.results[0].type.staticShape {
        throw VerifyError("input and output tensors should have the same shape")
      }
    }
  }

  /// Reinterprets every element at another width.
  ///
  ///     %r = "FHELinalg.reinterpret_precision"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<2>>
  public struct ReinterpretPrecisionOp: OpDefinition {
    public static let name: OpName = "FHELinalg.reinterpret_precision"
    public static let summary = "Reinterprets every element of a tensor at a different precision"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor], results: [FHELinalg.encTensor])
      if operation.operands[0].type.staticShape != operation.results[0].type.staticShape {
        throw VerifyError("input and output tensors should have the same shape")
      }
    }
  }

  /// Moves a tensor between partitions (identity on messages).
  ///
  ///     %r = "FHELinalg.change_partition"(%t) {dest = #FHE.partition<…>} : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  public struct ChangePartitionOp: OpDefinition {
    public static let name: OpName = "FHELinalg.change_partition"
    public static let summary = "Changes the partition of a tensor of ciphertexts"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// 2-D convolution in NCHW layout with optional bias, strides, dilations and groups.
  ///
  ///     %r = "FHELinalg.conv2d"(%x, %w, %b) {strides = dense<1> : tensor<2xi64>} : (tensor<1x3x4x4x!FHE.eint<6>>, tensor<2x3x2x2xi7>, tensor<2xi7>) -> tensor<1x2x3x3x!FHE.eint<6>>
  public struct Conv2dOp: OpDefinition {
    public static let name: OpName = "FHELinalg.conv2d"
    public static let summary = "Returns the 2D convolution of a tensor in the form NCHW with weights in the form FCHW"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    /// `[h, w]` strides (default 1).
    public var strides: [Int] { (FHEVerify.int64Array(operation, "strides") ?? [1, 1]).map { Int($0) } }
    /// `[h, w]` dilations (default 1).
    public var dilations: [Int] { (FHEVerify.int64Array(operation, "dilations") ?? [1, 1]).map { Int($0) } }
    /// Padding `[h_begin, w_begin, h_end, w_end]` (always zero when verified).
    public var padding: [Int] { (FHEVerify.int64Array(operation, "padding") ?? [0, 0, 0, 0]).map { Int($0) } }
    /// Number of groups (default 1).
    public var group: Int { Int(operation.attribute("group")?.integerValue ?? 1) }
    /// The bias operand when present.
    public var bias: Value? { operation.operands.count > 2 ? operation.operands[2] : nil }

    public func verify() throws(VerifyError) {
      guard operation.operands.count == 2 || operation.operands.count == 3 else {
        throw VerifyError("expected 2 or 3 operands (input, weight, bias), but found \(operation.operands.count)")
      }
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor, .clearTensor, .clearTensor], results: [FHELinalg.encTensor])
      let input = operation.operands[0].type.staticShape
      let weight = operation.operands[1].type.staticShape
      let result = operation.results[0].type.staticShape
      if input.count != 4 { throw VerifyError("input should have 4 dimensions (N*C*H*W) but got \(input.count)") }
      if weight.count != 4 { throw VerifyError("weight should have 4 dimensions (F*C*H*W) but got \(weight.count)") }
      if result.count != 4 { throw VerifyError("result should have 4 dimensions (N*C*H*W) but got \(result.count)") }
      if let s = FHEVerify.attributeShape(operation, "padding") {
        if s != [4] { throw VerifyError("padding should have a single dimension of size 4, but got shape [\(s.map(String.init).joined(separator: ", "))]") }
        for (i, v) in padding.enumerated() where v != 0 {
          throw VerifyError("padding isn't yet supported, but got a non zero value (\(v)) at index \(i)")
        }
      }
      for (name, values) in [("strides", strides), ("dilations", dilations)] {
        if let s = FHEVerify.attributeShape(operation, name), s != [2] {
          throw VerifyError("\(name) should have a single dimension of size 2, but got shape [\(s.map(String.init).joined(separator: ", "))]")
        }
        for (i, v) in values.enumerated() where v < 1 {
          throw VerifyError("\(name) can't have a value less than 1, but got \(v) at index \(i)")
        }
      }
      if group < 1 { throw VerifyError("group must be strictly positif, but got \(group)") }
      let f = weight[0]
      if let bias {
        let b = bias.type.staticShape
        if b.count != 1 { throw VerifyError("bias should have 1 dimension but got \(b.count)") }
        if b[0] != f { throw VerifyError("expected bias vector to have size \(f) but got \(b[0])") }
      }
      if result[0] != input[0] {
        throw VerifyError("expected result batch size to be equal to input batch size (\(input[0])) but got \(result[0])")
      }
      if weight[1] != input[1] / group {
        throw VerifyError("expected number of channels in weight to be equal to \(input[1] / group) (input_channels / group) but got \(weight[1])")
      }
      if f % group != 0 { throw VerifyError("expected number of feature maps (\(f)) to be a multiple of group (\(group))") }
      if result[1] != f {
        throw VerifyError("expected number of output channels to be equal to the number of filters (\(f)) but got \(result[1])")
      }
      let pad = padding
      let oh = (input[2] + pad[0] + pad[2] - dilations[0] * (weight[2] - 1) - 1) / strides[0] + 1
      let ow = (input[3] + pad[1] + pad[3] - dilations[1] * (weight[3] - 1) - 1) / strides[1] + 1
      if result[2] != oh { throw VerifyError("expected height of output to be equal to \(oh) but got \(result[2])") }
      if result[3] != ow { throw VerifyError("expected width of output to be equal to \(ow) but got \(result[3])") }
    }
  }

  /// 2-D max pooling in NCHW layout.
  ///
  ///     %r = "FHELinalg.maxpool2d"(%x) {kernel_shape = dense<[2, 2]> : tensor<2xi64>} : (tensor<1x1x4x4x!FHE.eint<6>>) -> tensor<1x1x3x3x!FHE.eint<6>>
  public struct Maxpool2dOp: OpDefinition {
    public static let name: OpName = "FHELinalg.maxpool2d"
    public static let summary = "Returns the 2D maxpool of a tensor in the form NCHW"
    public static let shape = OpShape(operands: 1, results: 1)
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    /// `[KH, KW]`.
    public var kernelShape: [Int] { (FHEVerify.int64Array(operation, "kernel_shape") ?? []).map { Int($0) } }
    /// `[h, w]` strides (default 1).
    public var strides: [Int] { (FHEVerify.int64Array(operation, "strides") ?? [1, 1]).map { Int($0) } }
    /// `[h, w]` dilations (default 1).
    public var dilations: [Int] { (FHEVerify.int64Array(operation, "dilations") ?? [1, 1]).map { Int($0) } }

    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [FHELinalg.encTensor], results: [FHELinalg.encTensor])
      let it = operation.operands[0].type, ot = operation.results[0].type
      let ie = it.elementType ?? .none, oe = ot.elementType ?? .none
      if ie != oe {
        throw VerifyError("expected output element type ('\(oe)') to be the same with input element type ('\(ie)') but it is not")
      }
      let input = it.staticShape, output = ot.staticShape
      if input.count != 4 { throw VerifyError("expected input to have 4 dimensions (N*C*H*W) but it has \(input.count)") }
      if output.count != 4 { throw VerifyError("expected output to have 4 dimensions (N*C*H*W) but it has \(output.count)") }
      for name in ["kernel_shape", "strides", "dilations"] {
        guard let s = FHEVerify.attributeShape(operation, name) else {
          if name == "kernel_shape" { throw VerifyError("requires attribute 'kernel_shape'") }
          continue
        }
        if s != [2] {
          let label = name == "kernel_shape" ? "kernel shape" : name
          throw VerifyError("expected \(label) to be of shape (2) but it is of shape (\(s.map(String.init).joined(separator: ", ")))")
        }
      }
      for (name, values) in [("strides", strides), ("dilations", dilations)] {
        for (i, v) in values.enumerated() where v < 1 {
          throw VerifyError("expected elements of \(name) to be positive but \(name)[\(i)] is \(v)")
        }
      }
      let k = kernelShape
      let oh = (input[2] - dilations[0] * (k[0] - 1) - 1) / strides[0] + 1
      let ow = (input[3] - dilations[1] * (k[1] - 1) - 1) / strides[1] + 1
      let expected = [input[0], input[1], oh, ow]
      if expected != output {
        throw VerifyError(
          "expected output to be of shape (\(expected.map(String.init).joined(separator: ", "))) but it is of shape (\(output.map(String.init).joined(separator: ", ")))")
      }
    }
  }
}

/// FHELinalg's binary elementwise ops: element-kind check, broadcasting, per-element FHE rule.
public protocol ElementwiseBinaryOp: OpDefinition {
  /// Kinds of operand 0 and 1.
  static var operandKinds: [FHEVerify.Kind] { get }
  /// Whether the result element must equal the encrypted operand's element (not for `mul_eint`).
  static var checksResultElement: Bool { get }
}

extension ElementwiseBinaryOp {
  public static var shape: OpShape { OpShape(operands: 2, results: 1) }
  public static var traits: OpTraits { [.pure] }
  public static var summary: String { "Elementwise operation with numpy broadcasting" }
  public static var checksResultElement: Bool { true }

  public func verify() throws(VerifyError) {
    try FHEVerify.types(operation, operands: Self.operandKinds, results: [FHELinalg.encTensor])
    let a = operation.operands[0].type, b = operation.operands[1].type
    if a.isEncrypted && b.isEncrypted { try FHEVerify.encryptedOperandsAgree(a, b) }
    try FHEVerify.broadcasting(operation)
    if Self.checksResultElement {
      try FHEVerify.sameAsResult(a.isEncrypted ? a : b, operation.results[0].type)
    }
  }
}

/// The three matmul ops: numpy `matmul` shape rules with Concrete's messages.
public protocol MatMulLikeOp: OpDefinition {
  /// Kinds of operand 0 and 1.
  static var operandKinds: [FHEVerify.Kind] { get }
}

extension MatMulLikeOp {
  public static var shape: OpShape { OpShape(operands: 2, results: 1) }
  public static var traits: OpTraits { [.pure] }
  public static var summary: String { "Matrix product with numpy matmul shapes" }

  /// The numpy `matmul` result shape, or the verifier message.
  public static func resultShape(_ l: [Int], _ r: [Int]) throws(VerifyError) -> [Int] {
    let rl = l.count, rr = r.count
    if rl == 1 && rr == 1 { throw VerifyError("should have at least one multi dimensional tensor as an operand") }
    if rl == 1 {
      if l[0] != r[rr - 2] {
        throw VerifyError("should have the same size on dimension #0 of operand #0 and dimension #\(rr - 2) of operand #1")
      }
      var out = r
      out.remove(at: rr - 2)
      return out
    }
    if rr == 1 {
      if l[rl - 1] != r[0] {
        throw VerifyError("should have the same size on dimension #\(rl - 1) of operand #0 and dimension #0 of operand #1")
      }
      return Array(l.dropLast())
    }
    if l[rl - 1] != r[rr - 2] {
      throw VerifyError("should have the same size on dimension #\(rl - 1) of operand #0 and dimension #\(rr - 2) of operand #1")
    }
    let lb = Array(l.dropLast(2)), rb = Array(r.dropLast(2))
    let n = max(lb.count, rb.count)
    var batch: [Int] = []
    for i in 0..<n {
      let li = i - (n - lb.count), ri = i - (n - rb.count)
      let a = li >= 0 ? lb[li] : nil, b = ri >= 0 ? rb[ri] : nil
      switch (a, b) {
      case let (a?, b?):
        if a != b && a != 1 && b != 1 {
          throw VerifyError("should have the same size or size of 1 on dimension #\(li) of operand #0 and dimension #\(ri) of operand #1")
        }
        batch.append(a == 1 ? b : a)
      case let (a?, nil): batch.append(a)
      case let (nil, b?): batch.append(b)
      default: break
      }
    }
    return batch + [l[rl - 2], r[rr - 1]]
  }

  public func verify() throws(VerifyError) {
    try FHEVerify.types(operation, operands: Self.operandKinds, results: [FHELinalg.encTensor])
    let a = operation.operands[0].type, b = operation.operands[1].type
    if a.isEncrypted && b.isEncrypted { try FHEVerify.sameInputs(a, b) }
    let expected = try Self.resultShape(a.staticShape, b.staticShape)
    if operation.results[0].type.staticShape != expected {
      throw VerifyError("does not have the proper output shape of \(formatDims(expected))")
    }
  }
}

// MARK: - Cost and noise interfaces (Spec/Dialects.md, "Op interfaces")

extension FHELinalg.AddEintIntOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.AddEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.sum(0, 1)) } }
extension FHELinalg.SubIntEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(1)) } }
extension FHELinalg.SubEintIntOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.SubEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.sum(0, 1)) } }
extension FHELinalg.NegEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.ToSignedOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.ToUnsignedOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.ReinterpretPrecisionOp: LevelledOp, PhaseOp, NativeEncodingOnlyOp {
  public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) }
}
extension FHELinalg.ChangePartitionOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.TransposeOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.FromElementOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.BroadcastOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.FancyIndexOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHELinalg.ConcatOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .largestOperand } }
extension FHELinalg.FancyAssignOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .largestOperand } }

extension FHELinalg.MulEintIntOp: LevelledOp, PhaseOp {
  public var noiseTransfer: NoiseTransfer { .combination(.operand(0, factor: ClearFactors.maxSquare(operation.operands[1]))) }
}

extension FHELinalg.DotEintIntOp: LevelledOp {
  public var noiseTransfer: NoiseTransfer {
    .combination(.operand(0, factor: ClearFactors.columnSquares(operation.operands[1], contracting: 0)))
  }
}

extension FHELinalg.MatMulEintIntOp: LevelledOp {
  public var noiseTransfer: NoiseTransfer {
    .combination(.operand(0, factor: ClearFactors.columnSquares(operation.operands[1], contracting: 0)))
  }
}

extension FHELinalg.MatMulIntEintOp: LevelledOp {
  public var noiseTransfer: NoiseTransfer {
    .combination(.operand(1, factor: ClearFactors.columnSquares(operation.operands[0], contracting: 1)))
  }
}

extension FHELinalg.Conv2dOp: LevelledOp {
  public var noiseTransfer: NoiseTransfer { .combination(.operand(0, factor: ClearFactors.filterSquares(operation.operands[1]))) }
}

extension FHELinalg.SumOp: LevelledOp {
  /// Each output adds `inputs / outputs` elements.
  public var noiseTransfer: NoiseTransfer {
    let inCount = Double(operation.operands[0].type.staticElementCount ?? 1)
    return .combination(.operand(0, factor: (inCount / Double(resultElements)).rounded(.up)))
  }
}

extension FHELinalg.ApplyLookupTableOp: TableLookupOp {
  public var bootstrapGroups: [BootstrapGroup] { lookupPerElement }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension FHELinalg.ApplyMultiLookupTableOp: TableLookupOp {
  public var bootstrapGroups: [BootstrapGroup] { lookupPerElement }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension FHELinalg.ApplyMappedLookupTableOp: TableLookupOp {
  public var bootstrapGroups: [BootstrapGroup] { lookupPerElement }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension FHELinalg.MulEintOp: BootstrappingOp {
  /// Two lookups per element (`S(a+b) − S(a−b)`).
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: 2 * resultElements, input: .sum(0, 1))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(2)) }
}

extension FHELinalg.DotEintEintOp: BootstrappingOp {
  /// Two lookups per product; the result adds the `2K` lookup outputs.
  public var bootstrapGroups: [BootstrapGroup] {
    let k = operation.operands[0].type.staticElementCount ?? 1
    return [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: 2 * k, input: .sum(0, 1))]
  }
  public var noiseTransfer: NoiseTransfer {
    .combination(.bootstrapped(Double(2 * (operation.operands[0].type.staticElementCount ?? 1))))
  }
}

extension FHELinalg.MatMulEintEintOp: BootstrappingOp {
  /// Contracted dimension `K` (the last of the left operand).
  var contracted: Int { operation.operands[0].type.staticShape.last ?? 1 }
  /// Two lookups per product, `K` products per output; each output adds `2K` lookup outputs.
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: 2 * contracted * resultElements, input: .sum(0, 1))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(Double(2 * contracted))) }
}

extension FHELinalg.Maxpool2dOp: BootstrappingOp {
  /// One `max` per window element: `acc ← relu(acc − x) + x`, so a lookup reads a bootstrap
  /// output plus two inputs' noise, and the result is a bootstrap output plus an input.
  public var bootstrapGroups: [BootstrapGroup] {
    let window = kernelShape.reduce(1, *)
    return [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: window * resultElements,
                           input: NoiseCombination(operands: [0: 2], bootstrapOutputs: 1))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(NoiseCombination(operands: [0: 1], bootstrapOutputs: 1)) }
}

extension FHELinalg.RoundOp: ExactRoundingOp {}
extension FHELinalg.LsbOp: LeastSignificantBitOp {}
