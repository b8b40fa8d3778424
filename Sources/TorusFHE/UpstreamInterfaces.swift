import TorusIR

// Upstream `tensor` ops carry encrypted elements in Concrete's circuits: they move data and
// never bootstrap. Declared here, beside the interfaces, because `TorusIR` knows nothing of FHE.

extension TensorDialect.ExtractOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension TensorDialect.ExtractSliceOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension TensorDialect.CollapseShapeOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension TensorDialect.ExpandShapeOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .combination(.operand(0)) } }
extension TensorDialect.InsertOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .largestOperand } }
extension TensorDialect.InsertSliceOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .largestOperand } }
extension TensorDialect.FromElementsOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .largestOperand } }
extension TensorDialect.EmptyOp: LevelledOp { public var noiseTransfer: NoiseTransfer { .noiseless } }
