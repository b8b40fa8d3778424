/// An arbitrary-width two's-complement integer, as MLIR integer attributes hold them.
///
/// Words are little-endian 64-bit limbs; bits above `width` are always zero.
public struct APInt: Hashable, Sendable {
  public private(set) var width: Int
  public private(set) var words: [UInt64]

  public init(width: Int, words: [UInt64]) {
    self.width = width
    self.words = words
    normalize()
  }

  /// The low 64 bits of `value`, truncated or zero-extended to `width`.
  public init(width: Int, truncating value: UInt64) {
    self.init(width: width, words: [value])
  }

  /// `value` sign-extended (when wider than 64 bits) or truncated to `width`.
  public init(width: Int, signExtending value: Int64) {
    let count = max(1, (width + 63) / 64)
    var words = [UInt64](repeating: value < 0 ? ~0 : 0, count: count)
    words[0] = UInt64(bitPattern: value)
    self.init(width: width, words: words)
  }

  private mutating func normalize() {
    let count = max(1, (width + 63) / 64)
    if words.count < count { words += [UInt64](repeating: 0, count: count - words.count) }
    if words.count > count { words.removeLast(words.count - count) }
    let topBits = width % 64
    if topBits != 0 { words[count - 1] &= (UInt64(1) << UInt64(topBits)) - 1 }
    if width == 0 { words[0] = 0 }
  }

  public var isZero: Bool { words.allSatisfy { $0 == 0 } }

  public func bit(_ index: Int) -> Bool {
    guard index < width else { return false }
    return (words[index / 64] >> UInt64(index % 64)) & 1 == 1
  }

  public var signBit: Bool { width > 0 && bit(width - 1) }

  /// The value read as unsigned, when it fits in 64 bits.
  public var zeroExtendedValue: UInt64? {
    words.dropFirst().allSatisfy { $0 == 0 } ? words[0] : nil
  }

  /// The value read as signed (two's complement at `width`), when it fits in 64 bits.
  public var signExtendedValue: Int64? {
    if width == 0 { return 0 }
    if width <= 64 {
      let shift = UInt64(64 - width)
      return Int64(bitPattern: words[0] << shift) >> Int64(shift)
    }
    let negative = signBit
    let fill: UInt64 = negative ? ~0 : 0
    let topBits = width % 64
    for (i, w) in words.enumerated().dropFirst() {
      var expected = fill
      if i == words.count - 1 && topBits != 0 { expected &= (UInt64(1) << UInt64(topBits)) - 1 }
      if w != expected { return nil }
    }
    let low = Int64(bitPattern: words[0])
    if (low < 0) != negative { return nil }
    return low
  }

  /// Two's-complement negation at `width`.
  public func negated() -> APInt {
    var result = words.map { ~$0 }
    var carry: UInt64 = 1
    for i in result.indices {
      let (sum, overflow) = result[i].addingReportingOverflow(carry)
      result[i] = sum
      carry = overflow ? 1 : 0
    }
    return APInt(width: width, words: result)
  }

  /// Number of significant bits of the unsigned value.
  public var activeBits: Int {
    for i in stride(from: words.count - 1, through: 0, by: -1) where words[i] != 0 {
      return i * 64 + (64 - words[i].leadingZeroBitCount)
    }
    return 0
  }

  /// Parses an unsigned decimal or `0x` hexadecimal magnitude of any size.
  public static func parseMagnitude(_ digits: some Collection<UInt8>, hex: Bool) -> [UInt64] {
    var limbs: [UInt64] = [0]
    let radix: UInt64 = hex ? 16 : 10
    for c in digits {
      let d: UInt64
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt64(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt64(c - UInt8(ascii: "A") + 10)
      default: continue
      }
      var carry = d
      for i in limbs.indices {
        let (hi, lo) = limbs[i].multipliedFullWidth(by: radix)
        let (sum, overflow) = lo.addingReportingOverflow(carry)
        limbs[i] = sum
        carry = hi + (overflow ? 1 : 0)
      }
      if carry != 0 { limbs.append(carry) }
    }
    return limbs
  }

  /// Decimal text of the value, read as signed or unsigned.
  public func decimalString(signed: Bool) -> String {
    if signed, let v = signExtendedValue { return String(v) }
    if !signed, let v = zeroExtendedValue { return String(v) }
    var negative = false
    var magnitude = self
    if signed && signBit {
      negative = true
      magnitude = negated()
    }
    var limbs = magnitude.words
    var digits: [UInt8] = []
    while limbs.contains(where: { $0 != 0 }) {
      var remainder: UInt64 = 0
      for i in stride(from: limbs.count - 1, through: 0, by: -1) {
        let (q, r) = UInt64(10).dividingFullWidth((high: remainder, low: limbs[i]))
        limbs[i] = q
        remainder = r
      }
      digits.append(UInt8(ascii: "0") + UInt8(remainder))
    }
    if digits.isEmpty { digits = [UInt8(ascii: "0")] }
    if negative { digits.append(UInt8(ascii: "-")) }
    return String(decoding: digits.reversed(), as: UTF8.self)
  }
}
