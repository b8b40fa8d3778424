import TorusOpt

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

let tool = OptTool(name: "torus-opt")
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
