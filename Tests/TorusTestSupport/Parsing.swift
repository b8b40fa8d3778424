import TorusIR

/// The one parse + verify step of the tests: MLIR text to a verified module, or the first
/// diagnostic (a parse error positioned in the text, or the verifier's).
public func parseVerified(_ text: String, name: String = "input.mlir", registry: DialectRegistry) throws(Diagnostic) -> Module {
  try parseVerified(Array(text.utf8), name: name, registry: registry)
}

public func parseVerified(_ bytes: [UInt8], name: String = "input.mlir", registry: DialectRegistry) throws(Diagnostic) -> Module {
  let file = SourceFile(name: name, bytes: bytes)
  let module: Module
  do { module = try OpAsmParser(file: file, registry: registry).parseModule() } catch { throw error.diagnostic(in: file) }
  try Verifier().verify(module.operation)
  return module
}
