import Foundation

/// Errors raised when reading serialized keys or ciphertexts.
public enum TFHEFormatError: Error, CustomStringConvertible, Equatable {
  case truncated(expected: Int, found: Int)
  case trailingBytes(expected: Int, found: Int)
  case badMagic
  case unsupportedVersion(found: UInt16, supported: UInt16)
  case wrongKind(expected: TFHEFileKind, found: UInt16)
  case checksumMismatch(stored: UInt64, computed: UInt64)
  case parameterFingerprintMismatch(expected: String, found: String)
  case invalidPayload(String)
  case io(String)

  public var description: String {
    switch self {
    case .truncated(let e, let f): "truncated file: expected \(e) bytes, found \(f)"
    case .trailingBytes(let e, let f): "unexpected trailing bytes: expected \(e) bytes, found \(f)"
    case .badMagic: "not a TFHE file: bad magic number"
    case .unsupportedVersion(let f, let s): "unsupported format version \(f) (this library reads version \(s))"
    case .wrongKind(let e, let f):
      "wrong file kind: expected '\(e)', found '\(TFHEFileKind(rawValue: f).map { "\($0)" } ?? "unknown kind \(f)")'"
    case .checksumMismatch(let s, let c):
      "checksum mismatch: stored \(String(s, radix: 16)), computed \(String(c, radix: 16))"
    case .parameterFingerprintMismatch(let e, let f): "parameter fingerprint mismatch: expected \(e), found \(f)"
    case .invalidPayload(let m): "invalid payload: \(m)"
    case .io(let m): "i/o error: \(m)"
    }
  }
}

/// What a file holds.
public enum TFHEFileKind: UInt16, Sendable, CustomStringConvertible {
  case clientKey = 1
  case evaluationKeys = 2
  case ciphertexts = 3
  /// Wide-lookup keys: the packing and scheme-switching keys and the wide-lookup decompositions.
  case wideLookupKeys = 4
  public var description: String {
    switch self {
    case .clientKey: "client key"
    case .evaluationKeys: "evaluation keys"
    case .ciphertexts: "ciphertexts"
    case .wideLookupKeys: "wide-lookup keys"
    }
  }
}

/// The container: `"TFHE"`, version (u16), kind (u16), parameter fingerprint (u64),
/// payload length (u64), payload, checksum (u64, FNV-1a-64w over everything before it).
/// All integers little-endian. The payload starts with the canonical parameter encoding.
enum Container {
  static let magic: [UInt8] = Array("TFHE".utf8)
  /// Version 2 changed only wide-lookup keys (one packing map plus a scheme-switching key, where
  /// version 1 held a packing map per GGSW row); other kinds of version 1 read as before.
  static let version: UInt16 = 2
  static let headerSize = 24

  /// Refuses versions this library cannot read for `kind` (a raw kind: unknown kinds are the
  /// caller's error).
  static func check(version: UInt16, kind: UInt16) throws(TFHEFormatError) {
    if version == 1 && kind == TFHEFileKind.wideLookupKeys.rawValue {
      throw .invalidPayload("wide-lookup keys of format version 1 (a packing key per GGSW row) predate the scheme-switching key: generate them again (torus keygen)")
    }
    if version != 1 && version != Container.version { throw .unsupportedVersion(found: version, supported: Container.version) }
  }

  static func wrap(kind: TFHEFileKind, parameters: ParameterSet, payload: [UInt8]) -> [UInt8] {
    var w = ByteWriter()
    w.append(bytes: magic)
    w.append(version)
    w.append(kind.rawValue)
    w.append(parameters.fingerprint)
    w.append(UInt64(payload.count))
    w.bytes.reserveCapacity(headerSize + payload.count + 8)
    w.append(bytes: payload)
    let sum = w.bytes.withUnsafeBytes { Checksum.fnv1aWords($0) }
    w.append(sum)
    return w.bytes
  }

