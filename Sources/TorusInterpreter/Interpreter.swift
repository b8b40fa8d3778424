import Dispatch
import TorusFHE
import TorusIR

/// An error while binding inputs or running a circuit.
public enum InterpreterError: Error, CustomStringConvertible, Sendable {
  /// An op or form the interpreter (or the chosen domain) cannot run.
  case unsupported(String)
  /// Inputs that do not match the function signature.
  case invalidInput(String)
  /// The program is malformed for execution (missing function, bad attribute).
  case invalidProgram(String)

  public var description: String {
    switch self {
    case .unsupported(let m): "unsupported: \(m)"
    case .invalidInput(let m): m
    case .invalidProgram(let m): m
    }
  }
}

/// A runtime value: an encrypted tensor (or scalar) of the domain, or a clear one.
///
/// Clear integers are kept sign-extended from their declared width (spec §0.5).
public enum RuntimeValue<Ciphertext: Sendable>: Sendable {
  case encrypted(Tensor<Ciphertext>)
  case clear(Tensor<Int64>)
}

/// Runs a function of a module op by op, with every op's semantics written once over `D`.
public struct Interpreter<D: FHEDomain>: Sendable {
  public typealias C = D.Ciphertext
  /// The value domain (clear phases now, ciphertexts later).
  public let domain: D
  /// Threads used by tensor ops (results do not depend on it).
  public var threads: Int
  /// Where `Tracing` ops print.
  public var trace: @Sendable (String) -> Void

  /// Clear constants and lookup tables computed once per circuit and reused across runs.
  public let cache: ConstantCache
  /// Prints each op's wall time to standard error (for profiling).
  public var profile = false
  /// Sees every op's results, decoded (debugging: `torus run --trace`, `torus diff`).
  public var observer: OpObserver?

  public init(domain: D, threads: Int, cache: ConstantCache = ConstantCache(),
              trace: @escaping @Sendable (String) -> Void = { print($0, terminator: "") }) {
    self.domain = domain
    self.threads = max(1, threads)
    self.cache = cache
    self.trace = trace
  }

  /// Runs `function` on `arguments` (one per function argument) and returns its results.
  public func run(_ function: FuncDialect.FuncOp, arguments: [RuntimeValue<C>]) throws(InterpreterError) -> [RuntimeValue<C>] {
    guard let body = function.body else { throw .invalidProgram("function '@\(function.symbolName)' has no body") }
    guard body.arguments.count == arguments.count else {
      throw .invalidInput("function '@\(function.symbolName)' expects \(body.arguments.count) arguments, got \(arguments.count)")
    }
    var frame = Frame()
    for (a, v) in zip(body.arguments, arguments) { frame.values[ObjectIdentifier(a)] = v }
    for (index, op) in body.operations.enumerated() {
      if op.name == "func.return" { return try op.operands.map { (v) throws(InterpreterError) in try frame.get(v) } }
      let start = profile ? DispatchTime.now().uptimeNanoseconds : 0
      let results: [RuntimeValue<C>]
      if op.name == "arith.constant" {
        let cached = try cache.constant(op) { () throws(InterpreterError) in try executeUpstream(op, &frame)?.first }
        results = [.clear(cached)]
      } else {
        results = try execute(op, &frame)
      }
      if profile {
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        reportProfile("\(op.name) \(ms) ms")
      }
      for (r, v) in zip(op.results, results) { frame.values[ObjectIdentifier(r)] = v }
      // Constants are not computed per run (and tables are large): observers see computed values.
      if let observer, !op.results.isEmpty, !op.hasTrait(.constantLike) { observer(observe(op, index: index, results)) }
    }
    throw .invalidProgram("function '@\(function.symbolName)' has no return")
  }

