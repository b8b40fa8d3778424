import TorusFHE
import TorusFHETransforms
import TorusOpt

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

var tool = OptTool(name: "torus-opt", registry: .fhe)
tool.passes.registerFHEPasses()
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