  /// Validates the container and returns a reader positioned after the parameters, plus them.
  static func open(_ bytes: [UInt8], kind: TFHEFileKind, expecting: ParameterSet?)
    throws(TFHEFormatError) -> (ByteReader, ParameterSet)
  {
    if bytes.count < headerSize + 8 { throw .truncated(expected: headerSize + 8, found: bytes.count) }
    if Array(bytes[0..<4]) != magic { throw .badMagic }
    var header = ByteReader(bytes: bytes, offset: 4, end: headerSize, fileSize: bytes.count)
    let version = try header.u16()
    let k = try header.u16()
    if k != kind.rawValue { throw .wrongKind(expected: kind, found: k) }
    try check(version: version, kind: k)
    let fingerprint = try header.u64()
    let length = try header.u64()
    guard length <= UInt64(Int.max - headerSize - 8) else { throw .invalidPayload("payload length \(length) too large") }
    let expectedSize = headerSize + Int(length) + 8
    if bytes.count < expectedSize { throw .truncated(expected: expectedSize, found: bytes.count) }
    if bytes.count > expectedSize { throw .trailingBytes(expected: expectedSize, found: bytes.count) }
    let computed = bytes.withUnsafeBytes { Checksum.fnv1aWords(UnsafeRawBufferPointer(rebasing: $0[0..<expectedSize - 8])) }
    var tail = ByteReader(bytes: bytes, offset: expectedSize - 8, end: expectedSize, fileSize: bytes.count)
    let stored = try tail.u64()
    if stored != computed { throw .checksumMismatch(stored: stored, computed: computed) }
    if let e = expecting, e.fingerprint != fingerprint {
      throw .parameterFingerprintMismatch(expected: "\(e)", found: "fingerprint=\(String(fingerprint, radix: 16))")
    }
    var reader = ByteReader(bytes: bytes, offset: headerSize, end: expectedSize - 8, fileSize: bytes.count)
    let params = try readParameters(&reader)
    if params.fingerprint != fingerprint {
      throw .parameterFingerprintMismatch(expected: "header fingerprint \(String(fingerprint, radix: 16))",
                                          found: "\(params)")
    }
    return (reader, params)
  }

  static func readParameters(_ r: inout ByteReader) throws(TFHEFormatError) -> ParameterSet {
    var v: [Int] = []
    for _ in 0..<8 { v.append(Int(try r.u32())) }
    let gv = Double(bitPattern: try r.u64()), lv = Double(bitPattern: try r.u64())
    let (p, n, k, N, pb, pl, kb, kl) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
    guard (1...16).contains(p), (1...(1 << 16)).contains(n), (1...64).contains(k),
          N >= 32, N <= 1 << 20, N & (N - 1) == 0, N >> p >= 2,
          pb >= 1, pl >= 1, pb * pl < 64, kb >= 1, kl >= 1, kb * kl < 64,
          gv.isFinite, gv >= 0, lv.isFinite, lv >= 0
    else { throw .invalidPayload("parameter set out of range") }
    return ParameterSet(precision: p, lweDimension: n, glweDimension: k, polynomialSize: N,
                        pbsBaseLog: pb, pbsLevel: pl, ksBaseLog: kb, ksLevel: kl,
                        glweNoiseVariance: gv, lweNoiseVariance: lv, source: "read from file")
  }
}

extension ClientKey {
  /// Serialized secret keys (kind `client key`). Keep this file private.
  public func serialized() -> [UInt8] {
    var w = ByteWriter()
    w.append(bytes: parameters.canonicalBytes)
    w.append(bytes: glweKey.bits.map { UInt8($0) })
    w.append(bytes: lweKey.bits.map { UInt8($0) })
    return Container.wrap(kind: .clientKey, parameters: parameters, payload: w.bytes)
  }

  /// Reads a client key; throws on a truncated, corrupted or mismatched file.
  public convenience init(serialized bytes: [UInt8], expecting: ParameterSet? = nil) throws(TFHEFormatError) {
    var (r, p) = try Container.open(bytes, kind: .clientKey, expecting: expecting)
    let big = p.bigLweDimension.rawValue, n = p.lweDimension.rawValue
    let glwe = try r.raw(big), lwe = try r.raw(n)
    if r.offset != r.end { throw .invalidPayload("\(r.end - r.offset) unexpected bytes after the keys") }
    guard glwe.allSatisfy({ $0 <= 1 }), lwe.allSatisfy({ $0 <= 1 }) else {
      throw .invalidPayload("secret key coefficients must be 0 or 1")
    }
    self.init(parameters: expecting ?? p,
              glweKey: GlweSecretKey(bits: glwe.map { UInt64($0) }, glweDimension: p.glweDimension,
                                     polynomialSize: p.polynomialSize),
              lweKey: LweSecretKey(bits: lwe.map { UInt64($0) }))
  }
}