  /// Evaluates the clear constants and the tables of constant lookups of `function` into the
  /// cache, so that runs only do per-sample work.
  public func prepare(_ function: FuncDialect.FuncOp) throws(InterpreterError) {
    guard let body = function.body else { return }
    var frame = Frame()
    for op in body.operations {
      if op.name == "arith.constant" {
        let t = try cache.constant(op) { () throws(InterpreterError) in try executeUpstream(op, &frame)?.first }
        frame.values[ObjectIdentifier(op.results[0])] = .clear(t)
      } else if let lookup = op.view as? any TableLookupOp, lookup.tables.definingOp?.name == "arith.constant",
        op.results.first?.type.isEncrypted == true
      {
        _ = try cachedTables(op, frame)
      }
    }
  }

  /// The values computed so far in one function run.
  public struct Frame {
    var values: [ObjectIdentifier: RuntimeValue<C>] = [:]
    /// The value of `v`, encrypted or clear.
    public func get(_ v: Value) throws(InterpreterError) -> RuntimeValue<C> {
      guard let r = values[ObjectIdentifier(v)] else { throw .invalidProgram("value used before it is defined") }
      return r
    }
    /// The encrypted tensor `v` holds.
    public func enc(_ v: Value) throws(InterpreterError) -> Tensor<C> {
      guard case .encrypted(let t) = try get(v) else { throw .invalidProgram("expected an encrypted value, found a clear one") }
      return t
    }
    /// The clear tensor `v` holds.
    public func clear(_ v: Value) throws(InterpreterError) -> Tensor<Int64> {
      guard case .clear(let t) = try get(v) else { throw .invalidProgram("expected a clear value, found an encrypted one") }
      return t
    }
  }

  /// The encrypted element type of `v`.
  public static func encType(_ v: Value) throws(InterpreterError) -> EncryptedType {
    guard let e = v.type.encryptedElement else { throw .invalidProgram("expected an encrypted type, found '\(v.type)'") }
    return e
  }

  /// Result shape of a value (`[]` for scalars).
  public static func shape(_ v: Value) -> [Int] { v.type.staticShape }

  // MARK: - Dispatch

  /// Runs one op: its kind's `ExecutableOp` semantics, or the upstream `arith`/`tensor`/`func` rules.
  func execute(_ op: Operation, _ f: inout Frame) throws(InterpreterError) -> [RuntimeValue<C>] {
    if let semantics = op.view as? any ExecutableOp { return try semantics.execute(in: self, &f) }
    if let r = try executeUpstream(op, &f) { return r }
    if op.isRegistered {
      throw .unsupported("'\(op.name)' declares no interpreter semantics (ExecutableOp, Spec/Dialects.md)")
    }
    throw .unsupported("operation '\(op.name)' is not supported by the interpreter (unregistered)")
  }

  static func traceLine(_ msg: String, bits: UInt64, width: Int, nmsb: Int) -> String {
    var s = ""
    for i in stride(from: width - 1, through: 0, by: -1) {
      if s.count == nmsb && nmsb > 0 { s += " " }
      s += (bits >> UInt64(i)) & 1 == 1 ? "1" : "0"
    }
    return "\(msg) : \(s)\n"
  }

  // MARK: - Elementwise

  /// An elementwise op on two encrypted operands, with broadcasting, split over threads.
  public func encEnc(_ op: Operation, _ f: Frame, _ g: @escaping @Sendable (D, C, C) -> C) throws(InterpreterError) -> Tensor<C> {
    let out = Self.shape(op.results[0])
    let a = Operand(try f.enc(op.operands[0]), out), b = Operand(try f.enc(op.operands[1]), out)
    let d = domain
    let r = parallelMap(out.reduce(1, *), threads: threads, minimumChunk: 65536, fill: d.zero()) { i in g(d, a[i], b[i]) }
    return Tensor(shape: out, elements: r)
  }

  /// An elementwise op on an encrypted and a clear operand, with broadcasting, split over threads.
  public func encClear(_ op: Operation, _ f: Frame, enc: Int, clear: Int, _ g: @escaping @Sendable (D, C, Int64) -> C) throws(InterpreterError) -> Tensor<C> {
    let out = Self.shape(op.results[0])
    let a = Operand(try f.enc(op.operands[enc]), out), c = Operand(try f.clear(op.operands[clear]), out)
    let d = domain
    let r = parallelMap(out.reduce(1, *), threads: threads, minimumChunk: 65536, fill: d.zero()) { i in g(d, a[i], c[i]) }
    return Tensor(shape: out, elements: r)
  }

