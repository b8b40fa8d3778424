import TorusFHE
import TorusIR
import TorusQNN

/// Emits the integer program as Concrete's circuit: `func.func @_clear_forward_proxy` of `FHE` /
/// `FHELinalg` ops in generic form (multi-precision widths, as Concrete-ML 1.9 emits).
///
/// Padding becomes `FHE.zero_tensor` + `add_eint_int 1` + `mul_eint_int zero_point` +
/// `tensor.insert_slice`; convolutions `FHELinalg.conv2d` without padding or bias; Gemm
/// `FHELinalg.matmul_eint_int` with `K×N` weights; flatten `tensor.collapse_shape`; lookups
/// `apply_lookup_table` or, with per-channel tables, `apply_mapped_lookup_table`; signedness
/// changes `FHELinalg.to_signed` / `to_unsigned`. Identical constants are emitted once.
public enum FHELinalgLowering {
  /// Tables indexed by inputs of at most this original width use it (with a precision cast).
  public static let tableOriginalWidthLimit = 8

  /// `!FHE.eint<w>` or `!FHE.esint<w>`.
  public static func encrypted(_ width: Int, signed: Bool) -> IRType {
    .opaque(dialect: "FHE", body: "\(signed ? "esint" : "eint")<\(width)>")
  }

  static func tensor(_ shape: [Int], _ element: IRType) -> IRType {
    .tensor(shape: shape.map(Int64.init), element: element, encoding: nil)
  }

  /// Table entries for one channel, in two's-complement index order (`0…max`, then `min…-1`).
  /// Inputs rounded by `step` bits are the index shifted left by `step`.
  public static func table(_ f: FusedFunction, channel: Int, width: Int, signed: Bool, step: Int = 0) -> [Int64] {
    let size = 1 << width
    return (0..<size).map { i in
      let v = signed && i >= size / 2 ? Int64(i - size) : Int64(i)
      return f.apply(v << Int64(step), channel: channel)
    }
  }

  public static func lower(_ program: IntegerProgram, analysis: BitWidthAnalysis) throws(QNNError) -> Module {
    var emitter = Emitter(program: program, analysis: analysis)
    return try emitter.run()
  }

  struct Emitter {
    let program: IntegerProgram
    let analysis: BitWidthAnalysis
    var builder = Builder(registry: DialectRegistry.fhe)
    var values: [Value] = []
    var constants: [Attribute: Value] = [:]
    var paddings: [String: Value] = [:]
    /// Signedness conversions made so far, reused as Concrete reuses them for a value read twice.
    var conversions: [ObjectIdentifier: Value] = [:]
    /// The ONNX node being lowered: every op made for it carries its name as a location, so a
    /// circuit op traces back to the node (`torus view`, `--trace`, `torus diff`).
    var location: Location = .unknown

    init(program: IntegerProgram, analysis: BitWidthAnalysis) {
      self.program = program
      self.analysis = analysis
    }

    func type(of node: Int) -> IRType {
      FHELinalgLowering.tensor(program.nodes[node].shape, encrypted(analysis.assigned[node], signed: analysis.isSigned(node)))
    }

    mutating func constant(_ attr: Attribute) -> Value {
      if let v = constants[attr] { return v }
      let v = builder.constant(attr)!
      constants[attr] = v
      return v
    }

    /// concrete-python's reshape: one collapse_shape or expand_shape when the ranks differ and
    /// the bigger shape's dimensions group into the smaller one's; otherwise a collapse to one
    /// dimension, then an expand.
    mutating func reshape(_ v: Value, from xs: [Int], to shape: [Int]) -> Value {
      let element = v.type.elementType!
      func reshaped(_ v: Value, _ collapse: Bool, _ groups: [[Int]], _ shape: [Int]) -> Value {
        builder.create(
          collapse ? TensorDialect.CollapseShapeOp.name : TensorDialect.ExpandShapeOp.name, operands: [v],
          resultTypes: [FHELinalgLowering.tensor(shape, element)],
          attributes: AttributeDictionary([NamedAttribute("reassociation", Self.reassociation(groups))]), location: location
        ).results[0]
      }
      if xs == shape { return v }
      if let groups = Self.reshapeGroups(from: xs, to: shape) { return reshaped(v, shape.count < xs.count, groups, shape) }
      let flat = reshaped(v, true, [Array(xs.indices)], [xs.reduce(1, *)])
      return reshaped(flat, false, [Array(shape.indices)], shape)
    }

