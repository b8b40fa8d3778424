import Foundation
import Testing
import TorusFormats
import TorusTestSupport

/// A `.npy` file put together by hand: preamble, header text padded as given, data.
func npyBytes(version: (UInt8, UInt8) = (1, 0), header: String, data: [UInt8]) -> [UInt8] {
  var h = Array(header.utf8)
  let prefix = version.0 == 1 ? 10 : 12
  while (prefix + h.count + 1) % 64 != 0 { h.append(0x20) }
  h.append(0x0A)
  var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version.0, version.1]
  if version.0 == 1 {
    out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
  } else {
    out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8 & 0xFF), 0, 0]
  }
  return out + h + data
}

func expectNpyError(_ bytes: [UInt8], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
  do {
    let a = try Npy.decode(bytes)
    Issue.record("expected error '\(expected)', decoded \(a)", sourceLocation: sourceLocation)
  } catch {
    #expect(error.description == expected, sourceLocation: sourceLocation)
  }
}

/// Test arrays from literal parts; a mismatch is a bug in the test itself.
func nd(_ shape: [Int], _ storage: NDStorage) -> NDArray {
  do { return try NDArray(shape: shape, storage: storage) } catch {
    preconditionFailure("bad test array: \(error)")
  }
}

@Suite struct NpyTests {
  static let samples: [NDArray] = [
    NDArray([1, -2, 3, Int64.max, Int64.min, 0], shape: [2, 3]),
    NDArray(float64: [0.5, -1.25, .infinity], shape: [3]),
    NDArray([42], shape: []),
    nd([2, 2], .bool([true, false, false, true])),
    nd([3], .int8([-128, 0, 127])),
    nd([1, 2], .int16([-300, 300])),
    nd([2], .int32([-70_000, 70_000])),
    nd([2], .uint8([0, 255])),
    nd([2], .uint16([0, 65535])),
    nd([2], .uint32([0, 4_000_000_000])),
    nd([2], .uint64([0, UInt64.max])),
    nd([2, 1, 2], .float32([1.5, -0.0, 3e38, -7])),
    nd([0, 4], .float32([])),
  ]

  @Test(arguments: samples)
  func roundTripKeepsValuesAndDType(_ array: NDArray) throws {
    let bytes = Npy.encode(array)
    #expect(bytes.count % 64 == array.count * array.dtype.byteSize % 64)
    let back = try Npy.decode(bytes)
    #expect(back == array)
    #expect(back.dtype == array.dtype)
  }

