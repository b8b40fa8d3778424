/// The element type of an `NDArray`, as stored in a file.
///
/// Readers keep the file's dtype so that writing an array back preserves it.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64

  /// Bytes taken by one element in a packed buffer.
  public var byteSize: Int {
    switch self {
    case .bool, .int8, .uint8: 1
    case .int16, .uint16: 2
    case .int32, .uint32, .float32: 4
    case .int64, .uint64, .float64: 8
    }
  }

  /// True for `float32` and `float64`.
  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  /// The lowercase name, e.g. `int64`.
  public var description: String { rawValue }
}

/// Typed element storage of an `NDArray`, flattened in C (row-major) order.
public enum NDStorage: Sendable, Equatable {
  /// `bool` elements.
  case bool([Bool])
  /// `int8` elements.
  case int8([Int8])
  /// `int16` elements.
  case int16([Int16])
  /// `int32` elements.
  case int32([Int32])
  /// `int64` elements.
  case int64([Int64])
  /// `uint8` elements.
  case uint8([UInt8])
  /// `uint16` elements.
  case uint16([UInt16])
  /// `uint32` elements.
  case uint32([UInt32])
  /// `uint64` elements.
  case uint64([UInt64])
  /// `float32` elements.
  case float32([Float])
  /// `float64` elements.
  case float64([Double])

  /// The element type held.
  public var dtype: DType {
    switch self {
    case .bool: .bool
    case .int8: .int8
    case .int16: .int16
    case .int32: .int32
    case .int64: .int64
    case .uint8: .uint8
    case .uint16: .uint16
    case .uint32: .uint32
    case .uint64: .uint64
    case .float32: .float32
    case .float64: .float64
    }
  }

  /// Number of elements held.
  public var count: Int {
    switch self {
    case .bool(let v): v.count
    case .int8(let v): v.count
    case .int16(let v): v.count
    case .int32(let v): v.count
    case .int64(let v): v.count
    case .uint8(let v): v.count
    case .uint16(let v): v.count
    case .uint32(let v): v.count
    case .uint64(let v): v.count
    case .float32(let v): v.count
    case .float64(let v): v.count
    }
  }

  /// Returns the contiguous flat range `range` of the elements.
  func subrange(_ range: Range<Int>) -> NDStorage {
    switch self {
    case .bool(let v): .bool(Array(v[range]))
    case .int8(let v): .int8(Array(v[range]))
    case .int16(let v): .int16(Array(v[range]))
    case .int32(let v): .int32(Array(v[range]))
    case .int64(let v): .int64(Array(v[range]))
    case .uint8(let v): .uint8(Array(v[range]))
    case .uint16(let v): .uint16(Array(v[range]))
    case .uint32(let v): .uint32(Array(v[range]))
    case .uint64(let v): .uint64(Array(v[range]))
    case .float32(let v): .float32(Array(v[range]))
    case .float64(let v): .float64(Array(v[range]))
    }
  }

  /// Concatenates storages of one dtype; nil when dtypes differ.
  static func concatenate(_ parts: [NDStorage], dtype: DType) -> NDStorage? {
    func join<T>(_ extract: (NDStorage) -> [T]?) -> [T]? {
      var out: [T] = []
      for p in parts {
        guard let v = extract(p) else { return nil }
        out.append(contentsOf: v)
      }
      return out
    }
    switch dtype {
    case .bool: return join { if case .bool(let v) = $0 { v } else { nil } }.map(NDStorage.bool)
    case .int8: return join { if case .int8(let v) = $0 { v } else { nil } }.map(NDStorage.int8)
    case .int16: return join { if case .int16(let v) = $0 { v } else { nil } }.map(NDStorage.int16)
    case .int32: return join { if case .int32(let v) = $0 { v } else { nil } }.map(NDStorage.int32)
    case .int64: return join { if case .int64(let v) = $0 { v } else { nil } }.map(NDStorage.int64)
    case .uint8: return join { if case .uint8(let v) = $0 { v } else { nil } }.map(NDStorage.uint8)
    case .uint16: return join { if case .uint16(let v) = $0 { v } else { nil } }.map(NDStorage.uint16)
    case .uint32: return join { if case .uint32(let v) = $0 { v } else { nil } }.map(NDStorage.uint32)
    case .uint64: return join { if case .uint64(let v) = $0 { v } else { nil } }.map(NDStorage.uint64)
    case .float32: return join { if case .float32(let v) = $0 { v } else { nil } }.map(NDStorage.float32)
    case .float64: return join { if case .float64(let v) = $0 { v } else { nil } }.map(NDStorage.float64)
    }
  }
}

