import Foundation
import SwiftProtobuf
import TorusFormats

/// Why an ONNX model could not be read.
public enum ONNXError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The bytes are not a valid protobuf `ModelProto` (truncated, malformed, bad UTF-8).
  case corrupt(file: String, reason: String)
  /// The model has no `graph`.
  case missingGraph(file: String)
  /// A tensor uses an element type we cannot hold in an `NDArray`.
  case unsupportedDataType(tensor: String, dataType: ONNXElementType)
  /// A tensor keeps its data in an external file.
  case externalData(tensor: String)
  /// A tensor's data does not fill its dims.
  case sizeMismatch(tensor: String, shape: [Int], dataType: ONNXElementType, expected: Int,
                    found: Int, field: String)
  /// A tensor has a negative dimension or one too large to hold.
  case badDims(tensor: String, dims: [Int64])
  /// An attribute type we do not read (sparse tensors, type protos).
  case unsupportedAttribute(node: String, attribute: String, type: Int32)
  /// An attribute string is not UTF-8.
  case invalidString(node: String, attribute: String)
  /// Reading the file failed.
  case io(path: String, reason: String)

  /// The message shown to users.
  public var description: String {
    switch self {
    case let .corrupt(file, reason): "corrupt ONNX file '\(file)': \(reason)"
    case let .missingGraph(file): "invalid ONNX file '\(file)': expected a graph, found none"
    case let .unsupportedDataType(tensor, dataType):
      "\(tensor): unsupported tensor data type \(dataType)"
    case let .externalData(tensor):
      "\(tensor): external tensor data is not supported (expected data inside the model file)"
    case let .sizeMismatch(tensor, shape, dataType, expected, found, field):
      "\(tensor): size mismatch: dims \(formatShape(shape)) \(dataType) need \(expected) \(field == "raw_data" ? "bytes" : "values") in '\(field)', found \(found)"
    case let .badDims(tensor, dims):
      "\(tensor): invalid dims [\(dims.map(String.init).joined(separator: ", "))]"
    case let .unsupportedAttribute(node, attribute, type):
      "node '\(node)' attribute '\(attribute)': unsupported attribute type \(type)"
    case let .invalidString(node, attribute):
      "node '\(node)' attribute '\(attribute)': expected a utf-8 string, found invalid bytes"
    case let .io(path, reason): "cannot read '\(path)': \(reason)"
    }
  }
}

/// A tensor element type, as numbered by `TensorProto.DataType` in onnx.proto.
public struct ONNXElementType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
  /// The `TensorProto.DataType` number.
  public var rawValue: Int32
  /// Wraps a number; unknown numbers are kept and print as `'unknown'`.
  public init(rawValue: Int32) { self.rawValue = rawValue }

  /// `TensorProto.DataType` 0.
  public static let undefined = ONNXElementType(rawValue: 0)
  /// `TensorProto.DataType` 1.
  public static let float = ONNXElementType(rawValue: 1)
  /// `TensorProto.DataType` 2.
  public static let uint8 = ONNXElementType(rawValue: 2)
  /// `TensorProto.DataType` 3.
  public static let int8 = ONNXElementType(rawValue: 3)
  /// `TensorProto.DataType` 4.
  public static let uint16 = ONNXElementType(rawValue: 4)
  /// `TensorProto.DataType` 5.
  public static let int16 = ONNXElementType(rawValue: 5)
  /// `TensorProto.DataType` 6.
  public static let int32 = ONNXElementType(rawValue: 6)
  /// `TensorProto.DataType` 7.
  public static let int64 = ONNXElementType(rawValue: 7)
  /// `TensorProto.DataType` 8.
  public static let string = ONNXElementType(rawValue: 8)
  /// `TensorProto.DataType` 9.
  public static let bool = ONNXElementType(rawValue: 9)
  /// `TensorProto.DataType` 10.
  public static let float16 = ONNXElementType(rawValue: 10)
  /// `TensorProto.DataType` 11.
  public static let double = ONNXElementType(rawValue: 11)
  /// `TensorProto.DataType` 12.
  public static let uint32 = ONNXElementType(rawValue: 12)
  /// `TensorProto.DataType` 13.
  public static let uint64 = ONNXElementType(rawValue: 13)

  static let names = [
    "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool",
    "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16",
    "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
  ]

  /// The onnx.proto name in lowercase, e.g. `float16`.
  public var name: String {
    rawValue >= 0 && Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "unknown"
  }

  /// `'float16' (10)`.
  public var description: String { "'\(name)' (\(rawValue))" }

  /// The `NDArray` dtype holding this type, or nil when none does.
  public var dtype: DType? {
    switch rawValue {
    case 1: .float32
    case 2: .uint8
    case 3: .int8
    case 4: .uint16
    case 5: .int16
    case 6: .int32
    case 7: .int64
    case 9: .bool
    case 11: .float64
    case 12: .uint32
    case 13: .uint64
    default: nil
    }
  }
}

