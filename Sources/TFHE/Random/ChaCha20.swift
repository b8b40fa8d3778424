#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ChaCha20 block function of RFC 8439 §2.3, computed for 8 consecutive counters at once.
///
/// `input` is the 16-word initial state (constants, key, counter, nonce); lane `l` uses
/// counter `input[12] &+ l`. Output: 8 blocks of 16 little-endian words, block after block.
public enum ChaCha20 {
  /// "expand 32-byte k".
  public static let constants: [UInt32] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]

  /// Builds the RFC 8439 initial state from a 32-byte key, a 32-bit block counter and a 12-byte nonce.
  public static func state(key: [UInt8], counter: UInt32, nonce: [UInt8]) -> [UInt32] {
    precondition(key.count == 32, "ChaCha20 key must be 32 bytes, got \(key.count)")
    precondition(nonce.count == 12, "ChaCha20 nonce must be 12 bytes, got \(nonce.count)")
    func word(_ b: [UInt8], _ i: Int) -> UInt32 {
      UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24
    }
    return constants + (0..<8).map { word(key, $0) } + [counter] + (0..<3).map { word(nonce, $0) }
  }

  /// One 64-byte keystream block (serialized as in RFC 8439 §2.3.2).
  public static func block(key: [UInt8], counter: UInt32, nonce: [UInt8]) -> [UInt8] {
    var words = [UInt32](repeating: 0, count: 128)
    let s = state(key: key, counter: counter, nonce: nonce)
    words.withUnsafeMutableBufferPointer { blocks8(input: s, into: $0.baseAddress!) }
    return words[0..<16].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
  }

  @inline(__always)
  static func rotl(_ v: SIMD8<UInt32>, _ n: UInt32) -> SIMD8<UInt32> {
    (v &<< n) | (v &>> (32 - n))
  }

  /// Eight blocks (512 bytes) for counters `input[12] …+7`, written as 128 words.
  @usableFromInline
  static func blocks8(input s: [UInt32], into out: UnsafeMutablePointer<UInt32>) {
    precondition(s.count == 16, "ChaCha20 state has 16 words")
    let lanes = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
    var x0 = SIMD8(repeating: s[0]), x1 = SIMD8(repeating: s[1]), x2 = SIMD8(repeating: s[2])
    var x3 = SIMD8(repeating: s[3]), x4 = SIMD8(repeating: s[4]), x5 = SIMD8(repeating: s[5])
    var x6 = SIMD8(repeating: s[6]), x7 = SIMD8(repeating: s[7]), x8 = SIMD8(repeating: s[8])
    var x9 = SIMD8(repeating: s[9]), x10 = SIMD8(repeating: s[10]), x11 = SIMD8(repeating: s[11])
    var x12 = SIMD8(repeating: s[12]) &+ lanes, x13 = SIMD8(repeating: s[13])
    var x14 = SIMD8(repeating: s[14]), x15 = SIMD8(repeating: s[15])
    let i12 = x12
    @inline(__always)
    func qr(_ a: inout SIMD8<UInt32>, _ b: inout SIMD8<UInt32>, _ c: inout SIMD8<UInt32>,
            _ d: inout SIMD8<UInt32>) {
      a &+= b; d ^= a; d = rotl(d, 16)
      c &+= d; b ^= c; b = rotl(b, 12)
      a &+= b; d ^= a; d = rotl(d, 8)
      c &+= d; b ^= c; b = rotl(b, 7)
    }
    for _ in 0..<10 {
      qr(&x0, &x4, &x8, &x12); qr(&x1, &x5, &x9, &x13)
      qr(&x2, &x6, &x10, &x14); qr(&x3, &x7, &x11, &x15)
      qr(&x0, &x5, &x10, &x15); qr(&x1, &x6, &x11, &x12)
      qr(&x2, &x7, &x8, &x13); qr(&x3, &x4, &x9, &x14)
    }
    let r: [SIMD8<UInt32>] = [
      x0 &+ SIMD8(repeating: s[0]), x1 &+ SIMD8(repeating: s[1]), x2 &+ SIMD8(repeating: s[2]),
      x3 &+ SIMD8(repeating: s[3]), x4 &+ SIMD8(repeating: s[4]), x5 &+ SIMD8(repeating: s[5]),
      x6 &+ SIMD8(repeating: s[6]), x7 &+ SIMD8(repeating: s[7]), x8 &+ SIMD8(repeating: s[8]),
      x9 &+ SIMD8(repeating: s[9]), x10 &+ SIMD8(repeating: s[10]), x11 &+ SIMD8(repeating: s[11]),
      x12 &+ i12, x13 &+ SIMD8(repeating: s[13]), x14 &+ SIMD8(repeating: s[14]),
      x15 &+ SIMD8(repeating: s[15]),
    ]
    for w in 0..<16 {
      let v = r[w]
      for l in 0..<8 { out[l * 16 + w] = v[l] }
    }
  }
}

/// Reads `count` bytes from the operating system's CSPRNG (`/dev/urandom`, never blocks once seeded).
func osRandomBytes(_ count: Int) -> [UInt8] {
  var bytes = [UInt8](repeating: 0, count: count)
  let fd = open("/dev/urandom", O_RDONLY)
  precondition(fd >= 0, "cannot open /dev/urandom")
  defer { close(fd) }
  var got = 0
  while got < count {
    let r = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, count - got) }
    precondition(r > 0, "cannot read /dev/urandom")
    got += r
  }
  return bytes
}

