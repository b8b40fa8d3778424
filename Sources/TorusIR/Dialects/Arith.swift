/// The `arith` dialect subset Concrete programs use: constants and integer arithmetic.
public enum ArithDialect: Dialect {
  public static let namespace = "arith"
  public static var ops: [any OpDefinition.Type] {
    [
      ConstantOp.self,
      AddIOp.self, SubIOp.self, MulIOp.self, DivSIOp.self, RemSIOp.self, AndIOp.self, OrIOp.self,
      XOrIOp.self, ShLIOp.self, ShRSIOp.self, ShRUIOp.self, MaxSIOp.self, MinSIOp.self,
      ExtSIOp.self, ExtUIOp.self, TruncIOp.self, IndexCastOp.self,
    ]
  }

  /// A constant of any type whose `value` attribute it produces.
  ///
  ///     %c1_i32 = arith.constant 1 : i32
  public struct ConstantOp: CustomAssemblyOp {
    public static let name: OpName = "arith.constant"
    public static let summary = "Integer or floating point constant"
    public static let shape = OpShape(operands: 0, results: 1)
    public static let traits: OpTraits = [.pure, .constantLike]
    public static let inherentAttributes = ["value"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var value: Attribute { operation.attribute("value") ?? .unit }

    public func verify() throws(VerifyError) {
      guard let v = operation.attribute("value") else { throw VerifyError("requires attribute 'value'") }
      let t = operation.results[0].type
      guard let vt = v.valueType, vt == t else {
        throw VerifyError("value type must match result type '\(t)'")
      }
    }

    public func fold(constants: [Attribute?]) -> [FoldResult]? { [.attribute(value)] }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      state.attributes = try p.parseOptionalAttributeDictionary()
      let offset = p.currentOffset
      let value = try p.parseAttribute()
      guard let t = value.valueType else { throw p.error("expected a typed attribute", at: offset) }
      state.properties = .dictionary(AttributeDictionary([NamedAttribute("value", value)]))
      state.resultTypes = [t]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.printOptionalAttrDict(operation.attributes)
      p.write(" ")
      p.printAttribute(value)
    }

    public func resultNameHint() -> String? {
      switch value {
      case .integer(let v, let t) where t == .i1: return v.isZero ? "false" : "true"
      case .integer(let v, let t) where t == .index: return "c" + v.decimalString(signed: true)
      case .integer(let v, let t):
        var out = ByteWriter()
        t.print(to: &out)
        let signed: Bool = if case .integer(_, .unsigned) = t { false } else { true }
        return "c" + v.decimalString(signed: signed) + "_" + out.string
      default: return "cst"
      }
    }
  }
}

/// Ops written `%a, %b : type` with one result of the operands' type.
public protocol ArithBinaryOp: CustomAssemblyOp {
  /// Folds two constant operands (nil: no fold, e.g. division by zero).
  static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64?
}

extension ArithBinaryOp {
  public static var shape: OpShape { OpShape(operands: 2, results: 1) }
  public static var traits: OpTraits { [.pure] }

  public func verify() throws(VerifyError) {
    let t = operation.results[0].type
    guard operation.operands.allSatisfy({ $0.type == t }) else {
      throw VerifyError("requires the same type for all operands and results")
    }
  }

  public func fold(constants: [Attribute?]) -> [FoldResult]? {
    guard let a = constants[0]?.integerValue, let b = constants[1]?.integerValue,
      case let t = operation.results[0].type, let w = t.intOrFloatBitWidth, t.isIntegerOrIndex,
      let r = Self.evaluate(a, b, width: w)
    else { return nil }
    return [.attribute(.integer(r, t))]
  }

  public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
    let a = try p.parseOperand()
    try p.parse(.comma, "expected ','")
    let b = try p.parseOperand()
    state.attributes = try p.parseOptionalAttributeDictionary()
    try p.parse(.colon, "expected ':'")
    let t = try p.parseType()
    state.operands = [try p.resolveOperand(a, type: t), try p.resolveOperand(b, type: t)]
    state.resultTypes = [t]
  }

  public func printAssembly(_ p: inout OpAsmPrinter) {
    p.write(" ")
    p.printOperands(operation.operands)
    p.printOptionalAttrDict(operation.attributes)
    p.write(" : ")
    p.printType(operation.results[0].type)
  }
}

