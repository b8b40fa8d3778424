/// How a module is printed.
public struct PrintOptions: Sendable {
  /// Every op in generic form (`--mlir-print-op-generic`), with module-wide value numbering.
  public var generic = false
  /// Print op locations (`--mlir-print-debuginfo`).
  public var debugInfo = false
  public init(generic: Bool = false, debugInfo: Bool = false) {
    self.generic = generic
    self.debugInfo = debugInfo
  }
}

/// Names of values and blocks, assigned before printing as MLIR's SSA name state does.
final class NameState {
  var valueNames: [ObjectIdentifier: String] = [:]
  var blockNames: [ObjectIdentifier: (name: String, ordering: Int)] = [:]
  let options: PrintOptions
  private var nextValueID = 0
  private var nextArgumentID = 0
  private var nextConflictID = 0
  private var usedNames: Set<String> = []

  init(root: Operation, options: PrintOptions) {
    self.options = options
    var stack: [(Region, Int, Int, Int, Set<String>)] = []
    for r in root.regions { stack.append((r, 0, 0, 0, [])) }
    numberOp(root)
    while let (region, v, a, c, used) = stack.popLast() {
      if !options.generic {
        let isolated = region.parentOp?.hasTrait(.isolatedFromAbove) ?? false
        nextValueID = isolated ? 0 : v
        nextArgumentID = isolated ? 0 : a
        nextConflictID = isolated ? 0 : c
        usedNames = isolated ? [] : used
      }
      numberRegion(region)
      for b in region.blocks {
        for op in b.operations {
          for r in op.regions { stack.append((r, nextValueID, nextArgumentID, nextConflictID, usedNames)) }
        }
      }
    }
  }

  private func numberRegion(_ region: Region) {
    for (i, block) in region.blocks.enumerated() {
      blockNames[ObjectIdentifier(block)] = ("^bb\(i)", i)
      for arg in block.arguments {
        if i == 0 {
          valueNames[ObjectIdentifier(arg)] = "%arg\(nextArgumentID)"
          nextArgumentID += 1
        } else {
          valueNames[ObjectIdentifier(arg)] = "%\(nextValueID)"
          nextValueID += 1
        }
      }
      for op in block.operations { numberOp(op) }
    }
  }

  private func numberOp(_ op: Operation) {
    guard let first = op.results.first else { return }
    if !options.generic, let hint = op.definition?.nameHintHook?(op) {
      var name = "%" + hint
      if usedNames.contains(name) {
        repeat {
          name = "%\(hint)_\(nextConflictID)"
          nextConflictID += 1
        } while usedNames.contains(name)
      }
      usedNames.insert(name)
      valueNames[ObjectIdentifier(first)] = name
      return
    }
    valueNames[ObjectIdentifier(first)] = "%\(nextValueID)"
    nextValueID += 1
  }

  /// `%N`, `%argN`, or `%N#k` for any result of a multi-result op (`#0` included, as mlir-opt
  /// prints a use of the first result).
  func name(_ v: Value) -> String {
    if case .result(let i) = v.owner, let op = v.definingOp, op.results.count > 1 {
      return (valueNames[ObjectIdentifier(op.results[0])] ?? "%<<UNKNOWN>>") + "#\(i)"
    }
    return valueNames[ObjectIdentifier(v)] ?? "%<<UNKNOWN SSA VALUE>>"
  }

  /// The name a multi-result op's results are defined under (`%N` of `%N:2 = …`).
  func definitionName(_ op: Operation) -> String {
    valueNames[ObjectIdentifier(op.results[0])] ?? "%<<UNKNOWN SSA VALUE>>"
  }

  func blockName(_ b: Block) -> String { blockNames[ObjectIdentifier(b)]?.name ?? "^INVALIDBLOCK" }
  func blockOrdering(_ b: Block) -> Int { blockNames[ObjectIdentifier(b)]?.ordering ?? 0 }
}

/// Writes ops, and is what custom op printers write their syntax through.
public struct OpAsmPrinter {
  public var out: ByteWriter
  let names: NameState
  let options: PrintOptions
  var indent = 0
  /// `#locN` names of op locations when printing debug info.
  var locationAliases: LocationAliases?

  init(options: PrintOptions, names: NameState, capacity: Int) {
    self.options = options
    self.names = names
    out = ByteWriter(capacity: capacity)
    out.aliases = AliasTable()
  }

