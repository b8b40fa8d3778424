import ArgumentParser
import Foundation
import TorusEncrypted
import TorusFormats
import TorusIR
import TorusInterpreter
import TorusQNNTransforms

extension CircuitTrace.Mode: ExpressibleByArgument {}

/// Which ops `--trace` prints: `all`, or op names (full or the part after the dot), comma-separated.
struct TraceSelection {
  let names: Set<String>?
  init(_ text: String) {
    names = text == "all" || text.isEmpty ? nil : Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
  }
  func contains(_ op: String) -> Bool {
    guard let names else { return true }
    return names.contains(op) || names.contains(String(op.split(separator: ".").last ?? ""))
  }
}

/// `[index] name (location): result summaries`, one line per op.
func traceLine(_ op: ObservedOp) -> String {
  let loc = op.location.shortDescription
  let results = op.results.map { $0.summary() }.joined(separator: "; ")
  return "[\(op.index)] \(op.name)\(loc.isEmpty ? "" : " (\(loc))"): \(results)"
}

/// The arrays of one sample: a batched input (extra leading dimension) gives its sample `k`.
func oneSample(_ arrays: [NDArray], circuit: Circuit, sample k: Int) throws -> [NDArray] {
  let layout = try BatchLayout(arrays: arrays, types: circuit.argumentTypes, function: circuit.function.symbolName)
  guard let batch = layout.batch else { return arrays }
  guard (0..<batch).contains(k) else { throw ValidationError("--sample \(k) is out of range: the inputs hold \(batch) samples") }
  return arrays.enumerated().map { i, a in
    let t = circuit.argumentTypes[i]
    return NDArray(layout.slice(a.int64Values, argument: i, sample: k), shape: t.isRankedTensor ? t.staticShape : [])
  }
}

struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a circuit two ways on the same inputs and report the first op whose results differ.",
    discussion: """
      With one circuit: --left simulate --right encrypted (the default) finds where encrypted execution \
      departs from the exact clear run (a parameter set too small, a wrong bootstrap). With two circuits \
      of the same structure (e.g. one rewritten by a pass, or a copy with a flipped table entry), both run \
      in --left mode. Encrypted runs decrypt every intermediate value with a fresh client key: a \
      debugging mode. Inputs as for 'torus run' (a compiled model's sidecar quantizes floats); a batched \
      input runs its --sample.
      """)

  @Argument(help: "One circuit, or two circuits to compare.") var circuits: [String]
  @Option(name: .customLong("input"), help: "An input array (.npy or .json), one per function argument, in order.") var inputs: [String] = []
  @Option(help: "Mode of the first run (and of both with two circuits): simulate or encrypted.") var left: CircuitTrace.Mode = .simulate
  @Option(help: "Mode of the second run of a single circuit.") var right: CircuitTrace.Mode = .encrypted
  @Option(help: "The function (default: main, or the module's only function).") var function: String?
  @Option(help: "Which sample of a batched input to run.") var sample: Int = 0
  @Flag(help: "Take the circuit's raw integers even when a quantization sidecar is beside it.") var raw = false
  @Option(help: "Worker threads (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
  @OptionGroup(title: "Encrypted runs: error targets that choose the parameters") var errorTarget: ErrorTargetOptions

  func validate() throws {
    guard (1...2).contains(circuits.count) else { throw ValidationError("expected one or two circuits, got \(circuits.count)") }
    if circuits.count == 1 && left == right { throw ValidationError("--left and --right are both \(left.rawValue): nothing to compare") }
    if circuits.count == 2 && right != .encrypted { throw ValidationError("--right applies to a single circuit; two circuits both run in --left mode") }
    if sample < 0 { throw ValidationError("--sample must be 0 or more") }
  }

  func run() throws {
    try reporting {
      let a = try EncryptedCircuit(path: circuits[0], function: function)
      let b = circuits.count == 2 ? try EncryptedCircuit(path: circuits[1], function: function) : a
      var arrays = try inputs.map { p throws in try ArrayFile.read(p) }
      if let modelIO = try ModelIO.forCircuit(circuits[0], raw: raw) { arrays = try modelIO.quantize(arrays) }
      arrays = try oneSample(arrays, circuit: a.circuit, sample: sample)
      let modes = circuits.count == 2 ? (left, left) : (left, right)
      if modes.0 == .encrypted || modes.1 == .encrypted {
        printError("note: the encrypted run decrypts every intermediate value with its client key (debugging only)")
      }
      let l = try CircuitTrace.record(a, arrays: arrays, mode: modes.0, target: errorTarget.target, threads: threads)
      let r = try CircuitTrace.record(b, arrays: arrays, mode: modes.1, target: errorTarget.target, threads: threads)
      guard let d = CircuitTrace.firstDifference(l, r) else {
        print("no difference: \(l.ops.count) ops with results, \(l.label) and \(r.label) agree on every value")
        return
      }
      let loc = d.left.location.shortDescription
      print("first difference at op [\(d.index)] \(d.left.name)\(loc.isEmpty ? "" : " (\(loc))")")
      if d.left.name != d.right.name { print("  the circuits differ in structure here: \(d.left.name) vs \(d.right.name)") }
      if let (k, i) = d.element {
        print("  result #\(k), element \(i): \(d.left.results[k].values[i]) (\(l.label)) vs \(d.right.results[k].values[i]) (\(r.label))")
        let differing = zip(d.left.results[k].values, d.right.results[k].values).filter { $0 != $1 }.count
        print("  \(differing) of \(d.left.results[k].values.count) elements differ")
      }
      print("  \(l.label): " + d.left.results.map { $0.summary() }.joined(separator: "; "))
      print("  \(r.label): " + d.right.results.map { $0.summary() }.joined(separator: "; "))
      throw ExitCode(1)
    }
  }
}

struct JUnit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "junit",
    abstract: "Write a JUnit XML report from a tab-separated results list (for scripts; scripts/conformance-syntax.sh --junit).",
    discussion: """
      Each line of the input: SUITE<TAB>TEST<TAB>passed|failed|skipped[<TAB>MESSAGE]. Suites keep the order \
      they first appear in. The report is built with Foundation's XML classes (libxml2) and parsed back.
      """)

  @Option(help: "The results list ('-' for standard input).") var from: String
  @Option(name: [.customShort("o"), .long], help: "The JUnit XML file to write.") var output: String
  @Option(help: "The report's name.") var name: String = "torus"

  func run() throws {
    try reporting {
      let text: String
      if from == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      } else {
        do { text = try String(contentsOfFile: from, encoding: .utf8) } catch {
          throw ValidationError("cannot read '\(from)': \(error.localizedDescription)")
        }
      }
      var order: [String] = []
      var cases: [String: [JUnitReport.TestCase]] = [:]
      for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
        let f = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 3 else { throw ValidationError("\(from):\(n + 1): expected SUITE<TAB>TEST<TAB>STATUS[<TAB>MESSAGE]") }
        let message = f.count > 3 ? f[3] : ""
        let outcome: JUnitReport.Outcome
        switch f[2] {
        case "passed": outcome = .passed
        case "failed": outcome = .failed(message)
        case "skipped": outcome = .skipped(message)
        default: throw ValidationError("\(from):\(n + 1): status must be passed, failed or skipped, got '\(f[2])'")
        }
        if cases[f[0]] == nil { order.append(f[0]) }
        cases[f[0], default: []].append(JUnitReport.TestCase(classname: f[0], name: f[1], outcome: outcome))
      }
      try JUnitReport(name: name, suites: order.map { JUnitReport.Suite(name: $0, cases: cases[$0]!) }).write(to: output)
    }
  }
}
