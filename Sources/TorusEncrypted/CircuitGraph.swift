import Foundation
import TFHE

import TorusFHE
import TorusIR

/// A circuit function as a layered graph of the ops that touch ciphertexts, each with its cost:
/// what `torus view` draws and `--fhe-cost-report`'s per-layer table sums.
public struct CircuitGraph {
  public struct Node {
    public var id: Int
    /// `FHELinalg.apply_lookup_table`, or `argument #k` / `return`.
    public var name: String
    /// The result type as printed.
    public var type: String
    /// The encrypted width of the result.
    public var width: Int?
    /// Bootstraps per run, by input width (chunked exact rounding counted with the plan's chunk).
    public var bootstrapsByWidth: [Int: Int]
    public var bootstraps: Int { bootstrapsByWidth.values.reduce(0, +) }
    /// Estimated milliseconds on one core (nil without parameters).
    public var milliseconds: Double?
    /// Share of the circuit's bootstraps (so of its run time: one parameter set for all).
    public var share: Double
    /// Where the op came from: the ONNX node for a compiled model, else `file:line:col`.
    public var source: String
    public var layer: Int
  }

  public struct Edge {
    public var from: Int
    public var to: Int
    /// The shape carried, e.g. `1x64`.
    public var label: String
  }

  public var function: String
  public var nodes: [Node] = []
  public var edges: [Edge] = []
  /// The parameters the cost estimate used (nil when none fits, e.g. lookups wider than 11 bits).
  public var plan: EncryptionPlan?
  public var totalBootstraps: Int { nodes.map(\.bootstraps).reduce(0, +) }

  /// Builds the graph of `function`; costs come from the parameters `ParameterSelection` picks.
  public init(function: FuncDialect.FuncOp, target: ErrorTarget = ErrorTarget()) {
    self.init(function: function, plan: try? ParameterSelection.plan(for: function.operation, target: target))
  }

  /// Builds the graph with costs under `plan` (nil: bootstrap counts only), for callers that
  /// already chose the parameters.
  public init(function: FuncDialect.FuncOp, plan: EncryptionPlan?) {
    self.function = function.symbolName
    self.plan = plan
    let chunk = plan.map { NoiseModel($0.parameters).bitExtractionChunk } ?? 1
    let msPerBootstrap = plan.map { BootstrapCost.milliseconds($0.parameters) }
    guard let body = function.body else { return }
    var idOf: [ObjectIdentifier: Int] = [:]
    var layerOf: [Int: Int] = [:]
    for (k, a) in body.arguments.enumerated() {
      let id = nodes.count
      nodes.append(Node(
        id: id, name: "argument #\(k)", type: "\(a.type)", width: a.type.encryptedElement?.width, bootstrapsByWidth: [:],
        milliseconds: nil, share: 0, source: a.location?.shortDescription ?? "", layer: 0))
      idOf[ObjectIdentifier(a)] = id
      layerOf[id] = 0
    }
    for op in body.operations where op.touchesEncryptedValues {
      let id = nodes.count
      var byWidth: [Int: Int] = [:]
      var ms = 0.0
      for g in op.fheCost?.bootstrapGroups ?? [] {
        let n = g.bootstraps(chunk: chunk)
        byWidth[g.inputWidth, default: 0] += n
        if case .lookup = g.kind, let plan { ms += Double(n) * plan.lookupMilliseconds(bits: g.inputWidth) } else { ms += Double(n) * (msPerBootstrap ?? 0) }
      }
      let inputs = op.operands.compactMap { idOf[ObjectIdentifier($0)] }
      let layer = (inputs.compactMap { layerOf[$0] }.max() ?? -1) + 1
      let result = op.results.first
      nodes.append(Node(
        id: id, name: op.name == FuncDialect.ReturnOp.name ? "return" : op.name.rawValue, type: result.map { "\($0.type)" } ?? "",
        width: result?.type.encryptedElement?.width, bootstrapsByWidth: byWidth,
        milliseconds: plan == nil ? nil : ms, share: 0,
        source: op.location.shortDescription, layer: layer))
      layerOf[id] = layer
      for v in op.operands {
        guard let from = idOf[ObjectIdentifier(v)] else { continue }
        let shape = v.type.isRankedTensor ? v.type.staticShape.map(String.init).joined(separator: "x") : "scalar"
        edges.append(Edge(from: from, to: id, label: shape))
      }
      for r in op.results { idOf[ObjectIdentifier(r)] = id }
    }
    let total = Double(max(totalBootstraps, 1))
    for i in nodes.indices { nodes[i].share = Double(nodes[i].bootstraps) / total }
  }

  /// Bootstraps and estimated time per source layer (the ONNX node, or per op without one), in
  /// the order layers first appear.
  public var perSource: [(source: String, bootstrapsByWidth: [Int: Int], milliseconds: Double?, share: Double)] {
    var order: [String] = []
    var rows: [String: (byWidth: [Int: Int], ms: Double?, share: Double)] = [:]
    for n in nodes where n.bootstraps > 0 {
      let key = n.source.isEmpty ? n.name : n.source
      if rows[key] == nil { order.append(key) }
      var row = rows[key] ?? ([:], n.milliseconds == nil ? nil : 0, 0)
      for (w, c) in n.bootstrapsByWidth { row.byWidth[w, default: 0] += c }
      if let ms = n.milliseconds { row.ms = (row.ms ?? 0) + ms }
      row.share += n.share
      rows[key] = row
    }
    return order.map { ($0, rows[$0]!.byWidth, rows[$0]!.ms, rows[$0]!.share) }
  }
}
