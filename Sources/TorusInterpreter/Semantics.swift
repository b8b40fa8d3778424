import TorusFHE
import TorusIR

/// How an op runs over any `FHEDomain`. The interpreter dispatches on it: an op kind adopts it
/// (here for the FHE dialects, in `FHESemantics.swift`; elsewhere for ops of other packages) and
/// writes its semantics once, for simulate and encrypted mode alike.
public protocol ExecutableOp: OpDefinition {
  /// Computes the op's results from the values in `frame`.
  func execute<D: FHEDomain>(in interpreter: Interpreter<D>, _ frame: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
}

/// Levelled elementwise ops on one encrypted and one clear operand, with numpy broadcasting.
public protocol EncryptedClearElementwise: ExecutableOp, SendableMetatype {
  /// Operand index of the encrypted value (the other is clear).
  static var encryptedOperand: Int { get }
  /// The element rule; `width` is the encrypted width (for encoding clear additions).
  static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ c: Int64, width: Int) -> D.Ciphertext
}

extension EncryptedClearElementwise {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let e = Self.encryptedOperand
    let p = try Interpreter<D>.encType(operation.operands[e]).width
    return [.encrypted(try i.encClear(operation, f, enc: e, clear: 1 - e) { d, a, c in Self.apply(d, a, c, width: p) })]
  }
}

/// Levelled elementwise ops on two encrypted operands, with numpy broadcasting.
public protocol EncryptedPairElementwise: ExecutableOp, SendableMetatype {
  static func apply<D: FHEDomain>(_ d: D, _ a: D.Ciphertext, _ b: D.Ciphertext) -> D.Ciphertext
}

extension EncryptedPairElementwise {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [.encrypted(try i.encEnc(operation, f) { d, a, b in Self.apply(d, a, b) })]
  }
}

/// Ops that keep the phase and only change how it is read (casts, partitions): the operand as is.
public protocol PhasePreservingCast: ExecutableOp {}

extension PhasePreservingCast {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [try f.get(operation.operands[0])]
  }
}

/// Elementwise negation of an encrypted tensor or scalar.
public protocol PhaseNegation: ExecutableOp {}

extension PhaseNegation {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let d = i.domain
    return [.encrypted(try f.enc(operation.operands[0]).map { d.negate($0) })]
  }
}

/// Encrypted zeros of the result shape.
public protocol EncryptedZeros: ExecutableOp {}

extension EncryptedZeros {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let s = Interpreter<D>.shape(operation.results[0])
    return [.encrypted(Tensor(shape: s, elements: [D.Ciphertext](repeating: i.domain.zero(), count: s.reduce(1, *))))]
  }
}

/// `mul_eint`: two lookups per element at the result width.
public protocol EncryptedProduct: ExecutableOp {}

extension EncryptedProduct {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    let o = operation.operands
    let out = Interpreter<D>.shape(operation.results[0])
    let a = try f.enc(o[0]).broadcast(to: out), b = try f.enc(o[1]).broadcast(to: out)
    let r = try i.mulEint(
      a.elements, b.elements, type: Interpreter<D>.encType(o[0]), resultWidth: Interpreter<D>.encType(operation.results[0]).width)
    return [.encrypted(Tensor(shape: out, elements: r))]
  }
}

/// Exact rounding and lsb run elementwise from the operand's width to the result's.
extension ExactRoundingOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [try i.widthChange(operation, f) { (xs, p, q) throws(InterpreterError) in try i.round(xs, from: p, to: q) }]
  }
}

extension LeastSignificantBitOp {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [try i.widthChange(operation, f) { (xs, p, q) throws(InterpreterError) in try i.lsb(xs, from: p, to: q) }]
  }
}

extension Interpreter {
  /// Applies `body(elements, operand width, result width)` to operand #0, keeping its shape.
  func widthChange(_ op: Operation, _ f: Frame, _ body: ([C], Int, Int) throws(InterpreterError) -> [C]) throws(InterpreterError)
    -> RuntimeValue<C>
  {
    let t = try f.enc(op.operands[0])
    let r = try body(t.elements, Self.encType(op.operands[0]).width, Self.encType(op.results[0]).width)
    return .encrypted(Tensor(shape: t.shape, elements: r))
  }

  /// One lookup per element of operand #0 with the tables of operand #1 (element `k` uses
  /// table `selectors[k]`).
  func tableLookup(_ op: Operation, _ f: Frame, selectors: (_ elements: Int, _ tables: Int) throws(InterpreterError) -> [Int32]?)
    throws(InterpreterError) -> RuntimeValue<C>
  {
    let t = try f.enc(op.operands[0])
    let tables = try cachedTables(op, f)
    let r = try lookup(
      t.elements, input: Self.encType(op.operands[0]), result: Self.encType(op.results[0]), tables: tables,
      selectors: selectors(t.elements.count, tables.count))
    return .encrypted(Tensor(shape: t.shape, elements: r))
  }
}

/// One lookup per element with the single table of operand #1.
public protocol SingleTableLookup: ExecutableOp {}

extension SingleTableLookup {
  public func execute<D: FHEDomain>(in i: Interpreter<D>, _ f: inout Interpreter<D>.Frame) throws(InterpreterError)
    -> [RuntimeValue<D.Ciphertext>]
  {
    [try i.tableLookup(operation, f) { _, _ in nil }]
  }
}
