import Dispatch

/// A batch of programmable bootstraps (table lookups): one call per tensor op, so that an
/// encrypted backend can run the lookups in parallel.
///
/// Element `i` of the batch uses `tables[selectors?[i] ?? 0]`. Table entries are already
/// extended to 64 bits as the result type requires (sign-extended for a signed result).
public struct LookupBatch: Sendable {
  /// Width `p` of the encrypted input (tables have `2^p` entries).
  public var inputWidth: Int
  /// Whether the input is `esint` (the table is indexed by the two's-complement pattern).
  public var inputSigned: Bool
  /// Width `q` of the result.
  public var outputWidth: Int
  /// Lookup tables, each of `2^p` entries.
  public var tables: [[Int64]]
  /// Table index per element; nil: every element uses table 0.
  public var selectors: [Int32]?

  public init(inputWidth: Int, inputSigned: Bool, outputWidth: Int, tables: [[Int64]], selectors: [Int32]? = nil) {
    self.inputWidth = inputWidth
    self.inputSigned = inputSigned
    self.outputWidth = outputWidth
    self.tables = tables
    self.selectors = selectors
  }
}

/// The primitive operations on one encrypted scalar that the value model (spec §0) needs.
///
/// The interpreter writes every op's semantics once in terms of these; a domain decides what a
/// ciphertext is. `ClearDomain` keeps the noise-free 64-bit torus phase (simulate mode),
/// `CRTClearDomain` the CRT residue; a TFHE domain plugs in LWE ciphertexts without touching
/// the op semantics. Batch methods receive whole tensors so a domain can parallelize them.
public protocol FHEDomain: Sendable {
  /// One encrypted scalar.
  associatedtype Ciphertext: Sendable

  /// A short name for messages (`native`, `crt`, `tfhe`).
  var name: String { get }
  /// Encrypts the integer `value` (a two's-complement bit pattern) at width `width`.
  func encrypt(_ value: Int64, width: Int) -> Ciphertext
  /// Decrypts and decodes a value of width `width` (signed: two's complement result).
  func decrypt(_ c: Ciphertext, width: Int, signed: Bool) -> Int64
  /// The trivial encryption of zero.
  func zero() -> Ciphertext
  /// `a + b` (phases add).
  func add(_ a: Ciphertext, _ b: Ciphertext) -> Ciphertext
  /// `a - b`.
  func sub(_ a: Ciphertext, _ b: Ciphertext) -> Ciphertext
  /// `-a`.
  func negate(_ a: Ciphertext) -> Ciphertext
  /// `a + value` where `value` is a clear integer encoded at width `width` (`value·Δ_width`).
  func addPlain(_ a: Ciphertext, _ value: Int64, width: Int) -> Ciphertext
  /// `a · value` for a clear (sign-extended) integer.
  func mulPlain(_ a: Ciphertext, _ value: Int64) -> Ciphertext
  /// `acc + a · value`; domains may fuse it (matmul, conv2d inner loops).
  func mulAddPlain(_ acc: Ciphertext, _ a: Ciphertext, _ value: Int64) -> Ciphertext
  /// Programmable bootstrap of every input with its table (spec §0.2).
  func bootstrap(_ inputs: [Ciphertext], _ lookup: LookupBatch, threads: Int) throws(InterpreterError) -> [Ciphertext]
  /// Bit extraction: for each input phase `U`, the most significant bit of `U`, returned as
  /// the message 0/1 at width `outputWidth` (spec §0.7: constant-table bootstrap plus offset).
  func extractMostSignificantBit(_ inputs: [Ciphertext], outputWidth: Int, threads: Int) throws(InterpreterError) -> [Ciphertext]
  /// The raw bits a trace op prints (the phase in clear domains).
  func traceBits(_ c: Ciphertext) -> UInt64
  /// How many bits one step of exact rounding may clear (`RoundingSteps`): 1 extracts one bit
  /// per bootstrap, as Concrete does; `c > 1` clears up to `c` bits with two bootstraps.
  var bitExtractionChunk: Int { get }
}

extension FHEDomain {
  public var bitExtractionChunk: Int { 1 }

  public func mulAddPlain(_ acc: Ciphertext, _ a: Ciphertext, _ value: Int64) -> Ciphertext {
    add(acc, mulPlain(a, value))
  }
}

/// Runs `body` over `0..<count` split in contiguous chunks on up to `threads` threads.
///
/// Each index is handled exactly once, so results written per index do not depend on the
/// thread count.
public func parallelChunks(_ count: Int, threads: Int, minimumChunk: Int = 256, _ body: @Sendable (Range<Int>) -> Void) {
  guard count > 0 else { return }
  let maxChunks = max(1, count / max(1, minimumChunk))
  let chunks = min(max(1, threads) * 4, maxChunks)
  if threads <= 1 || chunks <= 1 {
    body(0..<count)
    return
  }
  let size = (count + chunks - 1) / chunks
  DispatchQueue.concurrentPerform(iterations: chunks) { c in
    let start = c * size
    let end = min(count, start + size)
    if start < end { body(start..<end) }
  }
}

/// A pointer handed to worker threads that write disjoint indices.
struct SharedBuffer<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T>
  subscript(i: Int) -> T {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }
}

/// Builds an array of `count` elements computed by `element(i)` in parallel.
func parallelMap<T: Sendable>(_ count: Int, threads: Int, minimumChunk: Int = 256, fill: T, _ element: @Sendable (Int) -> T) -> [T] {
  var out = [T](repeating: fill, count: count)
  out.withUnsafeMutableBufferPointer { buf in
    guard let base = buf.baseAddress else { return }
    let shared = SharedBuffer(base: base)
    parallelChunks(count, threads: threads, minimumChunk: minimumChunk) { range in
      for i in range { shared[i] = element(i) }
    }
  }
  return out
}
