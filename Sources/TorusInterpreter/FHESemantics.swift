import TorusFHE
import TorusIR

// The semantics of the FHE, FHELinalg and Tracing ops over any `FHEDomain` (spec §0): one
// conformance per op kind. Levelled arithmetic shares the generic rules of `Semantics.swift`;
// the scalar `FHE` and tensor `FHELinalg` forms run the same code.

// MARK: - Levelled arithmetic

extension FHE.AddEintOp: EncryptedPairElementwise {
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ b: D.Ciphertext) -> D.Ciphertext { d.add(a, b) }
}
extension FHELinalg.AddEintOp: EncryptedPairElementwise {
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ b: D.Ciphertext) -> D.Ciphertext { d.add(a, b) }
}
extension FHE.SubEintOp: EncryptedPairElementwise {
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ b: D.Ciphertext) -> D.Ciphertext { d.sub(a, b) }
}
extension FHELinalg.SubEintOp: EncryptedPairElementwise {
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ b: D.Ciphertext) -> D.Ciphertext { d.sub(a, b) }
}

extension FHE.AddEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.addPlain(a, c, width: width) }
}
extension FHELinalg.AddEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.addPlain(a, c, width: width) }
}
extension FHE.SubEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.addPlain(a, 0 &- c, width: width) }
}
extension FHELinalg.SubEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.addPlain(a, 0 &- c, width: width) }
}
extension FHE.SubIntEintOp: EncryptedClearElementwise {
  public static let encryptedOperand = 1
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext {
    d.addPlain(d.negate(a), c, width: width)
  }
}
extension FHELinalg.SubIntEintOp: EncryptedClearElementwise {
  public static let encryptedOperand = 1
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext {
    d.addPlain(d.negate(a), c, width: width)
  }
}
extension FHE.MulEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.mulPlain(a, c) }
}
extension FHELinalg.MulEintIntOp: EncryptedClearElementwise {
  public static let encryptedOperand = 0
  public static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext { d.mulPlain(a, c) }
}

extension FHE.NegEintOp: PhaseNegation {}
extension FHELinalg.NegEintOp: PhaseNegation {}
/// `ebool` is encoded as `eint<2>` with the value in the top bit: negation flips it.
extension FHE.NotOp: PhaseNegation {}

extension FHE.ZeroOp: EncryptedZeros {}
extension FHE.ZeroTensorOp: EncryptedZeros {}

// MARK: - Casts that keep the phase

extension FHE.ToSignedOp: PhasePreservingCast {}
extension FHE.ToUnsignedOp: PhasePreservingCast {}
extension FHE.ReinterpretPrecisionOp: PhasePreservingCast {}
extension FHE.ChangePartitionOp: PhasePreservingCast {}
extension FHE.ToBoolOp: PhasePreservingCast {}
extension FHE.FromBoolOp: PhasePreservingCast {}
extension FHELinalg.ToSignedOp: PhasePreservingCast {}
extension FHELinalg.ToUnsignedOp: PhasePreservingCast {}
extension FHELinalg.ReinterpretPrecisionOp: PhasePreservingCast {}
extension FHELinalg.ChangePartitionOp: PhasePreservingCast {}

// MARK: - Bootstrapping ops

extension FHE.MulEintOp: EncryptedProduct {}
extension FHELinalg.MulEintOp: EncryptedProduct {}
extension FHE.RoundOp: ExecutableOp {}
extension FHELinalg.RoundOp: ExecutableOp {}
extension FHE.LsbOp: ExecutableOp {}
extension FHELinalg.LsbOp: ExecutableOp {}
extension FHE.ApplyLookupTableOp: SingleTableLookup {}
extension FHELinalg.ApplyLookupTableOp: SingleTableLookup {}

extension FHE.MaxEintOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let r = try i.maxEint(f.enc(o[0]).elements, f.enc(o[1]).elements, type: Interpreter<D>.encType(o[0]))
    return [.encrypted(Tensor(shape: [], elements: r))]
  }
}

extension FHELinalg.ApplyMultiLookupTableOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    // The leading dims of `luts` align with the trailing dims of `t`.
    [try i.tableLookup(operation, f) { n, tables in (0..<n).map { Int32($0 % max(tables, 1)) } }]
  }
}

extension FHELinalg.ApplyMappedLookupTableOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let map = try f.clear(operation.operands[2])
    return [
      try i.tableLookup(operation, f) { (_, tables) throws(InterpreterError) in
        var selectors: [Int32] = []
        selectors.reserveCapacity(map.elements.count)
        for m in map.elements {
          guard m >= 0 && m < tables else { throw .invalidInput("'\(Self.name)': map entry \(m) is out of range [0, \(tables))") }
          selectors.append(Int32(m))
        }
        return selectors
      }
    ]
  }
}

// MARK: - Booleans (ebool ≡ eint<2>)

extension FHE.GenGateOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let table = try f.clear(o[2]).elements
    return [.encrypted(Tensor(scalar: try i.gate(f.enc(o[0]).elements[0], f.enc(o[1]).elements[0], table)))]
  }
}

