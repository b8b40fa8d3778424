import Testing
import TorusTestSupport
import TorusIR
import TorusQNN

@Suite struct QNNDialectTests {
  /// A one-op module: `qnn.quant` of the argument with the given attributes.
  func quantModule(bitWidth: Int64, scale: Float, mode: String = "ROUND") -> Module {
    let module = IRSkeleton.module()
    let t = QNN.tensorType([1, 4])
    let (_, block) = IRSkeleton.function("main", inputs: [t], results: [t], in: module)
    var b = Builder(registry: QNN.registry)
    b.setInsertionPointToEnd(of: block)
    let q = b.create(
      QNN.QuantOp.name, operands: [block.arguments[0]], resultTypes: [t],
      attributes: AttributeDictionary([
        NamedAttribute("scale", .f32(scale)), NamedAttribute("zero_point", .f32(0)),
        NamedAttribute("bit_width", .i64(bitWidth)), NamedAttribute("signed", .i64(1)),
        NamedAttribute("narrow", .i64(0)), NamedAttribute("rounding_mode", .string(mode)),
      ]))
    b.create(FuncDialect.ReturnOp.name, operands: [q.results[0]])
    return module
  }

  func verify(_ m: Module) -> String? {
    do {
      try Verifier().verify(m.operation)
      return nil
    } catch { return error.description }
  }

  @Test func quantVerifiesAndRoundTrips() throws {
    let m = quantModule(bitWidth: 4, scale: 0.125)
    #expect(verify(m) == nil)
    let text = String(decoding: m.print(), as: UTF8.self)
    #expect(text.contains("\"qnn.quant\""))
    let back = try parseVerified(text, name: "q.mlir", registry: QNN.registry)
    #expect(String(decoding: back.print(), as: UTF8.self) == text)
    let op = back.body.operations[0].regions[0].blocks[0].operations[0]
    #expect(QNN.QuantOp(op)?.parameters == BrevitasQuant(scale: 0.125, zeroPoint: 0, bitWidth: 4, isSigned: true, isNarrow: false))
  }

  /// `qnn.gather` takes one scalar `index`, or `indices` with a matching `indices_shape`.
  @Test func gatherNeedsConsistentIndices() {
    func gather(_ attributes: [NamedAttribute]) -> Module {
      let module = IRSkeleton.module()
      let t = QNN.tensorType([1, 4])
      let (_, block) = IRSkeleton.function("main", inputs: [t], results: [QNN.unrankedType], in: module)
      var b = Builder(registry: QNN.registry)
      b.setInsertionPointToEnd(of: block)
      let g = b.create(QNN.GatherOp.name, operands: [block.arguments[0]], resultTypes: [QNN.unrankedType],
        attributes: AttributeDictionary([NamedAttribute("axis", .i64(1))] + attributes))
      b.create(FuncDialect.ReturnOp.name, operands: [g.results[0]])
      return module
    }
    #expect(verify(gather([NamedAttribute("index", .i64(2))])) == nil)
    #expect(verify(gather([NamedAttribute("indices", .i64Array([0, 3, 1, 1])), NamedAttribute("indices_shape", .i64Array([2, 2]))])) == nil)
    let message = "requires attribute 'index', or 'indices' with a matching 'indices_shape'"
    #expect(verify(gather([NamedAttribute("indices", .i64Array([0, 3, 1])), NamedAttribute("indices_shape", .i64Array([2, 2]))]))?.contains(message) == true)
    #expect(verify(gather([NamedAttribute("indices", .i64Array([0, 3]))]))?.contains(message) == true)
    #expect(verify(gather([]))?.contains(message) == true)
  }

  @Test func rejectsBadQuantParameters() {
    #expect(verify(quantModule(bitWidth: 0, scale: 0.125))?.contains("bit width must be in 1...32, found 0") == true)
    #expect(verify(quantModule(bitWidth: 4, scale: -1))?.contains("scale must be positive") == true)
    #expect(verify(quantModule(bitWidth: 4, scale: 1, mode: "FLOOR"))?.contains("rounding mode must be 'ROUND', found 'FLOOR'") == true)
  }
}
