import Foundation

/// Precomputed plan for negacyclic products in `Z[X]/(X^N + 1)` through a complex FFT of size N/2.
///
/// A real polynomial `a` is folded into `M = N/2` complex numbers `(a_j + i·a_{j+M})·ζ^j` with
/// `ζ = exp(iπ/N)` (the twist), then transformed with a radix-2 decimation-in-frequency FFT
/// (natural order in, bit-reversed out). Point-wise products in that domain are negacyclic
/// products; the inverse (decimation-in-time, bit-reversed in) untwists by `ζ^{-j}/M`.
/// Data is split-complex: `re[0..<M]` then `im[0..<M]`, i.e. one polynomial is `N` doubles.
/// Plans are immutable and shared between threads (`FourierPlan.shared(for:)`).
public final class FourierPlan: Sendable {
  public let polynomialSize: Int
  /// `M = N/2`, the number of complex points.
  public let half: Int
  @usableFromInline let twistRe: [Double], twistIm: [Double]
  @usableFromInline let untwistRe: [Double], untwistIm: [Double]
  /// Twiddles of the stage with half-block `h` live at `[h, 2h)`: `exp(-2πi·j/(2h))`.
  @usableFromInline let twRe: [Double], twIm: [Double]
  /// `exp(-2πi·3j/(2h))` at `[h, h + h/2)`: the third twiddle of a radix-4 pass.
  @usableFromInline let tw3Re: [Double], tw3Im: [Double]

  public init(polynomialSize n: Int) {
    precondition(n >= 16 && n & (n - 1) == 0, "polynomial size must be a power of two >= 16")
    polynomialSize = n
    half = n / 2
    let m = n / 2
    var tr = [Double](repeating: 0, count: m), ti = tr, ur = tr, ui = tr
    for j in 0..<m {
      let angle = Double.pi * Double(j) / Double(n)
      tr[j] = cos(angle); ti[j] = sin(angle)
      ur[j] = cos(angle) / Double(m); ui[j] = -sin(angle) / Double(m)
    }
    twistRe = tr; twistIm = ti; untwistRe = ur; untwistIm = ui
    var wr = [Double](repeating: 0, count: m), wi = wr
    var h = 1
    while h < m {
      for j in 0..<h {
        let angle = -2 * Double.pi * Double(j) / Double(2 * h)
        wr[h + j] = cos(angle); wi[h + j] = sin(angle)
      }
      h <<= 1
    }
    twRe = wr; twIm = wi
    var w3r = [Double](repeating: 0, count: m), w3i = w3r
    h = 2
    while h < m {
      for j in 0..<(h / 2) {
        let angle = -2 * Double.pi * Double(3 * j) / Double(2 * h)
        w3r[h + j] = cos(angle); w3i[h + j] = sin(angle)
      }
      h <<= 1
    }
    tw3Re = w3r; tw3Im = w3i
  }

  private static let cache = PlanCache()

  /// The process-wide plan for `N` (built once, then shared read-only).
  public static func shared(for polynomialSize: Int) -> FourierPlan {
    cache.plan(for: polynomialSize)
  }

  // MARK: transforms on split-complex buffers of M points

  /// In-place forward FFT (DIF): natural order in, bit-reversed out.
  ///
  /// Radix-4 passes (two radix-2 stages `h = 2q, q` at once, 3 complex multiplies) down to
  /// `h = 4`, then the fused scalar stages `h = 2, 1`.
  @inlinable
  func fft(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>) {
    let m = half
    twRe.withUnsafeBufferPointer { twr in
      twIm.withUnsafeBufferPointer { twi in
        tw3Re.withUnsafeBufferPointer { t3r in
          tw3Im.withUnsafeBufferPointer { t3i in
            var h = m >> 1
            // Stages h = m/2 … 4: pair them into radix-4 passes; an odd count starts with radix-2.
            var stages = 0
            var t = h
            while t >= 4 { stages += 1; t >>= 1 }
            if stages % 2 == 1 {
              radix2DIF(re, im, h: h, wr: twr.baseAddress! + h, wi: twi.baseAddress! + h)
              h >>= 1
            }
            while h >= 8 {
              let q = h >> 1
              radix4DIF(re, im, q: q,
                        w1r: twr.baseAddress! + h, w1i: twi.baseAddress! + h,
                        w2r: twr.baseAddress! + q, w2i: twi.baseAddress! + q,
                        w3r: t3r.baseAddress! + h, w3i: t3i.baseAddress! + h)
              h >>= 2
            }
          }
        }
      }
    }
    // Remaining stages h = 2 and h = 1, fused (twiddles 1, -i, then 1).
    var g = 0
    while g < m {
      let x0r = re[g], x1r = re[g + 1], x2r = re[g + 2], x3r = re[g + 3]
      let x0i = im[g], x1i = im[g + 1], x2i = im[g + 2], x3i = im[g + 3]
      let a0r = x0r + x2r, a0i = x0i + x2i, a2r = x0r - x2r, a2i = x0i - x2i
      let a1r = x1r + x3r, a1i = x1i + x3i
      // (x1 - x3)·(-i)
      let a3r = x1i - x3i, a3i = x3r - x1r
      re[g] = a0r + a1r; im[g] = a0i + a1i
      re[g + 1] = a0r - a1r; im[g + 1] = a0i - a1i
      re[g + 2] = a2r + a3r; im[g + 2] = a2i + a3i
      re[g + 3] = a2r - a3r; im[g + 3] = a2i - a3i
      g += 4
    }
  }

