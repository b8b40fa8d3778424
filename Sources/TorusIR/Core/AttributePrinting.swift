extension Attribute: MLIRPrintable {
  public func print(to out: inout ByteWriter) {
    switch self {
    case .unit: out.write("unit")
    case .integer(let v, let t):
      if t == .i1 {
        out.write(v.isZero ? "false" : "true")
        return
      }
      Attribute.printInteger(v, type: t, to: &out)
      out.write(" : ")
      t.print(to: &out)
    case .float(let f, let t):
      out.write(FloatFormatting.format(f))
      out.write(" : ")
      t.print(to: &out)
    case .string(let bytes, let type):
      Attribute.printString(bytes, to: &out)
      if let type {
        out.write(" : ")
        type.print(to: &out)
      }
    case .type(let t): t.print(to: &out)
    case .array(let elements):
      // Array elements elide the default types i64 and f64, as upstream prints them.
      out.write("[")
      out.interleave(elements) { out, e in
        switch e {
        case .integer(let v, let t) where t == .i64: Attribute.printInteger(v, type: t, to: &out)
        case .float(let f, .float(.f64)): out.write(FloatFormatting.format(f))
        default: e.print(to: &out)
        }
      }
      out.write("]")
    case .dictionary(let dict):
      out.write("{")
      Attribute.printDictionaryEntries(dict, to: &out)
      out.write("}")
    case .symbolRef(let root, let nested):
      Attribute.printSymbolName(root, to: &out)
      for n in nested {
        out.write("::")
        Attribute.printSymbolName(n, to: &out)
      }
    case .denseElements(let d): d.print(to: &out)
    case .denseResource(let key, let type):
      out.write("dense_resource<")
      out.write(key)
      out.write("> : ")
      type.print(to: &out)
    case .denseArray(let element, let values):
      out.write("array<")
      element.print(to: &out)
      if !values.isEmpty {
        out.write(": ")
        out.interleave(values) { out, v in
          switch element {
          case .integer(1, _): out.write(v != 0 ? "true" : "false")
          case .float(let k):
            out.write(FloatFormatting.format(FloatBits(kind: k, bits: APInt(width: k.bitWidth, truncating: UInt64(bitPattern: v)))))
          default: out.write(v)
          }
        }
      }
      out.write(">")
    case .affineMap(let text):
      if let aliases = out.aliases {
        out.write(aliases.name(for: self, prefix: "map"))
      } else {
        out.write("affine_map<")
        out.write(text)
        out.write(">")
      }
    case .integerSet(let text):
      if let aliases = out.aliases {
        out.write(aliases.name(for: self, prefix: "set"))
      } else {
        out.write("affine_set<")
        out.write(text)
        out.write(">")
      }
    case .strided(let strides, let offset):
      out.write("strided<[")
      out.interleave(strides) { out, s in
        if s == dynamicSize { out.write("?") } else { out.write(s) }
      }
      out.write("]")
      if offset != 0 {
        out.write(", offset: ")
        if offset == dynamicSize { out.write("?") } else { out.write(offset) }
      }
      out.write(">")
    case .distinct(let id, let referenced):
      if referenced != .unit, let aliases = out.aliases {
        out.write(aliases.name(for: self, prefix: "distinct"))
        return
      }
      out.write("distinct[")
      out.write(id)
      out.write("]<")
      if referenced != .unit { referenced.print(to: &out) }
      out.write(">")
    case .opaque(let dialect, let body):
      out.write("#")
      out.write(dialect)
      if !body.hasPrefix("<") { out.write(".") }  // `#dialect<…>` is the opaque form
      out.write(body)
    case .location(let loc):
      loc.print(to: &out)
    }
  }

  /// Writes the alias-free definition text (`affine_map<…>`) for an alias line.
  func printDefinition(to out: inout ByteWriter) {
    let saved = out.aliases
    out.aliases = nil
    print(to: &out)
    out.aliases = saved
  }

  static func printInteger(_ v: APInt, type: IRType, to out: inout ByteWriter) {
    if case .integer(_, .unsigned) = type {
      out.write(v.decimalString(signed: false))
    } else {
      out.write(v.decimalString(signed: true))
    }
  }

  /// Prints `name = value` pairs; unit values print as the bare name.
  static func printDictionaryEntries(_ dict: AttributeDictionary, to out: inout ByteWriter) {
    out.interleave(dict.entries) { out, e in
      printAttributeName(e.name, to: &out)
      if e.value != .unit {
        out.write(" = ")
        e.value.print(to: &out)
      }
    }
  }

  static func isBareIdentifier(_ s: String) -> Bool {
    guard let first = s.utf8.first, first == UInt8(ascii: "_") || Lexer.isLetter(first) else {
      return false
    }
    return s.utf8.allSatisfy { Lexer.isLetter($0) || Lexer.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") || $0 == UInt8(ascii: ".") }
  }

  static func printAttributeName(_ name: String, to out: inout ByteWriter) {
    if isBareIdentifier(name) { out.write(name) } else { printString(Array(name.utf8), to: &out) }
  }

  static func printSymbolName(_ name: String, to out: inout ByteWriter) {
    out.write("@")
    if isBareIdentifier(name) { out.write(name) } else { printString(Array(name.utf8), to: &out) }
  }

  static let hexDigits = Array("0123456789ABCDEF".utf8)

  /// A quoted string: printable ASCII verbatim except `"` and `\`; `\\`; other bytes `\XX`.
  static func printString(_ bytes: [UInt8], to out: inout ByteWriter) {
    out.write(byte: UInt8(ascii: "\""))
    for b in bytes {
      if b == UInt8(ascii: "\\") {
        out.write("\\\\")
      } else if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") {
        out.write(byte: b)
      } else {
        out.write(byte: UInt8(ascii: "\\"))
        out.write(byte: hexDigits[Int(b >> 4)])
        out.write(byte: hexDigits[Int(b & 15)])
      }
    }
    out.write(byte: UInt8(ascii: "\""))
  }
}