  public mutating func write(_ s: String) { out.write(s) }
  public mutating func write(_ s: StaticString) { out.write(s) }

  public mutating func printOperand(_ v: Value) { out.write(names.name(v)) }

  public mutating func printOperands(_ vs: [Value]) {
    for (i, v) in vs.enumerated() {
      if i > 0 { out.write(", ") }
      printOperand(v)
    }
  }

  public mutating func printType(_ t: IRType) { t.print(to: &out) }

  public mutating func printTypes(_ ts: [IRType]) {
    out.interleave(ts) { $1.print(to: &$0) }
  }

  public mutating func printAttribute(_ a: Attribute) { a.print(to: &out) }

  /// An attribute without its `: type` suffix when the type is implied (integers, floats).
  public mutating func printAttributeWithoutType(_ a: Attribute) {
    switch a {
    case .integer(let v, let t) where t != .i1: Attribute.printInteger(v, type: t, to: &out)
    case .float(let f, _): out.write(FloatFormatting.format(f))
    case .string(let b, _): Attribute.printString(b, to: &out)
    default: a.print(to: &out)
    }
  }

  public mutating func printSymbolName(_ s: String) { Attribute.printSymbolName(s, to: &out) }

  /// ` {a = 1, …}` for the non-elided entries, or nothing.
  public mutating func printOptionalAttrDict(_ dict: AttributeDictionary, elided: Set<String> = [], keyword: Bool = false) {
    let kept = dict.entries.filter { !elided.contains($0.name) }
    guard !kept.isEmpty else { return }
    out.write(keyword ? " attributes {" : " {")
    Attribute.printDictionaryEntries(AttributeDictionary(kept), to: &out)
    out.write("}")
  }

  public func name(of block: Block) -> String { names.blockName(block) }

  mutating func newline() {
    out.flushIfLarge()
    out.write(byte: 10)
    for _ in 0..<indent { out.write(byte: 32) }
  }

  // MARK: Operations

  mutating func printOperation(_ op: Operation) {
    if !op.results.isEmpty {
      out.write(names.definitionName(op))
      if op.results.count > 1 {
        out.write(":")
        out.write(op.results.count)
      }
      out.write(" = ")
    }
    if !options.generic, let def = op.definition, let hook = def.printHook {
      out.write(OpAsmPrinter.prettyName(op))
      hook(op, &self)
    } else {
      printGenericOperation(op)
    }
    if options.debugInfo {
      out.write(" ")
      if let name = locationAliases?.names[op.location] {
        out.write("loc(")
        out.write(name)
        out.write(")")
      } else {
        op.location.print(to: &out)
      }
    }
  }

  /// The op name in pretty form: builtin ops and ops of the enclosing op's dialect drop the prefix.
  static func prettyName(_ op: Operation) -> String {
    let dialect = op.name.dialect
    if dialect == "builtin" || (dialect == "func" && op.parentOp?.name.dialect == "func") {
      return String(op.name.rawValue.dropFirst(dialect.count + 1))
    }
    return op.name.rawValue
  }

  mutating func printGenericOperation(_ op: Operation) {
    Attribute.printString(Array(op.name.rawValue.utf8), to: &out)
    out.write("(")
    printOperands(op.operands)
    out.write(")")
    if !op.successors.isEmpty {
      out.write("[")
      out.interleave(op.successors) { [names] out, b in out.write(names.blockName(b)) }
      out.write("]")
    }
    if let p = op.properties {
      out.write(" <")
      p.print(to: &out)
      out.write(">")
    }
    if !op.regions.isEmpty {
      out.write(" (")
      for (i, r) in op.regions.enumerated() {
        if i > 0 { out.write(", ") }
        printRegion(r, printEntryBlockArgs: true, printEmptyBlock: true)
      }
      out.write(")")
    }
    printOptionalAttrDict(op.attributes)
    out.write(" : ")
    IRType.function(inputs: op.operands.map(\.type), results: op.results.map(\.type)).print(to: &out)
  }