  @inline(__always) @usableFromInline
  func radix2DIF(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, h: Int,
                 wr: UnsafePointer<Double>, wi: UnsafePointer<Double>) {
    var base = 0
    while base < half {
      let r0 = re + base, i0 = im + base, r1 = re + base + h, i1 = im + base + h
      var j = 0
      while j < h {
        let ur = load4(r0 + j), ui = load4(i0 + j), vr = load4(r1 + j), vi = load4(i1 + j)
        let cr = load4(wr + j), ci = load4(wi + j)
        let dr = ur - vr, di = ui - vi
        store(ur + vr, r0 + j); store(ui + vi, i0 + j)
        store((dr * cr).addingProduct(-di, ci), r1 + j); store((dr * ci).addingProduct(di, cr), i1 + j)
        j += 4
      }
      base += 2 * h
    }
  }

  @inline(__always) @usableFromInline
  func radix4DIF(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, q: Int,
                 w1r: UnsafePointer<Double>, w1i: UnsafePointer<Double>,
                 w2r: UnsafePointer<Double>, w2i: UnsafePointer<Double>,
                 w3r: UnsafePointer<Double>, w3i: UnsafePointer<Double>) {
    var base = 0
    while base < half {
      let r0 = re + base, i0 = im + base
      var j = 0
      while j < q {
        let x0r = load4(r0 + j), x0i = load4(i0 + j)
        let x1r = load4(r0 + j + q), x1i = load4(i0 + j + q)
        let x2r = load4(r0 + j + 2 * q), x2i = load4(i0 + j + 2 * q)
        let x3r = load4(r0 + j + 3 * q), x3i = load4(i0 + j + 3 * q)
        let s02r = x0r + x2r, s02i = x0i + x2i, d02r = x0r - x2r, d02i = x0i - x2i
        let s13r = x1r + x3r, s13i = x1i + x3i, d13r = x1r - x3r, d13i = x1i - x3i
        store(s02r + s13r, r0 + j); store(s02i + s13i, i0 + j)
        // y1 = (s02 − s13)·w2
        let ar = s02r - s13r, ai = s02i - s13i
        let c2r = load4(w2r + j), c2i = load4(w2i + j)
        store((ar * c2r).addingProduct(-ai, c2i), r0 + j + q)
        store((ar * c2i).addingProduct(ai, c2r), i0 + j + q)
        // y2 = (d02 − i·d13)·w1, y3 = (d02 + i·d13)·w3
        let br = d02r + d13i, bi = d02i - d13r
        let cr = d02r - d13i, ci = d02i + d13r
        let c1r = load4(w1r + j), c1i = load4(w1i + j)
        store((br * c1r).addingProduct(-bi, c1i), r0 + j + 2 * q)
        store((br * c1i).addingProduct(bi, c1r), i0 + j + 2 * q)
        let c3r = load4(w3r + j), c3i = load4(w3i + j)
        store((cr * c3r).addingProduct(-ci, c3i), r0 + j + 3 * q)
        store((cr * c3i).addingProduct(ci, c3r), i0 + j + 3 * q)
        j += 4
      }
      base += 4 * q
    }
  }

