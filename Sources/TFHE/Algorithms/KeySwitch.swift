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
              // |d| < 2^32: the masked magnitude lets LLVM use 32×64-bit vector multiplies.
              let ad = UInt64(d.magnitude) & 0xFFFF_FFFF
              if d > 0 {
                for t in 0..<row { op[t] &-= ad &* kp[t] }
              } else if d < 0 {
                for t in 0..<row { op[t] &+= ad &* kp[t] }
              }
              level -= 1
            }
          }
        }
      }
    }
    return LweCiphertext(storage: out)
  }
}
