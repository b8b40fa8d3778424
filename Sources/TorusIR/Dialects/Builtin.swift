/// The `builtin` dialect: the module op.
public enum BuiltinDialect: Dialect {
  public static let namespace = "builtin"
  public static var ops: [any OpDefinition.Type] { [ModuleOp.self] }

  /// A top-level container of ops with one block and no terminator; a symbol table.
  ///
  ///     module @name attributes {…} { … }
  public struct ModuleOp: CustomAssemblyOp {
    public static let name: OpName = "builtin.module"
    public static let summary = "A top-level container operation"
    public static let shape = OpShape(operands: 0, results: 0, regions: 1)
    public static let traits: OpTraits = [.isolatedFromAbove, .symbolTable, .noTerminator, .graphRegions]
    public static let inherentAttributes = ["sym_name", "sym_visibility"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var body: Block? { operation.regions.first?.blocks.first }
    public var symbolName: String? { operation.attribute("sym_name")?.stringValue }

    public func verify() throws(VerifyError) {
      guard operation.regions[0].blocks.count == 1 else {
        throw VerifyError("expects region #0 to have 0 or 1 blocks")
      }
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      var props = AttributeDictionary()
      if p.token.kind == .atIdentifier { props["sym_name"] = .string(try p.parseSymbolName()) }
      if p.parseOptionalKeyword("attributes") { state.attributes = try p.parseAttributeDictionary() }
      if !props.isEmpty { state.properties = .dictionary(props) }
      let region = try p.parseRegion(arguments: [], isolated: true)
      if region.blocks.isEmpty { region.append(Block()) }
      state.regions = [region]
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      if let n = symbolName {
        p.write(" ")
        p.printSymbolName(n)
      }
      p.printOptionalAttrDict(operation.attributes, keyword: true)
      p.write(" ")
      p.printRegion(operation.regions[0], printEntryBlockArgs: false)
    }
  }
}

/// The `func` dialect: functions, calls and returns.
public enum FuncDialect: Dialect {
  public static let namespace = "func"
  public static var ops: [any OpDefinition.Type] { [FuncOp.self, ReturnOp.self, CallOp.self] }

