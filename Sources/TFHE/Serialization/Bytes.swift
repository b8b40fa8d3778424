/// Little-endian byte sink for the file format.
struct ByteWriter {
  var bytes: [UInt8] = []
  mutating func append(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func append(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func append(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func append(bytes more: [UInt8]) { bytes.append(contentsOf: more) }
  /// Appends words in bulk (little-endian machine assumed, checked at run time).
  mutating func append(words: UnsafeBufferPointer<UInt64>) {
    precondition(UInt64(1).littleEndian == 1, "big-endian hosts are not supported")
    bytes.append(contentsOf: UnsafeRawBufferPointer(words))
  }
}

/// Bounds-checked little-endian reader; every read throws `TFHEFormatError.truncated` past the end.
struct ByteReader {
  let bytes: [UInt8]
  var offset: Int
  let end: Int
  let fileSize: Int

  mutating func need(_ n: Int) throws(TFHEFormatError) {
    if n < 0 || offset + n > end {
      throw .truncated(expected: offset + max(n, 0), found: end)
    }
  }
  mutating func u16() throws(TFHEFormatError) -> UInt16 {
    try need(2); defer { offset += 2 }
    return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }
  mutating func u32() throws(TFHEFormatError) -> UInt32 {
    try need(4); var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * i) }
    offset += 4; return v
  }
  mutating func u64() throws(TFHEFormatError) -> UInt64 {
    try need(8); var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * i) }
    offset += 8; return v
  }
  mutating func raw(_ n: Int) throws(TFHEFormatError) -> ArraySlice<UInt8> {
    try need(n); defer { offset += n }
    return bytes[offset..<offset + n]
  }
  mutating func words(_ n: Int) throws(TFHEFormatError) -> [UInt64] {
    try need(n * 8)
    var out = [UInt64](repeating: 0, count: n)
    let start = offset
    out.withUnsafeMutableBytes { dst in
      bytes.withUnsafeBytes { src in
        dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<start + n * 8]))
      }
    }
    offset += n * 8
    return out.map { UInt64(littleEndian: $0) }
  }
}

/// Checksums written by us: FNV-1a (64-bit) over bytes, and a word-wise variant for big payloads.
enum Checksum {
  static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  static let prime: UInt64 = 0x0000_0100_0000_01b3

  /// Classic FNV-1a 64 over bytes.
  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var h = offsetBasis
    for b in bytes { h = (h ^ UInt64(b)) &* prime }
    return h
  }

  /// "FNV-1a-64w": FNV-1a steps over little-endian 64-bit words (then the tail bytes), with a
  /// final avalanche (x ^= x >> 29; x *= prime; x ^= x >> 32). Fast enough for multi-GB keys.
  static func fnv1aWords(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h = offsetBasis
    let words = bytes.count / 8
    for i in 0..<words {
      h = (h ^ bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) &* prime
      h ^= h >> 31
    }
    for i in (words * 8)..<bytes.count { h = (h ^ UInt64(bytes[i])) &* prime }
    h ^= h >> 29; h = h &* prime; h ^= h >> 32
    return h
  }
}