  /// In-place inverse FFT (DIT, unnormalised): bit-reversed in, natural order out.
  @inlinable
  func ifft(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>) {
    let m = half
    var g = 0
    while g < m {
      let y0r = re[g], y1r = re[g + 1], y2r = re[g + 2], y3r = re[g + 3]
      let y0i = im[g], y1i = im[g + 1], y2i = im[g + 2], y3i = im[g + 3]
      let a0r = y0r + y1r, a0i = y0i + y1i, a1r = y0r - y1r, a1i = y0i - y1i
      let a2r = y2r + y3r, a2i = y2i + y3i, a3r = y2r - y3r, a3i = y2i - y3i
      // t = a3·i
      let tr = -a3i, ti = a3r
      re[g] = a0r + a2r; im[g] = a0i + a2i
      re[g + 2] = a0r - a2r; im[g + 2] = a0i - a2i
      re[g + 1] = a1r + tr; im[g + 1] = a1i + ti
      re[g + 3] = a1r - tr; im[g + 3] = a1i - ti
      g += 4
    }
    twRe.withUnsafeBufferPointer { twr in
      twIm.withUnsafeBufferPointer { twi in
        tw3Re.withUnsafeBufferPointer { t3r in
          tw3Im.withUnsafeBufferPointer { t3i in
            var stages = 0
            var t = 4
            while t < m { stages += 1; t <<= 1 }
            var h = 4
            // Radix-4 passes (h = q, 2q) while two stages remain; a final odd stage is radix-2.
            while stages >= 2 {
              let q = h
              radix4DIT(re, im, q: q,
                        w1r: twr.baseAddress! + 2 * q, w1i: twi.baseAddress! + 2 * q,
                        w2r: twr.baseAddress! + q, w2i: twi.baseAddress! + q,
                        w3r: t3r.baseAddress! + 2 * q, w3i: t3i.baseAddress! + 2 * q)
              h <<= 2
              stages -= 2
            }
            if stages == 1 {
              radix2DIT(re, im, h: h, wr: twr.baseAddress! + h, wi: twi.baseAddress! + h)
            }
          }
        }
      }
    }
  }

  @inline(__always) @usableFromInline
  func radix2DIT(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, h: Int,
                 wr: UnsafePointer<Double>, wi: UnsafePointer<Double>) {
    var base = 0
    while base < half {
      let r0 = re + base, i0 = im + base, r1 = re + base + h, i1 = im + base + h
      var j = 0
      while j < h {
        let ur = load4(r0 + j), ui = load4(i0 + j), xr = load4(r1 + j), xi = load4(i1 + j)
        let cr = load4(wr + j), ci = load4(wi + j)
        // v = x · conj(w)
        let vr = (xr * cr).addingProduct(xi, ci), vi = (xi * cr).addingProduct(-xr, ci)
        store(ur + vr, r0 + j); store(ui + vi, i0 + j)
        store(ur - vr, r1 + j); store(ui - vi, i1 + j)
        j += 4
      }
      base += 2 * h
    }
  }

  @inline(__always) @usableFromInline
  func radix4DIT(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, q: Int,
                 w1r: UnsafePointer<Double>, w1i: UnsafePointer<Double>,
                 w2r: UnsafePointer<Double>, w2i: UnsafePointer<Double>,
                 w3r: UnsafePointer<Double>, w3i: UnsafePointer<Double>) {
    var base = 0
    while base < half {
      let r0 = re + base, i0 = im + base
      var j = 0
      while j < q {
        let y0r = load4(r0 + j), y0i = load4(i0 + j)
        let y1r = load4(r0 + j + q), y1i = load4(i0 + j + q)
        let y2r = load4(r0 + j + 2 * q), y2i = load4(i0 + j + 2 * q)
        let y3r = load4(r0 + j + 3 * q), y3i = load4(i0 + j + 3 * q)
        // t1 = conj(w2)·y1, t2 = conj(w1)·y2, t3 = conj(w3)·y3
        let c2r = load4(w2r + j), c2i = load4(w2i + j)
        let t1r = (y1r * c2r).addingProduct(y1i, c2i), t1i = (y1i * c2r).addingProduct(-y1r, c2i)
        let c1r = load4(w1r + j), c1i = load4(w1i + j)
        let t2r = (y2r * c1r).addingProduct(y2i, c1i), t2i = (y2i * c1r).addingProduct(-y2r, c1i)
        let c3r = load4(w3r + j), c3i = load4(w3i + j)
        let t3r = (y3r * c3r).addingProduct(y3i, c3i), t3i = (y3i * c3r).addingProduct(-y3r, c3i)
        let a0r = y0r + t1r, a0i = y0i + t1i, a1r = y0r - t1r, a1i = y0i - t1i
        let sr = t2r + t3r, si = t2i + t3i
        let dr = t2r - t3r, di = t2i - t3i
        store(a0r + sr, r0 + j); store(a0i + si, i0 + j)
        store(a0r - sr, r0 + j + 2 * q); store(a0i - si, i0 + j + 2 * q)
        // x1 = a1 + i·d, x3 = a1 − i·d ; i·d = (−d.im, d.re)
        store(a1r - di, r0 + j + q); store(a1i + dr, i0 + j + q)
        store(a1r + di, r0 + j + 3 * q); store(a1i - dr, i0 + j + 3 * q)
        j += 4
      }
      base += 4 * q
    }
  }

  // MARK: polynomial <-> Fourier

