import Foundation
import TFHE
import TorusFormats
import TorusIR
import TorusInterpreter

/// Runs a circuit while recording every op's decoded results, and compares two such runs op by
/// op: simulate against encrypted, or two circuits of the same structure on the same inputs.
public enum CircuitTrace {
  public enum Mode: String, Sendable, CaseIterable {
    case simulate, encrypted
  }

  /// What one run observed, in op order.
  public struct Run: Sendable {
    public var label: String
    public var ops: [ObservedOp]
    public var outputs: [NDArray]
  }

  /// Runs `circuit` on one sample (`arrays`, one per argument, integers) in `mode`, recording
  /// every op. Encrypted mode makes keys for the circuit and decrypts every intermediate value
  /// with the client key: a debugging mode, never a deployment.
  public static func record(
    _ circuit: EncryptedCircuit, arrays: [NDArray], mode: Mode, target: ErrorTarget = ErrorTarget(), threads: Int,
    label: String? = nil, live: OpObserver? = nil
  ) throws(EncryptedModeError) -> Run {
    let recorder = Recorder(live: live)
    let outputs: [NDArray]
    switch mode {
    case .simulate:
      var options = SimulateOptions(threads: threads, encoding: .native, trace: { _ in })
      options.observer = recorder.observe
      do { outputs = try Simulator(circuit: circuit.circuit, options: options).run(arrays: arrays) } catch {
        throw .invalidInput("\(error)")
      }
    case .encrypted:
      outputs = try LocalEncryptedRun(circuit: circuit, target: target, threads: threads).run(arrays, observer: recorder.observe).outputs
    }
    return Run(label: label ?? "\(circuit.path) (\(mode.rawValue))", ops: recorder.ops, outputs: outputs)
  }

  /// The first op whose results differ between two runs.
  public struct Difference: Sendable {
    public var index: Int
    public var left: ObservedOp
    public var right: ObservedOp
    /// Result number and flat element index of the first differing value (nil: shapes differ).
    public var element: (result: Int, index: Int)?
  }

  /// Compares op by op (by position); nil when every result is equal. Ops of different names at
  /// the same position are a difference too (the circuits do not have the same structure there).
  public static func firstDifference(_ a: Run, _ b: Run) -> Difference? {
    for (l, r) in zip(a.ops, b.ops) {
      if l.name != r.name || l.results.count != r.results.count { return Difference(index: l.index, left: l, right: r, element: nil) }
      for (k, (x, y)) in zip(l.results, r.results).enumerated() where x != y {
        guard x.shape == y.shape, x.values.count == y.values.count else { return Difference(index: l.index, left: l, right: r, element: nil) }
        let i = x.values.indices.first { x.values[$0] != y.values[$0] } ?? 0
        return Difference(index: l.index, left: l, right: r, element: (k, i))
      }
    }
    if a.ops.count != b.ops.count, let extra = (a.ops.count > b.ops.count ? a.ops : b.ops).dropFirst(min(a.ops.count, b.ops.count)).first {
      return Difference(index: extra.index, left: extra, right: extra, element: nil)
    }
    return nil
  }

  /// Gathers observations from interpreter threads, in order.
  final class Recorder: @unchecked Sendable {
    private let lock = NSLockLike()
    private var recorded: [ObservedOp] = []
    let live: OpObserver?
    init(live: OpObserver?) { self.live = live }
    var observe: OpObserver {
      { [self] op in
        lock.withLock { recorded.append(op) }
        live?(op)
      }
    }
    var ops: [ObservedOp] { lock.withLock { recorded } }
  }
}

extension Location {
  /// A short `file:line:col` or `name` for reports (empty when unknown).
  public var shortDescription: String {
    switch self {
    case .unknown: ""
    case .fileLineCol(let f, let l, let c): "\((f as NSString).lastPathComponent):\(l):\(c)"
    case .name(let n, let child): child.map { "\(n) @ \($0.shortDescription)" } ?? n
    case .callSite(let callee, _): callee.shortDescription
    case .fused(_, let locations): locations.map(\.shortDescription).filter { !$0.isEmpty }.joined(separator: ", ")
    }
  }
}