/// One dimension of a value's declared shape.
public enum ONNXDimension: Sendable, Hashable, CustomStringConvertible {
  /// A known size.
  case value(Int64)
  /// A named symbolic size such as `batch`.
  case symbol(String)
  /// Neither a size nor a name.
  case unknown

  /// `8`, `batch` or `?`.
  public var description: String {
    switch self {
    case .value(let n): String(n)
    case .symbol(let s): s
    case .unknown: "?"
    }
  }
}

/// A graph input, output or intermediate value with its declared type.
public struct ONNXValueInfo: Sendable, Equatable {
  /// The value's name.
  public var name: String
  /// Element type of a tensor value; nil for non-tensor types or when absent.
  public var elementType: ONNXElementType?
  /// Declared dims; nil when the shape is unknown (not the same as rank 0).
  public var shape: [ONNXDimension]?

  /// Builds a value info.
  public init(name: String, elementType: ONNXElementType?, shape: [ONNXDimension]?) {
    self.name = name
    self.elementType = elementType
    self.shape = shape
  }
}

/// A node attribute.
public indirect enum ONNXAttribute: Sendable, Equatable {
  /// An `INT` attribute.
  case int(Int64)
  /// A `FLOAT` attribute.
  case float(Float)
  /// A `STRING` attribute, decoded as UTF-8.
  case string(String)
  /// An `INTS` attribute.
  case ints([Int64])
  /// A `FLOATS` attribute.
  case floats([Float])
  /// A `STRINGS` attribute.
  case strings([String])
  /// A `TENSOR` attribute (e.g. `Constant`'s `value`).
  case tensor(NDArray)
  /// A `TENSORS` attribute.
  case tensors([NDArray])
  /// A `GRAPH` attribute (e.g. `If` branches).
  case graph(ONNXGraph)
  /// A `GRAPHS` attribute.
  case graphs([ONNXGraph])

  /// The integer, if this is `.int`.
  public var intValue: Int64? { if case .int(let v) = self { v } else { nil } }
  /// The list, if this is `.ints`.
  public var intsValue: [Int64]? { if case .ints(let v) = self { v } else { nil } }
  /// The float, if this is `.float`.
  public var floatValue: Float? { if case .float(let v) = self { v } else { nil } }
  /// The string, if this is `.string`.
  public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
  /// The tensor, if this is `.tensor`.
  public var tensorValue: NDArray? { if case .tensor(let v) = self { v } else { nil } }
}

/// One operator application.
public struct ONNXNode: Sendable, Equatable {
  /// Node name (may be empty).
  public var name: String
  /// Operator, e.g. `Conv` or `Quant`.
  public var opType: String
  /// Operator set domain; empty for the default `ai.onnx` domain.
  public var domain: String
  /// Input value names, positional; an empty name marks an omitted optional input.
  public var inputs: [String]
  /// Output value names, positional.
  public var outputs: [String]
  /// Attributes by name.
  public var attributes: [String: ONNXAttribute]
}

/// A computation graph: nodes in file order (ONNX requires topological order).
public struct ONNXGraph: Sendable, Equatable {
  /// Graph name.
  public var name: String
  /// Nodes in file order.
  public var nodes: [ONNXNode]
  /// Constant tensors by name.
  public var initializers: [String: NDArray]
  /// Initializer names in file order.
  public var initializerNames: [String]
  /// Graph inputs, which may include initializers (older exporters list them).
  public var inputs: [ONNXValueInfo]
  /// Graph outputs.
  public var outputs: [ONNXValueInfo]
  /// Intermediate value types, when the exporter recorded them.
  public var valueInfo: [ONNXValueInfo]

  /// Inputs that are not initializers: what a caller must feed.
  public var runtimeInputs: [ONNXValueInfo] { inputs.filter { initializers[$0.name] == nil } }
}

