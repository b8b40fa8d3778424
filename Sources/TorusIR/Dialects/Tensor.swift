/// The `tensor` dialect subset Concrete programs use, with upstream's custom syntax.
public enum TensorDialect: Dialect {
  public static let namespace = "tensor"
  public static var ops: [any OpDefinition.Type] { [
    ExtractOp.self, InsertOp.self, FromElementsOp.self, ExtractSliceOp.self, InsertSliceOp.self,
    CollapseShapeOp.self, ExpandShapeOp.self, EmptyOp.self,
  ] }

  /// Reads `[a, %v, …]`: static integers and SSA values (dynamic entries).
  static func parseMixedList(_ p: OpAsmParser) throws(ParseError) -> (statics: [Int64], dynamics: [UnresolvedOperand]) {
    var statics: [Int64] = []
    var dynamics: [UnresolvedOperand] = []
    try p.parseList(open: .lSquare, close: .rSquare, context: "index list") { () throws(ParseError) in
      if let o = try p.parseOptionalOperand() {
        dynamics.append(o)
        statics.append(dynamicSize)
      } else {
        statics.append(try p.parseInteger())
      }
    }
    return (statics, dynamics)
  }

  static func printMixedList(_ p: inout OpAsmPrinter, statics: [Int64], dynamics: ArraySlice<Value>) {
    var it = dynamics.makeIterator()
    p.write("[")
    for (i, s) in statics.enumerated() {
      if i > 0 { p.write(", ") }
      if s == dynamicSize, let v = it.next() { p.printOperand(v) } else { p.write(String(s)) }
    }
    p.write("]")
  }

  static func denseI64(_ op: Operation, _ name: String) -> [Int64] {
    if case .denseArray(_, let v)? = op.attribute(name) { return v }
    return []
  }

  static func segmentSizes(_ op: Operation) -> [Int] {
    denseI64(op, "operandSegmentSizes").map { Int($0) }
  }

  typealias MixedList = (statics: [Int64], dynamics: [UnresolvedOperand])

  /// `[offsets] [sizes] [strides]` of a slice op.
  static func parseSliceLists(_ p: OpAsmParser) throws(ParseError) -> [MixedList] {
    [try parseMixedList(p), try parseMixedList(p), try parseMixedList(p)]
  }

  /// The properties of a slice op: segment sizes (after `leading` fixed operands) and static lists.
  static func sliceProperties(leadingOperands: Int, _ lists: [MixedList]) -> Attribute {
    .dictionary(AttributeDictionary([
      NamedAttribute("operandSegmentSizes", .denseArray(element: .i(32), values: [Int64](repeating: 1, count: leadingOperands) + lists.map { Int64($0.dynamics.count) })),
      NamedAttribute("static_offsets", .denseArray(element: .i64, values: lists[0].statics)),
      NamedAttribute("static_sizes", .denseArray(element: .i64, values: lists[1].statics)),
      NamedAttribute("static_strides", .denseArray(element: .i64, values: lists[2].statics)),
    ]))
  }

  /// Prints `[offsets] [sizes] [strides]` with dynamic entries from the operands after `leading`.
  static func printSliceLists(_ p: inout OpAsmPrinter, _ op: Operation, leadingOperands: Int) {
    let seg = segmentSizes(op)
    let ops = op.operands
    var k = leadingOperands
    for (i, name) in ["static_offsets", "static_sizes", "static_strides"].enumerated() {
      if i > 0 { p.write(" ") }
      let n = seg.count > i + leadingOperands ? seg[i + leadingOperands] : 0
      printMixedList(&p, statics: denseI64(op, name), dynamics: ops[k..<min(k + n, ops.count)])
      k += n
    }
  }

  static func parseReassociation(_ p: OpAsmParser) throws(ParseError) -> Attribute {
    var groups: [Attribute] = []
    try p.parseList(open: .lSquare, close: .rSquare, context: "reassociation") { () throws(ParseError) in
      var group: [Attribute] = []
      try p.parseList(open: .lSquare, close: .rSquare, context: "reassociation group") { () throws(ParseError) in
        group.append(.integer(try p.parseInteger(), .i64))
      }
      groups.append(.array(group))
    }
    return .array(groups)
  }

  /// Extracts one element.
  ///
  ///     %e = tensor.extract %t[%i, %j] : tensor<2x10xi64>
  public struct ExtractOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.extract"
    public static let summary = "Element extraction operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "extracted" }

