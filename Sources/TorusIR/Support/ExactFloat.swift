/// Exact float ↔ decimal conversions for the formats where a `Double` does not suffice (f80,
/// f128, and subnormals of every kind), following LLVM's APFloat so that values print as
/// `mlir-opt` prints them: `toString` keeps APFloat's digit generation (including its
/// truncating precision adjustment), and `parse` rounds a decimal string correctly (ties to even).

/// A small unsigned big integer (little-endian 32-bit limbs, no leading zero limbs).
struct BigUInt: Comparable {
  private(set) var limbs: [UInt32]

  init(_ value: UInt64 = 0) {
    limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    trim()
  }

  init(words: [UInt64]) {
    limbs = words.flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
    trim()
  }

  private mutating func trim() { while let l = limbs.last, l == 0 { limbs.removeLast() } }

  var isZero: Bool { limbs.isEmpty }
  var bitWidth: Int { limbs.last.map { limbs.count * 32 - $0.leadingZeroBitCount } ?? 0 }
  var isOdd: Bool { (limbs.first ?? 0) & 1 == 1 }

  var trailingZeroBitCount: Int {
    for (i, l) in limbs.enumerated() where l != 0 { return i * 32 + l.trailingZeroBitCount }
    return 0
  }

  /// The low 64 bits.
  var low64: UInt64 { UInt64(limbs.first ?? 0) | UInt64(limbs.count > 1 ? limbs[1] : 0) << 32 }

  func bit(_ i: Int) -> Bool { i / 32 < limbs.count && (limbs[i / 32] >> UInt32(i % 32)) & 1 == 1 }

  static func < (a: BigUInt, b: BigUInt) -> Bool {
    if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
    for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] }
    return false
  }

  static func << (a: BigUInt, n: Int) -> BigUInt {
    guard !a.isZero, n > 0 else { return a }
    var r = BigUInt()
    r.limbs = [UInt32](repeating: 0, count: n / 32) + a.limbs + [0]
    let s = UInt32(n % 32)
    if s > 0 {
      var carry: UInt32 = 0
      for i in (n / 32)..<r.limbs.count {
        let v = r.limbs[i]
        r.limbs[i] = v << s | carry
        carry = v >> (32 - s)
      }
    }
    r.trim()
    return r
  }

  static func >> (a: BigUInt, n: Int) -> BigUInt {
    guard n > 0 else { return a }
    guard n / 32 < a.limbs.count else { return BigUInt() }
    var r = BigUInt()
    r.limbs = Array(a.limbs[(n / 32)...])
    let s = UInt32(n % 32)
    if s > 0 {
      for i in 0..<r.limbs.count {
        r.limbs[i] = r.limbs[i] >> s | (i + 1 < r.limbs.count ? r.limbs[i + 1] << (32 - s) : 0)
      }
    }
    r.trim()
    return r
  }

  static func + (a: BigUInt, b: BigUInt) -> BigUInt {
    var r = BigUInt()
    var carry: UInt64 = 0
    for i in 0..<max(a.limbs.count, b.limbs.count) {
      let s = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
      r.limbs.append(UInt32(truncatingIfNeeded: s))
      carry = s >> 32
    }
    if carry > 0 { r.limbs.append(UInt32(carry)) }
    r.trim()
    return r
  }

  /// `a - b` for `a >= b`.
  static func - (a: BigUInt, b: BigUInt) -> BigUInt {
    var r = a
    var borrow: Int64 = 0
    for i in 0..<r.limbs.count {
      var d = Int64(r.limbs[i]) - Int64(i < b.limbs.count ? b.limbs[i] : 0) - borrow
      borrow = d < 0 ? 1 : 0
      if d < 0 { d += 1 << 32 }
      r.limbs[i] = UInt32(d)
    }
    r.trim()
    return r
  }

  static func * (a: BigUInt, b: BigUInt) -> BigUInt {
    guard !a.isZero, !b.isZero else { return BigUInt() }
    var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count)
    for (i, x) in a.limbs.enumerated() {
      var carry: UInt64 = 0
      for (j, y) in b.limbs.enumerated() {
        let t = UInt64(x) * UInt64(y) + UInt64(out[i + j]) + carry
        out[i + j] = UInt32(truncatingIfNeeded: t)
        carry = t >> 32
      }
      out[i + b.limbs.count] = UInt32(carry)
    }
    var r = BigUInt()
    r.limbs = out
    r.trim()
    return r
  }

  /// Quotient and remainder by a small divisor.
  func divided(by d: UInt32) -> (quotient: BigUInt, remainder: UInt32) {
    var q = BigUInt()
    q.limbs = [UInt32](repeating: 0, count: limbs.count)
    var rem: UInt64 = 0
    for i in stride(from: limbs.count - 1, through: 0, by: -1) {
      let cur = rem << 32 | UInt64(limbs[i])
      q.limbs[i] = UInt32(cur / UInt64(d))
      rem = cur % UInt64(d)
    }
    q.trim()
    return (q, UInt32(rem))
  }

  /// Quotient and remainder by any divisor (shift-and-subtract; the numbers here are small).
  func divided(by d: BigUInt) -> (quotient: BigUInt, remainder: BigUInt) {
    guard !(self < d) else { return (BigUInt(), self) }
    var q = BigUInt(), r = BigUInt()
    for i in stride(from: bitWidth - 1, through: 0, by: -1) {
      r = r << 1
      if bit(i) { r = r + BigUInt(1) }
      if !(r < d) {
        r = r - d
        q = q + (BigUInt(1) << i)
      }
    }
    return (q, r)
  }

  static func power(_ base: UInt64, _ n: Int) -> BigUInt {
    var result = BigUInt(1), b = BigUInt(base), e = n
    while e > 0 {
      if e & 1 == 1 { result = result * b }
      e >>= 1
      if e > 0 { b = b * b }
    }
    return result
  }
}

