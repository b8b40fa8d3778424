import TFHE
import TorusInterpreter

/// One encrypted integer in residues: an LWE ciphertext (big key) per modulus of the plan's
/// `CrtEncoding`, in its order.
public struct CrtCiphertext: Sendable {
  public var residues: [LweCiphertext]
  public init(residues: [LweCiphertext]) { self.residues = residues }
}

/// Encrypted mode on CRT values (`CrtEncoding`): for circuits whose wide lookups are too noisy
/// on one native ciphertext (a large 2-norm in front of a 13–16-bit lookup). Linear ops act on
/// each residue; every table lookup, whatever its width, is a CRT lookup
/// (`WideLookupKey.crtLookupBatch`) reading the fewest moduli that cover its input width.
/// Exact rounding is not available on residues (its bits are not digits of any residue).
public struct TFHECrtDomain: FHEDomain {
  public typealias Ciphertext = CrtCiphertext
  public let name = "tfhe-crt"
  public let key: WideLookupKey
  public let encoding: CrtEncoding
  public let client: ClientKey?
  public let progress: BootstrapProgress?

  public init(key: WideLookupKey, encoding: CrtEncoding, client: ClientKey? = nil, progress: BootstrapProgress? = nil) {
    self.key = key
    self.encoding = encoding
    self.client = client
    self.progress = progress
  }

  var dimension: LweDimension { key.server.parameters.bigLweDimension }

  /// The phases of `value`'s residues.
  static func phases(_ value: Int64, encoding: CrtEncoding) -> [UInt64] {
    encoding.moduli.map { CrtEncoding.phase(residue: CrtEncoding.reduce(value, modulus: $0), modulus: $0) }
  }

  /// The integer of width `width` whose residues the phases hold (over the moduli that cover
  /// `width`: two's complement of its `width` low bits, or unsigned).
  static func decode(phases: [UInt64], encoding: CrtEncoding, width: Int, signed: Bool) -> Int64 {
    let indices = encoding.moduliIndices(forBits: width) ?? Array(encoding.moduli.indices)
    let residues = indices.map { CrtEncoding.residue(phase: phases[$0], modulus: encoding.moduli[$0]) }
    let x = encoding.value(residues: residues, indices: indices, signed: signed)
    guard width < 64 else { return x }
    let low = x & ((1 << Int64(width)) - 1)
    return signed && width > 0 && low >= 1 << Int64(width - 1) ? low - (1 << Int64(width)) : low
  }

  public func encrypt(_ value: Int64, width: Int) -> CrtCiphertext {
    let phases = Self.phases(value, encoding: encoding)
    if let client { return CrtCiphertext(residues: phases.map { client.encrypt(phase: $0) }) }
    return CrtCiphertext(residues: phases.map { LweCiphertext(trivial: $0, dimension: dimension) })
  }

  public func decrypt(_ c: CrtCiphertext, width: Int, signed: Bool) -> Int64 {
    // Without the key only trivial ciphertexts (constants, never user data) can be read.
    let phases = c.residues.map { r in client.map { $0.decryptPhase(r) } ?? r.body }
    return Self.decode(phases: phases, encoding: encoding, width: width, signed: signed)
  }

  public func zero() -> CrtCiphertext {
    CrtCiphertext(residues: encoding.moduli.map { _ in LweCiphertext(trivial: 0, dimension: dimension) })
  }

  public func add(_ a: CrtCiphertext, _ b: CrtCiphertext) -> CrtCiphertext {
    CrtCiphertext(residues: zip(a.residues, b.residues).map { $0 + $1 })
  }

  public func sub(_ a: CrtCiphertext, _ b: CrtCiphertext) -> CrtCiphertext {
    CrtCiphertext(residues: zip(a.residues, b.residues).map { $0 - $1 })
  }

  public func negate(_ a: CrtCiphertext) -> CrtCiphertext { CrtCiphertext(residues: a.residues.map { -$0 }) }

  /// The integer `value` is added to every residue (the width is a native notion).
  public func addPlain(_ a: CrtCiphertext, _ value: Int64, width: Int) -> CrtCiphertext {
    CrtCiphertext(residues: zip(a.residues, Self.phases(value, encoding: encoding)).map { $0.adding(plaintext: $1) })
  }

  public func mulPlain(_ a: CrtCiphertext, _ value: Int64) -> CrtCiphertext {
    CrtCiphertext(residues: a.residues.map { $0.multiplied(by: value) })
  }

  public func mulAddPlain(_ acc: CrtCiphertext, _ a: CrtCiphertext, _ value: Int64) -> CrtCiphertext {
    var out = acc
    let v = UInt64(bitPattern: value)
    for i in out.residues.indices {
      out.residues[i].storage.withUnsafeMutableBufferPointer { dst in
        a.residues[i].storage.withUnsafeBufferPointer { src in
          for j in 0..<dst.count { dst[j] = dst[j] &+ src[j] &* v }
        }
      }
    }
    return out
  }

  public func bootstrap(_ inputs: [CrtCiphertext], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [CrtCiphertext] {
    let w = lookup.inputWidth
    guard w <= 20 else { throw .unsupported("\(w)-bit table lookups (lookups in residues take up to 20 bits)") }
    guard let read = encoding.moduliIndices(forBits: w),
          read.reduce(0, { $0 + CrtEncoding.bits(encoding.moduli[$1]) }) <= 24 else {
      throw .unsupported("a \(w)-bit table lookup on values in \(encoding) (its moduli cover fewer bits)")
    }
    for t in lookup.tables where t.count != 1 << w { throw .unsupported("a \(w)-bit table with \(t.count) entries") }
    let entries = WideLookupKey.crtEntryIndex(encoding: encoding, readIndices: read, inputBits: w, signed: lookup.inputSigned)
    let progress = progress, bootstraps = key.crtBootstraps(moduli: read.map { encoding.moduli[$0] })
    let residues = key.crtLookupBatch(
      inputs.map { c in read.map { c.residues[$0] } }, encoding: encoding, readIndices: read, entryIndex: entries,
      tables: lookup.tables, tableIndex: lookup.selectors?.map { Int($0) }, threads: threads) { progress?.add(bootstraps) }
    return residues.map { CrtCiphertext(residues: $0) }
  }

  public func extractMostSignificantBit(_ inputs: [CrtCiphertext], outputWidth: Int, threads: Int) throws(InterpreterError) -> [CrtCiphertext] {
    throw .unsupported("exact rounding (round_bit_pattern, lsb) on CRT-encoded values: its bits are not digits of any residue")
  }

  /// Tracing prints the first residue's body (or phase with the key).
  public func traceBits(_ c: CrtCiphertext) -> UInt64 {
    guard let first = c.residues.first else { return 0 }
    return client.map { $0.decryptPhase(first) } ?? first.body
  }
}
