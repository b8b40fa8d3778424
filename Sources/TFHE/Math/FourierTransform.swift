import Foundation
import TFHEKernels

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
  @usableFromInline let twistRe: AlignedDoubles, twistIm: AlignedDoubles
  @usableFromInline let untwistRe: AlignedDoubles, untwistIm: AlignedDoubles
  /// Twiddles of the stage with half-block `h` live at `[h, 2h)`: `exp(-2πi·j/(2h))`.
  @usableFromInline let twRe: AlignedDoubles, twIm: AlignedDoubles
  /// `exp(-2πi·3j/(2h))` at `[h, h + h/2)`: the third twiddle of a radix-4 pass.
  @usableFromInline let tw3Re: AlignedDoubles, tw3Im: AlignedDoubles
  /// Whether the passes the Swift compiler vectorizes badly run as the C kernels of
  /// `TFHEKernels` (AVX2 builds; same arithmetic, bit-for-bit the same results).
  @usableFromInline let usesNativeKernels: Bool

  /// Whether this build has the AVX2 kernels (x86-64).
  public static var nativeKernelsAvailable: Bool { tfhe_kernels_available() != 0 }

  /// `nativeKernels: false` keeps every pass in portable Swift (tests compare the two).
  public init(polynomialSize n: Int, nativeKernels: Bool = true) {
    precondition(n >= 32 && n & (n - 1) == 0, "polynomial size must be a power of two >= 32")
    usesNativeKernels = nativeKernels && FourierPlan.nativeKernelsAvailable
    polynomialSize = n
    half = n / 2
    let m = n / 2
    var tr = [Double](repeating: 0, count: m), ti = tr, ur = tr, ui = tr
    for j in 0..<m {
      let angle = Double.pi * Double(j) / Double(n)
      tr[j] = cos(angle); ti[j] = sin(angle)
      ur[j] = cos(angle) / Double(m); ui[j] = -sin(angle) / Double(m)
    }
    twistRe = AlignedDoubles(tr); twistIm = AlignedDoubles(ti)
    untwistRe = AlignedDoubles(ur); untwistIm = AlignedDoubles(ui)
    var wr = [Double](repeating: 0, count: m), wi = wr
    var h = 1
    while h < m {
      for j in 0..<h {
        let angle = -2 * Double.pi * Double(j) / Double(2 * h)
        wr[h + j] = cos(angle); wi[h + j] = sin(angle)
      }
      h <<= 1
    }
    twRe = AlignedDoubles(wr); twIm = AlignedDoubles(wi)
    var w3r = [Double](repeating: 0, count: m), w3i = w3r
    h = 2
    while h < m {
      for j in 0..<(h / 2) {
        let angle = -2 * Double.pi * Double(3 * j) / Double(2 * h)
        w3r[h + j] = cos(angle); w3i[h + j] = sin(angle)
      }
      h <<= 1
    }
    tw3Re = AlignedDoubles(w3r); tw3Im = AlignedDoubles(w3i)
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
    // Passes on blocks larger than `cacheBlock` points sweep the whole array; the rest run
    // block by block (depth first) so that each block stays in L1 for its remaining stages.
    let block = min(m, FourierPlan.cacheBlock)
    twRe.withUnsafeBufferPointer { twr in
      twIm.withUnsafeBufferPointer { twi in
        tw3Re.withUnsafeBufferPointer { t3r in
          tw3Im.withUnsafeBufferPointer { t3i in
            let wr = twr.baseAddress!, wi = twi.baseAddress!, w3r = t3r.baseAddress!, w3i = t3i.baseAddress!
            func run(from h0: Int, lo: Int, hi: Int, minSpan: Int) -> Int {
              // Applies passes starting at half-block h0 while their span (block size) ≥ minSpan.
              var h = h0
              var remaining = 0
              var tt = h
              while tt >= 4 { remaining += 1; tt >>= 1 }
              if remaining % 2 == 1 && 2 * h >= minSpan {
                radix2DIF(re, im, h: h, wr: wr + h, wi: wi + h, lo: lo, hi: hi)
                h >>= 1
              }
              while h >= 8 && 2 * h >= minSpan {
                let q = h >> 1
                radix4DIF(re, im, q: q, w1r: wr + h, w1i: wi + h, w2r: wr + q, w2i: wi + q,
                          w3r: w3r + h, w3i: w3i + h, lo: lo, hi: hi)
                h >>= 2
              }
              return h
            }
            // Large passes over the whole array.
            let h1 = run(from: m >> 1, lo: 0, hi: m, minSpan: 2 * block)
            // Small passes, block by block, then the fused last two stages.
            var lo = 0
            while lo < m {
              _ = run(from: h1, lo: lo, hi: lo + block, minSpan: 0)
              lastTwoStagesDIF(re + lo, im + lo, count: block)
              lo += block
            }
          }
        }
      }
    }
  }

  /// Points per depth-first block (16 KiB of split-complex data: fits L1 with the twiddles).
  @usableFromInline static let cacheBlock = 1024

  /// Stages h = 2 and h = 1, fused (twiddles 1, −i, then 1), 4 groups at a time:
  /// transpose 4×4 so that lane l holds group l.
  @inline(__always) @usableFromInline
  func lastTwoStagesDIF(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, count: Int) {
    // The C kernel (AVX2 builds) does the same arithmetic with real shuffles; the compiler
    // scalarized the transposes below.
    if usesNativeKernels && tfhe_last_two_stages_dif(re, im, count) != 0 { return }
    var g = 0
    while g < count {
      var (x0r, x1r, x2r, x3r) = transpose4(re + g)
      var (x0i, x1i, x2i, x3i) = transpose4(im + g)
      let a0r = x0r + x2r, a0i = x0i + x2i, a2r = x0r - x2r, a2i = x0i - x2i
      let a1r = x1r + x3r, a1i = x1i + x3i
      let a3r = x1i - x3i, a3i = x3r - x1r  // (x1 − x3)·(−i)
      x0r = a0r + a1r; x0i = a0i + a1i
      x1r = a0r - a1r; x1i = a0i - a1i
      x2r = a2r + a3r; x2i = a2i + a3i
      x3r = a2r - a3r; x3i = a2i - a3i
      storeTransposed4(x0r, x1r, x2r, x3r, re + g)
      storeTransposed4(x0i, x1i, x2i, x3i, im + g)
      g += 16
    }
  }

  @inline(__always) @usableFromInline
  func radix2DIF(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, h: Int,
                 wr: UnsafePointer<Double>, wi: UnsafePointer<Double>, lo: Int = 0, hi: Int = -1) {
    var base = lo
    let end = hi < 0 ? half : hi
    while base < end {
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
                 w3r: UnsafePointer<Double>, w3i: UnsafePointer<Double>, lo: Int = 0, hi: Int = -1) {
    var base = lo
    let end = hi < 0 ? half : hi
    while base < end {
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
    let block = min(m, FourierPlan.cacheBlock)
    twRe.withUnsafeBufferPointer { twr in
      twIm.withUnsafeBufferPointer { twi in
        tw3Re.withUnsafeBufferPointer { t3r in
          tw3Im.withUnsafeBufferPointer { t3i in
            let wr = twr.baseAddress!, wi = twi.baseAddress!, w3r = t3r.baseAddress!, w3i = t3i.baseAddress!
            // Stages h = 4 … m/2 as radix-4 pairs (h = q, 2q) from the bottom; an odd top stage
            // is radix-2. Passes whose span fits in a block run block by block.
            var total = 0
            var t = 4
            while t < m { total += 1; t <<= 1 }
            func run(from h0: Int, stagesLeft: Int, lo: Int, hi: Int, maxSpan: Int) -> (Int, Int) {
              var h = h0, left = stagesLeft
              while left >= 2 && 4 * h <= maxSpan {
                radix4DIT(re, im, q: h, w1r: wr + 2 * h, w1i: wi + 2 * h, w2r: wr + h, w2i: wi + h,
                          w3r: w3r + 2 * h, w3i: w3i + 2 * h, lo: lo, hi: hi)
                h <<= 2
                left -= 2
              }
              if left == 1 && 2 * h <= maxSpan {
                radix2DIT(re, im, h: h, wr: wr + h, wi: wi + h, lo: lo, hi: hi)
                h <<= 1
                left -= 1
              }
              return (h, left)
            }
            var lo = 0
            var state = (4, total)
            while lo < m {
              lastTwoStagesDIT(re + lo, im + lo, count: block)
              state = run(from: 4, stagesLeft: total, lo: lo, hi: lo + block, maxSpan: block)
              lo += block
            }
            _ = run(from: state.0, stagesLeft: state.1, lo: 0, hi: m, maxSpan: Int.max)
          }
        }
      }
    }
  }

  /// Inverse of `lastTwoStagesDIF` (stages h = 1 then h = 2 of the DIT transform).
  @inline(__always) @usableFromInline
  func lastTwoStagesDIT(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, count: Int) {
    if usesNativeKernels && tfhe_last_two_stages_dit(re, im, count) != 0 { return }
    var g = 0
    while g < count {
      var (y0r, y1r, y2r, y3r) = transpose4(re + g)
      var (y0i, y1i, y2i, y3i) = transpose4(im + g)
      let a0r = y0r + y1r, a0i = y0i + y1i, a1r = y0r - y1r, a1i = y0i - y1i
      let a2r = y2r + y3r, a2i = y2i + y3i, a3r = y2r - y3r, a3i = y2i - y3i
      let tr = -a3i, ti = a3r  // a3·i
      y0r = a0r + a2r; y0i = a0i + a2i
      y2r = a0r - a2r; y2i = a0i - a2i
      y1r = a1r + tr; y1i = a1i + ti
      y3r = a1r - tr; y3i = a1i - ti
      storeTransposed4(y0r, y1r, y2r, y3r, re + g)
      storeTransposed4(y0i, y1i, y2i, y3i, im + g)
      g += 16
    }
  }

  @inline(__always) @usableFromInline
  func radix2DIT(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, h: Int,
                 wr: UnsafePointer<Double>, wi: UnsafePointer<Double>, lo: Int = 0, hi: Int = -1) {
    var base = lo
    let end = hi < 0 ? half : hi
    while base < end {
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
                 w3r: UnsafePointer<Double>, w3i: UnsafePointer<Double>, lo: Int = 0, hi: Int = -1) {
    let end = hi < 0 ? half : hi
    if usesNativeKernels && tfhe_radix4_dit(re, im, q, w1r, w1i, w2r, w2i, w3r, w3i, lo, end) != 0 { return }
    var base = lo
    while base < end {
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

/// Loads 16 doubles as 4 groups of 4 and returns them transposed: result `e` holds element `e`
/// of groups 0…3 (half-swaps then even/odd splits, which stay vector shuffles).
@inline(__always) @usableFromInline
func transpose4(_ p: UnsafePointer<Double>) -> (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>) {
  let a = load4(p), b = load4(p + 4), c = load4(p + 8), d = load4(p + 12)
  return transpose4(a, b, c, d)
}

@inline(__always) @usableFromInline
func transpose4(_ a: SIMD4<Double>, _ b: SIMD4<Double>, _ c: SIMD4<Double>, _ d: SIMD4<Double>)
  -> (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>)
{
  let t0 = SIMD4(lowHalf: a.lowHalf, highHalf: b.lowHalf)    // a0 a1 b0 b1
  let t1 = SIMD4(lowHalf: c.lowHalf, highHalf: d.lowHalf)    // c0 c1 d0 d1
  let t2 = SIMD4(lowHalf: a.highHalf, highHalf: b.highHalf)  // a2 a3 b2 b3
  let t3 = SIMD4(lowHalf: c.highHalf, highHalf: d.highHalf)  // c2 c3 d2 d3
  return (SIMD4(lowHalf: t0.evenHalf, highHalf: t1.evenHalf), SIMD4(lowHalf: t0.oddHalf, highHalf: t1.oddHalf),
          SIMD4(lowHalf: t2.evenHalf, highHalf: t3.evenHalf), SIMD4(lowHalf: t2.oddHalf, highHalf: t3.oddHalf))
}

/// Inverse of `transpose4(_:)`: stores element `e` of group `l` from `x_e[l]`.
@inline(__always) @usableFromInline
func storeTransposed4(_ x0: SIMD4<Double>, _ x1: SIMD4<Double>, _ x2: SIMD4<Double>, _ x3: SIMD4<Double>,
                      _ p: UnsafeMutablePointer<Double>) {
  let (a, b, c, d) = transpose4(x0, x1, x2, x3)
  store(a, p); store(b, p + 4); store(c, p + 8); store(d, p + 12)
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
