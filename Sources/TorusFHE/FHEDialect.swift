import TorusIR

/// The `FHE` dialect: scalar operations on encrypted integers and booleans (Concrete's `FHE`).
///
/// Every op has MLIR's generic syntax only, e.g.
///
///     %r = "FHE.add_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
public enum FHE: Dialect {
  public static let namespace = "FHE"
  public static var ops: [any OpDefinition.Type] {
    [
      ZeroOp.self, ZeroTensorOp.self, AddEintIntOp.self, AddEintOp.self, SubIntEintOp.self,
      SubEintIntOp.self, SubEintOp.self, NegEintOp.self, MulEintIntOp.self, MulEintOp.self,
      MaxEintOp.self, ToSignedOp.self, ToUnsignedOp.self, ApplyLookupTableOp.self, RoundOp.self,
      LsbOp.self, ReinterpretPrecisionOp.self, ChangePartitionOp.self, GenGateOp.self, MuxOp.self,
      AndOp.self, OrOp.self, NandOp.self, XorOp.self, NotOp.self, ToBoolOp.self, FromBoolOp.self,
    ]
  }

  /// Accepts `eint<p>` / `esint<p>` with p ≥ 1 and `ebool`.
  public static func verifyType(body: String) throws(VerifyError) {
    if body.hasPrefix("eint<") || body.hasPrefix("esint<") {
      guard let t = EncryptedType(body: body) else { throw VerifyError("invalid FHE type '!FHE.\(body)'", prefixOpName: false) }
      if t.width == 0 {
        throw VerifyError("FHE.\(t.isSigned ? "esint" : "eint") doesn't support precision of 0", prefixOpName: false)
      }
      return
    }
    if body == "ebool" { return }
    if body.hasPrefix("partition") { return }
    throw VerifyError("unknown FHE type '!FHE.\(body)'", prefixOpName: false)
  }

