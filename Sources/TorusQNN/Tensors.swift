import TorusIR

/// A row-major float64 tensor: the value type of calibration and of constants.
public struct FloatTensor: Sendable, Equatable {
  public var shape: [Int]
  public var data: [Double]

  public init(shape: [Int], data: [Double]) {
    precondition(shape.reduce(1, *) == data.count, "mismatch between shape \(shape) and \(data.count) values")
    self.shape = shape
    self.data = data
  }

  public var count: Int { data.count }

  /// `dense<…> : tensor<…xf32>` holding the values rounded to float32.
  public var float32Attribute: Attribute {
    var bytes = [UInt8]()
    bytes.reserveCapacity(data.count * 4)
    for v in data {
      let b = Float(v).bitPattern
      bytes.append(UInt8(b & 0xFF))
      bytes.append(UInt8((b >> 8) & 0xFF))
      bytes.append(UInt8((b >> 16) & 0xFF))
      bytes.append(UInt8(b >> 24))
    }
    let type = QNN.tensorType(shape)
    return .denseElements(DenseElementsAttr(type: type, storage: .raw(bytes), isSplat: false).canonicalized())
  }

  /// Reads a float dense attribute (f32 or f64 elements, splats expanded); nil for anything else.
  public init?(_ attribute: Attribute) {
    guard case .denseElements(let d) = attribute, case .raw(let bytes) = d.storage,
      let shape64 = d.type.shape, case .float(let kind) = d.elementType, kind == .f32 || kind == .f64
    else { return nil }
    let size = kind == .f32 ? 4 : 8
    let n = d.count
    var values = [Double](repeating: 0, count: n)
    guard bytes.count == (d.isSplat ? size : size * n) else { return nil }
    for i in 0..<n {
      let o = d.isSplat ? 0 : i * size
      var raw: UInt64 = 0
      for k in 0..<size { raw |= UInt64(bytes[o + k]) << UInt64(8 * k) }
      values[i] = size == 4 ? Double(Float(bitPattern: UInt32(raw))) : Double(bitPattern: raw)
    }
    self.init(shape: shape64.map { Int($0) }, data: values)
  }
}

/// A row-major int64 tensor: integers travelling in the circuit.
public struct IntTensor: Sendable, Equatable {
  public var shape: [Int]
  public var data: [Int64]

  public init(shape: [Int], data: [Int64]) {
    precondition(shape.reduce(1, *) == data.count, "mismatch between shape \(shape) and \(data.count) values")
    self.shape = shape
    self.data = data
  }

  public var count: Int { data.count }
}

/// Builds the module / function skeletons our importers and lowerings emit.
public enum IRSkeleton {
  /// An empty `builtin.module`.
  public static func module() -> Module {
    let op = Operation(name: BuiltinDialect.ModuleOp.name, definition: DialectRegistry.core.lookup(BuiltinDialect.ModuleOp.name), regionCount: 1)
    op.regions[0].append(Block())
    return Module(operation: op)
  }

  /// Appends `func.func @name(inputs) -> results` to `module`; returns the op and its entry block.
  @discardableResult
  public static func function(
    _ name: String, inputs: [IRType], results: [IRType], argumentAttributes: [AttributeDictionary]? = nil,
    in module: Module
  ) -> (Operation, Block) {
    var props = AttributeDictionary()
    props["sym_name"] = .string(name)
    props["function_type"] = .type(.function(inputs: inputs, results: results))
    if let argumentAttributes { props["arg_attrs"] = .array(argumentAttributes.map { .dictionary($0) }) }
    let op = Operation(
      name: FuncDialect.FuncOp.name, definition: DialectRegistry.core.lookup(FuncDialect.FuncOp.name),
      properties: .dictionary(props), regionCount: 1)
    let block = Block(argumentTypes: inputs)
    op.regions[0].append(block)
    module.body.append(op)
    return (op, block)
  }

  /// The first `func.func` of a module.
  public static func mainFunction(of module: Module) -> FuncDialect.FuncOp? {
    for op in module.body.operations { if let f = FuncDialect.FuncOp(op) { return f } }
    return nil
  }
}