    /// A Gather of an index tensor as concrete-python converts numpy's `x[:, …, indices, :, …]`
    /// (`operations/indexing.py`, one fancy index): per axis an index constant (the slices as
    /// `arange`), reshaped and broadcast to the result shape plus one axis, concatenated on that
    /// axis, then `FHELinalg.fancy_index`.
    mutating func fancyIndex(_ x: Value, shape xs: [Int], axis: Int, indices: [Int], indexShape: [Int], to resultType: IRType) -> Value {
      let resultShape = Array(xs[..<axis]) + indexShape + Array(xs[(axis + 1)...])
      let expanded = resultShape + [1]
      let perAxis: [(values: [Int], shape: [Int])] = xs.indices.map { d in
        d == axis ? (indices, indexShape) : (Array(0..<xs[d]), [xs[d]])
      }
      let constants = perAxis.map { c in
        constant(.denseElements(.integers(c.values.map(Int64.init), type: FHELinalgLowering.tensor(c.shape, .index))))
      }
      var parts: [Value] = []
      for (d, c) in perAxis.enumerated() {
        var v = constants[d]
        if c.shape == resultShape {
          v = reshape(v, from: c.shape, to: expanded)
        } else {
          // Axes added after the element's own: the fancy index's for an axis before it, one
          // per slice after it, plus the concatenation axis.
          var extra = 1 + xs.indices.filter { $0 > d && $0 != axis }.count
          if d < axis { extra += indexShape.isEmpty ? 1 : indexShape.count }
          let target = c.shape + [Int](repeating: 1, count: extra)
          v = reshape(v, from: c.shape, to: target)
          if target != expanded {
            v = builder.create(
              FHELinalg.BroadcastOp.name, operands: [v], resultTypes: [FHELinalgLowering.tensor(expanded, .index)], location: location
            ).results[0]
          }
        }
        parts.append(v)
      }
      let all = op(FHELinalg.ConcatOp.self, parts, FHELinalgLowering.tensor(resultShape + [xs.count], .index), [
        NamedAttribute("axis", .integer(Int64(resultShape.count), .i64))
      ])
      return op(FHELinalg.FancyIndexOp.self, [x, all], resultType)
    }

    /// `tensor.from_elements` of one scalar constant (cached).
    mutating func scalarTensor(_ value: Int64, width: Int) -> Value {
      let key = Attribute.string("from_elements \(value) i\(width)")
      if let v = constants[key] { return v }
      let c = constant(.integer(value, .i(width)))
      let v = builder.create(
        TensorDialect.FromElementsOp.name, operands: [c], resultTypes: [FHELinalgLowering.tensor([1], .i(width))]
      ).results[0]
      constants[key] = v
      return v
    }

    /// Creates a registered FHE op of kind `Op` with one result.
    mutating func op<Op: OpDefinition>(_ kind: Op.Type, _ operands: [Value], _ result: IRType, _ attrs: [NamedAttribute] = []) -> Value {
      builder.create(kind, operands: operands, resultTypes: [result], attributes: AttributeDictionary(attrs), location: location).operation.results[0]
    }

    /// Converts `v` to the wanted signedness with `to_signed` / `to_unsigned`.
    mutating func withSignedness(_ v: Value, signed: Bool) -> Value {
      guard case .tensor(let shape, .opaque(_, let body), _) = v.type else { return v }
      let isSigned = body.hasPrefix("esint")
      guard isSigned != signed else { return v }
      if let c = conversions[ObjectIdentifier(v)] { return c }
      let width = Int(body.drop { !$0.isNumber }.prefix { $0.isNumber }) ?? 0
      let type = IRType.tensor(shape: shape, element: encrypted(width, signed: signed), encoding: nil)
      let converted = signed ? op(FHELinalg.ToSignedOp.self, [v], type) : op(FHELinalg.ToUnsignedOp.self, [v], type)
      conversions[ObjectIdentifier(v)] = converted
      return converted
    }