  /// `{`, the blocks, `}`. The entry block's label is printed only when asked (and it has
  /// arguments), or when it is empty and `printEmptyBlock` is set.
  public mutating func printRegion(_ region: Region, printEntryBlockArgs: Bool, printEmptyBlock: Bool = false) {
    out.write("{")
    for (i, block) in region.blocks.enumerated() {
      let printLabel = i > 0 || (printEntryBlockArgs && !block.arguments.isEmpty)
        || (printEmptyBlock && block.operations.isEmpty)
      if printLabel { printBlockHeader(block, isEntry: i == 0) }
      indent += 2
      for op in block.operations {
        newline()
        printOperation(op)
      }
      indent -= 2
    }
    newline()
    out.write("}")
  }

  mutating func printBlockHeader(_ block: Block, isEntry: Bool) {
    newline()
    out.write(names.blockName(block))
    if !block.arguments.isEmpty {
      out.write("(")
      for (i, a) in block.arguments.enumerated() {
        if i > 0 { out.write(", ") }
        out.write(names.name(a))
        out.write(": ")
        a.type.print(to: &out)
        if options.debugInfo {
          out.write(" ")
          (a.location ?? .unknown).print(to: &out)
        }
      }
      out.write(")")
    }
    out.write(":")
    guard !isEntry else { return }
    let preds = block.predecessors
    if preds.isEmpty {
      out.write("  // no predecessors")
    } else if preds.allSatisfy({ $0 === preds[0] }) {
      out.write("  // pred: ")
      out.write(names.blockName(preds[0]))
    } else {
      let sorted = preds.sorted { names.blockOrdering($0) < names.blockOrdering($1) }
      out.write("  // \(sorted.count) preds: ")
      out.interleave(sorted) { [names] out, b in out.write(names.blockName(b)) }
    }
  }
}

extension Module {
  /// The module as MLIR text, with alias definitions first and resources last.
  /// `capacityHint` (e.g. the input size) avoids regrowing the output buffer.
  public func print(options: PrintOptions = PrintOptions(), capacityHint: Int = 1 << 16) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(capacityHint + capacityHint / 8)
    print(options: options, streaming: false) { result.append(contentsOf: $0) }
    return result
  }

  /// Prints the module to `sink` in pieces. When nothing needs hoisting to the top of the file
  /// (affine maps, distinct attributes, debug-info aliases) the text streams in 1 MB pieces, so
  /// printing a huge module does not hold a second copy of it in memory.
  public func print(options: PrintOptions, streaming: Bool = true, to sink: @escaping ([UInt8]) -> Void) {
    let names = NameState(root: operation, options: options)
    let stream = streaming && !options.debugInfo && !Module.needsHoistedAliases(operation)
    var printer = OpAsmPrinter(options: options, names: names, capacity: stream ? 2 * ByteWriter.flushThreshold : 1 << 16)
    if stream { printer.out.sink = sink }
    let locations = options.debugInfo ? LocationAliases(root: operation) : nil
    printer.locationAliases = locations
    printer.printOperation(operation)
    printer.out.write(byte: 10)
    if let locations {
      for (loc, name) in locations.ordered where !locations.inline.contains(loc) {
        printer.out.write(name)
        printer.out.write(" = ")
        locations.printDefinition(loc, to: &printer.out)
        printer.out.write(byte: 10)
      }
    }
    if !stream {
      var header = ByteWriter()
      if let locations {
        for (loc, name) in locations.ordered where locations.inline.contains(loc) {
          header.write(name)
          header.write(" = ")
          locations.printDefinition(loc, to: &header)
          header.write(byte: 10)
        }
      }
      for (name, value) in printer.out.aliases!.definitions {
        header.write(name)
        header.write(" = ")
        value.printDefinition(to: &header)
        header.write(byte: 10)
      }
      if !header.bytes.isEmpty { sink(header.bytes) }
      sink(printer.out.bytes)
    } else {
      printer.out.flush()
    }
    if !resources.isEmpty { sink(printResources()) }
  }

  private func printResources() -> [UInt8] {
    var r = ByteWriter()
    r.write("\n{-#\n  dialect_resources: {\n")
    let dialects = resources.reduce(into: [String]()) { if !$0.contains($1.dialect) { $0.append($1.dialect) } }
    for (di, d) in dialects.enumerated() {
      r.write("    \(d): {\n")
      let entries = resources.filter { $0.dialect == d }
      for (i, e) in entries.enumerated() {
        r.write("      ")
        r.write(e.key)
        r.write(": ")
        switch e.value {
        case .blob(let bytes):
          r.write("\"0x")
          DenseElementsAttr.writeHex(bytes, to: &r)
          r.write("\"")
        case .string(let s): Attribute.printString(s, to: &r)
        case .bool(let b): r.write(b ? "true" : "false")
        }
        r.write(i + 1 < entries.count ? ",\n" : "\n")
      }
      r.write(di + 1 < dialects.count ? "    },\n" : "    }\n")
    }
    r.write("  }\n#-}\n")
    return r.bytes
  }

  /// Whether any attribute or type in the module prints as a hoisted alias (`#map`, `#set`, `#distinct`).
  static func needsHoistedAliases(_ root: Operation) -> Bool {
    var found = false
    root.walk { op in
      guard !found else { return }
      if op.attributes.contains(where: { hasAlias($0.value) }) || op.properties.map(hasAlias) == true
        || op.results.contains(where: { hasAlias($0.type) })
        || op.regions.contains(where: { $0.blocks.contains { $0.arguments.contains { hasAlias($0.type) } } })
      {
        found = true
      }
    }
    return found
  }

  static func hasAlias(_ a: Attribute) -> Bool {
    switch a {
    case .affineMap, .integerSet: true
    case .distinct(_, let r): r != .unit
    case .array(let xs): xs.contains(where: hasAlias)
    case .dictionary(let d): d.contains { hasAlias($0.value) }
    case .type(let t): hasAlias(t)
    case .denseElements(let d): hasAlias(d.type)
    case .integer(_, let t), .float(_, let t), .denseResource(_, let t): hasAlias(t)
    default: false
    }
  }

  static func hasAlias(_ t: IRType) -> Bool {
    switch t {
    case .tensor(_, let e, let enc): hasAlias(e) || enc.map(hasAlias) == true
    case .memref(_, let e, let l, let m): hasAlias(e) || l.map(hasAlias) == true || m.map(hasAlias) == true
    case .unrankedMemref(let e, let m): hasAlias(e) || m.map(hasAlias) == true
    case .unrankedTensor(let e), .vector(_, _, let e), .complex(let e): hasAlias(e)
    case .tuple(let ts): ts.contains(where: hasAlias)
    case .function(let i, let r): i.contains(where: hasAlias) || r.contains(where: hasAlias)
    default: false
    }
  }

  public var text: String { String(decoding: print(), as: UTF8.self) }
}

