import TFHE
import TorusInterpreter

/// Encrypted mode: a ciphertext is an LWE ciphertext under the big (GLWE-as-LWE) key, and every
/// op of the interpreter runs on it through the same `FHEDomain` primitives simulate mode uses.
///
/// A server-side domain holds only the evaluation key; `encrypt`/`decrypt` there are trivial
/// (noise-free, mask zero) encryptions of constants, never of user data. A client-side domain
/// (with the secret key) encrypts inputs and decrypts results.
public struct TFHEDomain: FHEDomain {
  public typealias Ciphertext = LweCiphertext
  public let name = "tfhe"
  public let server: ServerKey
  public let client: ClientKey?
  /// Counts programmable bootstraps, for progress reports.
  public let progress: BootstrapProgress?
  /// Keys for lookups wider than `wide.classicLookupMaxWidth` (bit extraction, circuit
  /// bootstrapping, vertical packing); nil when every lookup is a classic bootstrap.
  public let wide: WideLookupKey?

  public init(server: ServerKey, client: ClientKey? = nil, progress: BootstrapProgress? = nil, wide: WideLookupKey? = nil) {
    self.server = server
    self.client = client
    self.progress = progress
    self.wide = wide
  }

  var dimension: LweDimension { server.parameters.bigLweDimension }

  public func encrypt(_ value: Int64, width: Int) -> LweCiphertext {
    let phase = Encoding.encode(message: value, bits: width)
    if let client { return client.encrypt(phase: phase) }
    return LweCiphertext(trivial: phase, dimension: dimension)
  }

  public func decrypt(_ c: LweCiphertext, width: Int, signed: Bool) -> Int64 {
    guard let client else {
      // Only trivial ciphertexts can be read without the key (never user data).
      return Encoding.decode(phase: c.body, bits: width, signed: signed)
    }
    return client.decrypt(c, bits: width, signed: signed)
  }

  public func zero() -> LweCiphertext { LweCiphertext(trivial: 0, dimension: dimension) }
  public func add(_ a: LweCiphertext, _ b: LweCiphertext) -> LweCiphertext { a + b }
  public func sub(_ a: LweCiphertext, _ b: LweCiphertext) -> LweCiphertext { a - b }
  public func negate(_ a: LweCiphertext) -> LweCiphertext { -a }

  public func addPlain(_ a: LweCiphertext, _ value: Int64, width: Int) -> LweCiphertext {
    a.adding(plaintext: UInt64(bitPattern: value) &* Encoding.delta(bits: width))
  }

  public func mulPlain(_ a: LweCiphertext, _ value: Int64) -> LweCiphertext { a.multiplied(by: value) }

  public func mulAddPlain(_ acc: LweCiphertext, _ a: LweCiphertext, _ value: Int64) -> LweCiphertext {
    var r = acc
    r.storage.withUnsafeMutableBufferPointer { dst in
      a.storage.withUnsafeBufferPointer { src in
        let v = UInt64(bitPattern: value)
        for i in 0..<dst.count { dst[i] = dst[i] &+ src[i] &* v }
      }
    }
    return r
  }

  public func bootstrap(_ inputs: [LweCiphertext], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [LweCiphertext] {
    if let wide, lookup.inputWidth > wide.classicLookupMaxWidth { return try wideLookup(inputs, lookup, key: wide, threads: threads) }
    let n = server.parameters.polynomialSize.rawValue
    guard n >> lookup.inputWidth >= 2 else {
      throw .unsupported("a \(lookup.inputWidth)-bit table lookup needs polynomial size ≥ \(2 << lookup.inputWidth), the keys have \(n)")
    }
    guard lookup.outputWidth <= 62 else { throw .unsupported("\(lookup.outputWidth)-bit lookup results") }
    let tables = lookup.tables.map {
      server.lookupTable(values: $0, inputBits: lookup.inputWidth, outputBits: lookup.outputWidth, signed: lookup.inputSigned)
    }
    let result = server.bootstrapBatch(inputs, tables: tables, tableIndex: lookup.selectors?.map { Int($0) }, threads: threads)
    progress?.add(inputs.count)
    return result
  }

  /// Lookups through `WideLookupKey`: the table indexed by the input's `w` low bits (two's
  /// complement for a signed input, as the classic layout reads it), elements spread over `threads`.
  func wideLookup(_ inputs: [LweCiphertext], _ lookup: LookupBatch, key: WideLookupKey, threads: Int) throws(InterpreterError) -> [LweCiphertext] {
    let w = lookup.inputWidth
    guard w <= 20 else { throw .unsupported("\(w)-bit table lookups (wide lookups take up to 20 bits)") }
    guard lookup.outputWidth <= 62 else { throw .unsupported("\(lookup.outputWidth)-bit lookup results") }
    let delta = Encoding.delta(bits: lookup.outputWidth)
    let tables = lookup.tables.map { values in values.map { UInt64(bitPattern: $0) &* delta } }
    for t in tables where t.count != 1 << w {
      throw .unsupported("a \(w)-bit table with \(t.count) entries")
    }
    let progress = progress, bootstraps = key.bootstraps(bits: w)
    return key.lookupBatch(inputs, inputBits: w, tables: tables, tableIndex: lookup.selectors?.map { Int($0) }, threads: threads) {
      progress?.add(bootstraps)
    }
  }

  /// Bit extraction (spec §0.7): the interpreter hands `U` with the bit on top and the rounding
  /// offset `2^62` already added; PBS with the constant test polynomial `−2^(62−w)`, then
  /// `+2^(62−w)`, gives the top bit of `U` as `bit·2^(63−w)`.
  public func extractMostSignificantBit(_ inputs: [LweCiphertext], outputWidth w: Int, threads: Int) throws(InterpreterError) -> [LweCiphertext] {
    guard w >= 0 && w <= 61 else { throw .unsupported("bit extraction to width \(w)") }
    let half: UInt64 = 1 << UInt64(62 - w)
    let tp = TestPolynomial.constant(0 &- half, polynomialSize: server.parameters.polynomialSize)
    let out = server.bootstrapBatch(inputs, tables: [tp], threads: threads)
    progress?.add(inputs.count)
    return out.map { $0.adding(plaintext: half) }
  }

  /// Chunk width of exact rounding these keys resolve (`NoiseModel.bitExtractionChunk`).
  public var bitExtractionChunk: Int { NoiseModel(server.parameters).bitExtractionChunk }

  /// Tracing prints the body only: the server has no key to decrypt with.
  public func traceBits(_ c: LweCiphertext) -> UInt64 { client.map { $0.decryptPhase(c) } ?? c.body }
}

/// A thread-safe bootstrap counter with an optional progress line on a terminal.
public final class BootstrapProgress: @unchecked Sendable {
  private let lock = NSLockLike()
  private var done = 0
  public let total: Int
  private let report: (@Sendable (Int, Int) -> Void)?

  public init(total: Int, report: (@Sendable (Int, Int) -> Void)? = nil) {
    self.total = total
    self.report = report
  }

  public func add(_ n: Int) {
    let now = lock.withLock { () -> Int in
      done += n
      return done
    }
    report?(now, total)
  }

  public var completed: Int { lock.withLock { done } }
}

/// A minimal mutex (pthread). The mutex lives in its own allocation: a stored `var` of a class
/// has no stable address to hand to pthread (`&mutex` may point at a temporary copy).
final class NSLockLike: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  init() {
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }
  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }
  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