    /// `input` (node `x`, rank 3 or 4) embedded in a tensor filled with `padValue`, `p` = `[top,
    /// left, bottom, right]` (a rank-3 input is padded on its last axis by `left`/`right`).
    /// Concrete's order: the scalar 1, the zero tensor, `from_elements`, `add_eint_int`, the
    /// fill value, `mul_eint_int`; the filled tensor is made once per shape, width and value.
    mutating func padded(_ input: Value, node x: Int, pads p: [Int], width: Int, padValue: Int64) -> Value {
      let xs = program.nodes[x].shape
      let oneD = xs.count == 3
      let shape = oneD ? [xs[0], xs[1], xs[2] + p[1] + p[3]] : [xs[0], xs[1], xs[2] + p[0] + p[2], xs[3] + p[1] + p[3]]
      let key = "\(shape) \(width) \(padValue)"
      var base: Value
      if let cached = paddings[key] {
        base = cached
      } else {
        _ = constant(.integer(1, .i(width + 1)))
        let zero = builder.create(
          FHE.ZeroTensorOp.self, resultTypes: [FHELinalgLowering.tensor(shape, encrypted(width, signed: false))], location: location
        ).operation.results[0]
        let one = scalarTensor(1, width: width + 1)
        let ones = op(FHELinalg.AddEintIntOp.self, [zero, one], zero.type)
        let zp = scalarTensor(padValue, width: QuantMath.bitWidth(lo: min(padValue, 0), hi: max(padValue, 0)) + 1)
        base = op(FHELinalg.MulEintIntOp.self, [ones, zp], zero.type)
        paddings[key] = base
      }
      base = withSignedness(base, signed: analysis.isSigned(x))
      return builder.create(
        TensorDialect.InsertSliceOp.name, operands: [input, base], resultTypes: [base.type],
        attributes: AttributeDictionary([
          NamedAttribute("operandSegmentSizes", .denseArray(element: .i(32), values: [1, 1, 0, 0, 0])),
          NamedAttribute("static_offsets", .i64Array(oneD ? [0, 0, Int64(p[1])] : [0, 0, Int64(p[0]), Int64(p[1])])),
          NamedAttribute("static_sizes", .i64Array(xs.map(Int64.init))),
          NamedAttribute("static_strides", .i64Array(oneD ? [1, 1, 1] : [1, 1, 1, 1])),
        ]), location: location
      ).results[0]
    }

    /// Approximate rounding, as concrete-python's `Exactness.APPROXIMATE` with symmetric deltas:
    /// reinterpret the `w`-bit accumulator at 62 bits, add just under half of one `w`-bit step
    /// (`2^(61-w) - 1` at 62 bits), and reinterpret at the rounded width. The next lookup's
    /// bootstrap then rounds to the nearest `2^l` step; in the clear this is exactly
    /// `((x + 2^(l-1)) >> l)`, and the offset puts every input half a `w`-bit step away from a
    /// rounding boundary instead of on it.
    mutating func approximateRound(_ x: Value, node: Int, to resultType: IRType) -> Value {
      let width = analysis.assigned[node], signed = analysis.isSigned(node)
      let shape = program.nodes[node].shape
      let wide = 62
      let high = op(FHELinalg.ReinterpretPrecisionOp.self, [x], FHELinalgLowering.tensor(shape, encrypted(wide, signed: signed)))
      let half = scalarTensor((Int64(1) << Int64(wide - 1 - width)) - 1, width: wide + 1)
      let shifted = op(FHELinalg.AddEintIntOp.self, [high, half], high.type)
      return op(FHELinalg.ReinterpretPrecisionOp.self, [shifted], resultType)
    }