  // MARK: - Lookups and composite ops (spec §0.2–§0.4)

  /// Extends clear table entries (sign-extended from the LUT width) as the result type wants.
  func lookupTable(_ raw: [Int64], lutType: IRType, result: Value) throws(InterpreterError) -> [Int64] {
    let w = lutType.elementType?.intOrFloatBitWidth ?? 64
    let signed = try Self.encType(result).isSigned
    if signed || w >= 64 { return raw }
    let mask = (UInt64(1) << UInt64(w)) - 1
    return raw.map { Int64(bitPattern: UInt64(bitPattern: $0) & mask) }
  }

  /// The tables of a lookup op (operand #1), split by the last dim and extended; cached when constant.
  public func cachedTables(_ op: Operation, _ f: Frame) throws(InterpreterError) -> [[Int64]] {
    let build = { () throws(InterpreterError) -> [[Int64]] in
      let luts = try f.clear(op.operands[1])
      let size = luts.shape.last ?? 1
      let count = luts.elements.count / max(size, 1)
      var tables: [[Int64]] = []
      for k in 0..<count {
        tables.append(try lookupTable(Array(luts.elements[(k * size)..<((k + 1) * size)]), lutType: op.operands[1].type, result: op.results[0]))
      }
      return tables
    }
    guard op.operands[1].definingOp?.name == "arith.constant" else { return try build() }
    return try cache.tables(op, build)
  }

  /// Table lookups of `xs` (one bootstrap each).
  public func lookup(_ xs: [C], input: EncryptedType, result: EncryptedType, tables: [[Int64]], selectors: [Int32]? = nil) throws(InterpreterError) -> [C] {
    try domain.bootstrap(
      xs, LookupBatch(inputWidth: input.width, inputSigned: input.isSigned, outputWidth: result.width, tables: tables, selectors: selectors),
      threads: threads)
  }

  /// `max(x, y) = relu(x - y) + y` with a signed lookup.
  public func maxEint(_ a: [C], _ b: [C], type: EncryptedType) throws(InterpreterError) -> [C] {
    let p = type.width
    let half = 1 << (p - 1)
    let relu = (0..<(1 << p)).map { Int64($0 < half ? $0 : 0) }
    let diff = zip(a, b).map { domain.sub($0, $1) }
    let r = try domain.bootstrap(diff, LookupBatch(inputWidth: p, inputSigned: true, outputWidth: p, tables: [relu]), threads: threads)
    return zip(r, b).map { domain.add($0, $1) }
  }

  /// `a·b = S(a+b) - S(a-b)` with `S(i) = ⌊i²/4⌋`, two lookups at the result width.
  public func mulEint(_ a: [C], _ b: [C], type: EncryptedType, resultWidth q: Int) throws(InterpreterError) -> [C] {
    let p = type.width
    let n = 1 << p
    func s(_ i: Int) -> Int64 { Int64(i) * Int64(i) / 4 }
    let unsignedTable = (0..<n).map(s)
    let signedTable = (0..<n).map { $0 < n / 2 ? s($0) : s(n - $0) }
    let sums = zip(a, b).map { domain.add($0, $1) }
    let diffs = zip(a, b).map { domain.sub($0, $1) }
    let r1 = try domain.bootstrap(
      sums, LookupBatch(inputWidth: p, inputSigned: type.isSigned, outputWidth: q, tables: [type.isSigned ? signedTable : unsignedTable]),
      threads: threads)
    let r2 = try domain.bootstrap(diffs, LookupBatch(inputWidth: p, inputSigned: true, outputWidth: q, tables: [signedTable]), threads: threads)
    return zip(r1, r2).map { domain.sub($0, $1) }
  }

  /// Boolean gate `TT[2l + r]` as one lookup on eint<2>.
  public func gate(_ l: C, _ r: C, _ table: [Int64]) throws(InterpreterError) -> C {
    let x = domain.add(domain.mulPlain(l, 2), r)
    return try domain.bootstrap([x], LookupBatch(inputWidth: 2, inputSigned: false, outputWidth: 2, tables: [table]), threads: 1)[0]
  }