/// Ops written `%a : t1 to t2`.
public protocol ArithCastOp: CustomAssemblyOp {}

extension ArithCastOp {
  public static var shape: OpShape { OpShape(operands: 1, results: 1) }
  public static var traits: OpTraits { [.pure] }

  public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
    let a = try p.parseOperand()
    state.attributes = try p.parseOptionalAttributeDictionary()
    try p.parse(.colon, "expected ':'")
    let from = try p.parseType()
    try p.parseKeyword("to")
    let to = try p.parseType()
    state.operands = [try p.resolveOperand(a, type: from)]
    state.resultTypes = [to]
  }

  public func printAssembly(_ p: inout OpAsmPrinter) {
    p.write(" ")
    p.printOperand(operation.operands[0])
    p.printOptionalAttrDict(operation.attributes)
    p.write(" : ")
    p.printType(operation.operands[0].type)
    p.write(" to ")
    p.printType(operation.results[0].type)
  }
}

/// Truncates `v` to `width` bits and sign-extends it back, as a signless integer of that width holds it.
@inlinable func wrapSigned(_ v: Int64, width: Int) -> Int64 {
  guard width < 64 else { return v }
  let shift = Int64(64 - width)
  return (v << shift) >> shift
}


extension ArithDialect {
  public struct AddIOp: ArithBinaryOp {
    public static let name: OpName = "arith.addi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { wrapSigned(a &+ b, width: width) }
  }
  public struct SubIOp: ArithBinaryOp {
    public static let name: OpName = "arith.subi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { wrapSigned(a &- b, width: width) }
  }
  public struct MulIOp: ArithBinaryOp {
    public static let name: OpName = "arith.muli"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { wrapSigned(a &* b, width: width) }
  }
  public struct DivSIOp: ArithBinaryOp {
    public static let name: OpName = "arith.divsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? {
      b == 0 || (a == Int64.min && b == -1) ? nil : wrapSigned(a / b, width: width)
    }
  }
  public struct RemSIOp: ArithBinaryOp {
    public static let name: OpName = "arith.remsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? {
      b == 0 || (a == Int64.min && b == -1) ? nil : wrapSigned(a % b, width: width)
    }
  }
  public struct AndIOp: ArithBinaryOp {
    public static let name: OpName = "arith.andi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { a & b }
  }
  public struct OrIOp: ArithBinaryOp {
    public static let name: OpName = "arith.ori"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { a | b }
  }
  public struct XOrIOp: ArithBinaryOp {
    public static let name: OpName = "arith.xori"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { a ^ b }
  }
  public struct ShLIOp: ArithBinaryOp {
    public static let name: OpName = "arith.shli"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? {
      b < 0 || b >= width ? nil : wrapSigned(a << b, width: width)
    }
  }
  public struct ShRSIOp: ArithBinaryOp {
    public static let name: OpName = "arith.shrsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { b < 0 || b >= width ? nil : a >> b }
  }
  public struct ShRUIOp: ArithBinaryOp {
    public static let name: OpName = "arith.shrui"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? {
      guard b >= 0 && b < width else { return nil }
      let mask: UInt64 = width >= 64 ? ~0 : (1 << UInt64(width)) - 1
      return wrapSigned(Int64(bitPattern: (UInt64(bitPattern: a) & mask) >> UInt64(b)), width: width)
    }
  }
  public struct MaxSIOp: ArithBinaryOp {
    public static let name: OpName = "arith.maxsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { max(a, b) }
  }
  public struct MinSIOp: ArithBinaryOp {
    public static let name: OpName = "arith.minsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public static func evaluate(_ a: Int64, _ b: Int64, width: Int) -> Int64? { min(a, b) }
  }

  public struct ExtSIOp: ArithCastOp {
    public static let name: OpName = "arith.extsi"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func fold(constants: [Attribute?]) -> [FoldResult]? {
      guard let v = constants[0]?.integerValue else { return nil }
      return [.attribute(.integer(v, operation.results[0].type))]
    }
  }
  public struct ExtUIOp: ArithCastOp {
    public static let name: OpName = "arith.extui"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct TruncIOp: ArithCastOp {
    public static let name: OpName = "arith.trunci"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
  public struct IndexCastOp: ArithCastOp {
    public static let name: OpName = "arith.index_cast"
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }
}