/// A finite float split as APFloat does: value = `significand · 2^exponent`, sign apart.
struct ExactFloat {
  var negative: Bool
  var significand: BigUInt
  var exponent: Int

  /// The layout of a kind: exponent bits, stored significand bits, bias, whether the integer bit
  /// is stored (x87 f80), whether the all-ones exponent holds infinities and NaNs.
  static func layout(_ kind: FloatKind) -> (exp: Int, man: Int, bias: Int, explicitBit: Bool, ieeeSpecials: Bool) {
    switch kind {
    case .f80: return (15, 64, 16383, true, true)
    case .f128: return (15, 112, 16383, false, true)
    default:
      let l = FloatConversion.layout(kind)
      let specials = [FloatKind.f16, .bf16, .f32, .f64, .tf32, .f8E5M2].contains(kind)
      return (l.exp, l.man, l.bias, false, specials)
    }
  }

  /// Decomposes finite, non-zero bits; nil for zero, infinity and NaN.
  init?(_ value: FloatBits) {
    let (e, m, bias, explicit, specials) = Self.layout(value.kind)
    let raw = BigUInt(words: value.bits.words)
    negative = raw.bit(e + m)
    let expField = Int(((raw >> m).low64) & ((1 << UInt64(e)) - 1))
    var man = raw - ((raw >> m) << m)
    if specials && expField == (1 << e) - 1 { return nil }
    if man.isZero && expField == 0 { return nil }
    if explicit {
      exponent = max(expField, 1) - bias - (m - 1)
    } else if expField == 0 {
      exponent = 1 - bias - m
    } else {
      man = man + (BigUInt(1) << m)
      exponent = expField - bias - m
    }
    significand = man
  }

  /// `0.000000e+00` or `-0.000000e+00` for a zero of an IEEE-like kind (nil: not a zero).
  static func zeroString(_ value: FloatBits) -> String? {
    let (e, m, _, _, _) = layout(value.kind)
    let raw = BigUInt(words: value.bits.words)
    let magnitude = raw - ((raw >> (e + m)) << (e + m))
    guard magnitude.isZero else { return nil }
    return (raw.bit(e + m) ? "-" : "") + "0.000000e+00"
  }

  /// Whether the bits are a subnormal (exponent field zero, non-zero significand).
  static func isSubnormal(_ value: FloatBits) -> Bool {
    let (e, m, _, _, _) = layout(value.kind)
    let raw = BigUInt(words: value.bits.words)
    let expField = ((raw >> m).low64) & ((1 << UInt64(e)) - 1)
    return expField == 0 && !(raw - ((raw >> m) << m)).isZero
  }