/// Cryptographically secure generator: the ChaCha20 keystream (RFC 8439) under a 256-bit key.
///
/// `init()` keys it from the OS (`/dev/urandom`). `init(seed:)` gives a reproducible stream for
/// tests and benchmarks only. Output words are the keystream read as little-endian UInt64s;
/// block counters run over 32 bits with a 96-bit nonce of zeros, and the generator rekeys
/// itself from its own keystream before the counter wraps. `fork()` derives an independent
/// child generator keyed by 32 bytes of this one's keystream (for per-thread key generation).
public struct SecureRandom: RandomNumberGenerator, Sendable {
  private var state: [UInt32]
  private var buffer: [UInt64] = []
  private var position = 0

  /// A generator keyed from the operating system's entropy source.
  public init() { self.init(key: osRandomBytes(32)) }

  /// A reproducible generator (tests and benchmarks only: the seed IS the key).
  public init(seed: UInt64) {
    var key = [UInt8](repeating: 0, count: 32)
    for i in 0..<8 { key[i] = UInt8(truncatingIfNeeded: seed >> (8 * i)) }
    self.init(key: key)
  }

  /// A generator keyed with a 32-byte key.
  public init(key: [UInt8]) {
    state = ChaCha20.state(key: key, counter: 0, nonce: [UInt8](repeating: 0, count: 12))
  }

  private mutating func refill() {
    if state[12] > UInt32.max - 16 {
      var key = [UInt8](repeating: 0, count: 32)
      for i in 0..<4 {
        let w = nextFresh()
        for b in 0..<8 { key[8 * i + b] = UInt8(truncatingIfNeeded: w >> (8 * b)) }
      }
      state = ChaCha20.state(key: key, counter: 0, nonce: [UInt8](repeating: 0, count: 12))
    }
    var words = [UInt32](repeating: 0, count: 128)
    words.withUnsafeMutableBufferPointer { ChaCha20.blocks8(input: state, into: $0.baseAddress!) }
    state[12] &+= 8
    buffer = (0..<64).map { UInt64(words[2 * $0]) | UInt64(words[2 * $0 + 1]) << 32 }
    position = 0
  }

  private mutating func nextFresh() -> UInt64 {
    var words = [UInt32](repeating: 0, count: 128)
    words.withUnsafeMutableBufferPointer { ChaCha20.blocks8(input: state, into: $0.baseAddress!) }
    state[12] &+= 8
    return UInt64(words[0]) | UInt64(words[1]) << 32
  }

  public mutating func next() -> UInt64 {
    if position == buffer.count { refill() }
    defer { position += 1 }
    return buffer[position]
  }

  /// Fills `out` with uniform words (bulk path: 8 ChaCha20 blocks per step, no per-word overhead).
  public mutating func fill(_ out: UnsafeMutableBufferPointer<UInt64>) {
    var i = 0
    while i < out.count && position < buffer.count { out[i] = buffer[position]; i += 1; position += 1 }
    var words = [UInt32](repeating: 0, count: 128)
    while out.count - i >= 64 {
      if state[12] > UInt32.max - 16 { refill(); position = buffer.count }
      words.withUnsafeMutableBufferPointer { ChaCha20.blocks8(input: state, into: $0.baseAddress!) }
      state[12] &+= 8
      for j in 0..<64 { out[i + j] = UInt64(words[2 * j]) | UInt64(words[2 * j + 1]) << 32 }
      i += 64
    }
    while i < out.count { out[i] = next(); i += 1 }
  }

  /// An independent generator keyed from this one's keystream.
  public mutating func fork() -> SecureRandom {
    var key = [UInt8](repeating: 0, count: 32)
    for i in 0..<4 {
      let w = next()
      for b in 0..<8 { key[8 * i + b] = UInt8(truncatingIfNeeded: w >> (8 * b)) }
    }
    return SecureRandom(key: key)
  }

  /// A uniform double in [0, 1) with 53 random bits.
  @inline(__always)
  public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A pair of independent standard normal samples (Box–Muller on CSPRNG uniforms).
  public mutating func nextGaussianPair() -> (Double, Double) {
    let u1 = (Double(next() >> 11) + 1) * 0x1p-53  // (0, 1]
    let u2 = nextUnitDouble()
    let r = (-2 * log(u1)).squareRoot()
    let t = 2 * Double.pi * u2
    return (r * cos(t), r * sin(t))
  }

  /// Fills `out` with rounded Gaussian integers of standard deviation `stdDev`, as torus words.
  public mutating func fillGaussian(_ out: UnsafeMutableBufferPointer<UInt64>, stdDev: Double) {
    var i = 0
    while i < out.count {
      let (a, b) = nextGaussianPair()
      out[i] = UInt64(bitPattern: Int64((a * stdDev).rounded()))
      if i + 1 < out.count { out[i + 1] = UInt64(bitPattern: Int64((b * stdDev).rounded())) }
      i += 2
    }
  }

  /// One rounded Gaussian integer of standard deviation `stdDev`, as a torus word.
  public mutating func nextGaussian(stdDev: Double) -> UInt64 {
    UInt64(bitPattern: Int64((nextGaussianPair().0 * stdDev).rounded()))
  }
}