/// An ONNX model: IR version, operator sets and the main graph.
public struct ONNXModel: Sendable, Equatable {
  /// `ir_version`.
  public var irVersion: Int64
  /// Operator set version by domain (`""` is the default `ai.onnx` domain).
  public var opsets: [String: Int64]
  /// `producer_name`.
  public var producer: String
  /// `producer_version`.
  public var producerVersion: String
  /// The main graph.
  public var graph: ONNXGraph

  /// Parses the bytes of a `.onnx` file; `fileName` only labels errors.
  public init(serializedBytes bytes: [UInt8], fileName: String = "<bytes>") throws(ONNXError) {
    let proto: ModelProto
    do {
      proto = try ModelProto(serializedBytes: bytes)
    } catch let error as BinaryDecodingError {
      throw .corrupt(file: fileName, reason: ONNXModel.explain(error))
    } catch {
      throw .corrupt(file: fileName, reason: "\(error)")
    }
    guard let graph = proto.graph else { throw .missingGraph(file: fileName) }
    irVersion = proto.irVersion
    opsets = Dictionary(proto.opsetImport.map { ($0.domain, $0.version) },
                        uniquingKeysWith: { _, last in last })
    producer = proto.producerName
    producerVersion = proto.producerVersion
    self.graph = try ONNXGraph(graph)
  }

  /// Reads and parses a `.onnx` file.
  public init(contentsOf url: URL) throws(ONNXError) {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
    try self.init(serializedBytes: [UInt8](data), fileName: url.lastPathComponent)
  }

  static func explain(_ error: BinaryDecodingError) -> String {
    switch error {
    case .truncated: "truncated protobuf data"
    case .malformedProtobuf: "malformed protobuf data"
    case .invalidUTF8: "a string field is not valid utf-8"
    case .trailingGarbage: "unexpected data after the message"
    case .messageDepthLimit: "messages nested too deeply"
    default: "invalid protobuf data (\(error))"
    }
  }
}

extension ONNXGraph {
  init(_ proto: GraphProto) throws(ONNXError) {
    name = proto.name
    nodes = []
    nodes.reserveCapacity(proto.node.count)
    for n in proto.node { nodes.append(try ONNXNode(n)) }
    initializers = [:]
    initializerNames = []
    for t in proto.initializer {
      initializers[t.name] = try ndArray(t, context: "initializer '\(t.name)'")
      initializerNames.append(t.name)
    }
    inputs = proto.input.map(ONNXValueInfo.init)
    outputs = proto.output.map(ONNXValueInfo.init)
    valueInfo = proto.valueInfo.map(ONNXValueInfo.init)
  }
}

extension ONNXValueInfo {
  init(_ proto: ValueInfoProto) {
    name = proto.name
    let tensor = proto.type?.tensorType
    elementType = tensor.map { ONNXElementType(rawValue: $0.elemType) }
    shape = tensor?.shape.map { s in
      s.dim.map { d in
        if let v = d.dimValue { .value(v) } else if let p = d.dimParam { .symbol(p) } else { .unknown }
      }
    }
  }
}

extension ONNXNode {
  init(_ proto: NodeProto) throws(ONNXError) {
    name = proto.name
    opType = proto.opType
    domain = proto.domain
    inputs = proto.input
    outputs = proto.output
    attributes = [:]
    let label = proto.name.isEmpty ? proto.opType : proto.name
    for a in proto.attribute {
      attributes[a.name] = try ONNXAttribute(a, node: label)
    }
  }
}

extension ONNXAttribute {
  init(_ a: AttributeProto, node: String) throws(ONNXError) {
    func text(_ d: Data) throws(ONNXError) -> String {
      guard let s = String(validating: d, as: UTF8.self) else {
        throw .invalidString(node: node, attribute: a.name)
      }
      return s
    }
    let context = "node '\(node)' attribute '\(a.name)'"
    // Files from before `type` existed (IR < 0.0.2) leave it 0: use the field present.
    var type = a.type
    if type == 0 {
      type = a.f != nil ? 1 : a.i != nil ? 2 : a.s != nil ? 3 : a.t != nil ? 4 : a.g != nil ? 5
        : !a.floats.isEmpty ? 6 : !a.ints.isEmpty ? 7 : !a.strings.isEmpty ? 8
        : !a.tensors.isEmpty ? 9 : !a.graphs.isEmpty ? 10 : 0
    }
    switch type {
    case 1: self = .float(a.f ?? 0)
    case 2: self = .int(a.i ?? 0)
    case 3: self = .string(try text(a.s ?? Data()))
    case 4: self = .tensor(try ndArray(a.t ?? TensorProto(), context: context))
    case 5: self = .graph(try ONNXGraph(a.g ?? GraphProto()))
    case 6: self = .floats(a.floats)
    case 7: self = .ints(a.ints)
    case 8:
      var out: [String] = []
      for s in a.strings { out.append(try text(s)) }
      self = .strings(out)
    case 9:
      var out: [NDArray] = []
      for (i, t) in a.tensors.enumerated() { out.append(try ndArray(t, context: "\(context)[\(i)]")) }
      self = .tensors(out)
    case 10:
      var out: [ONNXGraph] = []
      for g in a.graphs { out.append(try ONNXGraph(g)) }
      self = .graphs(out)
    default:
      throw .unsupportedAttribute(node: node, attribute: a.name, type: type)
    }
  }
}