  /// Forward transform of an integer polynomial whose words are read as signed 64-bit integers.
  /// `out` receives N doubles (split complex).
  @inlinable
  public func forward(signed a: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<Double>) {
    let m = half
    let re = out, im = out + m
    twistRe.withUnsafeBufferPointer { tr in
      twistIm.withUnsafeBufferPointer { ti in
        for j in 0..<m {
          let x = Double(Int64(bitPattern: a[j])), y = Double(Int64(bitPattern: a[j + m]))
          re[j] = x * tr[j] - y * ti[j]
          im[j] = x * ti[j] + y * tr[j]
        }
      }
    }
    fft(re, im)
  }

  /// Twists the folded pair arrays already written in `out` (re = a_j, im = a_{j+M}) and transforms.
  @inlinable
  func forwardInPlace(_ out: UnsafeMutablePointer<Double>) {
    let m = half
    let re = out, im = out + m
    twistRe.withUnsafeBufferPointer { tr in
      twistIm.withUnsafeBufferPointer { ti in
        let trp = tr.baseAddress!, tip = ti.baseAddress!
        var j = 0
        while j < m {
          let x = load4(re + j), y = load4(im + j), c = load4(trp + j), d = load4(tip + j)
          store((x * c).addingProduct(-y, d), re + j)
          store((x * d).addingProduct(y, c), im + j)
          j += 4
        }
      }
    }
    fft(re, im)
  }

  /// Inverse transform of `f` (N doubles, destroyed), rounding to integers and ADDING the result
  /// modulo 2^64 into `acc` (N words).
  @inlinable
  public func backwardAdd(_ f: UnsafeMutablePointer<Double>, into acc: UnsafeMutablePointer<UInt64>) {
    let m = half
    let re = f, im = f + m
    ifft(re, im)
    untwistRe.withUnsafeBufferPointer { ur in
      untwistIm.withUnsafeBufferPointer { ui in
        let urp = ur.baseAddress!, uip = ui.baseAddress!
        var j = 0
        while j < m {
          let x = load4(re + j), y = load4(im + j), c = load4(urp + j), d = load4(uip + j)
          let a = (x * c).addingProduct(-y, d)
          let b = (x * d).addingProduct(y, c)
          let pa = UnsafeMutableRawPointer(acc + j), pb = UnsafeMutableRawPointer(acc + j + m)
          pa.storeBytes(of: pa.loadUnaligned(as: SIMD4<UInt64>.self) &+ wrappingTorus4(a), as: SIMD4<UInt64>.self)
          pb.storeBytes(of: pb.loadUnaligned(as: SIMD4<UInt64>.self) &+ wrappingTorus4(b), as: SIMD4<UInt64>.self)
          j += 4
        }
      }
    }
  }
}

@inline(__always) @usableFromInline
func store(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Double>.self)
}

@inline(__always) @usableFromInline
func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
}

/// `round(x) mod 2^64` for a finite double with |x| < 2^116.
///
/// `x − round(x/2^64)·2^64` is exact (both terms are multiples of ulp(x) and the difference is
/// below 2^63 in magnitude), so only the final conversion rounds.
@inline(__always) @usableFromInline
func wrappingTorus(_ x: Double) -> UInt64 {
  let k = (x * 0x1p-64).rounded(.toNearestOrEven)
  var d = (x - k * 0x1p64).rounded(.toNearestOrEven)
  if d >= 0x1p63 { d -= 0x1p64 }
  return UInt64(bitPattern: Int64(d))
}

/// Four lanes of `wrappingTorus`, branch-free with AVX2 only (no 64-bit float→int conversion):
/// reduce to `d ∈ [−2^63, 2^63]`, split `d = hi·2^32 + lo` exactly, convert both halves with the
/// 1.5·2^52 trick.
@inline(__always) @usableFromInline
func wrappingTorus4(_ x: SIMD4<Double>) -> SIMD4<UInt64> {
  let k = (x * 0x1p-64).rounded(.toNearestOrEven)
  let d = (x - k * 0x1p64).rounded(.toNearestOrEven)
  let hi = (d * 0x1p-32).rounded(.down)
  let lo = d - hi * 0x1p32
  let magic = SIMD4<Double>(repeating: 6755399441055744.0)
  let magicBits = SIMD4<UInt64>(repeating: 0x4338_0000_0000_0000)
  let hiI = unsafeBitCast(hi + magic, to: SIMD4<UInt64>.self) &- magicBits
  let loI = unsafeBitCast(lo + magic, to: SIMD4<UInt64>.self) &- magicBits
  return (hiI &<< 32) &+ loI
}

final class PlanCache: @unchecked Sendable {
  // Guarded by `lock`.
  private var plans: [Int: FourierPlan] = [:]
  private let lock = NSLock()
  func plan(for n: Int) -> FourierPlan {
    lock.lock(); defer { lock.unlock() }
    if let p = plans[n] { return p }
    let p = FourierPlan(polynomialSize: n)
    plans[n] = p
    return p
  }
}