  /// APFloat::toString(FormatPrecision, FormatMaxPadding, TruncateZero) of a float of `kind`.
  static func toString(_ value: FloatBits, precision formatPrecision: Int, maxPadding: Int, truncateZero: Bool) -> String? {
    guard let f = ExactFloat(value) else { return nil }
    let semanticsPrecision = value.kind.precision
    var fp = formatPrecision
    if fp == 0 { fp = 2 + semanticsPrecision * 59 / 196 }
    var sig = f.significand
    var exp = f.exponent
    let tz = sig.trailingZeroBitCount
    exp += tz
    sig = sig >> tz
    if exp > 0 {
      sig = sig << exp
      exp = 0
    } else if exp < 0 {
      sig = sig * BigUInt.power(5, -exp)
    }
    // APFloat drops whole tens by truncation before generating digits.
    let bits = sig.bitWidth, bitsRequired = (fp * 196 + 58) / 59
    if bits > bitsRequired {
      let tens = (bits - bitsRequired) * 59 / 196
      if tens > 0 {
        exp += tens
        sig = sig.divided(by: BigUInt.power(10, tens)).quotient
      }
    }
    var digits: [UInt8] = []  // least significant first
    var inTrail = true
    while !sig.isZero {
      let (q, d) = sig.divided(by: 10)
      sig = q
      if inTrail && d == 0 { exp += 1 } else {
        digits.append(UInt8(d))
        inTrail = false
      }
    }
    // Round to the format precision, half up, as APFloat does.
    if digits.count > fp {
      var first = digits.count - fp
      if digits[first - 1] < 5 {
        while first < digits.count && digits[first] == 0 { first += 1 }
        exp += first
        digits.removeFirst(first)
      } else {
        var i = first
        while i < digits.count && digits[i] == 9 { first += 1; i += 1 }
        if first == digits.count {
          exp += first
          digits = [1]
        } else {
          digits[i] += 1
          exp += first
          digits.removeFirst(first)
        }
      }
    }
    let n = digits.count
    var out = f.negative ? "-" : ""
    let scientific: Bool
    if maxPadding == 0 {
      scientific = true
    } else if exp >= 0 {
      scientific = exp > maxPadding || n + exp > fp
    } else {
      let msd = exp + n - 1
      scientific = msd >= 0 ? false : -msd > maxPadding
    }
    func ch(_ d: UInt8) -> Character { Character(UnicodeScalar(48 + d)) }
    if scientific {
      exp += n - 1
      out.append(ch(digits[n - 1]))
      out += "."
      if n == 1 && truncateZero { out += "0" } else { for i in 1..<n { out.append(ch(digits[n - 1 - i])) } }
      if !truncateZero && fp > n - 1 { out += String(repeating: "0", count: fp - n + 1) }
      out += truncateZero ? "E" : "e"
      out += exp >= 0 ? "+" : "-"
      let e = String(abs(exp))
      out += (!truncateZero && e.count < 2 ? "0" : "") + e
      return out
    }
    if exp >= 0 {
      for i in stride(from: n - 1, through: 0, by: -1) { out.append(ch(digits[i])) }
      return out + String(repeating: "0", count: exp)
    }
    let whole = exp + n
    if whole > 0 {
      for i in stride(from: n - 1, through: n - whole, by: -1) { out.append(ch(digits[i])) }
      out += "."
      for i in stride(from: n - whole - 1, through: 0, by: -1) { out.append(ch(digits[i])) }
    } else {
      out += "0." + String(repeating: "0", count: -whole)
      for i in stride(from: n - 1, through: 0, by: -1) { out.append(ch(digits[i])) }
    }
    return out
  }