  @Test func writerMatchesNumpyHeaderBytes() {
    // Headers printed by numpy 1.26 `np.save` for the same arrays.
    let cases: [(NDArray, String)] = [
      (NDArray([1, 2, 3], shape: [3]), "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"),
      (NDArray(float64: [5.5], shape: []), "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
      (nd([2, 3], .bool(Array(repeating: false, count: 6))),
       "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }"),
      (nd([1_234_567, 0], .int8([])),
       "{'descr': '|i1', 'fortran_order': False, 'shape': (1234567, 0), }"),
    ]
    for (array, dict) in cases {
      let bytes = Npy.encode(array)
      #expect(Array(bytes.prefix(10)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0x76, 0])
      let header = String(decoding: bytes[10..<128], as: UTF8.self)
      #expect(header == dict + String(repeating: " ", count: 117 - dict.count) + "\n")
    }
  }

  @Test func readsBigEndianAndVersions2And3() throws {
    let be: [UInt8] = [0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0]
    let a = try Npy.decode(npyBytes(header: "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", data: be))
    #expect(a == NDArray(float64: [1.0, -2.0], shape: [2]))
    let i = try Npy.decode(npyBytes(header: "{'descr': '>i2', 'fortran_order': False, 'shape': (1,), }", data: [0xFF, 0xFE]))
    #expect(i.storage == .int16([-2]))
    for version in [(UInt8(2), UInt8(0)), (3, 0)] {
      let v = try Npy.decode(npyBytes(version: version,
                                      header: "{\"shape\": (1, 1), \"descr\": \"|u1\", \"fortran_order\": False}",
                                      data: [7]))
      #expect(v.storage == .uint8([7]))
      #expect(v.shape == [1, 1])
    }
  }

  @Test func rejectsBadFilesWithDescriptiveErrors() {
    let ok = "{'descr': '<i8', 'fortran_order': False, 'shape': (4, 64), }"
    expectNpyError(npyBytes(header: ok, data: Array(repeating: 0, count: 1000)),
                   "truncated data: header declares 4×64 int64 (2048 bytes), file has 1000")
    expectNpyError(npyBytes(header: ok, data: Array(repeating: 0, count: 2049)),
                   "trailing data: header declares 2048 data bytes, file has 2049")
    expectNpyError(Array("PK\u{3}\u{4}not numpy".utf8),
                   "bad magic: expected '\\x93NUMPY', found 50 4b 03 04 6e 6f")
    expectNpyError(Array(npyBytes(header: ok, data: []).prefix(40)),
                   "truncated header: expected 128 bytes, file has 40")
    expectNpyError(npyBytes(version: (4, 0), header: ok, data: []),
                   "unsupported .npy version: expected 1.0, 2.0 or 3.0, found 4.0")
    expectNpyError(npyBytes(header: "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 2), }", data: []),
                   "unsupported layout: expected 'fortran_order': False, found True")
    expectNpyError(npyBytes(header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", data: []),
                   "unsupported dtype '|O': expected one of b1, i1, i2, i4, i8, u1, u2, u4, u8, f4, f8")
    expectNpyError(npyBytes(header: "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", data: []),
                   "unsupported dtype '[('a', '<i4')]': expected one of b1, i1, i2, i4, i8, u1, u2, u4, u8, f4, f8")
    expectNpyError(npyBytes(header: "{'descr': '<i8', 'shape': (1,), }", data: []),
                   "malformed header: missing key 'fortran_order'")
    expectNpyError(npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1", data: []),
                   "malformed header: expected ')', found end of header")
    expectNpyError(npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (-1,), }", data: []),
                   "malformed header: expected 'shape' to hold non-negative integers, found -1")
  }

  @Test func neverCrashesOnCorruptedCopies() {
    let good = Npy.encode(NDArray([1, 2, 3, 4, 5, 6], shape: [2, 3]))
    for cut in stride(from: 0, to: good.count, by: 7) {
      #expect(throws: NpyError.self) { try Npy.decode(Array(good.prefix(cut))) }
    }
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      var bad = good
      bad[Int.random(in: 0..<128, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
      _ = try? Npy.decode(bad)
    }
  }

  @Test(.enabled(if: SharedData.url("models") != nil, "\(SharedData.skipMessage)"))
  func readsModelFilesAndRewritesThemByteForByte() throws {
    let dir = try #require(SharedData.url("models/chess-source-h8"))
    let q = try Npy.read(contentsOf: dir.appendingPathComponent("test_inputs_q.npy"))
    #expect(q.dtype == .int64)
    #expect(q.shape == [20, 12, 8, 8])
    let sample = q.slice(0)
    #expect(sample.shape == [12, 8, 8])
    #expect(try NDArray.stack((0..<20).map(q.slice)) == q)
    for name in ["test_inputs_q.npy", "expected_simulate_q.npy", "expected_float.npy", "test_inputs.npy"] {
      let url = dir.appendingPathComponent(name)
      let original = [UInt8](try Data(contentsOf: url))
      #expect(Npy.encode(try Npy.decode(original)) == original, "\(name)")
    }
    let f = try Npy.read(contentsOf: dir.appendingPathComponent("expected_float.npy"))
    #expect(f.dtype == .float32)
    #expect(f.shape == [20, 64])
  }

  @Test func writeAndReadFile() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("a.npy")
    let a = NDArray([3, 1, 4, 1, 5], shape: [5])
    try Npy.write(a, to: url)
    #expect(try Npy.read(contentsOf: url) == a)
    #expect(throws: NpyError.self) { try Npy.read(contentsOf: dir.appendingPathComponent("missing.npy")) }
  }
}
