import Foundation
import TFHE
import TorusFHE
import TorusFormats
import TorusIR
import TorusInterpreter

/// The client side: holds the secret key, encrypts inputs and decrypts outputs.
public struct EncryptedClient: Sendable {
  public let key: ClientKey
  public let circuit: Circuit
  public let identity: CircuitIdentity
  /// Values in residues (`TFHECrtDomain`): each element is one ciphertext per modulus, in a row.
  public let crt: CrtEncoding?

  public init(key: ClientKey, circuit: Circuit, identity: CircuitIdentity, crt: CrtEncoding? = nil) {
    self.key = key
    self.circuit = circuit
    self.identity = identity
    self.crt = crt
  }

  /// Encrypts one array per argument (integers; a leading batch axis runs one sample each).
  public func encrypt(_ arrays: [NDArray]) throws(EncryptedModeError) -> EncryptedBatch {
    let types = circuit.argumentTypes
    let name = circuit.function.symbolName
    let layout: BatchLayout
    do { layout = try BatchLayout(arrays: arrays, types: types, function: name) } catch { throw .invalidInput(error.description) }
    var ints: [[Int64]] = []
    for (i, a) in arrays.enumerated() {
      if a.dtype.isFloatingPoint {
        var out: [Int64] = []
        for d in a.doubleValues {
          guard d.rounded() == d, abs(d) < 9.2e18 else { throw .invalidInput("input #\(i) holds \(d), which is not an integer; circuits take quantized integers") }
          out.append(Int64(d))
        }
        ints.append(out)
      } else {
        ints.append(a.int64Values)
      }
    }
    var samples: [[EncryptedValue]] = []
    for b in 0..<layout.sampleCount {
      var sample: [EncryptedValue] = []
      for (k, t) in types.enumerated() {
        let values = layout.slice(ints[k], argument: k, sample: b)
        let shape = t.isRankedTensor ? t.staticShape : []
        if let e = t.encryptedElement {
          let range = e.valueRange
          if let bad = values.first(where: { !range.contains($0) }) {
            throw .invalidInput("argument #\(k): value \(bad) does not fit '\(e)' (range \(range.lowerBound)...\(range.upperBound))")
          }
          let cts = crt.map { crt in values.flatMap { TFHECrtDomain.phases($0, encoding: crt).map { key.encrypt(phase: $0) } } }
            ?? values.map { key.encrypt(message: $0, bits: e.width) }
          sample.append(.encrypted(shape: shape, width: e.width, signed: e.isSigned, ciphertexts: cts))
        } else {
          sample.append(.clear(shape: shape, values: values))
        }
      }
      samples.append(sample)
    }
    return EncryptedBatch(identity: identity, samples: samples)
  }

  /// Decrypts results; samples are stacked along a leading batch axis when there is more than one.
  public func decrypt(_ batch: EncryptedBatch, batched: Bool? = nil) throws(EncryptedModeError) -> [NDArray] {
    guard batch.identity == identity else {
      throw .keyMismatch("the ciphertexts were made for circuit \(String(batch.identity.circuit, radix: 16)) '@\(batch.identity.function)'")
    }
    guard let first = batch.samples.first else { return [] }
    var outputs: [NDArray] = []
    for r in 0..<first.count {
      var flat: [Int64] = []
      for sample in batch.samples {
        switch sample[r] {
        case .encrypted(_, let width, let signed, let cts):
          if let crt {
            let k = crt.moduli.count
            flat += stride(from: 0, to: cts.count, by: k).map { start in
              TFHECrtDomain.decode(phases: cts[start..<(start + k)].map { key.decryptPhase($0) }, encoding: crt, width: width, signed: signed)
            }
          } else {
            flat += cts.map { key.decrypt($0, bits: width, signed: signed) }
          }
        case .clear(_, let values): flat += values
        }
      }
      let per = first[r].shape
      let stacked = batched ?? (batch.samples.count > 1)
      outputs.append(NDArray(flat, shape: stacked ? [batch.samples.count] + per : per))
    }
    return outputs
  }
}


/// The server side: evaluation keys and the circuit; never sees a secret key.
public struct EncryptedServer: Sendable {
  public let key: ServerKey
  public let circuit: Circuit
  public let identity: CircuitIdentity
  /// Keys of wide lookups, when the plan has them.
  public let wide: WideLookupKey?
  /// Values in residues (`TFHECrtDomain`, with `wide`'s keys), when the plan says so.
  public let crt: CrtEncoding?

  public init(key: ServerKey, circuit: Circuit, identity: CircuitIdentity, wide: WideLookupKey? = nil, crt: CrtEncoding? = nil) {
    precondition(crt == nil || wide != nil, "CRT values need the wide-lookup keys")
    self.key = key
    self.circuit = circuit
    self.identity = identity
    self.wide = wide
    self.crt = crt
  }

