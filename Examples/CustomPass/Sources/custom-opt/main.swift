import LookupFusion
import TorusOpt
import TorusTools

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// torus-opt's dialects (FHE, FHELinalg, Tracing, qnn: the output is verified) and passes, plus ours.
var tool = OptTool.torus
tool.name = "custom-opt"
tool.passes.register(ComposeLookupTablesPass.self)
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
