import Foundation

/// The subset of LLVM FileCheck that pass and dialect tests use: `CHECK`, `CHECK-LABEL`,
/// `CHECK-NEXT`, `CHECK-SAME`, `CHECK-NOT`, `CHECK-EMPTY`, with `{{regex}}`, `[[NAME:regex]]`
/// captures and `[[NAME]]` uses. Runs of blanks match any run of blanks, as FileCheck does.
public struct FileCheck {
  public enum Kind: String, Sendable {
    case check = "CHECK", label = "CHECK-LABEL", next = "CHECK-NEXT", same = "CHECK-SAME", not = "CHECK-NOT"
    case empty = "CHECK-EMPTY"
  }

  public struct Directive: Sendable {
    public var kind: Kind
    public var pattern: String
    /// 1-based line of the directive in the test file.
    public var line: Int
  }

  public let directives: [Directive]

  /// Reads the directives of `text` (`// CHECK: …` comments, any prefix before the keyword).
  public init(checkFile text: String, prefix: String = "CHECK") {
    var out: [Directive] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      for kind in [Kind.label, .next, .same, .not, .empty, .check] {
        let key = prefix + kind.rawValue.dropFirst(5) + ":"
        guard let r = line.range(of: key) else { continue }
        // The keyword must start a word (so CHECK does not match inside CHECK-NEXT).
        if r.lowerBound > line.startIndex {
          let before = line[line.index(before: r.lowerBound)]
          if before.isLetter || before == "-" { continue }
        }
        let pattern = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
        out.append(Directive(kind: kind, pattern: pattern, line: i + 1))
        break
      }
    }
    directives = out
  }

  /// A failed directive: its line and what went wrong.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
      self.line = line
      self.message = message
    }
    public var description: String { "check line \(line): \(message)" }
  }

  /// Checks `output` against the directives; throws the first failure.
  public func check(_ output: String) throws(Failure) {
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var variables: [String: String] = [:]
    var line = 0, column = 0  // position after the previous match
    var matchedAny = false
    var pendingNot: [Directive] = []

    func regex(_ d: Directive) throws(Failure) -> (NSRegularExpression, [String]) {
      var re = "", names: [String] = []
      var rest = Substring(d.pattern)
      while !rest.isEmpty {
        if rest.hasPrefix("{{"), let end = rest.range(of: "}}") {
          re += "(?:" + rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound] + ")"
          rest = rest[end.upperBound...]
        } else if rest.hasPrefix("[["), let end = rest.range(of: "]]") {
          let body = rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]
          if let colon = body.firstIndex(of: ":") {
            names.append(String(body[..<colon]))
            re += "(" + body[body.index(after: colon)...] + ")"
          } else {
            guard let v = variables[String(body)] else { throw Failure(line: d.line, message: "undefined variable '\(body)'") }
            re += NSRegularExpression.escapedPattern(for: v)
          }
          rest = rest[end.upperBound...]
        } else {
          let c = rest.removeFirst()
          if c == " " || c == "\t" {
            while let n = rest.first, n == " " || n == "\t" { rest.removeFirst() }
            re += "[ \\t]+"
          } else {
            re += NSRegularExpression.escapedPattern(for: String(c))
          }
        }
      }
      do { return (try NSRegularExpression(pattern: re), names) } catch {
        throw Failure(line: d.line, message: "invalid pattern '\(d.pattern)'")
      }
    }

    /// The first match of `d` in line `l` from `from` (UTF-16 offset), binding captures.
    func match(_ d: Directive, line l: Int, from: Int) throws(Failure) -> (start: Int, end: Int)? {
      guard l < lines.count else { return nil }
      let (re, names) = try regex(d)
      let text = lines[l] as NSString
      guard from <= text.length,
        let m = re.firstMatch(in: lines[l], range: NSRange(location: from, length: text.length - from))
      else { return nil }
      for (k, name) in names.enumerated() { variables[name] = text.substring(with: m.range(at: k + 1)) }
      return (m.range.location, m.range.location + m.range.length)
    }

    /// Checks the pending CHECK-NOTs between the previous match and (line, col).
    func checkNots(until endLine: Int, _ endColumn: Int) throws(Failure) {
      for d in pendingNot {
        var l = line
        while l <= min(endLine, lines.count - 1) {
          let from = l == line ? column : 0
          if let m = try match(d, line: l, from: from), l < endLine || m.end <= endColumn {
            throw Failure(line: d.line, message: "CHECK-NOT: '\(d.pattern)' found on output line \(l + 1): \(lines[l])")
          }
          l += 1
        }
      }
      pendingNot = []
    }

    for d in directives {
      switch d.kind {
      case .not:
        pendingNot.append(d)
      case .check, .label:
        var l = matchedAny ? line : 0, from = matchedAny ? column : 0
        var found: (Int, Int, Int)?
        while l < lines.count {
          if let m = try match(d, line: l, from: from) { found = (l, m.start, m.end); break }
          l += 1
          from = 0
        }
        guard let (fl, start, end) = found else {
          throw Failure(line: d.line, message: "\(d.kind.rawValue): '\(d.pattern)' not found after output line \(line + 1)")
        }
        try checkNots(until: fl, start)
        (line, column, matchedAny) = (fl, end, true)
      case .next, .empty:
        let l = matchedAny ? line + 1 : 0
        if d.kind == .empty {
          guard l < lines.count, lines[l].isEmpty else {
            throw Failure(line: d.line, message: "CHECK-EMPTY: output line \(l + 1) is not empty")
          }
          try checkNots(until: l, 0)
          (line, column, matchedAny) = (l, 0, true)
          continue
        }
        guard let m = try match(d, line: l, from: 0) else {
          throw Failure(line: d.line, message: "CHECK-NEXT: '\(d.pattern)' not on output line \(l + 1): \(l < lines.count ? lines[l] : "<end>")")
        }
        try checkNots(until: l, m.start)
        (line, column, matchedAny) = (l, m.end, true)
      case .same:
        guard let m = try match(d, line: line, from: column) else {
          throw Failure(line: d.line, message: "CHECK-SAME: '\(d.pattern)' not on output line \(line + 1): \(line < lines.count ? lines[line] : "<end>")")
        }
        try checkNots(until: line, m.start)
        column = m.end
      }
    }
    try checkNots(until: lines.count, 0)
  }
}