  /// A function: a symbol with a signature and a body region (none for a declaration).
  ///
  ///     func.func @f(%a: i32) -> i32 { … }
  public struct FuncOp: CustomAssemblyOp {
    public static let name: OpName = "func.func"
    public static let summary = "An operation with a name containing a single SSACFG region"
    public static let shape = OpShape(operands: 0, results: 0, regions: 1)
    public static let traits: OpTraits = [.isolatedFromAbove]
    public static let inherentAttributes = ["arg_attrs", "function_type", "res_attrs", "sym_name", "sym_visibility"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var symbolName: String { operation.attribute("sym_name")?.stringValue ?? "" }
    public var functionType: (inputs: [IRType], results: [IRType]) {
      if case .type(.function(let i, let r))? = operation.attribute("function_type") { return (i, r) }
      return ([], [])
    }
    public var body: Block? { operation.regions[0].blocks.first }
    public var isDeclaration: Bool { operation.regions[0].isEmpty }

    public func verify() throws(VerifyError) {
      guard case .type(.function(let inputs, _))? = operation.attribute("function_type") else {
        throw VerifyError("requires attribute 'function_type'")
      }
      guard operation.attribute("sym_name")?.stringValue != nil else { throw VerifyError("requires attribute 'sym_name'") }
      if let entry = body {
        guard entry.arguments.count == inputs.count else {
          throw VerifyError("entry block must have \(inputs.count) arguments to match function signature")
        }
        for (i, (a, t)) in zip(entry.arguments, inputs).enumerated() where a.type != t {
          throw VerifyError("type of entry block argument #\(i)(\(a.type)) must match the type of the corresponding argument in function signature(\(t))")
        }
      }
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      var props = AttributeDictionary()
      if let vis = ["private", "public", "nested"].first(where: { p.isKeyword($0) }) {
        _ = p.parseOptionalKeyword(vis)
        props["sym_visibility"] = .string(vis)
      }
      props["sym_name"] = .string(try p.parseSymbolName())
      var args: [ArgumentDefinition] = []
      var inputs: [IRType] = []
      var argAttrs: [Attribute] = []
      try p.parseList(open: .lParen, close: .rParen, context: "argument list") { () throws(ParseError) in
        if p.token.kind == .percentIdentifier {
          let operand = try p.parseOperand()
          try p.parse(.colon, "expected ':'")
          let type = try p.parseType()
          let attrs = try p.parseOptionalAttributeDictionary()
          var loc: Location?
          if p.isKeyword("loc") { loc = try p.parseLocationLiteral() }
          args.append(ArgumentDefinition(operand: operand, type: type, attributes: attrs, location: loc))
          inputs.append(type)
          argAttrs.append(.dictionary(attrs))
        } else {
          if !args.isEmpty { throw p.error("expected SSA identifier") }
          inputs.append(try p.parseType())
          argAttrs.append(.dictionary(try p.parseOptionalAttributeDictionary()))
        }
      }
      var results: [IRType] = []
      var resAttrs: [Attribute] = []
      if p.parseOptional(.arrow) {
        if p.token.kind == .lParen {
          try p.parseList(open: .lParen, close: .rParen, context: "function result list") { () throws(ParseError) in
            results.append(try p.parseType())
            resAttrs.append(.dictionary(try p.parseOptionalAttributeDictionary()))
          }
        } else {
          results.append(try p.parseType())
          resAttrs.append(.dictionary(AttributeDictionary()))
        }
      }
      props["function_type"] = .type(.function(inputs: inputs, results: results))
      if argAttrs.contains(where: { $0 != .dictionary(AttributeDictionary()) }) { props["arg_attrs"] = .array(argAttrs) }
      if resAttrs.contains(where: { $0 != .dictionary(AttributeDictionary()) }) { props["res_attrs"] = .array(resAttrs) }
      if p.parseOptionalKeyword("attributes") { state.attributes = try p.parseAttributeDictionary() }
      state.properties = .dictionary(props)
      if p.token.kind == .lBrace {
        state.regions = [try p.parseRegion(arguments: args, isolated: true)]
      } else {
        if !args.isEmpty { throw p.error("expected '{' to begin a function body") }
        state.regions = [Region()]
      }
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      if let vis = operation.attribute("sym_visibility")?.stringValue {
        p.write(vis)
        p.write(" ")
      }
      p.printSymbolName(symbolName)
      let (inputs, results) = functionType
      let argAttrs = operation.attribute("arg_attrs")?.arrayValue
      let resAttrs = operation.attribute("res_attrs")?.arrayValue
      p.write("(")
      for (i, t) in inputs.enumerated() {
        if i > 0 { p.write(", ") }
        if let entry = body {
          p.printOperand(entry.arguments[i])
          p.write(": ")
        }
        p.printType(t)
        if let d = argAttrs?[i].dictionaryValue { p.printOptionalAttrDict(d) }
      }
      p.write(")")
      if !results.isEmpty {
        p.write(" -> ")
        let needParens = results.count > 1 || resAttrs != nil || { if case .function = results[0] { true } else { false } }()
        if needParens { p.write("(") }
        for (i, t) in results.enumerated() {
          if i > 0 { p.write(", ") }
          p.printType(t)
          if let d = resAttrs?[i].dictionaryValue { p.printOptionalAttrDict(d) }
        }
        if needParens { p.write(")") }
      }
      p.printOptionalAttrDict(operation.attributes, keyword: true)
      if !isDeclaration {
        p.write(" ")
        p.printRegion(operation.regions[0], printEntryBlockArgs: false)
      }
    }
  }

