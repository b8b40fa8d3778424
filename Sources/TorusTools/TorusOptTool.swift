import TorusEncrypted
import TorusFHE
import TorusFHETransforms
import TorusOpt
import TorusQNN
import TorusQNNTransforms
import TorusView

extension OptTool {
  /// `torus-opt`: the upstream subset, FHE / FHELinalg / Tracing, the quantized-graph dialect and
  /// every pass (the encrypted-mode cost report included). The executable and the `.mlir` file
  /// tests build the same tool from here.
  public static var torus: OptTool {
    var tool = OptTool(name: "torus-opt", registry: .fhe)
    tool.registry.register(QNN.self)
    tool.passes.registerFHEPasses()
    tool.passes.register(CostReportPass.self)
    tool.passes.register(AnnotateCostPass.self)
    tool.passes.register(ViewOpGraphPass.self)
    QNNPasses.register(into: &tool.passes)
    return tool
  }
}
