import Foundation
import SwiftProtobuf

// Hand-written swift-protobuf messages for the subset of onnx.proto (proto2) that
// Torus reads. Field numbers are those of onnx.proto; fields not listed here are kept
// by swift-protobuf as unknown fields and otherwise ignored. `traverse` writes the same
// fields back, so the types round-trip through `serializedBytes()`.

/// Equality through `==` for the wire messages (swift-protobuf asks for `isEqualTo`).
protocol WireMessage: SwiftProtobuf.Message, Equatable {}

extension WireMessage {
  func isEqualTo(message: any SwiftProtobuf.Message) -> Bool {
    guard let other = message as? Self else { return false }
    return self == other
  }
}

/// `onnx.ModelProto`.
struct ModelProto: WireMessage {
  static let protoMessageName = "onnx.ModelProto"
  var irVersion: Int64 = 0                       // 1
  var producerName = ""                          // 2
  var producerVersion = ""                       // 3
  var domain = ""                                // 4
  var modelVersion: Int64 = 0                    // 5
  var docString = ""                             // 6
  var graph: GraphProto?                         // 7
  var opsetImport: [OperatorSetIdProto] = []     // 8
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularInt64Field(value: &irVersion)
      case 2: try decoder.decodeSingularStringField(value: &producerName)
      case 3: try decoder.decodeSingularStringField(value: &producerVersion)
      case 4: try decoder.decodeSingularStringField(value: &domain)
      case 5: try decoder.decodeSingularInt64Field(value: &modelVersion)
      case 6: try decoder.decodeSingularStringField(value: &docString)
      case 7: try decoder.decodeSingularMessageField(value: &graph)
      case 8: try decoder.decodeRepeatedMessageField(value: &opsetImport)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if irVersion != 0 { try visitor.visitSingularInt64Field(value: irVersion, fieldNumber: 1) }
    if !producerName.isEmpty { try visitor.visitSingularStringField(value: producerName, fieldNumber: 2) }
    if !producerVersion.isEmpty { try visitor.visitSingularStringField(value: producerVersion, fieldNumber: 3) }
    if !domain.isEmpty { try visitor.visitSingularStringField(value: domain, fieldNumber: 4) }
    if modelVersion != 0 { try visitor.visitSingularInt64Field(value: modelVersion, fieldNumber: 5) }
    if !docString.isEmpty { try visitor.visitSingularStringField(value: docString, fieldNumber: 6) }
    if let graph { try visitor.visitSingularMessageField(value: graph, fieldNumber: 7) }
    if !opsetImport.isEmpty { try visitor.visitRepeatedMessageField(value: opsetImport, fieldNumber: 8) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.OperatorSetIdProto`.
struct OperatorSetIdProto: WireMessage {
  static let protoMessageName = "onnx.OperatorSetIdProto"
  var domain = ""           // 1
  var version: Int64 = 0    // 2
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularStringField(value: &domain)
      case 2: try decoder.decodeSingularInt64Field(value: &version)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !domain.isEmpty { try visitor.visitSingularStringField(value: domain, fieldNumber: 1) }
    if version != 0 { try visitor.visitSingularInt64Field(value: version, fieldNumber: 2) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.GraphProto`.
struct GraphProto: WireMessage {
  static let protoMessageName = "onnx.GraphProto"
  var node: [NodeProto] = []               // 1
  var name = ""                            // 2
  var initializer: [TensorProto] = []      // 5
  var input: [ValueInfoProto] = []         // 11
  var output: [ValueInfoProto] = []        // 12
  var valueInfo: [ValueInfoProto] = []     // 13
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeRepeatedMessageField(value: &node)
      case 2: try decoder.decodeSingularStringField(value: &name)
      case 5: try decoder.decodeRepeatedMessageField(value: &initializer)
      case 11: try decoder.decodeRepeatedMessageField(value: &input)
      case 12: try decoder.decodeRepeatedMessageField(value: &output)
      case 13: try decoder.decodeRepeatedMessageField(value: &valueInfo)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !node.isEmpty { try visitor.visitRepeatedMessageField(value: node, fieldNumber: 1) }
    if !name.isEmpty { try visitor.visitSingularStringField(value: name, fieldNumber: 2) }
    if !initializer.isEmpty { try visitor.visitRepeatedMessageField(value: initializer, fieldNumber: 5) }
    if !input.isEmpty { try visitor.visitRepeatedMessageField(value: input, fieldNumber: 11) }
    if !output.isEmpty { try visitor.visitRepeatedMessageField(value: output, fieldNumber: 12) }
    if !valueInfo.isEmpty { try visitor.visitRepeatedMessageField(value: valueInfo, fieldNumber: 13) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.NodeProto`.
struct NodeProto: WireMessage {
  static let protoMessageName = "onnx.NodeProto"
  var input: [String] = []                 // 1
  var output: [String] = []                // 2
  var name = ""                            // 3
  var opType = ""                          // 4
  var attribute: [AttributeProto] = []     // 5
  var domain = ""                          // 7
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeRepeatedStringField(value: &input)
      case 2: try decoder.decodeRepeatedStringField(value: &output)
      case 3: try decoder.decodeSingularStringField(value: &name)
      case 4: try decoder.decodeSingularStringField(value: &opType)
      case 5: try decoder.decodeRepeatedMessageField(value: &attribute)
      case 7: try decoder.decodeSingularStringField(value: &domain)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !input.isEmpty { try visitor.visitRepeatedStringField(value: input, fieldNumber: 1) }
    if !output.isEmpty { try visitor.visitRepeatedStringField(value: output, fieldNumber: 2) }
    if !name.isEmpty { try visitor.visitSingularStringField(value: name, fieldNumber: 3) }
    if !opType.isEmpty { try visitor.visitSingularStringField(value: opType, fieldNumber: 4) }
    if !attribute.isEmpty { try visitor.visitRepeatedMessageField(value: attribute, fieldNumber: 5) }
    if !domain.isEmpty { try visitor.visitSingularStringField(value: domain, fieldNumber: 7) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.AttributeProto`.
struct AttributeProto: WireMessage {
  static let protoMessageName = "onnx.AttributeProto"
  var name = ""                  // 1
  var f: Float?                  // 2
  var i: Int64?                  // 3
  var s: Data?                   // 4
  var t: TensorProto?            // 5
  var g: GraphProto?             // 6
  var floats: [Float] = []       // 7
  var ints: [Int64] = []         // 8
  var strings: [Data] = []       // 9
  var tensors: [TensorProto] = []  // 10
  var graphs: [GraphProto] = []  // 11
  var type: Int32 = 0            // 20, AttributeProto.AttributeType
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularStringField(value: &name)
      case 2: try decoder.decodeSingularFloatField(value: &f)
      case 3: try decoder.decodeSingularInt64Field(value: &i)
      case 4: try decoder.decodeSingularBytesField(value: &s)
      case 5: try decoder.decodeSingularMessageField(value: &t)
      case 6: try decoder.decodeSingularMessageField(value: &g)
      case 7: try decoder.decodeRepeatedFloatField(value: &floats)
      case 8: try decoder.decodeRepeatedInt64Field(value: &ints)
      case 9: try decoder.decodeRepeatedBytesField(value: &strings)
      case 10: try decoder.decodeRepeatedMessageField(value: &tensors)
      case 11: try decoder.decodeRepeatedMessageField(value: &graphs)
      case 20: try decoder.decodeSingularInt32Field(value: &type)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !name.isEmpty { try visitor.visitSingularStringField(value: name, fieldNumber: 1) }
    if let f { try visitor.visitSingularFloatField(value: f, fieldNumber: 2) }
    if let i { try visitor.visitSingularInt64Field(value: i, fieldNumber: 3) }
    if let s { try visitor.visitSingularBytesField(value: s, fieldNumber: 4) }
    if let t { try visitor.visitSingularMessageField(value: t, fieldNumber: 5) }
    if let g { try visitor.visitSingularMessageField(value: g, fieldNumber: 6) }
    if !floats.isEmpty { try visitor.visitRepeatedFloatField(value: floats, fieldNumber: 7) }
    if !ints.isEmpty { try visitor.visitRepeatedInt64Field(value: ints, fieldNumber: 8) }
    if !strings.isEmpty { try visitor.visitRepeatedBytesField(value: strings, fieldNumber: 9) }
    if !tensors.isEmpty { try visitor.visitRepeatedMessageField(value: tensors, fieldNumber: 10) }
    if !graphs.isEmpty { try visitor.visitRepeatedMessageField(value: graphs, fieldNumber: 11) }
    if type != 0 { try visitor.visitSingularInt32Field(value: type, fieldNumber: 20) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.TensorProto`.
struct TensorProto: WireMessage {
  static let protoMessageName = "onnx.TensorProto"
  var dims: [Int64] = []                          // 1
  var dataType: Int32 = 0                         // 2, TensorProto.DataType
  var floatData: [Float] = []                     // 4 (packed)
  var int32Data: [Int32] = []                     // 5 (packed)
  var stringData: [Data] = []                     // 6
  var int64Data: [Int64] = []                     // 7 (packed)
  var name = ""                                   // 8
  var rawData: Data?                              // 9
  var doubleData: [Double] = []                   // 10 (packed)
  var uint64Data: [UInt64] = []                   // 11 (packed)
  var externalData: [StringStringEntryProto] = [] // 13
  var dataLocation: Int32 = 0                     // 14, 0 DEFAULT, 1 EXTERNAL
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeRepeatedInt64Field(value: &dims)
      case 2: try decoder.decodeSingularInt32Field(value: &dataType)
      case 4: try decoder.decodeRepeatedFloatField(value: &floatData)
      case 5: try decoder.decodeRepeatedInt32Field(value: &int32Data)
      case 6: try decoder.decodeRepeatedBytesField(value: &stringData)
      case 7: try decoder.decodeRepeatedInt64Field(value: &int64Data)
      case 8: try decoder.decodeSingularStringField(value: &name)
      case 9: try decoder.decodeSingularBytesField(value: &rawData)
      case 10: try decoder.decodeRepeatedDoubleField(value: &doubleData)
      case 11: try decoder.decodeRepeatedUInt64Field(value: &uint64Data)
      case 13: try decoder.decodeRepeatedMessageField(value: &externalData)
      case 14: try decoder.decodeSingularInt32Field(value: &dataLocation)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !dims.isEmpty { try visitor.visitRepeatedInt64Field(value: dims, fieldNumber: 1) }
    if dataType != 0 { try visitor.visitSingularInt32Field(value: dataType, fieldNumber: 2) }
    if !floatData.isEmpty { try visitor.visitPackedFloatField(value: floatData, fieldNumber: 4) }
    if !int32Data.isEmpty { try visitor.visitPackedInt32Field(value: int32Data, fieldNumber: 5) }
    if !stringData.isEmpty { try visitor.visitRepeatedBytesField(value: stringData, fieldNumber: 6) }
    if !int64Data.isEmpty { try visitor.visitPackedInt64Field(value: int64Data, fieldNumber: 7) }
    if !name.isEmpty { try visitor.visitSingularStringField(value: name, fieldNumber: 8) }
    if let rawData { try visitor.visitSingularBytesField(value: rawData, fieldNumber: 9) }
    if !doubleData.isEmpty { try visitor.visitPackedDoubleField(value: doubleData, fieldNumber: 10) }
    if !uint64Data.isEmpty { try visitor.visitPackedUInt64Field(value: uint64Data, fieldNumber: 11) }
    if !externalData.isEmpty { try visitor.visitRepeatedMessageField(value: externalData, fieldNumber: 13) }
    if dataLocation != 0 { try visitor.visitSingularInt32Field(value: dataLocation, fieldNumber: 14) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.StringStringEntryProto` (external data locations).
struct StringStringEntryProto: WireMessage {
  static let protoMessageName = "onnx.StringStringEntryProto"
  var key = ""     // 1
  var value = ""   // 2
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularStringField(value: &key)
      case 2: try decoder.decodeSingularStringField(value: &value)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !key.isEmpty { try visitor.visitSingularStringField(value: key, fieldNumber: 1) }
    if !value.isEmpty { try visitor.visitSingularStringField(value: value, fieldNumber: 2) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.ValueInfoProto`.
struct ValueInfoProto: WireMessage {
  static let protoMessageName = "onnx.ValueInfoProto"
  var name = ""           // 1
  var type: TypeProto?    // 2
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularStringField(value: &name)
      case 2: try decoder.decodeSingularMessageField(value: &type)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !name.isEmpty { try visitor.visitSingularStringField(value: name, fieldNumber: 1) }
    if let type { try visitor.visitSingularMessageField(value: type, fieldNumber: 2) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.TypeProto`; only the `tensor_type` member of its oneof is read.
struct TypeProto: WireMessage {
  static let protoMessageName = "onnx.TypeProto"
  var tensorType: TensorTypeProto?   // 1
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularMessageField(value: &tensorType)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if let tensorType { try visitor.visitSingularMessageField(value: tensorType, fieldNumber: 1) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.TypeProto.Tensor`.
struct TensorTypeProto: WireMessage {
  static let protoMessageName = "onnx.TypeProto.Tensor"
  var elemType: Int32 = 0           // 1
  var shape: TensorShapeProto?      // 2
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeSingularInt32Field(value: &elemType)
      case 2: try decoder.decodeSingularMessageField(value: &shape)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if elemType != 0 { try visitor.visitSingularInt32Field(value: elemType, fieldNumber: 1) }
    if let shape { try visitor.visitSingularMessageField(value: shape, fieldNumber: 2) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.TensorShapeProto`.
struct TensorShapeProto: WireMessage {
  static let protoMessageName = "onnx.TensorShapeProto"
  var dim: [DimensionProto] = []   // 1
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      case 1: try decoder.decodeRepeatedMessageField(value: &dim)
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !dim.isEmpty { try visitor.visitRepeatedMessageField(value: dim, fieldNumber: 1) }
    try unknownFields.traverse(visitor: &visitor)
  }
}

/// `onnx.TensorShapeProto.Dimension` (a oneof of `dim_value` and `dim_param`).
struct DimensionProto: WireMessage {
  static let protoMessageName = "onnx.TensorShapeProto.Dimension"
  var dimValue: Int64?    // 1
  var dimParam: String?   // 2
  var unknownFields = UnknownStorage()

  mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let field = try decoder.nextFieldNumber() {
      switch field {
      // A later member of a oneof replaces an earlier one.
      case 1: try decoder.decodeSingularInt64Field(value: &dimValue); dimParam = nil
      case 2: try decoder.decodeSingularStringField(value: &dimParam); dimValue = nil
      default: break
      }
    }
  }

  func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if let dimValue { try visitor.visitSingularInt64Field(value: dimValue, fieldNumber: 1) }
    if let dimParam { try visitor.visitSingularStringField(value: dimParam, fieldNumber: 2) }
    try unknownFields.traverse(visitor: &visitor)
  }
}