/// Converts a `TensorProto` to an `NDArray`, reading `raw_data` (little-endian) or the
/// typed field onnx.proto assigns to the data type.
func ndArray(_ t: TensorProto, context: String) throws(ONNXError) -> NDArray {
  let elementType = ONNXElementType(rawValue: t.dataType)
  if t.dataLocation == 1 || !t.externalData.isEmpty { throw .externalData(tensor: context) }
  guard let dtype = elementType.dtype else {
    throw .unsupportedDataType(tensor: context, dataType: elementType)
  }
  guard t.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
    throw .badDims(tensor: context, dims: t.dims)
  }
  let shape = t.dims.map { Int($0) }
  guard let count = NDArray.elementCount(shape),
        !count.multipliedReportingOverflow(by: dtype.byteSize).overflow
  else { throw .badDims(tensor: context, dims: t.dims) }

  func check(_ found: Int, _ field: String, expected: Int? = nil) throws(ONNXError) {
    let expected = expected ?? count
    guard found == expected else {
      throw .sizeMismatch(tensor: context, shape: shape, dataType: elementType,
                          expected: expected, found: found, field: field)
    }
  }
  let storage: NDStorage
  if let raw = t.rawData {
    try check(raw.count, "raw_data", expected: count * dtype.byteSize)
    storage = decodeRaw([UInt8](raw), dtype: dtype, count: count)
  } else {
    switch dtype {
    case .float32:
      try check(t.floatData.count, "float_data")
      storage = .float32(t.floatData)
    case .float64:
      try check(t.doubleData.count, "double_data")
      storage = .float64(t.doubleData)
    case .int64:
      try check(t.int64Data.count, "int64_data")
      storage = .int64(t.int64Data)
    case .uint32:
      try check(t.uint64Data.count, "uint64_data")
      storage = .uint32(t.uint64Data.map { UInt32(truncatingIfNeeded: $0) })
    case .uint64:
      try check(t.uint64Data.count, "uint64_data")
      storage = .uint64(t.uint64Data)
    case .int32, .int16, .int8, .uint16, .uint8, .bool:
      // onnx.proto packs all of these into int32_data, one element per entry.
      try check(t.int32Data.count, "int32_data")
      let v = t.int32Data
      storage = switch dtype {
      case .int32: .int32(v)
      case .int16: .int16(v.map { Int16(truncatingIfNeeded: $0) })
      case .int8: .int8(v.map { Int8(truncatingIfNeeded: $0) })
      case .uint16: .uint16(v.map { UInt16(truncatingIfNeeded: $0) })
      case .uint8: .uint8(v.map { UInt8(truncatingIfNeeded: $0) })
      default: .bool(v.map { $0 != 0 })
      }
    }
  }
  do { return try NDArray(shape: shape, storage: storage) } catch {
    throw .badDims(tensor: context, dims: t.dims)
  }
}

func decodeRaw(_ raw: [UInt8], dtype: DType, count: Int) -> NDStorage {
  raw.withUnsafeBytes { buffer in
    func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
      (0..<count).map { T(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
    }
    switch dtype {
    case .bool: return .bool(raw.map { $0 != 0 })
    case .int8: return .int8(ints(Int8.self))
    case .int16: return .int16(ints(Int16.self))
    case .int32: return .int32(ints(Int32.self))
    case .int64: return .int64(ints(Int64.self))
    case .uint8: return .uint8(raw)
    case .uint16: return .uint16(ints(UInt16.self))
    case .uint32: return .uint32(ints(UInt32.self))
    case .uint64: return .uint64(ints(UInt64.self))
    case .float32: return .float32(ints(UInt32.self).map(Float.init(bitPattern:)))
    case .float64: return .float64(ints(UInt64.self).map(Double.init(bitPattern:)))
    }
  }
}
