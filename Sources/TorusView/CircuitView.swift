import Foundation
import TorusEncrypted
import TorusIR
import TorusPasses

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Draws a `CircuitGraph` as SVG (inside an HTML page, or alone): one box per op with its name,
/// result type, width, bootstraps and share of the run time, hot ops in red, edges labelled
/// with the shapes they carry, rows by depth and the source layer (ONNX node) beside each row.
/// The document is an XML tree (Foundation's XML classes, libxml2 on Linux), read back to check
/// that it is well-formed before it is written.
public enum CircuitView {
  public enum Format: String, Sendable, CaseIterable {
    case html, svg
  }

  /// Why a view could not be made or written.
  public struct Error: Swift.Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
  }

  static let boxWidth = 300.0, boxHeight = 64.0, gapX = 28.0, gapY = 46.0, margin = 24.0, labelWidth = 230.0

  /// The document's bytes.
  public static func render(_ graph: CircuitGraph, title: String, format: Format) throws(CircuitView.Error) -> Data {
    let svg = svgElement(graph)
    let root: XMLElement
    switch format {
    case .svg:
      root = svg
    case .html:
      root = XMLElement(name: "html")
      let head = XMLElement(name: "head")
      head.addChild(XMLElement(name: "title", stringValue: title))
      let meta = XMLElement(name: "meta")
      meta.setAttributesWith(["charset": "utf-8"])
      head.addChild(meta)
      head.addChild(XMLElement(name: "style", stringValue: css))
      root.addChild(head)
      let body = XMLElement(name: "body")
      body.addChild(XMLElement(name: "h1", stringValue: title))
      body.addChild(XMLElement(name: "p", stringValue: summary(graph)))
      body.addChild(XMLElement(name: "p", stringValue: "Hover a box for its details. Red: share of the estimated run time."))
      body.addChild(svg)
      body.addChild(table(graph))
      root.addChild(body)
    }
    let document = XMLDocument(rootElement: root)
    document.characterEncoding = "UTF-8"
    var data = document.xmlData(options: [.nodePrettyPrint])
    if format == .html { data = Data("<!DOCTYPE html>\n".utf8) + data.drop { $0 != UInt8(ascii: "\n") }.dropFirst() }
    // Well-formed: it parses back (the DOCTYPE line aside).
    let check = format == .html ? Data(data.drop { $0 != UInt8(ascii: "\n") }.dropFirst()) : data
    do { _ = try XMLDocument(data: check, options: []) } catch {
      throw Error(description: "the view is not well-formed XML: \(error)")
    }
    return data
  }

  public static func write(_ graph: CircuitGraph, title: String, to path: String) throws(CircuitView.Error) {
    let format: Format = path.hasSuffix(".svg") ? .svg : .html
    let data = try render(graph, title: title, format: format)
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
      throw Error(description: "cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  static func summary(_ graph: CircuitGraph) -> String {
    let ops = graph.nodes.filter { !$0.name.hasPrefix("argument") && $0.name != "return" }.count
    var s = "@\(graph.function): \(ops) ops on ciphertexts, \(graph.totalBootstraps) bootstraps per run"
    if let plan = graph.plan {
      s += String(format: ", estimated %.1f s on one core with %@", plan.estimatedSeconds(threads: 1), "\(plan.parameters)")
    } else {
      s += " (no classic parameter set fits: no time estimate)"
    }
    return s
  }

  static let css = """
    body { font-family: sans-serif; margin: 16px; }
    svg text { font-family: monospace; font-size: 11px; }
    g.op rect { stroke: #333; stroke-width: 1; rx: 4; }
    g.op:hover rect { stroke: #06c; stroke-width: 3; }
    table { border-collapse: collapse; margin-top: 16px; font-size: 12px; }
    td, th { border: 1px solid #aaa; padding: 2px 6px; text-align: right; }
    td:first-child, th:first-child { text-align: left; }
    """

  /// The same color as `#rrggbb` (Graphviz does not read `hsl()`).
  static func hexFill(_ share: Double) -> String {
    let h = share > 0 ? 8.0 / 360 : 210.0 / 360, sat = 0.85, l = (share > 0 ? 97 - 52 * min(1, share * 2.5) : 96) / 100
    let q = l < 0.5 ? l * (1 + sat) : l + sat - l * sat, p = 2 * l - q
    func channel(_ t0: Double) -> Int {
      var t = t0
      if t < 0 { t += 1 }
      if t > 1 { t -= 1 }
      let v = t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (2 / 3 - t) * 6 : p
      return Int((v * 255).rounded())
    }
    return String(format: "#%02x%02x%02x", channel(h + 1 / 3), channel(h), channel(h - 1 / 3))
  }

  static func fill(_ share: Double) -> String {
    // White for no bootstrap, through orange, to red for the hottest.
    let hue: Int = share > 0 ? 8 : 210
    let lightness: Double = share > 0 ? 97 - 52 * min(1, share * 2.5) : 96
    return "hsl(\(hue), 85%, \(Int(lightness.rounded()))%)"
  }

  static func svgElement(_ graph: CircuitGraph) -> XMLElement {
    var rows: [Int: [CircuitGraph.Node]] = [:]
    for n in graph.nodes { rows[n.layer, default: []].append(n) }
    let widest = rows.values.map(\.count).max() ?? 1
    let width = margin * 2 + labelWidth + Double(widest) * (boxWidth + gapX)
    let height = margin * 2 + Double(rows.count) * (boxHeight + gapY)
    let svg = XMLElement(name: "svg")
    svg.setAttributesWith([
      "xmlns": "http://www.w3.org/2000/svg", "width": String(Int(width)), "height": String(Int(height)),
      "viewBox": "0 0 \(Int(width)) \(Int(height))",
    ])
    // Arrow head.
    let defs = XMLElement(name: "defs")
    let marker = XMLElement(name: "marker")
    marker.setAttributesWith(["id": "arrow", "markerWidth": "8", "markerHeight": "8", "refX": "7", "refY": "4", "orient": "auto"])
    let head = XMLElement(name: "path")
    head.setAttributesWith(["d": "M0,0 L8,4 L0,8 z", "fill": "#555"])
    marker.addChild(head)
    defs.addChild(marker)
    svg.addChild(defs)
    var center: [Int: (x: Double, top: Double, bottom: Double)] = [:]
    for (layer, nodes) in rows.sorted(by: { $0.key < $1.key }) {
      let y = margin + Double(layer) * (boxHeight + gapY)
      let rowWidth = Double(nodes.count) * (boxWidth + gapX) - gapX
      let x0 = margin + labelWidth + (Double(widest) * (boxWidth + gapX) - gapX - rowWidth) / 2
      for (k, n) in nodes.enumerated() {
        center[n.id] = (x0 + Double(k) * (boxWidth + gapX) + boxWidth / 2, y, y + boxHeight)
      }
      // The source layer of the row (the ONNX node, for a compiled model).
      let sources = Array(Set(nodes.map(\.source).filter { !$0.isEmpty })).sorted()
      if !sources.isEmpty {
        svg.addChild(text(sources.joined(separator: ", "), x: margin, y: y + boxHeight / 2 + 4, attributes: ["fill": "#555"]))
      }
    }
    for e in graph.edges {
      guard let a = center[e.from], let b = center[e.to] else { continue }
      let line = XMLElement(name: "line")
      line.setAttributesWith([
        "x1": f(a.x), "y1": f(a.bottom), "x2": f(b.x), "y2": f(b.top - 2), "stroke": "#777", "stroke-width": "1.2",
        "marker-end": "url(#arrow)",
      ])
      svg.addChild(line)
      svg.addChild(text(e.label, x: (a.x + b.x) / 2 + 6, y: (a.bottom + b.top) / 2 + 4, attributes: ["fill": "#336"]))
    }
    for n in graph.nodes {
      guard let c = center[n.id] else { continue }
      let g = XMLElement(name: "g")
      g.setAttributesWith(["class": n.name.hasPrefix("argument") || n.name == "return" ? "io" : "op", "id": "op\(n.id)"])
      g.addChild(XMLElement(name: "title", stringValue: details(n)))
      let rect = XMLElement(name: "rect")
      rect.setAttributesWith([
        "x": f(c.x - boxWidth / 2), "y": f(c.top), "width": f(boxWidth), "height": f(boxHeight), "fill": fill(n.share),
        "stroke": "#333",
      ])
      g.addChild(rect)
      let left = c.x - boxWidth / 2 + 8
      g.addChild(text(n.name, x: left, y: c.top + 16, attributes: ["font-weight": "bold"]))
      g.addChild(text(shorten(n.type), x: left, y: c.top + 32))
      var line3 = n.width.map { "\($0) bits" } ?? ""
      if n.bootstraps > 0 {
        line3 += "  \(n.bootstraps) PBS  " + String(format: "%.0f%%", n.share * 100)
        if let ms = n.milliseconds { line3 += String(format: "  %.0f ms", ms) }
      }
      g.addChild(text(line3, x: left, y: c.top + 50))
      svg.addChild(g)
    }
    return svg
  }

  static func details(_ n: CircuitGraph.Node) -> String {
    var lines = ["\(n.name) [\(n.id)]", "result: \(n.type)"]
    if !n.source.isEmpty { lines.append("source: \(n.source)") }
    if n.bootstraps > 0 {
      lines.append("bootstraps: " + n.bootstrapsByWidth.sorted { $0.key < $1.key }.map { "\($0.value) at \($0.key) bits" }.joined(separator: ", "))
      lines.append(String(format: "share of run time: %.1f%%", n.share * 100))
      if let ms = n.milliseconds { lines.append(String(format: "estimated: %.1f ms on one core", ms)) }
    } else {
      lines.append("levelled (no bootstrap)")
    }
    return lines.joined(separator: "\n")
  }

  static func shorten(_ type: String) -> String { type.count > 44 ? String(type.prefix(41)) + "…" : type }

  static func f(_ v: Double) -> String { String(format: "%.1f", v) }

  static func text(_ s: String, x: Double, y: Double, attributes: [String: String] = [:]) -> XMLElement {
    let t = XMLElement(name: "text", stringValue: s)
    var a = attributes
    a["x"] = f(x)
    a["y"] = f(y)
    t.setAttributesWith(a)
    return t
  }

  static func table(_ graph: CircuitGraph) -> XMLElement {
    let t = XMLElement(name: "table")
    let header = XMLElement(name: "tr")
    for h in ["source layer", "bootstraps", "by width", "estimated ms (1 core)", "share"] { header.addChild(XMLElement(name: "th", stringValue: h)) }
    t.addChild(header)
    for row in graph.perSource {
      let tr = XMLElement(name: "tr")
      let total = row.bootstrapsByWidth.values.reduce(0, +)
      let widths = row.bootstrapsByWidth.sorted { $0.key < $1.key }.map { "\($0.value)@\($0.key)b" }.joined(separator: " ")
      for cell in [row.source, String(total), widths, row.milliseconds.map { String(format: "%.0f", $0) } ?? "–", String(format: "%.1f%%", row.share * 100)] {
        tr.addChild(XMLElement(name: "td", stringValue: cell))
      }
      t.addChild(tr)
    }
    return t
  }

  /// Graphviz DOT of the same graph (`torus view … -o x.dot`, or `torus-opt --view-op-graph`).
  public static func dot(_ graph: CircuitGraph) -> String {
    func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
    var out = "digraph \(quote(graph.function)) {\n  node [shape=box, style=filled, fontname=monospace];\n"
    for n in graph.nodes {
      var label = "\(n.name)\\n\(shorten(n.type))"
      if n.bootstraps > 0 { label += String(format: "\\n%d PBS, %.0f%%", n.bootstraps, n.share * 100) }
      out += "  n\(n.id) [label=\(quote(label).replacingOccurrences(of: "\\\\n", with: "\\n")), fillcolor=\(quote(hexFill(n.share)))];\n"
    }
    for e in graph.edges { out += "  n\(e.from) -> n\(e.to) [label=\(quote(e.label))];\n" }
    return out + "}\n"
  }
}

/// Prints each function as a Graphviz graph (mlir-opt's `--view-op-graph` habit): ops on
/// ciphertexts as boxes with type, bootstraps and share, edges with shapes.
/// Example: torus-opt circuit.mlir --view-op-graph -o /dev/null 2> circuit.dot
public struct ViewOpGraphPass: Pass {
  public static let info = PassInfo(
    argument: "view-op-graph", summary: "Print the circuit as a Graphviz DOT graph with bootstraps and run-time shares")
  public init(options: PassOptions) throws(PassOptionError) {}

  public func run(on op: TorusIR.Operation, context: PassContext) throws(PassFailure) {
    for f in op.functionDefinitions { context.output(CircuitView.dot(CircuitGraph(function: f))) }
  }
}