  /// Least significant bit of the message at width `p`, as 0/1 at width `q`.
  public func lsb(_ xs: [C], from p: Int, to q: Int) throws(InterpreterError) -> [C] {
    let shifted = xs.map { domain.addPlain(domain.mulPlain($0, Int64(1) << Int64(p)), 1, width: 1) }
    return try domain.extractMostSignificantBit(shifted, outputWidth: q, threads: threads)
  }

  /// Rounds `p`-bit messages to `q` bits: add the carry, then clear the low bits chunk by chunk
  /// (`RoundingSteps`; the domain decides the chunk width).
  public func round(_ xs: [C], from p: Int, to q: Int) throws(InterpreterError) -> [C] {
    let d = p - q
    guard d > 0 else { return xs }
    let dm = domain
    let carried = xs
    var t = parallelMap(xs.count, threads: threads, minimumChunk: 65536, fill: dm.zero()) { k in
      dm.addPlain(carried[k], Int64(1) << Int64(d - 1), width: p)
    }
    var i = 0
    for j in RoundingSteps.chunks(dropped: d, chunk: domain.bitExtractionChunk) {
      // Bits i..<i+j: scaled so that bit i+j−1 is the padding bit, centred by half a step of
      // the j−1 bits below it.
      let scale = Int64(1) << Int64(p - i - j + 1)
      let current = t
      let shifted = parallelMap(t.count, threads: threads, minimumChunk: 65536, fill: dm.zero()) { k in
        dm.addPlain(dm.mulPlain(current[k], scale), 1, width: j)
      }
      let top = try domain.extractMostSignificantBit(shifted, outputWidth: p - i - j + 1, threads: threads)
      t = parallelMap(t.count, threads: threads, minimumChunk: 65536, fill: dm.zero()) { k in dm.sub(current[k], top[k]) }
      if j > 1 {
        let cleared = t
        let rest = parallelMap(t.count, threads: threads, minimumChunk: 65536, fill: dm.zero()) { k in dm.mulPlain(cleared[k], scale) }
        let identity = (0..<(Int64(1) << Int64(j - 1))).map { $0 }
        let low = try domain.bootstrap(rest, LookupBatch(inputWidth: j - 1, inputSigned: false, outputWidth: p - i, tables: [identity]), threads: threads)
        t = parallelMap(t.count, threads: threads, minimumChunk: 65536, fill: dm.zero()) { k in dm.sub(cleared[k], low[k]) }
      }
      i += j
    }
    return t
  }

  // MARK: - Contractions

  /// Which operands of a matrix product are encrypted.
  public enum MatMulOperands: Sendable { case left, right, both }