extension BooleanGateOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    return [.encrypted(Tensor(scalar: try i.gate(f.enc(o[0]).elements[0], f.enc(o[1]).elements[0], Self.truthTable)))]
  }
}
extension FHE.AndOp: ExecutableOp {}
extension FHE.OrOp: ExecutableOp {}
extension FHE.NandOp: ExecutableOp {}
extension FHE.XorOp: ExecutableOp {}

extension FHE.MuxOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let c = try f.enc(o[0]).elements[0], c1 = try f.enc(o[1]).elements[0], c2 = try f.enc(o[2]).elements[0]
    let a = try i.gate(c1, c, [0, 0, 1, 0])
    let b = try i.gate(c2, c, [0, 0, 0, 1])
    return [.encrypted(Tensor(scalar: i.domain.add(a, b)))]
  }
}

// MARK: - Contractions

extension FHELinalg.DotEintIntOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let a = try f.enc(operation.operands[0]).elements, c = try f.clear(operation.operands[1]).elements
    let d = i.domain
    var acc = d.zero()
    for k in 0..<a.count { acc = d.mulAddPlain(acc, a[k], c[k]) }
    return [.encrypted(Tensor(scalar: acc))]
  }
}

extension FHELinalg.DotEintEintOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let a = try f.enc(o[0]).elements, b = try f.enc(o[1]).elements
    let prods = try i.mulEint(a, b, type: Interpreter<D>.encType(o[0]), resultWidth: Interpreter<D>.encType(operation.results[0]).width)
    let d = i.domain
    return [.encrypted(Tensor(scalar: prods.reduce(d.zero(), d.add)))]
  }
}

/// The three matrix products share one kernel; the operand types say which side is encrypted.
extension MatMulLikeOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let left = operation.operands[0].type.isEncrypted, right = operation.operands[1].type.isEncrypted
    return [.encrypted(try i.matmul(operation, f, encrypted: left && right ? .both : left ? .left : .right))]
  }
}
extension FHELinalg.MatMulEintIntOp: ExecutableOp {}
extension FHELinalg.MatMulIntEintOp: ExecutableOp {}
extension FHELinalg.MatMulEintEintOp: ExecutableOp {}

extension FHELinalg.SumOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [.encrypted(try i.sum(operation, f))]
  }
}

extension FHELinalg.Conv2dOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [.encrypted(try i.conv2d(operation, f))]
  }
}

extension FHELinalg.Maxpool2dOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [.encrypted(try i.maxpool2d(operation, f))]
  }
}

// MARK: - Data movement: the same code for clear and encrypted elements

extension FHELinalg.TransposeOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let inShape = Interpreter<D>.shape(operation.operands[0])
    let idx = Tensor(shape: inShape, elements: Array(0..<inShape.reduce(1, *))).transposed(permutation)
    return [try RuntimeValue.gather([f.get(operation.operands[0])], idx.elements, shape: idx.shape)]
  }
}

extension FHELinalg.ConcatOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    var base = 0
    var parts: [Tensor<Int>] = []
    for v in operation.operands {
      let s = Interpreter<D>.shape(v)
      let n = s.reduce(1, *)
      parts.append(Tensor(shape: s, elements: Array(base..<(base + n))))
      base += n
    }
    let idx = Tensor.concatenate(parts, axis: axis)
    let values = try operation.operands.map { (v) throws(InterpreterError) in try f.get(v) }
    return [try RuntimeValue.gather(values, idx.elements, shape: idx.shape)]
  }
}

extension FHELinalg.BroadcastOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let out = Interpreter<D>.shape(operation.results[0])
    let idx = Tensor<Int>.broadcastIndices(from: Interpreter<D>.shape(operation.operands[0]), to: out)
    return [try RuntimeValue.gather([f.get(operation.operands[0])], idx, shape: out)]
  }
}

extension FHELinalg.FromElementOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [try RuntimeValue.gather([f.get(operation.operands[0])], [0], shape: [1])]
  }
}

extension FHELinalg.FancyIndexOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let idx = try i.fancyPositions(input: Interpreter<D>.shape(o[0]), indices: f.clear(o[1]))
    return [try RuntimeValue.gather([f.get(o[0])], idx, shape: Interpreter<D>.shape(operation.results[0]))]
  }
}

extension FHELinalg.FancyAssignOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let positions = try i.fancyPositions(input: Interpreter<D>.shape(o[0]), indices: f.clear(o[1]))
    let shape = Interpreter<D>.shape(o[0])
    let n = shape.reduce(1, *)
    var idx = Array(0..<n)
    for (k, p) in positions.enumerated() { idx[p] = n + k }
    return [try RuntimeValue.gather([f.get(o[0]), f.get(o[2])], idx, shape: shape)]
  }
}

// MARK: - Tracing

extension Tracing.TraceCiphertextOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    for c in try f.enc(operation.operands[0]).elements {
      i.trace(Interpreter<D>.traceLine(message, bits: i.domain.traceBits(c), width: 64, nmsb: nmsb))
    }
    return []
  }
}

extension Tracing.TracePlaintextOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let w = operation.operands[0].type.intOrFloatBitWidth ?? 64
    for c in try f.clear(operation.operands[0]).elements {
      i.trace(Interpreter<D>.traceLine(message, bits: UInt64(bitPattern: c), width: w, nmsb: nmsb))
    }
    return []
  }
}

extension Tracing.TraceMessageOp: ExecutableOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    i.trace(message)
    return []
  }
}
