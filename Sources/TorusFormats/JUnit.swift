import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A JUnit XML report (the `<testsuites>` format CI systems read), built as an XML tree through
/// Foundation's XML classes (libxml2 on Linux) and re-read to check it is well-formed.
public struct JUnitReport: Sendable {
  public enum Outcome: Sendable, Equatable {
    case passed
    case failed(String)
    case skipped(String)
  }

  public struct TestCase: Sendable {
    public var classname: String
    public var name: String
    public var seconds: Double
    public var outcome: Outcome
    public init(classname: String, name: String, seconds: Double = 0, outcome: Outcome) {
      self.classname = classname
      self.name = name
      self.seconds = seconds
      self.outcome = outcome
    }
  }

  public struct Suite: Sendable {
    public var name: String
    public var cases: [TestCase]
    public init(name: String, cases: [TestCase]) {
      self.name = name
      self.cases = cases
    }
    var failures: Int { cases.filter { if case .failed = $0.outcome { true } else { false } }.count }
    var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
  }

  public var name: String
  public var suites: [Suite]

  public init(name: String, suites: [Suite]) {
    self.name = name
    self.suites = suites
  }

  /// Why a report could not be made or written.
  public struct Error: Swift.Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// The document's bytes (UTF-8, pretty-printed), checked by parsing them back.
  public func xmlData() throws(JUnitReport.Error) -> Data {
    func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
    let root = XMLElement(name: "testsuites")
    let all = suites.flatMap(\.cases)
    root.setAttributesWith([
      "name": name, "tests": String(all.count), "failures": String(suites.map(\.failures).reduce(0, +)),
      "errors": "0", "skipped": String(suites.map(\.skipped).reduce(0, +)),
      "time": seconds(all.map(\.seconds).reduce(0, +)),
    ])
    for (index, suite) in suites.enumerated() {
      let s = XMLElement(name: "testsuite")
      s.setAttributesWith([
        "name": suite.name, "id": String(index), "tests": String(suite.cases.count), "failures": String(suite.failures),
        "errors": "0", "skipped": String(suite.skipped), "time": seconds(suite.cases.map(\.seconds).reduce(0, +)),
      ])
      for c in suite.cases {
        let e = XMLElement(name: "testcase")
        e.setAttributesWith(["classname": c.classname, "name": c.name, "time": seconds(c.seconds)])
        switch c.outcome {
        case .passed: break
        case .failed(let message):
          let f = XMLElement(name: "failure", stringValue: message)
          f.setAttributesWith(["message": Self.firstLine(message), "type": "failure"])
          e.addChild(f)
        case .skipped(let message):
          let k = XMLElement(name: "skipped")
          k.setAttributesWith(["message": message])
          e.addChild(k)
        }
        s.addChild(e)
      }
      root.addChild(s)
    }
    let document = XMLDocument(rootElement: root)
    document.version = "1.0"
    document.characterEncoding = "UTF-8"
    let data = document.xmlData(options: [.nodePrettyPrint])
    do { _ = try XMLDocument(data: data, options: []) } catch {
      throw Error(description: "the JUnit report is not well-formed XML: \(error)")
    }
    return data
  }

  /// Writes the report to `path`.
  public func write(to path: String) throws(JUnitReport.Error) {
    let data = try xmlData()
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
      throw Error(description: "cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  /// XML 1.0 cannot carry most control characters even escaped; messages keep their first line.
  static func firstLine(_ s: String) -> String {
    String(s.prefix { $0 != "\n" }.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" }.map(Character.init))
  }
}
