import TorusOpt
import TorusTools

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

exit(OptTool.torus.main(Array(CommandLine.arguments.dropFirst())))