  /// The bits of `kind` nearest to a decimal string `[-]d.ddd[e±x]` (ties to even), or nil when
  /// it is out of the kind's range or not such a string.
  static func parse(_ text: String, kind: FloatKind) -> APInt? {
    var s = Substring(text)
    var negative = false
    if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
    var mantissa = s, exp10 = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      guard let x = Int(s[s.index(after: e)...]) else { return nil }
      exp10 = x
      mantissa = s[..<e]
    }
    var digits = BigUInt()
    for c in mantissa {
      if c == "." { continue }
      if let d = c.wholeNumberValue { digits = digits * BigUInt(10) + BigUInt(UInt64(d)) } else { return nil }
    }
    if let dot = mantissa.firstIndex(of: ".") { exp10 -= mantissa.distance(from: dot, to: mantissa.endIndex) - 1 }
    let (e, m, bias, explicit, _) = layout(kind)
    let signBit = negative ? BigUInt(1) << (e + m) : BigUInt()
    if digits.isZero { return APInt(width: kind.bitWidth, words: wordsOf(signBit)) }
    let p = kind.precision
    let emin = 1 - bias
    // value = num / den exactly.
    var num = digits, den = BigUInt(1)
    if exp10 >= 0 { num = num * BigUInt.power(10, exp10) } else { den = BigUInt.power(10, -exp10) }
    // e2: the exponent of the most significant bit.
    var e2 = num.bitWidth - den.bitWidth
    if e2 >= 0 ? num < (den << e2) : (num << -e2) < den { e2 -= 1 }
    let lsb = max(e2, emin) - (p - 1)
    let (q0, r) = lsb <= 0 ? (num << -lsb).divided(by: den) : num.divided(by: den << lsb)
    var q = q0
    let twiceR = r << 1, fullDen = lsb <= 0 ? den : den << lsb
    if fullDen < twiceR || (!(twiceR < fullDen) && q.isOdd) { q = q + BigUInt(1) }
    var msbExp = lsb + q.bitWidth - 1
    if q.bitWidth > p {
      q = q >> 1
      msbExp = lsb + 1 + q.bitWidth - 1
    }
    let normal = q.bitWidth == p
    let expField = normal ? msbExp + bias : 0
    guard expField < (1 << e) - 1 else { return nil }
    let stored = explicit || !normal ? q : q - (BigUInt(1) << (p - 1))
    let bits = signBit + (BigUInt(UInt64(expField)) << m) + stored
    return APInt(width: kind.bitWidth, words: wordsOf(bits))
  }

  /// The nearest Double (rounded toward zero beyond 64 significant bits; for printing decisions
  /// and clear evaluation only).
  static func doubleValue(_ value: FloatBits) -> Double {
    let (e, m, _, _, specials) = layout(value.kind)
    let raw = BigUInt(words: value.bits.words)
    let negative = raw.bit(e + m)
    let expField = ((raw >> m).low64) & ((1 << UInt64(e)) - 1)
    if specials && expField == (1 << UInt64(e)) - 1 {
      let man = raw - ((raw >> m) << m)
      let isInfinity = value.kind == .f80 ? (man == BigUInt(1) << (m - 1)) : man.isZero
      return isInfinity ? (negative ? -.infinity : .infinity) : .nan
    }
    guard let f = ExactFloat(value) else { return negative ? -0.0 : 0.0 }
    let drop = max(0, f.significand.bitWidth - 64)
    let top = Double((f.significand >> drop).low64)
    return (negative ? -1 : 1) * top * pow2(f.exponent + drop)
  }

  private static func pow2(_ e: Int) -> Double {
    var r = 1.0, k = e
    while k > 0 { let s = min(k, 1000); r *= Double(sign: .plus, exponent: s, significand: 1); k -= s }
    while k < 0 { let s = min(-k, 1000); r *= Double(sign: .plus, exponent: -s, significand: 1); k += s }
    return r
  }

  static func wordsOf(_ v: BigUInt) -> [UInt64] {
    var words: [UInt64] = []
    var x = v
    while !x.isZero {
      words.append(x.low64)
      x = x >> 64
    }
    return words.isEmpty ? [0] : words
  }

  /// The bits of `kind` holding a finite `Double` exactly (f80 and f128 hold every double).
  static func fromDouble(_ d: Double, kind: FloatKind) -> APInt {
    let (e, m, bias, explicit, _) = layout(kind)
    let signBit = d.sign == .minus ? BigUInt(1) << (e + m) : BigUInt()
    if d == 0 { return APInt(width: kind.bitWidth, words: wordsOf(signBit)) }
    if d.isInfinite { return APInt(width: kind.bitWidth, words: wordsOf(signBit + (BigUInt(UInt64((1 << e) - 1)) << m) + (explicit ? BigUInt(1) << (m - 1) : BigUInt()))) }
    if d.isNaN { return APInt(width: kind.bitWidth, words: wordsOf((BigUInt(UInt64((1 << e) - 1)) << m) + (BigUInt(3) << (m - 2)))) }
    let a = abs(d)
    let exponent = Int(a.exponent)  // of the leading bit, subnormal doubles included
    let sig = a.significandBitPattern | (a.isNormal ? 1 << 52 : 0)
    var q = BigUInt(sig)
    q = q << (kind.precision - q.bitWidth)  // leading bit at precision − 1
    let stored = explicit ? q : q - (BigUInt(1) << (kind.precision - 1))
    let bits = signBit + (BigUInt(UInt64(exponent + bias)) << m) + stored
    return APInt(width: kind.bitWidth, words: wordsOf(bits))
  }
}