  /// Returns from a function.
  ///
  ///     return %a, %b : i32, f32
  public struct ReturnOp: CustomAssemblyOp {
    public static let name: OpName = "func.return"
    public static let summary = "Function return operation"
    public static let shape = OpShape(results: 0)
    public static let traits: OpTraits = [.pure, .terminator]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public func verify() throws(VerifyError) {
      guard let fn = operation.parentOp, let f = FuncOp(fn) else {
        throw VerifyError("expects parent op 'func.func'")
      }
      let results = f.functionType.results
      guard results.count == operation.operands.count else {
        throw VerifyError("has \(operation.operands.count) operands, but enclosing function (@\(f.symbolName)) returns \(results.count)")
      }
      for (i, (v, t)) in zip(operation.operands, results).enumerated() where v.type != t {
        throw VerifyError(
          "type of return operand \(i) ('\(v.type)') doesn't match function result type ('\(t)') in function @\(f.symbolName)",
          prefixOpName: false)
      }
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      var operands: [UnresolvedOperand] = []
      if p.token.kind == .percentIdentifier {
        try p.parseCommaSeparated { () throws(ParseError) in operands.append(try p.parseOperand()) }
        try p.parse(.colon, "expected ':'")
        var types: [IRType] = []
        try p.parseCommaSeparated { () throws(ParseError) in types.append(try p.parseType()) }
        guard types.count == operands.count else {
          throw p.error("\(operands.count) operands present, but expected \(types.count)")
        }
        for (o, t) in zip(operands, types) { state.operands.append(try p.resolveOperand(o, type: t)) }
      }
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      guard !operation.operands.isEmpty else { return }
      p.write(" ")
      p.printOperands(operation.operands)
      p.write(" : ")
      p.printTypes(operation.operands.map(\.type))
    }
  }

  /// Calls a function by symbol.
  ///
  ///     %r = func.call @f(%a) : (i32) -> i32
  public struct CallOp: CustomAssemblyOp {
    public static let name: OpName = "func.call"
    public static let summary = "Call operation"
    public static let inherentAttributes = ["callee"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public var callee: String? {
      if case .symbolRef(let root, _)? = operation.attribute("callee") { return root }
      return nil
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let callee = try p.parseSymbolName()
      var operands: [UnresolvedOperand] = []
      try p.parseList(open: .lParen, close: .rParen, context: "operand list") { () throws(ParseError) in
        operands.append(try p.parseOperand())
      }
      state.attributes = try p.parseOptionalAttributeDictionary()
      try p.parse(.colon, "expected ':'")
      let offset = p.currentOffset
      guard case .function(let inputs, let results) = try p.parseType(), inputs.count == operands.count else {
        throw p.error("expected function type matching the operands", at: offset)
      }
      for (o, t) in zip(operands, inputs) { state.operands.append(try p.resolveOperand(o, type: t)) }
      state.resultTypes = results
      state.properties = .dictionary(AttributeDictionary([NamedAttribute("callee", .symbolRef(root: callee, nested: []))]))
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      p.printSymbolName(callee ?? "")
      p.write("(")
      p.printOperands(operation.operands)
      p.write(")")
      p.printOptionalAttrDict(operation.attributes)
      p.write(" : ")
      p.printType(.function(inputs: operation.operands.map(\.type), results: operation.results.map(\.type)))
    }
  }
}

/// The `cf` dialect: unstructured branches.
public enum ControlFlowDialect: Dialect {
  public static let namespace = "cf"
  public static var ops: [any OpDefinition.Type] { [BranchOp.self, CondBranchOp.self] }

  /// `^bb(%a, %b : t1, t2)`: a successor and the operands it receives.
  static func parseSuccessorAndOperands(_ p: OpAsmParser) throws(ParseError) -> (Block, [Value]) {
    let block = try p.parseSuccessor()
    var values: [Value] = []
    if p.parseOptional(.lParen) {
      var operands: [UnresolvedOperand] = []
      try p.parseCommaSeparated { () throws(ParseError) in operands.append(try p.parseOperand()) }
      try p.parse(.colon, "expected ':'")
      var types: [IRType] = []
      try p.parseCommaSeparated { () throws(ParseError) in types.append(try p.parseType()) }
      guard types.count == operands.count else { throw p.error("expected \(operands.count) types") }
      try p.parse(.rParen, "expected ')'")
      for (o, t) in zip(operands, types) { values.append(try p.resolveOperand(o, type: t)) }
    }
    return (block, values)
  }

  /// Forwarded operands must match the successor's arguments in number and type.
  static func checkForwarded(_ operands: ArraySlice<Value>, to block: Block) throws(VerifyError) {
    guard operands.count == block.arguments.count else {
      throw VerifyError("branch has \(operands.count) operands for successor, but target block has \(block.arguments.count)")
    }
    for (i, (v, a)) in zip(operands, block.arguments).enumerated() where v.type != a.type {
      throw VerifyError("type mismatch for bb argument #\(i) of successor: '\(v.type)' vs '\(a.type)'")
    }
  }

