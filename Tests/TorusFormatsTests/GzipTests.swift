import Foundation
import Testing
import TorusFormats
import TorusTestSupport

/// gzip through zlib: round trip against the system's gzip, and bad streams give errors, never a crash.
@Suite struct GzipTests {
  static func gzip(_ text: String) throws -> Data {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let plain = dir.appendingPathComponent("c.mlir")
    try text.write(to: plain, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -c \"$0\" > \"$0.gz\"", plain.path]
    try p.run()
    p.waitUntilExit()
    return try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz"))
  }

  static let text = String(repeating: "%0 = \"FHE.zero\"() : () -> !FHE.eint<4>\n", count: 20_000)

  @Test func roundTripsAndReadsConcatenatedMembers() throws {
    let data = try Self.gzip(Self.text)
    #expect(Gzip.isCompressed(data))
    #expect(String(decoding: try Gzip.decompress(data), as: UTF8.self) == Self.text)
    let two = try Gzip.decompress(data + (try Self.gzip("tail\n")))
    #expect(String(decoding: two, as: UTF8.self) == Self.text + "tail\n")
  }

  @Test func truncatedAndCorruptStreamsAreErrors() throws {
    let data = try Self.gzip(Self.text)
    #expect(throws: Gzip.Error.self) { try Gzip.decompress(data.prefix(data.count / 2)) }
    #expect(throws: Gzip.Error.self) { try Gzip.decompress(data.dropLast(4)) }  // CRC/size trailer cut
    var corrupt = data
    corrupt[corrupt.count / 2] ^= 0xFF
    #expect(throws: Gzip.Error.self) { try Gzip.decompress(corrupt) }
    #expect(throws: Gzip.Error.self) { try Gzip.decompress(Data([0x1f, 0x8b, 0x08])) }
  }

  @Test func plainFilesAreReadAsTheyAre() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("plain.mlir")
    try "func.func @f() { return }\n".write(to: url, atomically: true, encoding: .utf8)
    #expect(try Gzip.readText(contentsOf: url) == "func.func @f() { return }\n")
    #expect(throws: Gzip.Error.self) { try Gzip.readText(contentsOf: dir.appendingPathComponent("missing.mlir")) }
  }
}
