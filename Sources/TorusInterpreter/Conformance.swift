import Foundation
import TorusFormats
import TorusIR

/// The outcome of one fixture test entry.
public struct ConformanceResult: Sendable {
  /// Pass, failure with the reason, or skip with the reason.
  public enum Status: Sendable, Equatable {
    case passed
    case failed(String)
    case skipped(String)
  }
  /// Fixture file name.
  public var file: String
  /// Document index in the file.
  public var document: Int
  /// The document's description.
  public var description: String
  /// Test index in the document.
  public var test: Int
  public var status: Status

  public init(file: String, document: Int, description: String, test: Int, status: Status) {
    self.file = file
    self.document = document
    self.description = description
    self.test = test
    self.status = status
  }
}

/// Runs Concrete's end-to-end fixture format (spec §7) in simulate mode.
public struct ConformanceRunner: Sendable {
  public var threads: Int

  public init(threads: Int) { self.threads = threads }

  /// Runs every test of every document of `url`.
  public func run(file url: URL) -> [ConformanceResult] {
    let name = url.lastPathComponent
    let fixture: FixtureFile
    do { fixture = try FixtureFile(contentsOf: url) } catch {
      return [ConformanceResult(file: name, document: 0, description: "(file)", test: 0, status: .failed("cannot read fixture: \(error)"))]
    }
    var results: [ConformanceResult] = []
    for (d, doc) in fixture.documents.enumerated() {
      results += run(doc, file: name, index: d)
    }
    return results
  }

  /// Runs one document.
  public func run(_ doc: FixtureProgram, file: String, index d: Int) -> [ConformanceResult] {
    func result(_ t: Int, _ s: ConformanceResult.Status) -> ConformanceResult {
      ConformanceResult(file: file, document: d, description: doc.description, test: t, status: s)
    }
    let circuit: Circuit
    do { circuit = try Circuit(source: doc.program, fileName: "\(file)#\(d)") } catch {
      return [result(0, .failed("program does not compile: \(error)"))]
    }
    let encoding: Encoding =
      switch doc.encoding {
      case .native: .native
      case .crt: .crt
      default: .auto
      }
    let options = SimulateOptions(
      threads: threads, encoding: encoding, crtModuli: doc.largeIntegerCRTDecomposition, checkInputRange: false,
      trace: { _ in })
    let sim = Simulator(circuit: circuit, options: options)
    var out: [ConformanceResult] = []
    for (t, test) in doc.tests.enumerated() {
      let inputs = (test.inputs ?? []).map { v in v.int64Values }
      do {
        let got = try sim.run(inputs)
        out.append(result(t, compare(got, test.outputs ?? [], circuit: circuit)))
      } catch {
        if case .unsupported(let m) = error { out.append(result(t, .skipped(m))) } else {
          out.append(result(t, .failed("\(error)")))
        }
      }
    }
    return out
  }

  /// Compares outputs with the fixture's expected values (container bits, shape, signedness).
  public func compare(_ got: [[Int64]], _ expected: [FixtureValue], circuit: Circuit) -> ConformanceResult.Status {
    for (i, e) in expected.enumerated() {
      guard i < got.count else { return .failed("expected \(expected.count) outputs, the function returns \(got.count)") }
      let type = circuit.resultTypes[i]
      let shape = type.isRankedTensor ? type.staticShape : []
      if shape != e.shape {
        return .failed("output #\(i): expected shape \(formatShape(e.shape)), found \(formatShape(shape))")
      }
      let bits = e.containerBits
      let mask: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
      let want = e.bitPatterns.map { $0 & mask }
      let have = got[i].map { UInt64(bitPattern: $0) & mask }
      if want != have {
        let shown = type.encryptedElement?.isSigned == true ? got[i].map(String.init) : have.map(String.init)
        return .failed("output #\(i): expected \(e.signed ? e.int64Values.map(String.init) : want.map(String.init)), found \(shown)")
      }
    }
    return .passed
  }
}