/// Location aliases as upstream assigns them with `--mlir-print-debuginfo`: every location visited
/// in print order, numbered by nesting depth (leaves first), block-argument ones defined at the top.
struct LocationAliases {
  var names: [Location: String] = [:]
  var ordered: [(Location, String)] = []
  /// Locations first met on block arguments: printed inline there, defined before the module.
  var inline: Set<Location> = []

  init(root: Operation) {
    var order: [Location] = []
    var depth: [Location: Int] = [:]
    func visit(_ l: Location) -> Int {
      if let d = depth[l] { return d }
      let children: [Location] = switch l {
      case .callSite(let a, let b): [a, b]
      case .fused(_, let ls): ls
      case .name(_, let c?): [c]
      default: []
      }
      let d = children.map(visit).max().map { $0 + 1 } ?? 0
      depth[l] = d
      order.append(l)
      return d
    }
    var inlineSet: Set<Location> = []
    func walk(_ op: Operation) {
      _ = visit(op.location)
      for r in op.regions {
        for b in r.blocks {
          for a in b.arguments {
            let l = a.location ?? .unknown
            if depth[l] == nil { inlineSet.insert(l) }
            _ = visit(l)
          }
          for o in b.operations { walk(o) }
        }
      }
    }
    walk(root)
    let sorted = order.enumerated().sorted { (depth[$0.element]!, $0.offset) < (depth[$1.element]!, $1.offset) }
    for (i, e) in sorted.enumerated() {
      let name = i == 0 ? "#loc" : "#loc\(i)"
      names[e.element] = name
      ordered.append((e.element, name))
    }
    inline = inlineSet
  }

  /// `loc(…)` with nested locations referred to by alias.
  func printDefinition(_ l: Location, to out: inout ByteWriter) {
    out.write("loc(")
    l.printBody(to: &out, alias: { names[$0] })
    out.write(")")
  }
}