  /// numpy `matmul` of the op's two operands (batch dims broadcast).
  public func matmul(_ op: Operation, _ f: Frame, encrypted: MatMulOperands) throws(InterpreterError) -> Tensor<C> {
    let lhsV = op.operands[0], rhsV = op.operands[1]
    var ls = Self.shape(lhsV), rs = Self.shape(rhsV)
    let outShape = Self.shape(op.results[0])
    let lVector = ls.count == 1, rVector = rs.count == 1
    if lVector { ls = [1] + ls }
    if rVector { rs = rs + [1] }
    let m = ls[ls.count - 2], k = ls[ls.count - 1], n = rs[rs.count - 1]
    let lb = Array(ls.dropLast(2)), rb = Array(rs.dropLast(2))
    let nb = max(lb.count, rb.count)
    var batch: [Int] = []
    for i in 0..<nb {
      let a = i - (nb - lb.count) >= 0 ? lb[i - (nb - lb.count)] : 1
      let b = i - (nb - rb.count) >= 0 ? rb[i - (nb - rb.count)] : 1
      batch.append(max(a, b))
    }
    let batchCount = batch.reduce(1, *)
    let lMap = Tensor<Int>.broadcastIndices(from: lb, to: batch)
    let rMap = Tensor<Int>.broadcastIndices(from: rb, to: batch)
    let total = batchCount * m * n
    let d = domain
    let result: [C]
    switch encrypted {
    case .both:
      let a = try f.enc(lhsV).elements, b = try f.enc(rhsV).elements
      var xs: [C] = [], ys: [C] = []
      xs.reserveCapacity(total * k)
      ys.reserveCapacity(total * k)
      for bi in 0..<batchCount {
        for i in 0..<m {
          for j in 0..<n {
            for kk in 0..<k {
              xs.append(a[lMap[bi] * m * k + i * k + kk])
              ys.append(b[rMap[bi] * k * n + kk * n + j])
            }
          }
        }
      }
      let prods = try mulEint(xs, ys, type: Self.encType(lhsV), resultWidth: Self.encType(op.results[0]).width)
      result = (0..<total).map { o in prods[(o * k)..<((o + 1) * k)].reduce(d.zero(), d.add) }
    case .left, .right:
      let encLeft = encrypted == .left
      let e = try f.enc(encLeft ? lhsV : rhsV).elements
      let c = try f.clear(encLeft ? rhsV : lhsV).elements
      // Work unit: one output row segment (batch bi, row i, columns j0..<j1). Rows of the
      // right operand are read contiguously; zero clear weights are skipped (exact).
      let block = max(1, min(n, (n + threads * 4 - 1) / (threads * 4)))
      let blocksPerRow = (n + block - 1) / block
      let units = batchCount * m * blocksPerRow
      var out = [C](repeating: d.zero(), count: total)
      out.withUnsafeMutableBufferPointer { ob in
        e.withUnsafeBufferPointer { eb in
          c.withUnsafeBufferPointer { cb in
            let op = SharedBuffer(base: ob.baseAddress!)
            let ep = SharedBuffer(base: UnsafeMutablePointer(mutating: eb.baseAddress ?? UnsafePointer(bitPattern: 8)!))
            let cp = SharedBuffer(base: UnsafeMutablePointer(mutating: cb.baseAddress ?? UnsafePointer(bitPattern: 8)!))
            parallelChunks(units, threads: threads, minimumChunk: 1) { range in
              var acc = [C](repeating: d.zero(), count: block)
              for u in range {
                let jb = u % blocksPerRow, i = (u / blocksPerRow) % m, bi = u / (blocksPerRow * m)
                let j0 = jb * block, j1 = min(n, j0 + block)
                for j in 0..<(j1 - j0) { acc[j] = d.zero() }
                let lBase = lMap[bi] * m * k + i * k
                let rBase = rMap[bi] * k * n
                for kk in 0..<k {
                  let row = rBase + kk * n
                  if encLeft {
                    let x = ep[lBase + kk]
                    for j in j0..<j1 {
                      let w = cp[row + j]
                      if w != 0 { acc[j - j0] = d.mulAddPlain(acc[j - j0], x, w) }
                    }
                  } else {
                    let w = cp[lBase + kk]
                    if w == 0 { continue }
                    for j in j0..<j1 { acc[j - j0] = d.mulAddPlain(acc[j - j0], ep[row + j], w) }
                  }
                }
                let outBase = (bi * m + i) * n
                for j in j0..<j1 { op[outBase + j] = acc[j - j0] }
              }
            }
          }
        }
      }
      result = out
    }
    return Tensor(shape: outShape, elements: result)
  }

