import TorusFHE
import TorusIR

extension Interpreter {
  /// Sign-extends the low `width` bits of `v`.
  static func signExtend(_ v: Int64, width: Int) -> Int64 {
    guard width < 64 else { return v }
    let shift = Int64(64 - width)
    return (v << shift) >> shift
  }

  /// Clear element width (64 for `index`).
  static func clearWidth(_ t: IRType) -> Int { (t.elementType ?? t).intOrFloatBitWidth ?? 64 }

  /// `arith`, `tensor` and `func` ops Concrete programs use; nil when `op` is none of them.
  func executeUpstream(_ op: Operation, _ f: inout Frame) throws(InterpreterError) -> [RuntimeValue<C>]? {
    let o = op.operands
    let resultType = op.results.first?.type
    switch op.name.rawValue {
    case "arith.constant":
      let t = resultType ?? .none
      switch op.attribute("value") {
      case .integer(let v, _)?:
        let x = v.signExtendedValue ?? Int64(bitPattern: v.zeroExtendedValue ?? 0)
        return [.clear(Tensor(scalar: Self.signExtend(x, width: Self.clearWidth(t))))]
      case .denseElements(let d)?:
        return [.clear(Tensor(shape: t.staticShape, elements: d.int64Values))]
      default:
        throw .unsupported("'arith.constant' with value \(String(describing: op.attribute("value")))")
      }
    case "arith.extsi", "arith.index_cast", "arith.trunci", "arith.extui":
      let width = Self.clearWidth(resultType ?? .i64)
      let from = Self.clearWidth(o[0].type)
      let zeroExtend = op.name.rawValue == "arith.extui"
      return [.clear(try f.clear(o[0]).map { v in
        let x = zeroExtend && from < 64 ? Int64(bitPattern: UInt64(bitPattern: v) & ((1 << UInt64(from)) - 1)) : v
        return Self.signExtend(x, width: width)
      })]
    case let n where n.hasPrefix("arith."):
      let kinds: [any ArithBinaryOp.Type] = [
        ArithDialect.AddIOp.self, ArithDialect.SubIOp.self, ArithDialect.MulIOp.self, ArithDialect.DivSIOp.self,
        ArithDialect.RemSIOp.self, ArithDialect.AndIOp.self, ArithDialect.OrIOp.self, ArithDialect.XOrIOp.self,
        ArithDialect.ShLIOp.self, ArithDialect.ShRSIOp.self, ArithDialect.ShRUIOp.self, ArithDialect.MaxSIOp.self,
        ArithDialect.MinSIOp.self,
      ]
      guard let kind = kinds.first(where: { $0.name == op.name }) else { return nil }
      let width = Self.clearWidth(resultType ?? .i64)
      let out = Self.shape(op.results[0])
      let a = try f.clear(o[0]).broadcast(to: out).elements, b = try f.clear(o[1]).broadcast(to: out).elements
      var r: [Int64] = []
      for (x, y) in zip(a, b) {
        guard let v = kind.evaluate(x, y, width: width) else { throw .invalidInput("'\(n)': undefined result (division by zero?)") }
        r.append(Self.signExtend(v, width: width))
      }
      return [.clear(Tensor(shape: out, elements: r))]
    case "tensor.extract":
      let shape = Self.shape(o[0])
      let st = Tensor<Int>.strides(shape)
      var flat = 0
      for (d, iv) in o.dropFirst().enumerated() {
        let i = Int(try f.clear(iv).elements[0])
        guard i >= 0 && i < shape[d] else { throw .invalidInput("'tensor.extract': index \(i) is out of range for dimension \(d) of size \(shape[d])") }
        flat += i * st[d]
      }
      return [try RuntimeValue.gather([f.get(o[0])], [flat], shape: [])]
    case "tensor.insert":
      let shape = Self.shape(o[1])
      let st = Tensor<Int>.strides(shape)
      var flat = 0
      for (d, iv) in o.dropFirst(2).enumerated() {
        let i = Int(try f.clear(iv).elements[0])
        guard i >= 0 && i < shape[d] else { throw .invalidInput("'tensor.insert': index \(i) is out of range for dimension \(d) of size \(shape[d])") }
        flat += i * st[d]
      }
      let n = shape.reduce(1, *)
      var idx = Array(1...max(n, 1)).prefix(n).map { $0 }
      idx[flat] = 0
      return [try RuntimeValue.gather([f.get(o[0]), f.get(o[1])], idx, shape: shape)]
    case "tensor.from_elements":
      let parts = try o.map { (v) throws(InterpreterError) in try f.get(v) }
      return [try RuntimeValue.gather(parts, Array(0..<o.count), shape: Self.shape(op.results[0]))]
    case "tensor.extract_slice":
      let s = TensorDialect.ExtractSliceOp(unchecked: op)
      let (offsets, sizes, strides) = try sliceParameters(op, s.staticOffsets, s.staticSizes, s.staticStrides, firstDynamic: 1, f)
      let idx = Tensor<Int>.windowIndices(shape: Self.shape(o[0]), offsets: offsets, sizes: sizes, strides: strides)
      return [try RuntimeValue.gather([f.get(o[0])], idx, shape: Self.shape(op.results[0]))]
    case "tensor.insert_slice":
      let s = TensorDialect.InsertSliceOp(unchecked: op)
      let (offsets, sizes, strides) = try sliceParameters(op, s.staticOffsets, s.staticSizes, s.staticStrides, firstDynamic: 2, f)
      let dst = Self.shape(o[1])
      let n = dst.reduce(1, *)
      let srcCount = Self.shape(o[0]).reduce(1, *)
      let window = Tensor<Int>.windowIndices(shape: dst, offsets: offsets, sizes: sizes, strides: strides)
      var idx = Array(srcCount..<(srcCount + n))
      for (k, i) in window.enumerated() { idx[i] = k }
      return [try RuntimeValue.gather([f.get(o[0]), f.get(o[1])], idx, shape: dst)]
    case "tensor.collapse_shape", "tensor.expand_shape":
      return [try f.get(o[0]).reshaped(Self.shape(op.results[0]))]
    case "tensor.empty":
      let t = resultType ?? .none
      let n = t.staticShape.reduce(1, *)
      if t.isEncrypted { return [.encrypted(Tensor(shape: t.staticShape, elements: [C](repeating: domain.zero(), count: n)))] }
      return [.clear(Tensor(shape: t.staticShape, elements: [Int64](repeating: 0, count: n)))]
    case "func.call":
      guard case .symbolRef(let callee, _)? = op.attribute("callee") else { throw .invalidProgram("'func.call' without a callee") }
      var parent = op.parentOp
      while let p = parent, p.name != "builtin.module" { parent = p.parentOp }
      guard let module = parent, let fn = Self.findFunction(in: module, named: callee) else {
        throw .invalidProgram("'func.call': no function '@\(callee)'")
      }
      let args = try o.map { (v) throws(InterpreterError) in try f.get(v) }
      return try run(fn, arguments: args)
    default:
      return nil
    }
  }

  /// Offsets, sizes and strides of a slice op, with dynamic entries read from its operands.
  func sliceParameters(_ op: Operation, _ so: [Int64], _ ss: [Int64], _ st: [Int64], firstDynamic: Int, _ f: Frame) throws(InterpreterError) -> ([Int], [Int], [Int]) {
    var k = firstDynamic
    func resolve(_ list: [Int64]) throws(InterpreterError) -> [Int] {
      var out: [Int] = []
      for v in list {
        if v == dynamicSize {
          out.append(Int(try f.clear(op.operands[k]).elements[0]))
          k += 1
        } else {
          out.append(Int(v))
        }
      }
      return out
    }
    return (try resolve(so), try resolve(ss), try resolve(st))
  }

  /// The function named `name` in `module` (nil when absent).
  public static func findFunction(in module: Operation, named name: String) -> FuncDialect.FuncOp? {
    for block in module.regions.first?.blocks ?? [] {
      for op in block.operations {
        if let fn = FuncDialect.FuncOp(op), fn.symbolName == name { return fn }
      }
    }
    return nil
  }
}
