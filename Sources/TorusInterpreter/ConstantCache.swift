import Foundation
import TorusIR

/// Values that do not change between runs of a circuit: clear constants and extended lookup
/// tables, keyed by op identity. Safe to share between threads.
public final class ConstantCache: @unchecked Sendable {
  private let lock = NSLock()
  private var constants: [ObjectIdentifier: Tensor<Int64>] = [:]
  private var lookupTables: [ObjectIdentifier: [[Int64]]] = [:]

  public init() {}

  func constant<C: Sendable>(_ op: TorusIR.Operation, _ make: () throws(InterpreterError) -> RuntimeValue<C>?) throws(InterpreterError) -> Tensor<Int64> {
    let key = ObjectIdentifier(op)
    lock.lock()
    let hit = constants[key]
    lock.unlock()
    if let hit { return hit }
    guard case .clear(let t)? = try make() else { throw .unsupported("constant '\(op.name)'") }
    lock.lock()
    constants[key] = t
    lock.unlock()
    return t
  }

  func tables(_ op: TorusIR.Operation, _ make: () throws(InterpreterError) -> [[Int64]]) throws(InterpreterError) -> [[Int64]] {
    let key = ObjectIdentifier(op)
    lock.lock()
    let hit = lookupTables[key]
    lock.unlock()
    if let hit { return hit }
    let t = try make()
    lock.lock()
    lookupTables[key] = t
    lock.unlock()
    return t
  }
}


/// Writes one profiling line to standard error.
func reportProfile(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}
