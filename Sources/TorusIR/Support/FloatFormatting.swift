import Foundation

/// Conversions between Double and the narrow float formats MLIR knows.
enum FloatConversion {
  /// Generic IEEE-like layout: exponent bits, mantissa bits, bias.
  static func layout(_ kind: FloatKind) -> (exp: Int, man: Int, bias: Int) {
    switch kind {
    case .f16: (5, 10, 15)
    case .bf16: (8, 7, 127)
    case .f32: (8, 23, 127)
    case .f64: (11, 52, 1023)
    case .tf32: (8, 10, 127)
    case .f8E5M2: (5, 2, 15)
    case .f8E4M3FN: (4, 3, 7)
    case .f8E4M3FNUZ: (4, 3, 8)
    case .f8E5M2FNUZ: (5, 2, 16)
    case .f8E4M3B11FNUZ: (4, 3, 11)
    case .f80, .f128: (15, 63, 16383)
    }
  }

  static func fromSmallFloat(_ raw: UInt64, kind: FloatKind) -> Double {
    let (e, m, bias) = layout(kind)
    let sign = (raw >> UInt64(e + m)) & 1 == 1 ? -1.0 : 1.0
    let exponent = Int((raw >> UInt64(m)) & ((1 << UInt64(e)) - 1))
    let mantissa = Double(raw & ((1 << UInt64(m)) - 1))
    if exponent == 0 { return sign * mantissa * pow(2.0, Double(1 - bias - m)) }
    if exponent == (1 << e) - 1 && (kind == .f16 || kind == .f8E5M2 || kind == .tf32) {
      return mantissa == 0 ? sign * .infinity : .nan
    }
    return sign * (1 + mantissa / Double(1 << m)) * pow(2.0, Double(exponent - bias))
  }

  static func toSmallFloat(_ value: Double, kind: FloatKind) -> UInt64 {
    let (e, m, bias) = layout(kind)
    let signBit: UInt64 = value.sign == .minus ? 1 << UInt64(e + m) : 0
    let a = abs(value)
    if a == 0 { return signBit }
    if a.isNaN { return signBit | (((1 << UInt64(e)) - 1) << UInt64(m)) | 1 }
    let maxExp = (1 << e) - 1
    if a.isInfinite { return signBit | (UInt64(maxExp) << UInt64(m)) }
    var exponent = Int(a.exponent) + bias
    var mantissa: Double
    if exponent <= 0 {
      mantissa = (a / pow(2.0, Double(1 - bias - m))).rounded(.toNearestOrEven)
      exponent = 0
      if mantissa >= Double(1 << m) { exponent = 1; mantissa -= Double(1 << m) }
    } else {
      mantissa = ((a / pow(2.0, Double(exponent - bias)) - 1) * Double(1 << m)).rounded(.toNearestOrEven)
      if mantissa >= Double(1 << m) { exponent += 1; mantissa = 0 }
    }
    if exponent >= maxExp { return signBit | (UInt64(maxExp) << UInt64(m)) }
    return signBit | (UInt64(exponent) << UInt64(m)) | UInt64(mantissa)
  }

  static func toHalf(_ value: Double) -> UInt16 { UInt16(toSmallFloat(value, kind: .f16)) }
  static func fromHalf(_ raw: UInt16) -> Double { fromSmallFloat(UInt64(raw), kind: .f16) }
  static func toBFloat16(_ value: Double) -> UInt16 {
    let f = Float(value)
    if f.isNaN { return 0x7FC0 }
    let bits = f.bitPattern
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(rounded >> 16)
  }
}

/// MLIR's float spelling: `%e` with six digits when that reads back exactly, else the
/// shortest-round-trip-ish decimal of LLVM's APFloat, else the bit pattern in hex.
enum FloatFormatting {
  static func format(_ value: FloatBits) -> String {
    // f80, f128 and subnormals go through the exact APFloat emulation (a Double cannot hold the
    // first two, and APFloat's digit generation differs from printf's for the last).
    if value.kind == .f80 || value.kind == .f128 || ExactFloat.isSubnormal(value) {
      if ExactFloat(value) == nil, let zero = ExactFloat.zeroString(value) { return zero }
      if let sci = ExactFloat.toString(value, precision: 6, maxPadding: 0, truncateZero: false),
        ExactFloat.parse(sci, kind: value.kind) == value.bits
      {
        return sci
      }
      if let plain = ExactFloat.toString(value, precision: 0, maxPadding: 3, truncateZero: true), plain.contains(".") { return plain }
      return hexLiteral(value)
    }
    let d = value.doubleValue
    if d.isFinite, value.kind != .f80, value.kind != .f128 {
      let sci = String(format: "%.6e", d)
      if FloatBits(kind: value.kind, value: Double(sci) ?? .nan).bits == value.bits { return sci }
      let plain = apfloatDefaultString(d, precision: 2 + value.kind.precision * 59 / 196)
      if plain.contains(".") { return plain }
    }
    return hexLiteral(value)
  }

  /// `0x…` uppercase hex of the bit pattern, no padding (APInt::toString as a C literal).
  static func hexLiteral(_ value: FloatBits) -> String {
    let w = value.bits.words
    var s = String(w.last!, radix: 16, uppercase: true)
    for word in w.dropLast().reversed() {
      let part = String(word, radix: 16, uppercase: true)
      s += String(repeating: "0", count: 16 - part.count) + part
    }
    return "0x" + s
  }

  /// APFloat::toString(FormatPrecision: 0, FormatMaxPadding: 3, TruncateZero: true).
  static func apfloatDefaultString(_ d: Double, precision: Int) -> String {
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    // Significant digits and the decimal exponent of the last one.
    let sci = String(format: "%.\(precision - 1)e", abs(d))
    guard let eIndex = sci.firstIndex(of: "e"), let e10 = Int(sci[sci.index(after: eIndex)...]) else {
      return sci
    }
    var digits = Array(sci[..<eIndex].filter { $0 != "." })
    while digits.count > 1 && digits.last == "0" { digits.removeLast() }
    let nDigits = digits.count
    var exp = e10 - (nDigits - 1)  // value = digits × 10^exp
    var out = d < 0 ? "-" : ""
    let maxPadding = 3
    let scientific: Bool
    if exp >= 0 {
      scientific = exp > maxPadding || nDigits + exp > precision
    } else {
      let msd = exp + nDigits - 1
      scientific = msd >= 0 ? false : -msd > maxPadding
    }
    if scientific {
      exp += nDigits - 1
      out.append(digits[0])
      out += "."
      out += nDigits == 1 ? "0" : String(digits[1...])
      out += "E" + (exp >= 0 ? "+" : "-") + String(abs(exp))
      return out
    }
    if exp >= 0 {
      return out + String(digits) + String(repeating: "0", count: exp)
    }
    let whole = exp + nDigits
    if whole > 0 {
      out += String(digits[..<whole]) + "." + String(digits[whole...])
    } else {
      out += "0." + String(repeating: "0", count: -whole) + String(digits)
    }
    return out
  }
}
