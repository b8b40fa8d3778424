import Testing
import TorusFormats

@Suite struct NDArrayTests {
  @Test func initValidatesCountAndDimensions() {
    #expect(throws: NDArrayError.countMismatch(shape: [2, 3], expected: 6, found: 5)) {
      try NDArray(shape: [2, 3], storage: .int64([1, 2, 3, 4, 5]))
    }
    #expect(throws: NDArrayError.negativeDimension(shape: [-1])) {
      try NDArray(shape: [-1], storage: .int64([]))
    }
    #expect(NDArrayError.countMismatch(shape: [2, 3], expected: 6, found: 5).description
      == "shape 2×3 needs 6 elements, found 5")
  }

  @Test func conversionViews() {
    let u = nd([3], .uint64([1, UInt64.max, 7]))
    #expect(u.int64Values == [1, -1, 7])
    #expect(u[1] == .uint(UInt64.max))
    let f = nd([4], .float32([1.9, -1.9, .nan, 1e30]))
    #expect(f.int64Values == [1, -1, 0, Int64.max])
    #expect(nd([2], .bool([true, false])).doubleValues == [1, 0])
    #expect(nd([1], .int8([-5])).doubleValues == [-5])
    #expect(NDArray([1, 2], shape: [2]).description == "int64[2]")
    #expect(NDArray([1], shape: []).count == 1)
  }

  @Test func sliceAndStackAreInverse() throws {
    let a = NDArray(Array(0..<24), shape: [4, 3, 2])
    let s = a.slice(2)
    #expect(s.shape == [3, 2])
    #expect(s.int64Values == Array(12..<18))
    #expect(a.slice(1..<3).shape == [2, 3, 2])
    #expect(a.slice(1..<3).int64Values == Array(6..<18))
    #expect(try NDArray.stack((0..<4).map(a.slice)) == a)
    #expect(try a.reshaped([24]).shape == [24])
  }

  @Test func stackRejectsMismatches() {
    let a = NDArray([1, 2], shape: [2])
    #expect(throws: NDArrayError.emptyStack) { try NDArray.stack([]) }
    #expect(throws: NDArrayError.self) { try NDArray.stack([a, NDArray([1, 2, 3], shape: [3])]) }
    #expect(throws: NDArrayError.self) { try NDArray.stack([a, NDArray(float64: [1.0, 2.0], shape: [2])]) }
  }
}
