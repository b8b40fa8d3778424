extension LweKeySwitchingKey {
  /// Key switch: the same phase (plus key-switch noise) under the output key.
  ///
  /// `out = (0, b) − Σ_i Σ_j d_j(a_i) · KSK[i][j]` with signed digits `d_j`.
  public func keySwitch(_ input: LweCiphertext) -> LweCiphertext {
    precondition(input.dimension == inputLweDimension,
                 "mismatch between LWE dimension of ciphertext (\(input.dimension)) and key-switching key input (\(inputLweDimension))")
    let nOut = outputLweDimension.rawValue, row = nOut + 1, ell = levelCount.rawValue
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    var out = [UInt64](repeating: 0, count: row)
    out[nOut] = input.body
    input.storage.withUnsafeBufferPointer { a in
      data.withUnsafeBufferPointer { ksk in
        out.withUnsafeMutableBufferPointer { o in
          let op = o.baseAddress!
          for i in 0..<inputLweDimension.rawValue {
            var s = dec.closest(a[i])
            var level = ell
            while level >= 1 {
              let d = dec.nextDigit(&s)
              let kp = ksk.baseAddress! + (i * ell + level - 1) * row
              LweKeySwitchingKey.subtractScaled(op, kp, digit: d, count: row)
              level -= 1
            }
          }
        }
      }
    }
    return LweCiphertext(storage: out)
  }

  /// Key switch of several ciphertexts at once: each key row is read once for the whole group
  /// (the key is far larger than the caches). Results equal `keySwitch` on each input.
  public func keySwitchMany(_ inputs: [LweCiphertext]) -> [LweCiphertext] {
    for c in inputs {
      precondition(c.dimension == inputLweDimension,
                   "mismatch between LWE dimension of ciphertext (\(c.dimension)) and key-switching key input (\(inputLweDimension))")
    }
    let count = inputs.count
    let nOut = outputLweDimension.rawValue, row = nOut + 1, ell = levelCount.rawValue
    let dec = Decomposer(baseLog: baseLog, levels: levelCount)
    var out = [UInt64](repeating: 0, count: count * row)
    for b in 0..<count { out[b * row + nOut] = inputs[b].body }
    var digits = [Int64](repeating: 0, count: count * ell)
    data.withUnsafeBufferPointer { ksk in
      out.withUnsafeMutableBufferPointer { o in
        digits.withUnsafeMutableBufferPointer { dg in
          for i in 0..<inputLweDimension.rawValue {
            for b in 0..<count {
              var s = dec.closest(inputs[b].storage[i])
              var level = ell
              while level >= 1 { dg[b * ell + level - 1] = dec.nextDigit(&s); level -= 1 }
            }
            for level in 1...ell {
              let kp = ksk.baseAddress! + (i * ell + level - 1) * row
              for b in 0..<count {
                LweKeySwitchingKey.subtractScaled(o.baseAddress! + b * row, kp, digit: dg[b * ell + level - 1], count: row)
              }
            }
          }
        }
      }
    }
    return (0..<count).map { LweCiphertext(storage: Array(out[($0 * row)..<(($0 + 1) * row)])) }
  }

  /// `out −= d · row` (wrapping), vectorised for |d| < 2^32.
  @inline(__always)
  static func subtractScaled(_ op: UnsafeMutablePointer<UInt64>, _ kp: UnsafePointer<UInt64>, digit d: Int64, count row: Int) {
    if d == 0 { return }
    let ad = UInt64(d.magnitude) & 0xFFFF_FFFF
    // ad·k mod 2^64 from two 32×32→64 products (vpmuludq), negated for d > 0.
    let adv = SIMD4<UInt64>(repeating: ad)
    let low = SIMD4<UInt64>(repeating: 0xFFFF_FFFF)
    let sign = SIMD4<UInt64>(repeating: d > 0 ? UInt64.max : 0)
    var t = 0
    while t + 4 <= row {
      let k = UnsafeRawPointer(kp + t).loadUnaligned(as: SIMD4<UInt64>.self)
      let prod = (k & low) &* adv &+ (((k &>> 32) &* adv) &<< 32)
      let o = UnsafeMutableRawPointer(op + t)
      let signed = (prod ^ sign) &- sign
      o.storeBytes(of: o.loadUnaligned(as: SIMD4<UInt64>.self) &+ signed, as: SIMD4<UInt64>.self)
      t += 4
    }
    while t < row {
      let prod = ad &* kp[t]
      op[t] = d > 0 ? op[t] &- prod : op[t] &+ prod
      t += 1
    }
  }
}