  public func sum(_ op: Operation, _ f: Frame) throws(InterpreterError) -> Tensor<C> {
    let s = FHELinalg.SumOp(unchecked: op)
    let input = try f.enc(op.operands[0])
    let outShape = Self.shape(op.results[0])
    let axes = Set(s.axes)
    let inShape = input.shape
    // Output position of each input dim (reduced dims contribute 0).
    var reducedShape: [Int] = []
    for (i, dd) in inShape.enumerated() { reducedShape.append(axes.contains(i) ? 1 : dd) }
    let outCount = reducedShape.reduce(1, *)
    let d = domain
    let elems = input.elements
    if outCount == 1 {
      let chunks = max(1, min(threads * 4, elems.count / 65536))
      let size = (elems.count + chunks - 1) / max(chunks, 1)
      let partial = parallelMap(chunks, threads: threads, minimumChunk: 1, fill: d.zero()) { c in
        var acc = d.zero()
        var i = c * size
        let end = min(elems.count, i + size)
        while i < end { acc = d.add(acc, elems[i]); i += 1 }
        return acc
      }
      return Tensor(shape: outShape, elements: [partial.reduce(d.zero(), d.add)])
    }
    // Map each input index to its output index.
    let outStrides = Tensor<Int>.strides(reducedShape)
    var acc = [C](repeating: d.zero(), count: outCount)
    var index = [Int](repeating: 0, count: inShape.count)
    var flatOut = 0
    for e in elems {
      acc[flatOut] = d.add(acc[flatOut], e)
      var dim = inShape.count - 1
      while dim >= 0 {
        index[dim] += 1
        let step = axes.contains(dim) ? 0 : outStrides[dim]
        flatOut += step
        if index[dim] < inShape[dim] { break }
        flatOut -= step * index[dim]
        index[dim] = 0
        dim -= 1
      }
    }
    return Tensor(shape: outShape, elements: acc)
  }