    public func verify() throws(VerifyError) {
      guard let shape = operation.operands.first?.type.shape else { throw VerifyError("operand #0 must be ranked tensor") }
      guard operation.operands.count == shape.count + 1 else { throw VerifyError("incorrect number of indices for extract_element") }
      guard operation.results[0].type == operation.operands[0].type.elementType else {
        throw VerifyError("result type must match the element type of the tensor")
      }
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let t = try p.parseOperand()
      var indices: [UnresolvedOperand] = []
      try p.parseList(open: .lSquare, close: .rSquare, context: "index list") { () throws(ParseError) in
        indices.append(try p.parseOperand())
      }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let type = try p.parseType()
      guard let element = type.elementType else { throw p.error("expected a tensor type") }
      state.operands = [try p.resolveOperand(t, type: type)]
      for i in indices { state.operands.append(try p.resolveOperand(i, type: .index)) }
      state.resultTypes = [element]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      p.write("[")
      p.printOperands(Array(operation.operands.dropFirst()))
      p.write("]")
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.operands[0].type)
    }
  }

  /// Inserts one element, giving a new tensor.
  ///
  ///     %r = tensor.insert %v into %t[%i] : tensor<10xi64>
  public struct InsertOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.insert"
    public static let summary = "Element insertion operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "inserted" }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let v = try p.parseOperand()
      try p.parseKeyword("into")
      let t = try p.parseOperand()
      var indices: [UnresolvedOperand] = []
      try p.parseList(open: .lSquare, close: .rSquare, context: "index list") { () throws(ParseError) in
        indices.append(try p.parseOperand())
      }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let type = try p.parseType()
      guard let element = type.elementType else { throw p.error("expected a tensor type") }
      state.operands = [try p.resolveOperand(v, type: element), try p.resolveOperand(t, type: type)]
      for i in indices { state.operands.append(try p.resolveOperand(i, type: .index)) }
      state.resultTypes = [type]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      p.write(" into ")
      p.printOperand(operation.operands[1])
      p.write("[")
      p.printOperands(Array(operation.operands.dropFirst(2)))
      p.write("]")
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.results[0].type)
    }
  }

  /// Builds a tensor from scalars, in row-major order.
  ///
  ///     %t = tensor.from_elements %a, %b : tensor<2x!FHE.eint<4>>
  public struct FromElementsOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.from_elements"
    public static let summary = "Tensor from elements operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "from_elements" }

    public func verify() throws(VerifyError) {
      let t = operation.results[0].type
      guard let n = t.staticElementCount, n == operation.operands.count else {
        throw VerifyError("number of operands and types do not match: got \(operation.operands.count) operands and \(t.staticElementCount ?? 0) types")
      }
      guard operation.operands.allSatisfy({ $0.type == t.elementType }) else {
        throw VerifyError("operand types must match the result element type")
      }
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      var elements: [UnresolvedOperand] = []
      if p.token.kind == .percentIdentifier {
        try p.parseCommaSeparated { () throws(ParseError) in elements.append(try p.parseOperand()) }
      }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let type = try p.parseType()
      guard let element = type.elementType else { throw p.error("expected a tensor type") }
      for e in elements { state.operands.append(try p.resolveOperand(e, type: element)) }
      state.resultTypes = [type]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperands(operation.operands)
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.results[0].type)
    }
  }

  /// Takes a strided slice.
  ///
  ///     %s = tensor.extract_slice %t[0, %i] [3, 1] [1, 1] : tensor<3x2xi8> to tensor<3x1xi8>
  public struct ExtractSliceOp: SliceOp {
    public static let name: OpName = "tensor.extract_slice"
    public static let summary = "Extract slice operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "extracted_slice" }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let src = try p.parseOperand()
      let lists = try TensorDialect.parseSliceLists(p)
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let srcType = try p.parseType()
      try p.parseKeyword("to")
      let resultType = try p.parseType()
      state.operands = [try p.resolveOperand(src, type: srcType)]
      for o in lists.flatMap(\.dynamics) { state.operands.append(try p.resolveOperand(o, type: .index)) }
      state.resultTypes = [resultType]
      state.properties = TensorDialect.sliceProperties(leadingOperands: 1, lists)
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      TensorDialect.printSliceLists(&p, operation, leadingOperands: 1)
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.operands[0].type)
      p.write(" to ")
      p.printType(operation.results[0].type)
    }
  }

  /// Inserts a slice into a tensor.
  ///
  ///     %r = tensor.insert_slice %s into %t[0, 5] [2, 2] [1, 1] : tensor<2x2xi8> into tensor<2x10xi8>
  public struct InsertSliceOp: SliceOp {
    public static let name: OpName = "tensor.insert_slice"
    public static let summary = "Insert slice operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "inserted_slice" }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let src = try p.parseOperand()
      try p.parseKeyword("into")
      let dest = try p.parseOperand()
      let lists = try TensorDialect.parseSliceLists(p)
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let srcType = try p.parseType()
      try p.parseKeyword("into")
      let destType = try p.parseType()
      state.operands = [try p.resolveOperand(src, type: srcType), try p.resolveOperand(dest, type: destType)]
      for o in lists.flatMap(\.dynamics) { state.operands.append(try p.resolveOperand(o, type: .index)) }
      state.resultTypes = [destType]
      state.properties = TensorDialect.sliceProperties(leadingOperands: 2, lists)
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      p.write(" into ")
      p.printOperand(operation.operands[1])
      TensorDialect.printSliceLists(&p, operation, leadingOperands: 2)
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.operands[0].type)
      p.write(" into ")
      p.printType(operation.results[0].type)
    }
  }

  /// Merges groups of adjacent dimensions.
  ///
  ///     %r = tensor.collapse_shape %t [[0, 1], [2]] : tensor<1x2x3xi8> into tensor<2x3xi8>
  public struct CollapseShapeOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.collapse_shape"
    public static let summary = "Operation to produce a tensor with a smaller rank"
    public static let shape = OpShape(operands: 1, results: 1)
    public static let traits: OpTraits = [.pure]
    public static let inherentAttributes = ["reassociation"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "collapsed" }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let src = try p.parseOperand()
      let reassociation = try TensorDialect.parseReassociation(p)
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let srcType = try p.parseType()
      try p.parseKeyword("into")
      let resultType = try p.parseType()
      state.operands = [try p.resolveOperand(src, type: srcType)]
      state.resultTypes = [resultType]
      state.properties = .dictionary(AttributeDictionary([NamedAttribute("reassociation", reassociation)]))
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      p.write(" ")
      p.printAttribute(operation.attribute("reassociation") ?? .array([]))
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.operands[0].type)
      p.write(" into ")
      p.printType(operation.results[0].type)
    }
  }

  /// Splits dimensions into groups; accepts both the MLIR 19 spelling (`output_shape`) and the older one.
  ///
  ///     %r = tensor.expand_shape %t [[0, 1], [2]] output_shape [1, 2, 3] : tensor<2x3xi8> into tensor<1x2x3xi8>
  public struct ExpandShapeOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.expand_shape"
    public static let summary = "Operation to produce a tensor with a higher rank"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public static let inherentAttributes = ["reassociation", "static_output_shape"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }
    public func resultNameHint() -> String? { "expanded" }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let src = try p.parseOperand()
      let reassociation = try TensorDialect.parseReassociation(p)
      var outputShape: (statics: [Int64], dynamics: [UnresolvedOperand])?
      if p.parseOptionalKeyword("output_shape") { outputShape = try TensorDialect.parseMixedList(p) }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let srcType = try p.parseType()
      try p.parseKeyword("into")
      let resultType = try p.parseType()
      state.operands = [try p.resolveOperand(src, type: srcType)]
      for o in outputShape?.dynamics ?? [] { state.operands.append(try p.resolveOperand(o, type: .index)) }
      state.resultTypes = [resultType]
      state.properties = .dictionary(AttributeDictionary([
        NamedAttribute("reassociation", reassociation),
        NamedAttribute("static_output_shape", .denseArray(element: .i64, values: outputShape?.statics ?? resultType.shape ?? [])),
      ]))
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printOperand(operation.operands[0])
      p.write(" ")
      p.printAttribute(operation.attribute("reassociation") ?? .array([]))
      // Without `static_output_shape` (a static result, built by a lowering), the pre-MLIR-19
      // spelling that Concrete prints.
      if operation.attribute("static_output_shape") != nil || operation.operands.count > 1 {
        p.write(" output_shape ")
        TensorDialect.printMixedList(&p, statics: TensorDialect.denseI64(operation, "static_output_shape"), dynamics: operation.operands.dropFirst())
      }
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.operands[0].type)
      p.write(" into ")
      p.printType(operation.results[0].type)
    }
  }

  /// An uninitialised tensor.
  ///
  ///     %t = tensor.empty() : tensor<2x3xi8>
  public struct EmptyOp: CustomAssemblyOp {
    public static let name: OpName = "tensor.empty"
    public static let summary = "Empty tensor operation"
    public static let shape = OpShape(results: 1)
    public static let traits: OpTraits = [.pure]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      var sizes: [UnresolvedOperand] = []
      try p.parseList(open: .lParen, close: .rParen, context: "dynamic sizes") { () throws(ParseError) in
        sizes.append(try p.parseOperand())
      }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let type = try p.parseType()
      for s in sizes { state.operands.append(try p.resolveOperand(s, type: .index)) }
      state.resultTypes = [type]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write("(")
      p.printOperands(operation.operands)
      p.write(")")
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(operation.results[0].type)
    }
  }
}

/// Ops addressing a strided slice with `[offsets] [sizes] [strides]`: static values in properties,
/// dynamic ones as trailing operands.
public protocol SliceOp: CustomAssemblyOp {}

extension SliceOp {
  public static var inherentAttributes: [String] { ["operandSegmentSizes", "static_offsets", "static_sizes", "static_strides"] }
  public var staticOffsets: [Int64] { TensorDialect.denseI64(operation, "static_offsets") }
  public var staticSizes: [Int64] { TensorDialect.denseI64(operation, "static_sizes") }
  public var staticStrides: [Int64] { TensorDialect.denseI64(operation, "static_strides") }
}