    /// The reassociation of a reshape done by one collapse or expand (concrete-python's rule): the
    /// ranks differ and consecutive dimensions of the bigger shape multiply to each dimension of
    /// the smaller one (trailing 1s join the last group). Nil when it takes two steps.
    static func reshapeGroups(from input: [Int], to output: [Int]) -> [[Int]]? {
      guard input.count != output.count else { return nil }
      if output.count == 1 { return [Array(input.indices)] }
      let (small, big) = output.count < input.count ? (output, input) : (input, output)
      var groups: [[Int]] = [], group: [Int] = [], size = 1, s = 0, b = 0
      while s < small.count && b < big.count {
        group.append(b)
        size *= big[b]
        if size == small[s] {
          groups.append(group)
          (group, size, s) = ([], 1, s + 1)
        }
        b += 1
      }
      while b < big.count && big[b] == 1 && !groups.isEmpty {
        groups[groups.count - 1].append(b)
        b += 1
      }
      return s == small.count && b == big.count ? groups : nil
    }

    /// A `reassociation` attribute (`[[0], [1, 2]]`).
    static func reassociation(_ groups: [[Int]]) -> Attribute {
      .array(groups.map { .array($0.map { .integer(Int64($0), .i64) }) })
    }

    static func bitsPlusOne(_ values: [Int64]) -> Int {
      QuantMath.bitWidth(lo: values.min() ?? 0, hi: values.max() ?? 0) + 1
    }

    /// A clear constant typed `i(original width + 1)`, stored as MLIR does: each value masked to
    /// the element width (so -1 in `i5` is the byte 0x1F).
    static func clearIntegers(_ values: [Int64], shape: [Int]) -> DenseElementsAttr {
      let width = bitsPlusOne(values)
      let mask = width >= 64 ? Int64(-1) : (Int64(1) << Int64(width)) - 1
      let masked = width % 8 == 0 ? values : values.map { $0 & mask }
      return .integers(masked, type: FHELinalgLowering.tensor(shape, .i(width)))
    }

