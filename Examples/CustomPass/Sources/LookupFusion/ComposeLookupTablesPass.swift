import TorusFHE
import TorusIR
import TorusPasses

/// Fuses two table lookups in a row into one: `T2[T1[x]]` becomes a single table `T[i] = T2[T1[i]]`.
///
/// Each lookup costs a programmable bootstrap, by far the most expensive FHE operation, so a chain
/// of two univariate lookups (e.g. an activation then a requantization) halves its cost.
///
///     %1 = "FHELinalg.apply_lookup_table"(%x, %t1) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<2>>
///     %2 = "FHELinalg.apply_lookup_table"(%1, %t2) : (tensor<4x!FHE.eint<2>>, tensor<4xi64>) -> tensor<4x!FHE.eint<3>>
///   becomes
///     %2 = "FHELinalg.apply_lookup_table"(%x, %t) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
public struct ComposeLookupTablesPass: Pass {
  public static let info = PassInfo(
    argument: "compose-lookup-tables",
    summary: "Fuse consecutive table lookups into one (one bootstrap instead of two)")

  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    var patterns = RewritePatternSet()
    // One pattern written once over the typed views of both single-table lookup ops.
    patterns.add(ComposeLookups<FHELinalg.ApplyLookupTableOp>())
    patterns.add(ComposeLookups<FHE.ApplyLookupTableOp>())
    applyPatternsGreedily(to: op, patterns, registry: context.registry, fold: false)
  }
}

/// The rewrite, over a typed lookup op: the outer lookup reads the inner one's only use, and every
/// inner table value is a valid index of the outer table (no value spills into the padding bit).
struct ComposeLookups<Lookup: TableLookupOp>: OpRewritePattern {
  typealias Op = Lookup

  func matchAndRewrite(_ outer: Lookup, rewriter: PatternRewriter) -> RewriteOutcome {
    let input = outer.operation.operands[0]
    guard let innerOp = input.definingOp, let inner = Lookup(innerOp), input.uses.count == 1,
      let t1 = constantTable(inner.tables), let t2 = constantTable(outer.tables),
      t1.values.allSatisfy({ $0 >= 0 && $0 < Int64(t2.values.count) })
    else { return .noMatch }
    let composed = t1.values.map { t2.values[Int($0)] }
    let table = DenseElementsAttr.integers(composed, type: .tensor(shape: [Int64(composed.count)], element: t2.element, encoding: nil))
    let constant = rewriter.create(
      before: outer.operation, ArithDialect.ConstantOp.name, resultTypes: [table.type],
      properties: .dictionary(AttributeDictionary([NamedAttribute("value", .denseElements(table))])))
    let fused = rewriter.create(
      before: outer.operation, Lookup.name, operands: [innerOp.operands[0], constant.results[0]],
      resultTypes: outer.operation.results.map(\.type), attributes: outer.operation.attributes)
    rewriter.replace(outer.operation, with: fused.results)
    rewriter.erase(innerOp)
    return .applied
  }

  /// The values of a 1-D `arith.constant` integer table.
  private func constantTable(_ v: Value) -> (values: [Int64], element: IRType)? {
    guard let def = v.definingOp, def.name == ArithDialect.ConstantOp.name,
      case .denseElements(let d)? = def.attribute("value"), d.type.shape?.count == 1, d.elementType.isInteger
    else { return nil }
    return (d.int64Values, d.elementType)
  }
}
