import TorusEncrypted
import TorusFHE
import TorusFHETransforms
import TorusOpt
import TorusQNN
import TorusQNNTransforms

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Upstream subset + FHE/FHELinalg/Tracing + the quantized-graph dialect, and every pass
// (including the encrypted-mode cost report).
var tool = OptTool(name: "torus-opt", registry: .fhe)
tool.registry.register(QNN.self)
tool.passes.registerFHEPasses()
tool.passes.register(CostReportPass.self)
QNNPasses.register(into: &tool.passes)
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
