import LookupFusion
import Testing
import TorusFHE
import TorusIR
import TorusPasses

@Suite struct ComposeLookupTablesTests {
  func run(_ text: String) throws -> String {
    // The FHE dialects are registered: the pass manager verifies the rewritten ops.
    let registry = DialectRegistry.fhe
    let module = try OpAsmParser(file: SourceFile(name: "t.mlir", text: text), registry: registry).parseModule()
    var passes = PassRegistry.standard
    passes.register(ComposeLookupTablesPass.self)
    let pm = PassManager(root: try PipelineParser(passes: passes).parse("compose-lookup-tables,canonicalize"), context: PassContext(registry: registry))
    try pm.run(module)
    return module.text
  }

  @Test func fusesTwoLookupsIntoOne() throws {
    let out = try run("""
      func.func @main(%x: tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>> {
        %t1 = arith.constant dense<[0, 0, 1, 1, 2, 2, 3, 3]> : tensor<8xi64>
        %t2 = arith.constant dense<[7, 5, 3, 1]> : tensor<4xi64>
        %1 = "FHELinalg.apply_lookup_table"(%x, %t1) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<2>>
        %2 = "FHELinalg.apply_lookup_table"(%1, %t2) : (tensor<4x!FHE.eint<2>>, tensor<4xi64>) -> tensor<4x!FHE.eint<3>>
        return %2 : tensor<4x!FHE.eint<3>>
      }
      """)
    #expect(out.components(separatedBy: "apply_lookup_table").count == 2)
    #expect(out.contains("dense<[7, 7, 5, 5, 3, 3, 1, 1]> : tensor<8xi64>"))
  }

  @Test func keepsLookupsWhoseIntermediateHasOtherUses() throws {
    let out = try run("""
      func.func @main(%x: !FHE.eint<2>) -> (!FHE.eint<2>, !FHE.eint<2>) {
        %t = arith.constant dense<[1, 2, 3, 0]> : tensor<4xi64>
        %1 = "FHE.apply_lookup_table"(%x, %t) : (!FHE.eint<2>, tensor<4xi64>) -> !FHE.eint<2>
        %2 = "FHE.apply_lookup_table"(%1, %t) : (!FHE.eint<2>, tensor<4xi64>) -> !FHE.eint<2>
        return %1, %2 : !FHE.eint<2>, !FHE.eint<2>
      }
      """)
    #expect(out.components(separatedBy: "apply_lookup_table").count == 3)
  }
}