  /// Encrypted zero.
  ///
  ///     %z = "FHE.zero"() : () -> !FHE.eint<4>
  public struct ZeroOp: OpDefinition {
    public static let name: OpName = "FHE.zero"
    public static let summary = "Returns a trivial encrypted integer of 0"
    public static let shape = OpShape(operands: 0, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [], results: [.encryptedInteger])
    }
  }

  /// Encrypted tensor of zeros.
  ///
  ///     %z = "FHE.zero_tensor"() : () -> tensor<2x3x!FHE.eint<4>>
  public struct ZeroTensorOp: OpDefinition {
    public static let name: OpName = "FHE.zero_tensor"
    public static let summary = "Creates a new tensor with all elements initialized to an encrypted zero"
    public static let shape = OpShape(operands: 0, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [], results: [.tensorOf(.encryptedInteger)])
    }
  }

  /// Adds a clear integer to an encrypted one.
  ///
  ///     %r = "FHE.add_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  public struct AddEintIntOp: OpDefinition {
    public static let name: OpName = "FHE.add_eint_int"
    public static let summary = "Adds an encrypted integer and a clear integer"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .clearInteger], results: [.encryptedInteger])
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Adds two encrypted integers.
  ///
  ///     %r = "FHE.add_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  public struct AddEintOp: OpDefinition {
    public static let name: OpName = "FHE.add_eint"
    public static let summary = "Adds two encrypted integers"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure, .commutative]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameInputs(operation.operands[0].type, operation.operands[1].type)
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Subtracts an encrypted integer from a clear one (clear operand first).
  ///
  ///     %r = "FHE.sub_int_eint"(%c, %a) : (i5, !FHE.eint<4>) -> !FHE.eint<4>
  public struct SubIntEintOp: OpDefinition {
    public static let name: OpName = "FHE.sub_int_eint"
    public static let summary = "Subtracts an encrypted integer from a clear integer"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.clearInteger, .encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameAsResult(operation.operands[1].type, operation.results[0].type)
    }
  }

  /// Subtracts a clear integer from an encrypted one.
  ///
  ///     %r = "FHE.sub_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  public struct SubEintIntOp: OpDefinition {
    public static let name: OpName = "FHE.sub_eint_int"
    public static let summary = "Subtracts a clear integer from an encrypted integer"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .clearInteger], results: [.encryptedInteger])
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Subtracts two encrypted integers.
  ///
  ///     %r = "FHE.sub_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  public struct SubEintOp: OpDefinition {
    public static let name: OpName = "FHE.sub_eint"
    public static let summary = "Subtracts two encrypted integers"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameInputs(operation.operands[0].type, operation.operands[1].type)
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Negates an encrypted integer (phase negation).
  ///
  ///     %r = "FHE.neg_eint"(%a) : (!FHE.eint<4>) -> !FHE.eint<4>
  public struct NegEintOp: OpDefinition {
    public static let name: OpName = "FHE.neg_eint"
    public static let summary = "Negates an encrypted integer"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Multiplies an encrypted integer by a clear one.
  ///
  ///     %r = "FHE.mul_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  public struct MulEintIntOp: OpDefinition {
    public static let name: OpName = "FHE.mul_eint_int"
    public static let summary = "Multiplies an encrypted integer by a clear integer"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .clearInteger], results: [.encryptedInteger])
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Multiplies two encrypted integers (two table lookups); the result width is free.
  ///
  ///     %r = "FHE.mul_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  public struct MulEintOp: OpDefinition {
    public static let name: OpName = "FHE.mul_eint"
    public static let summary = "Multiplies two encrypted integers"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure, .commutative]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameInputs(operation.operands[0].type, operation.operands[1].type)
    }
  }

  /// Maximum of two encrypted integers (subtraction, relu lookup, addition).
  ///
  ///     %r = "FHE.max_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  public struct MaxEintOp: OpDefinition {
    public static let name: OpName = "FHE.max_eint"
    public static let summary = "Gets the maximum of two encrypted integers"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure, .commutative]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .encryptedInteger], results: [.encryptedInteger])
      try FHEVerify.sameInputs(operation.operands[0].type, operation.operands[1].type)
      try FHEVerify.sameAsResult(operation.operands[0].type, operation.results[0].type)
    }
  }

  /// Casts `eint<p>` to `esint<p>` (phase unchanged).
  ///
  ///     %r = "FHE.to_signed"(%a) : (!FHE.eint<4>) -> !FHE.esint<4>
  public struct ToSignedOp: OpDefinition {
    public static let name: OpName = "FHE.to_signed"
    public static let summary = "Casts an unsigned integer to a signed integer"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedUnsigned], results: [.encryptedSigned])
      if operation.operands[0].type.encryptedElement?.width != operation.results[0].type.encryptedElement?.width {
        throw VerifyError("should have the width of encrypted input and result equal")
      }
    }
  }

  /// Casts `esint<p>` to `eint<p>` (phase unchanged).
  ///
  ///     %r = "FHE.to_unsigned"(%a) : (!FHE.esint<4>) -> !FHE.eint<4>
  public struct ToUnsignedOp: OpDefinition {
    public static let name: OpName = "FHE.to_unsigned"
    public static let summary = "Casts a signed integer to an unsigned integer"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedSigned], results: [.encryptedUnsigned])
      if operation.operands[0].type.encryptedElement?.width != operation.results[0].type.encryptedElement?.width {
        throw VerifyError("should have the width of encrypted input and result equal")
      }
    }
  }

  /// Programmable bootstrap: looks the encrypted value up in a clear table of 2^p entries.
  ///
  ///     %r = "FHE.apply_lookup_table"(%a, %lut) : (!FHE.eint<2>, tensor<4xi64>) -> !FHE.eint<3>
  public struct ApplyLookupTableOp: OpDefinition {
    public static let name: OpName = "FHE.apply_lookup_table"
    public static let summary = "Applies a clear lookup table to an encrypted integer"
    public static let shape = OpShape(operands: 2, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger, .clearTensor], results: [.encryptedInteger])
      let p = operation.operands[0].type.encryptedElement?.width ?? 0
      let lut = operation.operands[1].type
      let size = 1 << min(p, 62)
      guard lut.staticShape == [size] else {
        throw VerifyError(
          ": `lut` (operand #2) inner dimension should have size \(size)(=2^\(p)) to match `ct` (operand #1) elements bitwidth (\(p))")
      }
      guard FHEVerify.isLUTElement(lut.elementType ?? .none) else {
        throw VerifyError("lut must have signless integer elements, with precision not bigger than 64.")
      }
    }
  }

  /// Rounds away the `p - q` least significant bits.
  ///
  ///     %r = "FHE.round"(%a) : (!FHE.eint<5>) -> !FHE.eint<3>
  public struct RoundOp: OpDefinition {
    public static let name: OpName = "FHE.round"
    public static let summary = "Rounds a ciphertext to a smaller precision"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger], results: [.encryptedInteger])
      guard let a = operation.operands[0].type.encryptedElement, let r = operation.results[0].type.encryptedElement else { return }
      if a.width < r.width { throw VerifyError("should have the input width larger than the output width.") }
      if a.isSigned != r.isSigned { throw VerifyError("should have the signedness of encrypted inputs and result equal") }
    }
  }

  /// Least significant bit of the message, as an integer 0/1 of the result width.
  ///
  ///     %r = "FHE.lsb"(%a) : (!FHE.esint<8>) -> !FHE.eint<16>
  public struct LsbOp: OpDefinition {
    public static let name: OpName = "FHE.lsb"
    public static let summary = "Extracts the lowest significant bit at a given precision"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger], results: [.encryptedInteger])
    }
  }

  /// Reads the same phase at another width and signedness.
  ///
  ///     %r = "FHE.reinterpret_precision"(%a) : (!FHE.eint<8>) -> !FHE.eint<4>
  public struct ReinterpretPrecisionOp: OpDefinition {
    public static let name: OpName = "FHE.reinterpret_precision"
    public static let summary = "Reinterprets a ciphertext as a different precision"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedInteger], results: [.encryptedInteger])
    }
  }

  /// Moves a value between crypto-parameter partitions (identity on the message).
  ///
  ///     %r = "FHE.change_partition"(%a) {src = #FHE.partition<…>} : (!FHE.eint<4>) -> !FHE.eint<4>
  public struct ChangePartitionOp: OpDefinition {
    public static let name: OpName = "FHE.change_partition"
    public static let summary = "Changes the partition of a ciphertext"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      let a = operation.operands[0].type
      let r = operation.results[0].type
      if a.isRankedTensor && !r.isRankedTensor { throw VerifyError("output should be a tensor if the input is a tensor") }
      if a.isRankedTensor != r.isRankedTensor { throw VerifyError("input and output should either be both tensors or scalars") }
      if a.isRankedTensor && a.staticShape != r.staticShape { throw VerifyError("input and output tensors should have the same shape") }
      if a.encryptedElement != r.encryptedElement { throw VerifyError("input and output should have the same element type") }
      if operation.attribute("src") != nil && operation.attribute("dest") != nil {
        throw VerifyError("only one partition need to be specified, not both src and dest")
      }
    }
  }

  /// A two-input boolean gate given by its truth table `[f(0,0), f(0,1), f(1,0), f(1,1)]`.
  ///
  ///     %r = "FHE.gen_gate"(%l, %r, %tt) : (!FHE.ebool, !FHE.ebool, tensor<4xi64>) -> !FHE.ebool
  public struct GenGateOp: OpDefinition {
    public static let name: OpName = "FHE.gen_gate"
    public static let summary = "Applies a truth table to two encrypted booleans"
    public static let shape = OpShape(operands: 3, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedBool, .encryptedBool, .clearTensor], results: [.encryptedBool])
      guard operation.operands[2].type.staticShape == [4] else {
        throw VerifyError("truth table should be a tensor of 4 boolean values")
      }
    }
  }

  /// Selects `c2` when `cond` is true, else `c1`.
  ///
  ///     %r = "FHE.mux"(%cond, %c1, %c2) : (!FHE.ebool, !FHE.ebool, !FHE.ebool) -> !FHE.ebool
  public struct MuxOp: OpDefinition {
    public static let name: OpName = "FHE.mux"
    public static let summary = "Multiplexes two encrypted booleans"
    public static let shape = OpShape(operands: 3, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedBool, .encryptedBool, .encryptedBool], results: [.encryptedBool])
    }
  }

  /// Boolean AND.
  ///
  ///     %r = "FHE.and"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  public struct AndOp: BooleanGateOp {
    public static let name: OpName = "FHE.and"
    public static let truthTable: [Int64] = [0, 0, 0, 1]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Boolean OR.
  ///
  ///     %r = "FHE.or"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  public struct OrOp: BooleanGateOp {
    public static let name: OpName = "FHE.or"
    public static let truthTable: [Int64] = [0, 1, 1, 1]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Boolean NAND.
  ///
  ///     %r = "FHE.nand"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  public struct NandOp: BooleanGateOp {
    public static let name: OpName = "FHE.nand"
    public static let truthTable: [Int64] = [1, 1, 1, 0]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Boolean XOR.
  ///
  ///     %r = "FHE.xor"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  public struct XorOp: BooleanGateOp {
    public static let name: OpName = "FHE.xor"
    public static let truthTable: [Int64] = [0, 1, 1, 0]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
  }

  /// Boolean NOT; Concrete lowers it to a phase negation (see Spec/Dialects.md).
  ///
  ///     %r = "FHE.not"(%a) : (!FHE.ebool) -> !FHE.ebool
  public struct NotOp: OpDefinition {
    public static let name: OpName = "FHE.not"
    public static let summary = "Negates an encrypted boolean"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedBool], results: [.encryptedBool])
    }
  }

  /// Casts `eint<1|2>` to `ebool`.
  ///
  ///     %r = "FHE.to_bool"(%a) : (!FHE.eint<2>) -> !FHE.ebool
  public struct ToBoolOp: OpDefinition {
    public static let name: OpName = "FHE.to_bool"
    public static let summary = "Casts an encrypted integer to an encrypted boolean"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedUnsigned], results: [.encryptedBool])
      let w = operation.operands[0].type.encryptedElement?.width ?? 0
      if w != 1 && w != 2 { throw VerifyError("should have 1 or 2 as the width of encrypted input to cast to a boolean") }
    }
  }

  /// Casts `ebool` to `eint<p>`.
  ///
  ///     %r = "FHE.from_bool"(%a) : (!FHE.ebool) -> !FHE.eint<2>
  public struct FromBoolOp: OpDefinition {
    public static let name: OpName = "FHE.from_bool"
    public static let summary = "Casts an encrypted boolean to an encrypted integer"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.encryptedBool], results: [.encryptedUnsigned])
    }
  }
}