/// One element of an `NDArray`, widened to the widest type of its kind.
public enum NDScalar: Sendable, Equatable {
  /// A boolean.
  case bool(Bool)
  /// A signed integer of any width.
  case int(Int64)
  /// An unsigned integer of any width.
  case uint(UInt64)
  /// A `float32` or `float64`.
  case float(Double)

  /// The value as `Int64`: booleans are 0/1, `uint64` keeps its bit pattern,
  /// floats truncate toward zero and saturate (NaN gives 0).
  public var int64Value: Int64 {
    switch self {
    case .bool(let b): b ? 1 : 0
    case .int(let v): v
    case .uint(let v): Int64(bitPattern: v)
    case .float(let d): saturatingInt64(d)
    }
  }

  /// The value as `Double` (64-bit integers above 2^53 round).
  public var doubleValue: Double {
    switch self {
    case .bool(let b): b ? 1 : 0
    case .int(let v): Double(v)
    case .uint(let v): Double(v)
    case .float(let d): d
    }
  }
}

func saturatingInt64(_ d: Double) -> Int64 {
  if d.isNaN { return 0 }
  if d >= 9_223_372_036_854_775_807.0 { return .max }
  if d <= -9_223_372_036_854_775_808.0 { return .min }
  return Int64(d.rounded(.towardZero))
}

/// Errors from building or combining arrays out of untrusted parts.
public enum NDArrayError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The shape's element count differs from the number of elements supplied.
  case countMismatch(shape: [Int], expected: Int, found: Int)
  /// A dimension is negative.
  case negativeDimension(shape: [Int])
  /// `stack` was given no arrays.
  case emptyStack
  /// `stack` was given arrays whose shape or dtype differ from the first one.
  case stackMismatch(index: Int, expected: String, found: String)

  /// The message shown to users.
  public var description: String {
    switch self {
    case let .countMismatch(shape, expected, found):
      "shape \(formatShape(shape)) needs \(expected) elements, found \(found)"
    case let .negativeDimension(shape):
      "shape \(formatShape(shape)) has a negative dimension"
    case .emptyStack:
      "cannot stack an empty list of arrays"
    case let .stackMismatch(index, expected, found):
      "array \(index) to stack differs from array 0: expected \(expected), found \(found)"
    }
  }
}

/// Formats a shape as `4×64`, or `scalar` for rank 0.
public func formatShape(_ shape: [Int]) -> String {
  shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
}

/// An n-dimensional array: a shape plus typed elements in C (row-major) order.
///
/// Invariant: `storage.count` equals the product of `shape` (1 for rank 0), and no
/// dimension is negative. The dtype is kept so that a file read and written back
/// keeps its element type.
public struct NDArray: Sendable, Equatable, CustomStringConvertible {
  /// Dimensions, outermost first; empty for a scalar.
  public private(set) var shape: [Int]
  /// Elements, flattened in C order.
  public private(set) var storage: NDStorage