  /// Runs the function on every sample; bootstraps of one tensor op spread over `threads`.
  /// `observer` sees every op's results decrypted with `debugKey` — a debugging mode that breaks
  /// the client/server split on purpose (`torus run --trace`, `torus diff` in encrypted mode).
  public func run(
    _ input: EncryptedBatch, threads: Int, progress: BootstrapProgress? = nil, observer: OpObserver? = nil, debugKey: ClientKey? = nil
  ) throws(EncryptedModeError) -> EncryptedBatch {
    let client = observer == nil ? nil : debugKey
    if let crt, let wide {
      let domain = TFHECrtDomain(key: wide, encoding: crt, client: client, progress: progress)
      let k = crt.moduli.count
      return try run(input, domain: domain, residues: k, threads: threads, observer: observer,
                     group: { cts in stride(from: 0, to: cts.count, by: k).map { CrtCiphertext(residues: Array(cts[$0..<($0 + k)])) } },
                     flatten: { $0.flatMap(\.residues) })
    }
    let domain = TFHEDomain(server: key, client: client, progress: progress, wide: wide)
    return try run(input, domain: domain, residues: 1, threads: threads, observer: observer, group: { $0 }, flatten: { $0 })
  }

  /// `run` in `domain`, whose ciphertexts are `residues` LWE ciphertexts each (`group`, `flatten`).
  func run<D: FHEDomain>(
    _ input: EncryptedBatch, domain: D, residues: Int, threads: Int, observer: OpObserver?,
    group: ([LweCiphertext]) -> [D.Ciphertext], flatten: ([D.Ciphertext]) -> [LweCiphertext]
  ) throws(EncryptedModeError) -> EncryptedBatch {
    let arguments = try Self.arguments(of: input, circuit: circuit, identity: identity, lweDimension: key.parameters.bigLweDimension.rawValue,
                                       residues: residues, group: group)
    var interpreter = Interpreter(domain: domain, threads: threads, cache: circuit.cache, trace: { _ in })
    interpreter.observer = observer
    var out: [[EncryptedValue]] = []
    for args in arguments {
      let results: [RuntimeValue<D.Ciphertext>]
      do { results = try interpreter.run(circuit.function, arguments: args) } catch {
        throw .crypto("\(error)")
      }
      out.append(zip(results, circuit.resultTypes).map { r, t in
        switch r {
        case .encrypted(let tensor):
          let e = t.encryptedElement ?? .eint(64)
          return .encrypted(shape: tensor.shape, width: e.width, signed: e.isSigned, ciphertexts: flatten(tensor.elements))
        case .clear(let tensor):
          return .clear(shape: tensor.shape, values: tensor.elements)
        }
      })
    }
    return EncryptedBatch(identity: identity, samples: out)
  }

  /// The interpreter's arguments for every sample of `input`, after checking it against the
  /// circuit: identity, argument count, shapes, widths, encrypted or clear, LWE dimension.
  /// A server calls it when a job is submitted, so that a wrong input is refused at once.
  public static func arguments(
    of input: EncryptedBatch, circuit: Circuit, identity: CircuitIdentity, lweDimension: Int
  ) throws(EncryptedModeError) -> [[RuntimeValue<LweCiphertext>]] {
    try arguments(of: input, circuit: circuit, identity: identity, lweDimension: lweDimension, residues: 1, group: { $0 })
  }

  /// `arguments` for ciphertexts of `residues` LWE ciphertexts each, made by `group`.
  public static func arguments<C: Sendable>(
    of input: EncryptedBatch, circuit: Circuit, identity: CircuitIdentity, lweDimension: Int, residues: Int,
    group: ([LweCiphertext]) -> [C]
  ) throws(EncryptedModeError) -> [[RuntimeValue<C>]] {
    guard input.identity == identity else {
      throw .keyMismatch("the input ciphertexts were made for circuit \(String(input.identity.circuit, radix: 16)) '@\(input.identity.function)' with parameters \(String(input.identity.parameters, radix: 16))")
    }
    let types = circuit.argumentTypes
    var all: [[RuntimeValue<C>]] = []
    for (s, sample) in input.samples.enumerated() {
      guard sample.count == types.count else {
        throw .invalidInput("sample #\(s) has \(sample.count) values, '@\(circuit.function.symbolName)' takes \(types.count)")
      }
      var args: [RuntimeValue<C>] = []
      for (k, (v, t)) in zip(sample, types).enumerated() {
        let shape = t.isRankedTensor ? t.staticShape : []
        guard v.shape == shape else {
          throw .invalidInput("sample #\(s) argument #\(k) has shape \(formatShape(v.shape)), expected \(formatShape(shape)) for '\(t)'")
        }
        switch (v, t.encryptedElement) {
        case (.encrypted(_, let width, let signed, let cts), let e?):
          guard width == e.width, signed == e.isSigned else {
            throw .invalidInput("sample #\(s) argument #\(k) is encrypted at \(signed ? "signed " : "")\(width) bits, expected '\(e)'")
          }
          guard cts.allSatisfy({ $0.dimension.rawValue == lweDimension }) else {
            throw .keyMismatch("argument #\(k) ciphertexts have LWE dimension \(cts.first?.dimension.rawValue ?? 0), the keys \(lweDimension)")
          }
          guard cts.count == shape.reduce(1, *) * residues else {
            throw .invalidInput("sample #\(s) argument #\(k) holds \(cts.count) ciphertexts, expected \(shape.reduce(1, *) * residues)"
                                + (residues > 1 ? " (\(residues) residues per element)" : ""))
          }
          args.append(.encrypted(Tensor(shape: shape, elements: group(cts))))
        case (.clear(_, let values), nil):
          args.append(.clear(Tensor(shape: shape, elements: values)))
        default:
          throw .invalidInput("sample #\(s) argument #\(k): expected \(t.isEncrypted ? "an encrypted" : "a clear") value for '\(t)'")
        }
      }
      all.append(args)
    }
    return all
  }
}