    mutating func run() throws(QNNError) -> Module {
      let module = IRSkeleton.module()
      var inputTypes: [IRType] = []
      for node in program.nodes.indices {
        if case .input = program.nodes[node].op { inputTypes.append(type(of: node)) }
      }
      let resultTypes = program.outputs.map { type(of: $0.node) }
      let (_, block) = IRSkeleton.function("_clear_forward_proxy", inputs: inputTypes, results: resultTypes, in: module)
      builder.setInsertionPointToEnd(of: block)
      var nextArgument = 0
      for (i, node) in program.nodes.enumerated() {
        location = .name(node.name, child: nil)
        let signed = analysis.isSigned(i)
        let width = analysis.assigned[i]
        let resultType = type(of: i)
        switch node.op {
        case .input:
          values.append(block.arguments[nextArgument])
          nextArgument += 1
        case .conv(let x, let w, let pads, let strides, let group, let padValue):
          var input = values[x]
          let xs = program.nodes[x].shape
          let p = pads.isEmpty ? [0, 0, 0, 0] : pads
          // A 1-D input (weights and pads in 2-D form, height 1) is padded in 1-D, then expanded.
          let oneD = xs.count == 3
          if p.contains(where: { $0 != 0 }) {
            input = padded(input, node: x, pads: p, width: width, padValue: padValue)
          }
          if oneD {
            let t = input.type
            guard case .tensor(let shape, let element, _) = t else { throw .malformedGraph("1-D convolution input is not a tensor") }
            input = builder.create(
              TensorDialect.ExpandShapeOp.name, operands: [input],
              resultTypes: [.tensor(shape: [shape[0], shape[1], 1, shape[2]], element: element, encoding: nil)],
              attributes: AttributeDictionary([NamedAttribute("reassociation", Self.reassociation([[0], [1], [2, 3]]))]),
              location: location
            ).results[0]
          }
          let weights = constant(.denseElements(Self.clearIntegers(w.data, shape: w.shape)))
          input = withSignedness(input, signed: signed)
          let s = strides.isEmpty ? [1, 1] : strides
          let convType = oneD
            ? FHELinalgLowering.tensor([node.shape[0], node.shape[1], 1, node.shape[2]], encrypted(width, signed: signed)) : resultType
          values.append(op(FHELinalg.Conv2dOp.self, [input, weights], convType, [
            NamedAttribute("dilations", .denseElements(.integers([1, 1], type: FHELinalgLowering.tensor([2], .i64)))),
            NamedAttribute("group", .integer(Int64(group), .i64)),
            NamedAttribute("padding", .denseElements(.integers([0, 0, 0, 0], type: FHELinalgLowering.tensor([4], .i64)))),
            NamedAttribute("strides", .denseElements(.integers(s.map(Int64.init), type: FHELinalgLowering.tensor([2], .i64)))),
          ]))
          if oneD {
            values[values.count - 1] = builder.create(
              TensorDialect.CollapseShapeOp.name, operands: [values[values.count - 1]], resultTypes: [resultType],
              attributes: AttributeDictionary([NamedAttribute("reassociation", Self.reassociation([[0], [1], [2, 3]]))]),
              location: location
            ).results[0]
          }
        case .matmul(let x, let w):
          let weights = constant(.denseElements(Self.clearIntegers(w.data, shape: w.shape)))
          let input = withSignedness(values[x], signed: signed)
          values.append(op(FHELinalg.MatMulEintIntOp.self, [input, weights], resultType))
        case .maxPool(let x, let k, let strides):
          let s = strides.isEmpty ? [1, 1] : strides
          func pair(_ v: [Int]) -> Attribute { .denseElements(.integers(v.map(Int64.init), type: FHELinalgLowering.tensor([2], .i64))) }
          values.append(op(FHELinalg.Maxpool2dOp.self, [withSignedness(values[x], signed: signed)], resultType, [
            NamedAttribute("dilations", pair([1, 1])), NamedAttribute("kernel_shape", pair(k)), NamedAttribute("strides", pair(s)),
          ]))
        case .reshape(let x):
          values.append(reshape(values[x], from: program.nodes[x].shape, to: node.shape))
        case .add(let a, let b, let negate):
          // Concrete traces `a + sign·b`: the second operand times ±1 (`i2`), then `add_eint`.
          // The product is a value of its own: signed iff it can be negative; the add then
          // converts it to the sum's signedness.
          let lhs = withSignedness(values[a], signed: signed)
          let productSigned = negate ? analysis.bounds[b].hi > 0 : analysis.isSigned(b)
          var rhs = withSignedness(values[b], signed: productSigned)
          rhs = op(FHELinalg.MulEintIntOp.self, [rhs, scalarTensor(negate ? -1 : 1, width: 2)], rhs.type)
          rhs = withSignedness(rhs, signed: signed)
          values.append(op(FHELinalg.AddEintOp.self, [lhs, rhs], resultType))
        case .mul(let a, let b):
          let lhs = withSignedness(values[a], signed: signed)
          let rhs = withSignedness(values[b], signed: signed)
          values.append(op(FHELinalg.MulEintOp.self, [lhs, rhs], resultType))
        case .pad(let x, let pads, let value):
          values.append(padded(values[x], node: x, pads: pads, width: width, padValue: value))
        case .slice(let x, let begin, let size, let step):
          let element = values[x].type.elementType!
          values.append(builder.create(
            TensorDialect.ExtractSliceOp.name, operands: [values[x]], resultTypes: [FHELinalgLowering.tensor(size, element)],
            attributes: AttributeDictionary([
              NamedAttribute("operandSegmentSizes", .denseArray(element: .i(32), values: [1, 0, 0, 0])),
              NamedAttribute("static_offsets", .i64Array(begin.map(Int64.init))), NamedAttribute("static_sizes", .i64Array(size.map(Int64.init))),
              NamedAttribute("static_strides", .i64Array(step.map(Int64.init))),
            ]), location: location
          ).results[0])
        case .transpose(let x, let perm):
          values.append(op(FHELinalg.TransposeOp.self, [withSignedness(values[x], signed: signed)], resultType, [
            NamedAttribute("axes", .array(perm.map { .integer(Int64($0), .i64) }))
          ]))
        case .gather(let x, let axis, let indices, let indexShape) where !indexShape.isEmpty:
          values.append(fancyIndex(values[x], shape: program.nodes[x].shape, axis: axis, indices: indices, indexShape: indexShape, to: resultType))
        case .gather(let x, let axis, let indices, _):
          let index = indices[0]
          // Concrete: the slice of width 1, then the axis merged into the one before it.
          let xs = program.nodes[x].shape
          var offsets = [Int64](repeating: 0, count: xs.count), sizes = xs.map(Int64.init)
          offsets[axis] = Int64(index)
          sizes[axis] = 1
          let element = values[x].type.elementType!
          let slice = builder.create(
            TensorDialect.ExtractSliceOp.name, operands: [values[x]], resultTypes: [FHELinalgLowering.tensor(sizes.map { Int($0) }, element)],
            attributes: AttributeDictionary([
              NamedAttribute("operandSegmentSizes", .denseArray(element: .i(32), values: [1, 0, 0, 0])),
              NamedAttribute("static_offsets", .i64Array(offsets)), NamedAttribute("static_sizes", .i64Array(sizes)),
              NamedAttribute("static_strides", .i64Array([Int64](repeating: 1, count: xs.count))),
            ]), location: location
          ).results[0]
          var groups = (0..<xs.count).filter { $0 != axis }.map { [$0] }
          if axis == 0 { groups[0].insert(0, at: 0) } else { groups[axis - 1].append(axis) }
          values.append(builder.create(
            TensorDialect.CollapseShapeOp.name, operands: [slice], resultTypes: [FHELinalgLowering.tensor(node.shape, element)],
            attributes: AttributeDictionary([NamedAttribute("reassociation", Self.reassociation(groups))]), location: location
          ).results[0])
        case .concat(let xs, let axis):
          let operands = xs.map { withSignedness(values[$0], signed: signed) }
          values.append(op(FHELinalg.ConcatOp.self, operands, resultType, [NamedAttribute("axis", .integer(Int64(axis), .i64))]))
        case .subScalar(let x, let c):
          let input = withSignedness(values[x], signed: signed)
          let k = scalarTensor(c, width: QuantMath.bitWidth(lo: min(c, 0), hi: max(c, 0)) + 1)
          values.append(op(FHELinalg.SubEintIntOp.self, [input, k], resultType))
        case .sum(let x, let axes, let keep):
          values.append(op(FHELinalg.SumOp.self, [withSignedness(values[x], signed: signed)], resultType, [
            NamedAttribute("axes", .array(axes.map { .integer(Int64($0), .i64) })), NamedAttribute("keep_dims", .bool(keep)),
          ]))
        case .addConstant(let x, let c):
          // Typed as Concrete types a clear constant: the width of its range (0 included) + 1.
          let lo = min(c.data.min() ?? 0, 0), hi = max(c.data.max() ?? 0, 0)
          let k = constant(.denseElements(.integers(c.data, type: FHELinalgLowering.tensor(c.shape, .i(QuantMath.bitWidth(lo: lo, hi: hi) + 1)))))
          values.append(op(FHELinalg.AddEintIntOp.self, [withSignedness(values[x], signed: signed), k], resultType))
        case .addScalar(let x, let c):
          let input = withSignedness(values[x], signed: signed)
          let k = scalarTensor(c, width: QuantMath.bitWidth(lo: min(c, 0), hi: max(c, 0)) + 1)
          values.append(op(FHELinalg.AddEintIntOp.self, [input, k], resultType))
        case .round(let x, _):
          switch program.roundingMethod {
          case .exact:
            // A value held wider than its own width is shifted to the top and reinterpreted at
            // that width first (concrete-python's round_bit_pattern conversion).
            var input = values[x]
            let (held, own) = (analysis.assigned[x], analysis.widths[x])
            if own < held {
              input = op(FHELinalg.MulEintIntOp.self, [input, scalarTensor(Int64(1) << Int64(held - own), width: held + 1)], input.type)
              input = op(FHELinalg.ReinterpretPrecisionOp.self, [input],
                FHELinalgLowering.tensor(program.nodes[x].shape, encrypted(own, signed: analysis.isSigned(x))))
            }
            values.append(op(FHELinalg.RoundOp.self, [input], resultType))
          case .approximate: values.append(approximateRound(values[x], node: x, to: resultType))
          }
        case .lookup(let x, let f):
          var input = values[x]
          let inSigned = analysis.isSigned(x)
          var tableWidth = analysis.assigned[x]
          var original = analysis.widths[x]
          var step = 0
          if case .round(_, let l) = program.nodes[x].op {
            // Entries sampled every 2^l inputs, indexed by the rounded value >> l.
            original = tableWidth
            step = l
          }
          if original <= tableOriginalWidthLimit && original < tableWidth {
            // Concrete types the clear factor of a p-bit value as i(p+1).
            let shift = scalarTensor(Int64(1) << Int64(tableWidth - original), width: tableWidth + 1)
            input = op(FHELinalg.MulEintIntOp.self, [input, shift], input.type)
            input = op(FHELinalg.ReinterpretPrecisionOp.self, [input],
              FHELinalgLowering.tensor(program.nodes[x].shape, encrypted(original, signed: inSigned)))
            tableWidth = original
          }
          let shape = program.nodes[x].shape
          let channels = f.channelCount
          let perChannel = (0..<channels).map {
            FHELinalgLowering.table(f, channel: $0, width: tableWidth, signed: inSigned, step: step)
          }
          var distinct: [[Int64]] = []
          var indexOf: [[Int64]: Int] = [:]
          var channelTable: [Int] = []
          for t in perChannel {
            if let k = indexOf[t] {
              channelTable.append(k)
            } else {
              indexOf[t] = distinct.count
              channelTable.append(distinct.count)
              distinct.append(t)
            }
          }
          let size = 1 << tableWidth
          let domain = FHELinalgLowering.table(f, channel: 0, width: min(original, tableWidth), signed: inSigned, step: step)
          if distinct.count == 1, let first = domain.first, domain.allSatisfy({ $0 == first }) {
            // One value over the input's whole range: Concrete makes zeros plus that value
            // instead of a lookup (no bootstrap).
            var r = op(FHE.ZeroTensorOp.self, [], resultType)
            if first != 0 {
              r = op(FHELinalg.AddEintIntOp.self, [r, scalarTensor(first, width: analysis.assigned[i] + 1)], resultType)
            }
            values.append(r)
          } else if distinct.count == 1 {
            let t = constant(.denseElements(.integers(distinct[0], type: FHELinalgLowering.tensor([size], .i64))))
            values.append(op(FHELinalg.ApplyLookupTableOp.self, [input, t], resultType))
          } else {
            let inner = shape.dropFirst(2).reduce(1, *)
            let cells = shape.reduce(1, *)
            let c = shape[1]
            // Tables are numbered by first occurrence in row-major cell order: channel order here.
            let mapping = (0..<cells).map { Int64(channelTable[($0 / inner) % c]) }
            let m = constant(.denseElements(.integers(mapping, type: FHELinalgLowering.tensor(shape, .index))))
            let t = constant(.denseElements(.integers(distinct.flatMap { $0 }, type: FHELinalgLowering.tensor([distinct.count, size], .i64))))
            values.append(op(FHELinalg.ApplyMappedLookupTableOp.self, [input, t, m], resultType))
          }
        }
      }
      builder.create(FuncDialect.ReturnOp.name, operands: program.outputs.map { values[$0.node] })
      return module
    }
  }
}
