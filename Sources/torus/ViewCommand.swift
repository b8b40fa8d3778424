import ArgumentParser
import Foundation
import TorusEncrypted
import TorusInterpreter
import TorusView

struct View: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw a circuit: ops on ciphertexts as boxes with type, width, bootstraps and share of the run time.",
    discussion: """
      The output format follows the file name: .html (an SVG graph with hover details and a per-layer \
      cost table), .svg (the graph alone) or .dot (Graphviz). Rows are the depth in the dataflow; for a \
      circuit made by 'torus compile' each row names the ONNX node its ops came from. Costs use the \
      parameters an encrypted run would choose (--global-p-error / --p-error).
      """)

  @Argument(help: "The circuit (MLIR text; .gz is decompressed).") var circuit: String
  @Option(name: [.customShort("o"), .long], help: "The file to write: .html, .svg or .dot.") var output: String
  @Option(help: "The function (default: main, or the module's only function).") var function: String?
  @OptionGroup(title: "Error targets that choose the parameters of the cost estimate") var errorTarget: ErrorTargetOptions

  func validate() throws {
    guard [".html", ".svg", ".dot"].contains(where: { output.hasSuffix($0) }) else {
      throw ValidationError("the output must end in .html, .svg or .dot, got '\(output)'")
    }
  }

  func run() throws {
    try reporting {
      let c = try Circuit(contentsOf: URL(fileURLWithPath: circuit), functionName: function)
      let graph = CircuitGraph(function: c.function, target: errorTarget.target)
      let title = "\((circuit as NSString).lastPathComponent) @\(c.function.symbolName)"
      if output.hasSuffix(".dot") {
        do { try Data(CircuitView.dot(graph).utf8).write(to: URL(fileURLWithPath: output)) } catch {
          throw CircuitView.Error(description: "cannot write '\(output)': \(error.localizedDescription)")
        }
      } else {
        try CircuitView.write(graph, title: title, to: output)
      }
      let ops = graph.nodes.filter { !$0.name.hasPrefix("argument") && $0.name != "return" }.count
      printError("\(output): \(ops) ops, \(graph.totalBootstraps) bootstraps per run")
    }
  }
}