/// The two-input boolean gates `and`, `or`, `nand`, `xor`: a `gen_gate` with a fixed table.
public protocol BooleanGateOp: BootstrappingOp, NativeEncodingOnlyOp {
  /// `[f(0,0), f(0,1), f(1,0), f(1,1)]`.
  static var truthTable: [Int64] { get }
}

extension BooleanGateOp {
  public static var shape: OpShape { OpShape(operands: 2, results: 1) }
  public static var traits: OpTraits { [.pure, .commutative] }
  public static var summary: String { "Applies a fixed boolean gate to two encrypted booleans" }
  /// One 2-bit lookup of `2·lhs + rhs`, as `gen_gate`.
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: 2, count: 1, input: NoiseCombination(operands: [0: 4, 1: 1]))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
  public func verify() throws(VerifyError) {
    try FHEVerify.types(operation, operands: [.encryptedBool, .encryptedBool], results: [.encryptedBool])
  }
}

// MARK: - Cost and noise interfaces (Spec/Dialects.md, "Op interfaces")

extension FHE.ZeroOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .noiseless } }
extension FHE.ZeroTensorOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .noiseless } }
extension FHE.AddEintIntOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.AddEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.sum(0, 1)) } }
extension FHE.SubIntEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(1)) } }
extension FHE.SubEintIntOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.SubEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.sum(0, 1)) } }
extension FHE.NegEintOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.ToSignedOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.ToUnsignedOp: LevelledOp, PhaseOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.ChangePartitionOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.NotOp: LevelledOp, NativeEncodingOnlyOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.ToBoolOp: LevelledOp, NativeEncodingOnlyOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.FromBoolOp: LevelledOp, NativeEncodingOnlyOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension FHE.ReinterpretPrecisionOp: LevelledOp, PhaseOp, NativeEncodingOnlyOp {
  public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) }
}

