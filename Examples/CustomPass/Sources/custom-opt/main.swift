import LookupFusion
import TorusOpt

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// torus-opt's dialects and passes, plus ours.
var tool = OptTool(name: "custom-opt")
tool.passes.register(ComposeLookupTablesPass.self)
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