extension ServerKey {
  /// Serialized evaluation keys (kind `evaluation keys`): parameters, Fourier bootstrapping key
  /// (IEEE doubles), key-switching key. Contains no secret material.
  public func serialized() -> [UInt8] {
    var w = ByteWriter()
    w.bytes.reserveCapacity(64 + bootstrapKey.byteCount + keySwitchingKey.byteCount)
    w.append(bytes: parameters.canonicalBytes)
    let bsk = bootstrapKey
    w.append(ggsws: bsk.data, count: bsk.inputLweDimension.rawValue, rows: bsk.glweDimension.glweSize * bsk.levelCount.rawValue,
             columns: bsk.glweDimension.glweSize, n: bsk.polynomialSize.rawValue)
    keySwitchingKey.data.withUnsafeBufferPointer { w.append(words: $0) }
    return Container.wrap(kind: .evaluationKeys, parameters: parameters, payload: w.bytes)
  }

  /// Reads evaluation keys; throws on a truncated, corrupted or mismatched file.
  public convenience init(serialized bytes: [UInt8], expecting: ParameterSet? = nil) throws(TFHEFormatError) {
    var (r, p) = try Container.open(bytes, kind: .evaluationKeys, expecting: expecting)
    let bskCount = p.bootstrapKeyBytes / 8, kskCount = p.keySwitchingKeyBytes / 8
    let bskWords = try r.words(bskCount)
    let ksk = try r.words(kskCount)
    if r.offset != r.end { throw .invalidPayload("\(r.end - r.offset) unexpected bytes after the keys") }
    let bsk = FourierBootstrapKey(inputLweDimension: p.lweDimension, glweDimension: p.glweDimension,
                                  polynomialSize: p.polynomialSize, baseLog: p.pbsBaseLog, levelCount: p.pbsLevel,
                                  data: FourierGgswLayout.fromFile(bskWords, count: p.lweDimension.rawValue,
                                                                   rows: p.glweDimension.glweSize * p.pbsLevel.rawValue,
                                                                   columns: p.glweDimension.glweSize, n: p.polynomialSize.rawValue))
    let kk = LweKeySwitchingKey(inputLweDimension: p.bigLweDimension, outputLweDimension: p.lweDimension,
                                baseLog: p.ksBaseLog, levelCount: p.ksLevel, data: ksk)
    self.init(parameters: expecting ?? p, bootstrapKey: bsk, keySwitchingKey: kk)
  }
}

extension LweCiphertext {
  /// Serializes a list of ciphertexts of equal dimension (kind `ciphertexts`).
  public static func serialize(_ list: [LweCiphertext], parameters: ParameterSet) -> [UInt8] {
    let dim = list.first?.storage.count ?? 0
    precondition(list.allSatisfy { $0.storage.count == dim }, "ciphertexts must share one dimension")
    var w = ByteWriter()
    w.append(bytes: parameters.canonicalBytes)
    w.append(UInt64(list.count))
    w.append(UInt64(dim))
    for c in list { c.storage.withUnsafeBufferPointer { w.append(words: $0) } }
    return Container.wrap(kind: .ciphertexts, parameters: parameters, payload: w.bytes)
  }

  /// Reads a list of ciphertexts; throws on a truncated, corrupted or mismatched file.
  public static func deserialize(_ bytes: [UInt8], expecting: ParameterSet? = nil)
    throws(TFHEFormatError) -> [LweCiphertext]
  {
    var (r, _) = try Container.open(bytes, kind: .ciphertexts, expecting: expecting)
    let count = try r.u64(), dim = try r.u64()
    guard dim >= 1, dim <= 1 << 24, count <= UInt64(r.end - r.offset) / 8 / dim else {
      throw .invalidPayload("ciphertext list of \(count) × \(dim) words does not fit the payload")
    }
    var out: [LweCiphertext] = []
    for _ in 0..<count { out.append(LweCiphertext(storage: try r.words(Int(dim)))) }
    if r.offset != r.end { throw .invalidPayload("\(r.end - r.offset) unexpected bytes after the ciphertexts") }
    return out
  }
}