extension FHE.MulEintIntOp: LevelledOp, PhaseOp {
  public var noiseTransfer: NoiseTransfer { .combination(.operand(0, factor: ClearFactors.maxSquare(operation.operands[1]))) }
}

extension FHE.ApplyLookupTableOp: TableLookupOp {
  public var bootstrapGroups: [BootstrapGroup] { lookupPerElement }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension FHE.MulEintOp: BootstrappingOp {
  /// `a·b = S(a+b) − S(a−b)`: two lookups of the sum and the difference.
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: 2 * resultElements, input: .sum(0, 1))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(2)) }
}

extension FHE.MaxEintOp: BootstrappingOp {
  /// `max(a, b) = relu(a − b) + b`.
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: encryptedWidth(operand: 0), count: resultElements, input: .sum(0, 1))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(NoiseCombination(operands: [1: 1], bootstrapOutputs: 1)) }
}

extension FHE.RoundOp: ExactRoundingOp {}
extension FHE.LsbOp: LeastSignificantBitOp {}

extension FHE.GenGateOp: BootstrappingOp, NativeEncodingOnlyOp {
  /// One 2-bit lookup of `2·lhs + rhs`.
  public var bootstrapGroups: [BootstrapGroup] {
    [BootstrapGroup(.lookup, inputWidth: 2, count: 1, input: NoiseCombination(operands: [0: 4, 1: 1]))]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(1)) }
}

extension FHE.MuxOp: BootstrappingOp, NativeEncodingOnlyOp {
  /// Two gates, `c1 ∧ ¬cond` and `c2 ∧ cond`, added.
  public var bootstrapGroups: [BootstrapGroup] {
    [
      BootstrapGroup(.lookup, inputWidth: 2, count: 1, input: NoiseCombination(operands: [1: 4, 0: 1])),
      BootstrapGroup(.lookup, inputWidth: 2, count: 1, input: NoiseCombination(operands: [2: 4, 0: 1])),
    ]
  }
  public var noiseTransfer: NoiseTransfer { .combination(.bootstrapped(2)) }
}
