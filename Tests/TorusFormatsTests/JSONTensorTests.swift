import Foundation
import Testing
import TorusFormats
import TorusTestSupport

@Suite struct JSONTensorTests {
  @Test func readsObjectForm() throws {
    let a = try JSONTensor.decode(#"{"shape":[2,2],"dtype":"int64","data":[1,-2,9223372036854775807,-9223372036854775808]}"#)
    #expect(a == NDArray([1, -2, .max, .min], shape: [2, 2]))
    let nested = try JSONTensor.decode(#"{"shape": [2, 2], "dtype": "uint64", "data": [[0, 18446744073709551615], [1, 2]]}"#)
    #expect(nested.storage == .uint64([0, .max, 1, 2]))
    let f = try JSONTensor.decode(#"{"shape":[],"dtype":"float32","data":1.5e0}"#)
    #expect(f.storage == .float32([1.5]))
    #expect(f.shape == [])
  }

  @Test func readsPlainNestedLists() throws {
    #expect(try JSONTensor.decode("[[1, 2, 3], [4, 5, 6]]") == NDArray([1, 2, 3, 4, 5, 6], shape: [2, 3]))
    #expect(try JSONTensor.decode("[[1, 2.5]]") == NDArray(float64: [1, 2.5], shape: [1, 2]))
    #expect(try JSONTensor.decode("[true, false]").storage == .bool([true, false]))
    #expect(try JSONTensor.decode("[]").shape == [0])
    #expect(try JSONTensor.decode("7") == NDArray([7], shape: []))
  }

  @Test func roundTripsEveryDType() throws {
    let arrays = [
      NDArray([1, -2, 3], shape: [3, 1]),
      NDArray(float64: [0.1, 1e300, -2.5], shape: [3]),
      nd([2], .bool([true, false])),
      nd([2], .uint64([0, .max])),
      nd([2], .int8([-128, 127])),
      nd([2], .float32([0.1, -3])),
    ]
    for a in arrays {
      let text = try JSONTensor.encode(a)
      #expect(try JSONTensor.decode(text) == a, "\(text)")
    }
    #expect(try JSONTensor.encode(NDArray([1, 2], shape: [2])) == #"{"shape":[2],"dtype":"int64","data":[1,2]}"#)
  }

  @Test func writesNestedLists() throws {
    let a = NDArray(Array(0..<6), shape: [2, 3, 1])
    #expect(try JSONTensor.encodeNested(a) == "[[[0],[1],[2]],[[3],[4],[5]]]")
    #expect(try JSONTensor.decode(JSONTensor.encodeNested(a)) == a)
    #expect(try JSONTensor.encodeNested(NDArray([7], shape: [])) == "7")
    #expect(try JSONTensor.encodeNested(NDArray([], shape: [0, 2])) == "[]")
    #expect(try JSONTensor.encodeNested(nd([2], .bool([true, false]))) == "[true,false]")
  }

  @Test func rejectsBadTensors() {
    let cases: [(String, String)] = [
      ("[[1, 2], [3]]", "shape mismatch: expected rows of shape 2, found a row of shape 1"),
      (#"{"shape":[3],"dtype":"int64","data":[1,2]}"#, "shape mismatch: expected 3 elements for 3, found 2"),
      (#"{"shape":[1],"dtype":"int8","data":[300]}"#, "element 0: expected int8, found 300"),
      (#"{"shape":[1],"dtype":"int64","data":[1.5]}"#, "element 0: expected int64, found 1.5"),
      (#"{"shape":[1],"dtype":"complex64","data":[1]}"#,
       "unsupported dtype 'complex64': expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64"),
      (#"{"shape":[1]}"#, "not a json tensor: missing key 'data'"),
      ("[1, 2", "invalid json at byte 5: expected ',' or ']', found end of text"),
      ("[01]", "invalid json at byte 3: leading zeros are not allowed"),
      (#"["a"]"#, "element 0: expected float64, found string \"a\""),
    ]
    for (text, message) in cases {
      do {
        let a = try JSONTensor.decode(text)
        Issue.record("expected error for \(text), decoded \(a)")
      } catch {
        #expect(error.description == message)
      }
    }
    #expect(throws: JSONTensorError.nonFinite(index: 1)) {
      try JSONTensor.encode(NDArray(float64: [1, .nan], shape: [2]))
    }
    #expect(throws: JSONTensorError.self) { try JSONTensor.decode(String(repeating: "[", count: 1000)) }
  }

  @Test func writeAndReadFile() throws {
    let dir = try SharedData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("t.json")
    let a = NDArray([5, 6], shape: [1, 2])
    try JSONTensor.write(a, to: url)
    #expect(try JSONTensor.read(contentsOf: url) == a)
  }
}