extension WideLookupKey {
  /// Serialized wide-lookup keys (kind `wide-lookup keys`): the classic parameters, the eight
  /// wide-lookup fields (packing β, ℓ, circuit-bootstrap β, ℓ, clean-decision scale log,
  /// scheme-switch β, ℓ as u32, packing noise variance as f64), the packing key words, then the
  /// scheme-switching key (IEEE doubles, row-major polynomials like the bootstrapping key).
  /// Contains no secret material. The classic server key is stored apart (`ServerKey.serialized`).
  public func serialized() -> [UInt8] {
    var w = ByteWriter()
    w.bytes.reserveCapacity(96 + packing.byteCount + schemeSwitching.byteCount)
    w.append(bytes: server.parameters.canonicalBytes)
    for v in [parameters.packingBaseLog.rawValue, parameters.packingLevel.rawValue,
              parameters.circuitBootstrapBaseLog.rawValue, parameters.circuitBootstrapLevel.rawValue,
              parameters.cleanDecisionScaleLog, parameters.schemeSwitchingBaseLog.rawValue,
              parameters.schemeSwitchingLevel.rawValue] {
      w.append(UInt32(v))
    }
    w.append(parameters.packingNoiseVariance.bitPattern)
    packing.data.withUnsafeBufferPointer { w.append(words: $0) }
    let ss = schemeSwitching, k1 = ss.glweDimension.glweSize
    w.append(ggsws: ss.data, count: ss.glweDimension.rawValue, rows: k1 * ss.levelCount.rawValue, columns: k1,
             n: ss.polynomialSize.rawValue)
    return Container.wrap(kind: .wideLookupKeys, parameters: server.parameters, payload: w.bytes)
  }

  /// Bytes of the evaluation keys beyond the server key: the packing and scheme-switching keys.
  public static func keyBytes(parameters p: ParameterSet, wide: WideLookupParameters) -> Int {
    let k1 = p.glweDimension.glweSize
    let packing = (p.bigLweDimension.rawValue + 1) * wide.packingLevel.rawValue * k1 * p.polynomialSize.rawValue * 8
    return packing + SchemeSwitchingKey.byteCount(glweDimension: p.glweDimension.rawValue, polynomialSize: p.polynomialSize.rawValue,
                                                  levels: wide.schemeSwitchingLevel.rawValue)
  }

  /// Bytes of the file `serialized()` writes for these parameters (checked before an upload is
  /// stored).
  public static func serializedSize(parameters p: ParameterSet, wide: WideLookupParameters) -> Int {
    Container.headerSize + ParameterSet.canonicalByteCount + 7 * 4 + 8 + keyBytes(parameters: p, wide: wide) + 8
  }

  /// Reads wide-lookup keys made with `server`'s parameters; throws on a truncated, corrupted or
  /// mismatched file (another parameter set included).
  public convenience init(serialized bytes: [UInt8], server: ServerKey) throws(TFHEFormatError) {
    var (r, p) = try Container.open(bytes, kind: .wideLookupKeys, expecting: server.parameters)
    var v: [Int] = []
    for _ in 0..<7 { v.append(Int(try r.u32())) }
    let variance = Double(bitPattern: try r.u64())
    guard v[0] >= 1, v[0] <= WideLookupParameters.maximumPackingBaseLog, v[1] >= 1, v[0] * v[1] < 64, v[2] >= 1, v[3] >= 1, v[2] * v[3] < 64,
          (1...64).contains(v[4]), v[5] >= 1, v[6] >= 1, v[5] * v[6] < 64, variance.isFinite, variance >= 0
    else { throw .invalidPayload("wide-lookup parameters out of range") }
    let wide = WideLookupParameters(
      packingBaseLog: v[0], packingLevel: v[1], packingNoiseVariance: variance,
      circuitBootstrapBaseLog: v[2], circuitBootstrapLevel: v[3], cleanDecisionScaleLog: v[4],
      schemeSwitchingBaseLog: v[5], schemeSwitchingLevel: v[6])
    let k1 = p.glweDimension.glweSize, n = p.polynomialSize.rawValue
    let count = (p.bigLweDimension.rawValue + 1) * v[1] * k1 * n
    let ssCount = SchemeSwitchingKey.byteCount(glweDimension: p.glweDimension.rawValue, polynomialSize: n, levels: v[6]) / 8
    guard count + ssCount == (r.end - r.offset) / 8 else {
      throw .invalidPayload("packing key of \(count) words and scheme-switching key of \(ssCount) words do not fill the payload of \(r.end - r.offset) bytes")
    }
    let data = try r.words(count)
    let ssWords = try r.words(ssCount)
    if r.offset != r.end { throw .invalidPayload("\(r.end - r.offset) unexpected bytes after the keys") }
    let packing = PackingKeySwitchingKey(
      inputLweDimension: p.bigLweDimension, glweDimension: p.glweDimension, polynomialSize: p.polynomialSize,
      baseLog: wide.packingBaseLog, levelCount: wide.packingLevel, data: data)
    let ss = SchemeSwitchingKey(
      glweDimension: p.glweDimension, polynomialSize: p.polynomialSize, baseLog: wide.schemeSwitchingBaseLog,
      levelCount: wide.schemeSwitchingLevel,
      data: FourierGgswLayout.fromFile(ssWords, count: p.glweDimension.rawValue, rows: k1 * v[6], columns: k1, n: n))
    self.init(server: server, packing: packing, schemeSwitching: ss, parameters: wide)
  }
}

