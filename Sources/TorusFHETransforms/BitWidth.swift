import TorusFHE
import TorusIR
import TorusPasses

extension PassRegistry {
  /// Registers the FHE analysis passes.
  public mutating func registerFHEPasses() {
    register(BitWidthReportPass.self)
    register(MaxBitWidthPass.self)
  }
}

/// Placeholder, replaced below.
public struct BitWidthReportPass: Pass {
  public static let info = PassInfo(argument: "fhe-bitwidth-report", summary: "Report encrypted bit widths and table lookups")
  public init(options: PassOptions) throws(PassOptionError) {}
  public func run(on op: Operation, context: PassContext) throws(PassFailure) {}
}

/// Placeholder, replaced below.
public struct MaxBitWidthPass: Pass {
  public static let info = PassInfo(
    argument: "fhe-max-bitwidth", summary: "Fail when an encrypted value is wider than the limit",
    options: [.int("max", default: 16, help: "widest encrypted integer allowed")])
  public init(options: PassOptions) throws(PassOptionError) {}
  public func run(on op: Operation, context: PassContext) throws(PassFailure) {}
}
