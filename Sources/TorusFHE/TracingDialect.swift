import TorusIR

/// The `Tracing` dialect: ops that print values while a circuit runs (no results).
///
///     "Tracing.trace_ciphertext"(%a) {msg = "x", nmsb = 4 : i32} : (!FHE.eint<4>) -> ()
public enum Tracing: Dialect {
  public static let namespace = "Tracing"
  public static var ops: [any OpDefinition.Type] { [TraceCiphertextOp.self, TracePlaintextOp.self, TraceMessageOp.self] }

  /// Prints the phase of an encrypted scalar in binary.
  ///
  ///     "Tracing.trace_ciphertext"(%a) {msg = "x", nmsb = 4 : i32} : (!FHE.eint<4>) -> ()
  public struct TraceCiphertextOp: OpDefinition {
    public static let name: OpName = "Tracing.trace_ciphertext"
    public static let summary = "Prints a ciphertext"
    public static let shape = OpShape(operands: 1, results: 0)
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The message printed before the value.
    public var message: String { operation.attribute("msg")?.stringValue ?? "" }
    /// Where a space is inserted in the binary string.
    public var nmsb: Int { Int(operation.attribute("nmsb")?.integerValue ?? 0) }
  }

  /// Prints a clear integer in binary.
  ///
  ///     "Tracing.trace_plaintext"(%c) {msg = "c"} : (i8) -> ()
  public struct TracePlaintextOp: OpDefinition {
    public static let name: OpName = "Tracing.trace_plaintext"
    public static let summary = "Prints a plaintext"
    public static let shape = OpShape(operands: 1, results: 0)
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The message printed before the value.
    public var message: String { operation.attribute("msg")?.stringValue ?? "" }
    /// Where a space is inserted in the binary string.
    public var nmsb: Int { Int(operation.attribute("nmsb")?.integerValue ?? 0) }
    public func verify() throws(VerifyError) {
      try FHEVerify.types(operation, operands: [.clearInteger])
    }
  }

  /// Prints a message.
  ///
  ///     "Tracing.trace_message"() {msg = "hello"} : () -> ()
  public struct TraceMessageOp: OpDefinition {
    public static let name: OpName = "Tracing.trace_message"
    public static let summary = "Prints a message"
    public static let shape = OpShape(operands: 0, results: 0)
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    /// The message.
    public var message: String { operation.attribute("msg")?.stringValue ?? "" }
  }
}

extension DialectRegistry {
  /// Registers FHE, FHELinalg and Tracing.
  public mutating func registerFHEDialects() {
    register(FHE.self)
    register(FHELinalg.self)
    register(Tracing.self)
  }

  /// The core upstream subset plus the FHE dialects.
  public static var fhe: DialectRegistry {
    var r = DialectRegistry.core
    r.registerFHEDialects()
    return r
  }
}

// Tracing ops print and return nothing: no bootstrap, no encrypted result.
extension Tracing.TraceCiphertextOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .noiseless } }