  static func printSuccessor(_ p: inout OpAsmPrinter, _ block: Block, _ operands: ArraySlice<Value>) {
    p.write(p.name(of: block))
    guard !operands.isEmpty else { return }
    p.write("(")
    p.printOperands(Array(operands))
    p.write(" : ")
    p.printTypes(operands.map(\.type))
    p.write(")")
  }

  /// Unconditional branch, forwarding its operands to the successor's arguments.
  ///
  ///     cf.br ^bb3(%0 : i32)
  public struct BranchOp: CustomAssemblyOp {
    public static let name: OpName = "cf.br"
    public static let shape = OpShape(results: 0, regions: 0, successors: 1)
    public static let traits: OpTraits = [.pure, .terminator]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public func verify() throws(VerifyError) {
      try ControlFlowDialect.checkForwarded(operation.operands[...], to: operation.successors[0])
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let (block, values) = try ControlFlowDialect.parseSuccessorAndOperands(p)
      state.successors = [block]
      state.operands = values
      state.attributes = try p.parseOptionalAttributeDictionary()
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      p.write(" ")
      ControlFlowDialect.printSuccessor(&p, operation.successors[0], operation.operands[...])
      p.printOptionalAttrDict(operation.attributes)
    }
  }

  /// Conditional branch: `operandSegmentSizes` splits the condition and the two operand lists.
  ///
  ///     cf.cond_br %c, ^bb1(%a : i32), ^bb2
  public struct CondBranchOp: CustomAssemblyOp {
    public static let name: OpName = "cf.cond_br"
    public static let shape = OpShape(results: 0, regions: 0, successors: 2)
    public static let traits: OpTraits = [.pure, .terminator]
    public static let inherentAttributes = ["operandSegmentSizes"]
    public let operation: Operation
    public init(unchecked operation: Operation) { self.operation = operation }

    public func verify() throws(VerifyError) {
      let seg = TensorDialect.segmentSizes(operation)
      guard seg.count == 3, seg.reduce(0, +) == operation.operands.count, seg[0] == 1 else {
        throw VerifyError("operandSegmentSizes must be [1, #true operands, #false operands] summing to \(operation.operands.count)")
      }
      guard operation.operands[0].type == .i1 else { throw VerifyError("operand #0 must be 1-bit signless integer, but got '\(operation.operands[0].type)'") }
      try ControlFlowDialect.checkForwarded(operation.operands[1..<(1 + seg[1])], to: operation.successors[0])
      try ControlFlowDialect.checkForwarded(operation.operands[(1 + seg[1])...], to: operation.successors[1])
    }

    public static func parseAssembly(_ p: OpAsmParser, _ state: inout OperationState) throws(ParseError) {
      let c = try p.parseOperand()
      try p.parse(.comma, "expected ','")
      let (t, tv) = try ControlFlowDialect.parseSuccessorAndOperands(p)
      try p.parse(.comma, "expected ','")
      let (f, fv) = try ControlFlowDialect.parseSuccessorAndOperands(p)
      state.attributes = try p.parseOptionalAttributeDictionary()
      state.operands = [try p.resolveOperand(c, type: .i1)] + tv + fv
      state.successors = [t, f]
      state.properties = .dictionary(AttributeDictionary([
        NamedAttribute("operandSegmentSizes", .denseArray(element: .i(32), values: [1, Int64(tv.count), Int64(fv.count)]))
      ]))
    }

    public func printAssembly(_ p: inout OpAsmPrinter) {
      let seg = TensorDialect.segmentSizes(operation)
      let nTrue = seg.count == 3 ? seg[1] : 0
      let ops = operation.operands
      p.write(" ")
      p.printOperand(ops[0])
      p.write(", ")
      ControlFlowDialect.printSuccessor(&p, operation.successors[0], ops[1..<(1 + nTrue)])
      p.write(", ")
      ControlFlowDialect.printSuccessor(&p, operation.successors[1], ops[(1 + nTrue)...])
      p.printOptionalAttrDict(operation.attributes)
    }
  }
}

extension Operation {
  /// Every function with a body nested in this op (itself included), in order.
  public var functionDefinitions: [FuncDialect.FuncOp] {
    var functions: [FuncDialect.FuncOp] = []
    walk { if let f = FuncDialect.FuncOp($0), !f.isDeclaration { functions.append(f) } }
    return functions
  }
}