  /// Builds an array, validating that `storage` fills `shape` exactly.
  public init(shape: [Int], storage: NDStorage) throws(NDArrayError) {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw .negativeDimension(shape: shape) }
    guard let expected = NDArray.elementCount(shape), expected == storage.count else {
      throw .countMismatch(shape: shape, expected: NDArray.elementCount(shape) ?? -1,
                           found: storage.count)
    }
    self.shape = shape
    self.storage = storage
  }

  /// Builds an `int64` array; the count must match the shape (programmer error otherwise).
  public init(_ values: [Int64], shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 } && NDArray.elementCount(shape) == values.count,
                 "mismatch between shape \(formatShape(shape)) and element count \(values.count)")
    self.shape = shape
    self.storage = .int64(values)
  }

  /// Builds a `float64` array; the count must match the shape (programmer error otherwise).
  public init(float64 values: [Double], shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 } && NDArray.elementCount(shape) == values.count,
                 "mismatch between shape \(formatShape(shape)) and element count \(values.count)")
    self.shape = shape
    self.storage = .float64(values)
  }

  /// Product of the dimensions, or nil on overflow.
  public static func elementCount(_ shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      n = p
    }
    return n
  }

  /// The element type.
  public var dtype: DType { storage.dtype }
  /// Number of dimensions.
  public var rank: Int { shape.count }
  /// Number of elements (1 for a scalar).
  public var count: Int { storage.count }

  /// The element at flat (C-order) index `i`.
  public subscript(i: Int) -> NDScalar {
    precondition(i >= 0 && i < count, "flat index \(i) out of range 0..<\(count)")
    switch storage {
    case .bool(let v): return .bool(v[i])
    case .int8(let v): return .int(Int64(v[i]))
    case .int16(let v): return .int(Int64(v[i]))
    case .int32(let v): return .int(Int64(v[i]))
    case .int64(let v): return .int(v[i])
    case .uint8(let v): return .uint(UInt64(v[i]))
    case .uint16(let v): return .uint(UInt64(v[i]))
    case .uint32(let v): return .uint(UInt64(v[i]))
    case .uint64(let v): return .uint(v[i])
    case .float32(let v): return .float(Double(v[i]))
    case .float64(let v): return .float(v[i])
    }
  }

  /// All elements as `Int64`, converted as `NDScalar.int64Value` does.
  public var int64Values: [Int64] {
    switch storage {
    case .bool(let v): v.map { $0 ? 1 : 0 }
    case .int8(let v): v.map(Int64.init)
    case .int16(let v): v.map(Int64.init)
    case .int32(let v): v.map(Int64.init)
    case .int64(let v): v
    case .uint8(let v): v.map(Int64.init)
    case .uint16(let v): v.map(Int64.init)
    case .uint32(let v): v.map(Int64.init)
    case .uint64(let v): v.map { Int64(bitPattern: $0) }
    case .float32(let v): v.map { saturatingInt64(Double($0)) }
    case .float64(let v): v.map(saturatingInt64)
    }
  }

  /// All elements as `Double`.
  public var doubleValues: [Double] {
    switch storage {
    case .bool(let v): v.map { $0 ? 1 : 0 }
    case .int8(let v): v.map(Double.init)
    case .int16(let v): v.map(Double.init)
    case .int32(let v): v.map(Double.init)
    case .int64(let v): v.map(Double.init)
    case .uint8(let v): v.map(Double.init)
    case .uint16(let v): v.map(Double.init)
    case .uint32(let v): v.map(Double.init)
    case .uint64(let v): v.map(Double.init)
    case .float32(let v): v.map(Double.init)
    case .float64(let v): v
    }
  }

  /// Sub-array `index` along the leading axis: shape drops its first dimension.
  ///
  /// Used to take one sample out of a batch (`20×12×8×8` → `12×8×8`).
  public func slice(_ index: Int) -> NDArray {
    precondition(rank >= 1, "cannot slice a scalar")
    precondition(index >= 0 && index < shape[0], "index \(index) out of range 0..<\(shape[0])")
    let inner = Array(shape.dropFirst())
    let n = NDArray.elementCount(inner) ?? 0
    return NDArray(unchecked: inner, storage.subrange(index * n ..< (index + 1) * n))
  }

  /// Sub-array over `range` of the leading axis: keeps the rank.
  public func slice(_ range: Range<Int>) -> NDArray {
    precondition(rank >= 1, "cannot slice a scalar")
    precondition(range.lowerBound >= 0 && range.upperBound <= shape[0],
                 "range \(range) out of range 0..<\(shape[0])")
    var newShape = shape
    newShape[0] = range.count
    let n = NDArray.elementCount(Array(shape.dropFirst())) ?? 0
    return NDArray(unchecked: newShape,
                   storage.subrange(range.lowerBound * n ..< range.upperBound * n))
  }

  /// Stacks arrays of one shape and dtype along a new leading axis.
  ///
  /// The inverse of `slice(_:)`: `stack((0..<n).map(a.slice)) == a`.
  public static func stack(_ arrays: [NDArray]) throws(NDArrayError) -> NDArray {
    guard let first = arrays.first else { throw .emptyStack }
    for (i, a) in arrays.enumerated() where a.shape != first.shape || a.dtype != first.dtype {
      throw .stackMismatch(index: i,
                           expected: "\(formatShape(first.shape)) \(first.dtype)",
                           found: "\(formatShape(a.shape)) \(a.dtype)")
    }
    guard let joined = NDStorage.concatenate(arrays.map(\.storage), dtype: first.dtype) else {
      throw .stackMismatch(index: 0, expected: "\(first.dtype)", found: "mixed dtypes")
    }
    return NDArray(unchecked: [arrays.count] + first.shape, joined)
  }

  /// Same elements under another shape with the same element count.
  public func reshaped(_ newShape: [Int]) throws(NDArrayError) -> NDArray {
    try NDArray(shape: newShape, storage: storage)
  }

  /// `int64[2×3]`, for messages.
  public var description: String { "\(dtype)[\(formatShape(shape))]" }

  init(unchecked shape: [Int], _ storage: NDStorage) {
    self.shape = shape
    self.storage = storage
  }
}