/// GGSWs on disk are row-major polynomials (the layout before `FourierGgswLayout`), so the file
/// format does not depend on the in-memory layout; these convert one GGSW at a time.
extension ByteWriter {
  /// Appends `count` GGSWs held in `FourierGgswLayout` as row-major polynomials.
  mutating func append(ggsws data: AlignedDoubles, count: Int, rows: Int, columns k1: Int, n: Int) {
    let stride = rows * k1 * n
    precondition(data.count == count * stride, "GGSW list of \(data.count) doubles, expected \(count) × \(stride)")
    let rowMajor = UnsafeMutableBufferPointer<Double>.allocate(capacity: stride)
    defer { rowMajor.deallocate() }
    data.withUnsafeBufferPointer { d in
      for i in 0..<count {
        FourierGgswLayout.deinterleave(d.baseAddress! + i * stride, into: rowMajor.baseAddress!, rows: rows, columns: k1, n: n)
        UnsafeBufferPointer(rowMajor).withMemoryRebound(to: UInt64.self) { append(words: $0) }
      }
    }
  }
}

extension FourierGgswLayout {
  /// `count` GGSWs read as row-major polynomials (`words`: their IEEE doubles), in memory layout.
  static func fromFile(_ words: [UInt64], count: Int, rows: Int, columns k1: Int, n: Int) -> AlignedDoubles {
    let stride = rows * k1 * n
    precondition(words.count == count * stride, "GGSW list of \(words.count) words, expected \(count) × \(stride)")
    return AlignedDoubles(count: words.count) { out in
      words.withUnsafeBufferPointer { w in
        w.withMemoryRebound(to: Double.self) { rowMajor in
          for i in 0..<count {
            FourierGgswLayout.interleave(rowMajor.baseAddress! + i * stride, into: out.baseAddress! + i * stride, rows: rows, columns: k1, n: n)
          }
        }
      }
    }
  }
}

/// File helpers.
public enum TFHEFile {
  public static func write(_ bytes: [UInt8], to path: String) throws(TFHEFormatError) {
    do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch { throw .io("cannot write '\(path)': \(error)") }
  }
  public static func read(_ path: String) throws(TFHEFormatError) -> [UInt8] {
    do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
      throw .io("cannot read '\(path)': \(error)")
    }
  }
}

/// What the first bytes of a TFHE file say, read before the rest arrives (a server checks an
/// upload's kind, parameters and size from its first 24 bytes, and refuses early).
public struct TFHEFileHeader: Sendable, Equatable {
  public static let size = Container.headerSize
  public var kind: TFHEFileKind
  public var parameterFingerprint: UInt64
  /// The whole file's size in bytes: header, payload, checksum.
  public var fileSize: Int

  public init(prefix bytes: some Collection<UInt8>) throws(TFHEFormatError) {
    let b = Array(bytes.prefix(Container.headerSize))
    if b.count < Container.headerSize { throw .truncated(expected: Container.headerSize, found: b.count) }
    if Array(b[0..<4]) != Container.magic { throw .badMagic }
    var r = ByteReader(bytes: b, offset: 4, end: Container.headerSize, fileSize: b.count)
    let version = try r.u16()
    let k = try r.u16()
    guard let kind = TFHEFileKind(rawValue: k) else { throw .invalidPayload("unknown file kind \(k)") }
    try Container.check(version: version, kind: k)
    parameterFingerprint = try r.u64()
    let length = try r.u64()
    guard length <= UInt64(Int.max / 2) else { throw .invalidPayload("payload length \(length) too large") }
    self.kind = kind
    fileSize = Container.headerSize + Int(length) + 8
  }
}

extension ServerKey {
  /// The size of the evaluation key file for `parameters`.
  public static func serializedSize(parameters p: ParameterSet) -> Int {
    p.bootstrapKeyBytes + p.keySwitchingKeyBytes + fileOverheadBytes
  }

  /// What a key file holds besides the keys: header, parameters, checksum.
  public static var fileOverheadBytes: Int { Container.headerSize + ParameterSet.canonicalByteCount + 8 }
}