  public func conv2d(_ op: Operation, _ f: Frame) throws(InterpreterError) -> Tensor<C> {
    let conv = FHELinalg.Conv2dOp(unchecked: op)
    let input = try f.enc(op.operands[0])
    let weight = try f.clear(op.operands[1])
    let bias = try conv.bias.map { (v) throws(InterpreterError) in try f.clear(v).elements }
    let p = try Self.encType(op.operands[0]).width
    let outShape = Self.shape(op.results[0])
    let (cIn, h, w) = (input.shape[1], input.shape[2], input.shape[3])
    let (fN, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let (oh, ow) = (outShape[2], outShape[3])
    let (sh, sw) = (conv.strides[0], conv.strides[1])
    let (dh, dw) = (conv.dilations[0], conv.dilations[1])
    let fPerGroup = fN / max(conv.group, 1)
    let d = domain
    let x = input.elements
    // Per filter, the non-zero weights with their offset inside the input window: adding
    // `x·0` leaves a phase unchanged, so skipping zeros is exact in every domain.
    var offsets: [Int] = [], weights: [Int64] = [], starts: [Int] = [0]
    for fi in 0..<fN {
      let g = fi / fPerGroup
      for c in 0..<cg {
        for ky in 0..<kh {
          for kx in 0..<kw {
            let v = weight.elements[((fi * cg + c) * kh + ky) * kw + kx]
            if v != 0 {
              offsets.append((g * cg + c) * h * w + ky * dh * w + kx * dw)
              weights.append(v)
            }
          }
        }
      }
      starts.append(offsets.count)
    }
    let total = outShape.reduce(1, *)
    let filterStarts = starts
    var r = [C](repeating: d.zero(), count: total)
    r.withUnsafeMutableBufferPointer { rb in
      x.withUnsafeBufferPointer { xb in
        offsets.withUnsafeBufferPointer { ob in
          weights.withUnsafeBufferPointer { wb in
            let out = SharedBuffer(base: rb.baseAddress!)
            let xp = SharedBuffer(base: UnsafeMutablePointer(mutating: xb.baseAddress ?? UnsafePointer(bitPattern: 8)!))
            let op = SharedBuffer(base: UnsafeMutablePointer(mutating: ob.baseAddress ?? UnsafePointer(bitPattern: 8)!))
            let wp = SharedBuffer(base: UnsafeMutablePointer(mutating: wb.baseAddress ?? UnsafePointer(bitPattern: 8)!))
            parallelChunks(total, threads: threads, minimumChunk: 64) { range in
              for o in range {
                let ox = o % ow, oy = (o / ow) % oh, fi = (o / (ow * oh)) % fN, n = o / (ow * oh * fN)
                let base = n * cIn * h * w + oy * sh * w + ox * sw
                var acc = d.zero()
                if let bias { acc = d.addPlain(acc, bias[fi], width: p) }
                for k in filterStarts[fi]..<filterStarts[fi + 1] { acc = d.mulAddPlain(acc, xp[base + op[k]], wp[k]) }
                out[o] = acc
              }
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, elements: r)
  }

  public func maxpool2d(_ op: Operation, _ f: Frame) throws(InterpreterError) -> Tensor<C> {
    let pool = FHELinalg.Maxpool2dOp(unchecked: op)
    let input = try f.enc(op.operands[0])
    let type = try Self.encType(op.operands[0])
    let outShape = Self.shape(op.results[0])
    let (h, w) = (input.shape[2], input.shape[3])
    let (oh, ow) = (outShape[2], outShape[3])
    let k = pool.kernelShape, s = pool.strides, dl = pool.dilations
    let total = outShape.reduce(1, *)
    let start: C = type.isSigned ? domain.addPlain(domain.zero(), -(Int64(1) << Int64(type.width - 2)), width: type.width) : domain.zero()
    var acc = [C](repeating: start, count: total)
    for ky in 0..<k[0] {
      for kx in 0..<k[1] {
        var xs: [C] = []
        xs.reserveCapacity(total)
        for o in 0..<total {
          let ox = o % ow, oy = (o / ow) % oh, nc = o / (ow * oh)
          xs.append(input.elements[nc * h * w + (oy * s[0] + ky * dl[0]) * w + ox * s[1] + kx * dl[1]])
        }
        acc = try maxEint(acc, xs, type: type)
      }
    }
    return Tensor(shape: outShape, elements: acc)
  }

  func fancyPositions(input: [Int], indices: Tensor<Int64>) throws(InterpreterError) -> [Int] {
    let st = Tensor<Int>.strides(input)
    let r = input.count
    if r <= 1 { return indices.elements.map { Int($0) } }
    var out: [Int] = []
    let count = indices.elements.count / r
    for j in 0..<count {
      var flat = 0
      for d in 0..<r { flat += Int(indices.elements[j * r + d]) * st[d] }
      out.append(flat)
    }
    return out
  }
}

/// An operand of an elementwise op read at the result's flat indices (numpy broadcasting),
/// without materializing the broadcast when shapes agree or the operand has one element.
struct Operand<E: Sendable>: Sendable {
  let elements: [E]
  let map: [Int]?

  init(_ t: Tensor<E>, _ out: [Int]) {
    elements = t.elements
    map = t.shape == out || t.elements.count == 1 ? nil : Tensor<E>.broadcastIndices(from: t.shape, to: out)
  }

  @inline(__always) subscript(i: Int) -> E {
    if let map { return elements[map[i]] }
    return elements.count == 1 ? elements[0] : elements[i]
  }
}

extension RuntimeValue {
  /// Data movement for clear and encrypted tensors alike: output element `i` is element
  /// `indices[i]` of the concatenated elements of `parts` (all clear or all encrypted).
  static func gather(_ parts: [RuntimeValue], _ indices: [Int], shape: [Int]) throws(InterpreterError) -> RuntimeValue {
    var clears: [Int64] = [], encs: [Ciphertext] = []
    for p in parts {
      switch p {
      case .clear(let t): clears.append(contentsOf: t.elements)
      case .encrypted(let t): encs.append(contentsOf: t.elements)
      }
    }
    if encs.isEmpty {
      return .clear(Tensor(shape: shape, elements: indices.map { clears[$0] }))
    }
    if clears.isEmpty {
      return .encrypted(Tensor(shape: shape, elements: indices.map { encs[$0] }))
    }
    throw .invalidProgram("cannot combine clear and encrypted tensors")
  }

  /// The same elements with another shape.
  func reshaped(_ shape: [Int]) -> RuntimeValue {
    switch self {
    case .clear(let t): .clear(t.reshaped(shape))
    case .encrypted(let t): .encrypted(t.reshaped(shape))
    }
  }

  /// Number of elements.
  var count: Int {
    switch self {
    case .clear(let t): t.elements.count
    case .encrypted(let t): t.elements.count
    }
  }
}