extension DenseElementsAttr: MLIRPrintable {
  /// Decimal up to 100 elements, `"0x…"` hex above, splats as one value, `dense<>` when empty.
  public func print(to out: inout ByteWriter) {
    out.write("dense<")
    let n = count
    if isSplat {
      printElement(0, to: &out)
    } else if n == 0 {
      // nothing between the brackets
    } else if n > 100, case .raw(let bytes) = storage {
      out.write("\"0x")
      if case .integer(1, _) = elementType {
        var packed = [UInt8](repeating: 0, count: (n + 7) / 8)
        for i in 0..<n where bytes[i] != 0 { packed[i / 8] |= 1 << UInt8(i % 8) }
        DenseElementsAttr.writeHex(packed, to: &out)
      } else {
        DenseElementsAttr.writeHex(bytes, to: &out)
      }
      out.write("\"")
    } else {
      let shape = type.shape ?? [Int64(n)]
      var index = 0
      printNested(shape[...], index: &index, to: &out)
    }
    out.write("> : ")
    type.print(to: &out)
  }

  static func writeHex(_ bytes: [UInt8], to out: inout ByteWriter) {
    out.bytes.reserveCapacity(out.bytes.count + bytes.count * 2)
    for b in bytes {
      out.bytes.append(Attribute.hexDigits[Int(b >> 4)])
      out.bytes.append(Attribute.hexDigits[Int(b & 15)])
    }
  }

  private func printNested(_ shape: ArraySlice<Int64>, index: inout Int, to out: inout ByteWriter) {
    guard let dim = shape.first else {
      printElement(index, to: &out)
      index += 1
      return
    }
    out.write("[")
    for i in 0..<Int(dim) {
      if i > 0 { out.write(", ") }
      printNested(shape.dropFirst(), index: &index, to: &out)
    }
    out.write("]")
  }

  private func printElement(_ i: Int, to out: inout ByteWriter) {
    switch storage {
    case .strings(let strings):
      Attribute.printString(strings[isSplat ? 0 : i], to: &out)
    case .raw(let bytes):
      let size = DenseElementsAttr.bytesPerElement(elementType)
      let start = isSplat ? 0 : i * size
      DenseElementsAttr.printScalar(bytes[start..<start + size], elementType, to: &out)
    }
  }

  static func readAPInt(_ bytes: ArraySlice<UInt8>, width: Int) -> APInt {
    var words = [UInt64](repeating: 0, count: max(1, (bytes.count + 7) / 8))
    for (k, b) in bytes.enumerated() { words[k / 8] |= UInt64(b) << UInt64(8 * (k % 8)) }
    return APInt(width: width, words: words)
  }

  static func printScalar(_ bytes: ArraySlice<UInt8>, _ element: IRType, to out: inout ByteWriter) {
    switch element {
    case .integer(1, _):
      out.write(bytes.first! & 1 != 0 ? "true" : "false")
    case .integer(let w, _):
      Attribute.printInteger(readAPInt(bytes, width: w), type: element, to: &out)
    case .index:
      Attribute.printInteger(readAPInt(bytes, width: 64), type: element, to: &out)
    case .float(let k):
      out.write(FloatFormatting.format(FloatBits(kind: k, bits: readAPInt(bytes, width: k.bitWidth))))
    case .complex(let e):
      let half = bytes.count / 2
      out.write("(")
      printScalar(bytes.prefix(half), e, to: &out)
      out.write(",")
      printScalar(bytes.suffix(half), e, to: &out)
      out.write(")")
    default:
      out.write("?")
    }
  }
}

extension Location: MLIRPrintable {
  public func print(to out: inout ByteWriter) {
    out.write("loc(")
    printBody(to: &out)
    out.write(")")
  }

  func printBody(to out: inout ByteWriter) { printBody(to: &out, alias: { _ in nil }) }

  /// The text inside `loc(…)`; nested locations print as `alias(l)` when it names one.
  func printBody(to out: inout ByteWriter, alias: (Location) -> String?) {
    func nested(_ l: Location, _ out: inout ByteWriter) {
      if let a = alias(l) { out.write(a) } else { l.printBody(to: &out, alias: alias) }
    }
    switch self {
    case .unknown: out.write("unknown")
    case .fileLineCol(let file, let line, let col):
      Attribute.printString(Array(file.utf8), to: &out)
      out.write(":")
      out.write(line)
      out.write(":")
      out.write(col)
    case .name(let name, let child):
      Attribute.printString(Array(name.utf8), to: &out)
      if let child {
        out.write("(")
        nested(child, &out)
        out.write(")")
      }
    case .callSite(let callee, let caller):
      out.write("callsite(")
      nested(callee, &out)
      out.write(" at ")
      nested(caller, &out)
      out.write(")")
    case .fused(let metadata, let locations):
      out.write("fused")
      if let metadata {
        out.write("<")
        metadata.print(to: &out)
        out.write(">")
      }
      out.write("[")
      for (i, l) in locations.enumerated() {
        if i > 0 { out.write(", ") }
        nested(l, &out)
      }
      out.write("]")
    }
  }
}
