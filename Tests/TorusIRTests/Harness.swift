import TorusIR
import TorusPasses
import TorusTestSupport

/// Parses, verifies and prints text the way torus-opt does, for tests.
enum Harness {
  static func registry(allowUnregistered: Bool = true) -> DialectRegistry {
    var r = DialectRegistry.core
    r.allowUnregisteredDialects = allowUnregistered
    return r
  }

  /// The parsed and verified module, or the first diagnostic.
  static func load(_ bytes: [UInt8], name: String = "input.mlir", registry: DialectRegistry = registry()) -> Result<Module, Diagnostic> {
    Result { () throws(Diagnostic) in try parseVerified(bytes, name: name, registry: registry) }
  }

  static func load(_ text: String, registry: DialectRegistry = registry()) -> Result<Module, Diagnostic> {
    load(Array(text.utf8), registry: registry)
  }

  /// Output as torus-opt writes it (mlir-opt ends with a blank line).
  static func print(_ module: Module, generic: Bool, debugInfo: Bool = false) -> String {
    String(decoding: module.print(options: PrintOptions(generic: generic, debugInfo: debugInfo)), as: UTF8.self) + "\n"
  }

  static func run(_ pipeline: String, on module: Module) throws {
    let pm = PassManager(
      root: try PipelineParser(passes: .standard).parse(pipeline),
      context: PassContext(registry: registry(), output: { _ in }))
    try pm.run(module)
  }
}
