/// Tensor kernels shared by the float (calibration) and integer (circuit) interpreters.
/// Row-major buffers, batch on axis 0; zero weights are skipped (pruned convolutions).
package enum Kernels {
  /// 2-D convolution `x[N,C,H,W] ⋆ w[O,C/g,kh,kw]`, explicit padding filled with `padValue`.
  /// Maximum over `kernel` windows with `strides` (no padding), NCHW.
  package static func maxPool<T: Comparable>(_ x: [T], _ xs: [Int], kernel k: [Int], strides: [Int]) -> ([T], [Int]) {
    let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3])
    let s = strides.isEmpty ? [1, 1] : strides
    let oh = (h - k[0]) / s[0] + 1, ow = (w - k[1]) / s[1] + 1
    var out: [T] = []
    out.reserveCapacity(n * c * oh * ow)
    for nc in 0..<(n * c) {
      for y in 0..<oh {
        for xo in 0..<ow {
          var m = x[nc * h * w + (y * s[0]) * w + xo * s[1]]
          for ky in 0..<k[0] { for kx in 0..<k[1] { m = max(m, x[nc * h * w + (y * s[0] + ky) * w + xo * s[1] + kx]) } }
          out.append(m)
        }
      }
    }
    return (out, [n, c, oh, ow])
  }

  package static func conv2d<T: Numeric & Comparable>(
    _ x: [T], _ xs: [Int], _ w: [T], _ ws: [Int], pads: [Int], strides: [Int], group: Int, padValue: T
  ) -> ([T], [Int]) {
    let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
    let (o, cg, kh, kw) = (ws[0], ws[1], ws[2], ws[3])
    let p = pads.isEmpty ? [0, 0, 0, 0] : pads
    let s = strides.isEmpty ? [1, 1] : strides
    let ph = h + p[0] + p[2], pw = wd + p[1] + p[3]
    let oh = (ph - kh) / s[0] + 1, ow = (pw - kw) / s[1] + 1
    // Pad once.
    var padded = [T](repeating: padValue, count: n * c * ph * pw)
    for b in 0..<n {
      for ch in 0..<c {
        for y in 0..<h {
          let src = ((b * c + ch) * h + y) * wd
          let dst = ((b * c + ch) * ph + y + p[0]) * pw + p[1]
          for xx in 0..<wd { padded[dst + xx] = x[src + xx] }
        }
      }
    }
    var out = [T](repeating: 0, count: n * o * oh * ow)
    let outPerGroup = o / group
    padded.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { po in
        for oc in 0..<o {
          let g = oc / outPerGroup
          // Nonzero taps of this output channel: (input channel, dy, dx, weight).
          var taps: [(Int, Int, Int, T)] = []
          for ic in 0..<cg {
            for dy in 0..<kh {
              for dx in 0..<kw {
                let v = w[((oc * cg + ic) * kh + dy) * kw + dx]
                if v != 0 { taps.append((g * cg + ic, dy, dx, v)) }
              }
            }
          }
          for b in 0..<n {
            let obase = (b * o + oc) * oh * ow
            for (ic, dy, dx, v) in taps {
              let ibase = (b * c + ic) * ph * pw
              for y in 0..<oh {
                let row = ibase + (y * s[0] + dy) * pw + dx
                let orow = obase + y * ow
                for xx in 0..<ow { po[orow + xx] += px[row + xx * s[1]] * v }
              }
            }
          }
        }
      }
    }
    return (out, [n, o, oh, ow])
  }

  /// `a[M,K] · b[K,N]`.
  package static func matmul<T: Numeric & Comparable>(_ a: [T], m: Int, k: Int, _ b: [T], n: Int) -> [T] {
    var out = [T](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { po in
          for i in 0..<m {
            for kk in 0..<k {
              let av = pa[i * k + kk]
              if av == 0 { continue }
              let brow = kk * n
              let orow = i * n
              for j in 0..<n { po[orow + j] += av * pb[brow + j] }
            }
          }
        }
      }
    }
    return out
  }

  /// Transposes a rank-2 `[r, c]` buffer.
  package static func transpose2<T>(_ a: [T], rows: Int, cols: Int) -> [T] {
    var out = a
    for i in 0..<rows { for j in 0..<cols { out[j * rows + i] = a[i * cols + j] } }
    return out
  }

  /// Permutes dimensions.
  package static func transpose<T>(_ a: [T], shape: [Int], perm: [Int]) -> ([T], [Int]) {
    let outShape = perm.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
    var out: [T] = []
    out.reserveCapacity(a.count)
    var idx = [Int](repeating: 0, count: shape.count)
    for _ in 0..<a.count {
      var off = 0
      for (k, p) in perm.enumerated() { off += idx[k] * inStrides[p] }
      out.append(a[off])
      var d = shape.count - 1
      while d >= 0 {
        idx[d] += 1
        if idx[d] < outShape[d] { break }
        idx[d] = 0
        d -= 1
      }
    }
    return (out, outShape)
  }

  /// Numpy-style broadcast of a binary element-wise op.
  package static func broadcast<T>(_ a: [T], _ ash: [Int], _ b: [T], _ bsh: [Int], _ f: (T, T) -> T) -> ([T], [Int]) {
    // Same shapes (the common case): element by element, no index arithmetic.
    if ash == bsh { return (zip(a, b).map(f), ash) }
    let r = max(ash.count, bsh.count)
    let pa = Array(repeating: 1, count: r - ash.count) + ash
    let pb = Array(repeating: 1, count: r - bsh.count) + bsh
    let out = zip(pa, pb).map { max($0, $1) }
    func strides(_ s: [Int]) -> [Int] {
      var st = [Int](repeating: 0, count: s.count)
      var acc = 1
      for d in stride(from: s.count - 1, through: 0, by: -1) {
        st[d] = s[d] == 1 ? 0 : acc
        acc *= s[d]
      }
      return st
    }
    let sa = strides(pa), sb = strides(pb)
    let total = out.reduce(1, *)
    var res: [T] = []
    res.reserveCapacity(total)
    var idx = [Int](repeating: 0, count: r)
    for _ in 0..<total {
      var oa = 0, ob = 0
      for d in 0..<r {
        oa += idx[d] * sa[d]
        ob += idx[d] * sb[d]
      }
      res.append(f(a[oa], b[ob]))
      var d = r - 1
      while d >= 0 {
        idx[d] += 1
        if idx[d] < out[d] { break }
        idx[d] = 0
        d -= 1
      }
    }
    return (res, out)
  }

  /// The 2-D form of a convolution: a 1-D one (`[N, C, L]`, weights `[O, C/g, K]`, 2 pads, 1
  /// stride) as height 1 (`[N, C, 1, L]`, `[O, C/g, 1, K]`, pads `[0, p0, 0, p1]`, strides
  /// `[1, s]`), as Concrete-ML's QuantizedConv expands it; a 2-D one unchanged.
  package static func conv2dForm(_ x: [Int], _ w: [Int], pads: [Int], strides: [Int]) -> ([Int], [Int], [Int], [Int]) {
    guard x.count == 3 else { return (x, w, pads, strides) }
    let p = pads.isEmpty ? [0, 0] : pads, s = strides.isEmpty ? [1] : strides
    return ([x[0], x[1], 1, x[2]], [w[0], w[1], 1, w[2]], [0, p[0], 0, p[1]], [1, s[0]])
  }

  /// A strided slice: `size[d]` elements from `begin[d]` every `step[d]` along each dimension.
  package static func slice<T>(_ a: [T], shape: [Int], begin: [Int], size: [Int], step: [Int]) -> [T] {
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    var out: [T] = []
    let total = size.reduce(1, *)
    out.reserveCapacity(total)
    var idx = [Int](repeating: 0, count: shape.count)
    for _ in 0..<total {
      var off = 0
      for d in 0..<shape.count { off += (begin[d] + idx[d] * step[d]) * strides[d] }
      out.append(a[off])
      var d = shape.count - 1
      while d >= 0 {
        idx[d] += 1
        if idx[d] < size[d] { break }
        idx[d] = 0
        d -= 1
      }
    }
    return out
  }

  /// ONNX Gather of constant indices along `axis` (numpy `take`): the axis is replaced by the
  /// indices' shape (removed for a scalar index, `indexShape` empty); negative indices count
  /// from the end.
  package static func gather<T>(_ a: [T], shape: [Int], axis: Int, indices: [Int], indexShape: [Int]) -> ([T], [Int]) {
    let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
    var out: [T] = []
    out.reserveCapacity(outer * indices.count * inner)
    for o in 0..<outer {
      for index in indices {
        let i = index < 0 ? index + shape[axis] : index
        let base = (o * shape[axis] + i) * inner
        out.append(contentsOf: a[base..<(base + inner)])
      }
    }
    return (out, Array(shape[..<axis]) + indexShape + Array(shape[(axis + 1)...]))
  }

  /// Concatenation along `axis` (numpy `concatenate`).
  package static func concat<T>(_ parts: [[T]], shapes: [[Int]], axis: Int) -> ([T], [Int]) {
    var out: [T] = []
    out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    let outer = shapes[0][..<axis].reduce(1, *)
    for o in 0..<outer {
      for (p, s) in zip(parts, shapes) {
        let block = s[axis...].reduce(1, *)
        out.append(contentsOf: p[(o * block)..<((o + 1) * block)])
      }
    }
    var shape = shapes[0]
    shape[axis] = shapes.map { $0[axis] }.reduce(0, +)
    return (out, shape)
  }

  /// The shape after summing over `axes`.
  package static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
    shape.enumerated().compactMap { k, d in axes.contains(k) ? (keepDims ? 1 : nil) : d }
  }

  /// Sum over `axes` (numpy `sum(axis=axes, keepdims=…)`), in row-major order of the input.
  package static func sum<T: Numeric>(_ a: [T], shape: [Int], axes: [Int], keepDims: Bool) -> ([T], [Int]) {
    let kept = shape.enumerated().map { k, d in axes.contains(k) ? 1 : d }
    var out = [T](repeating: 0, count: kept.reduce(1, *))
    var idx = [Int](repeating: 0, count: shape.count)
    for i in a.indices {
      var off = 0
      for d in 0..<shape.count { off = off * kept[d] + (axes.contains(d) ? 0 : idx[d]) }
      out[off] += a[i]
      var d = shape.count - 1
      while d >= 0 {
        idx[d] += 1
        if idx[d] < shape[d] { break }
        idx[d] = 0
        d -= 1
      }
    }
    return (out, reducedShape(shape, axes: axes, keepDims: keepDims))
  }

  /// Constant padding of every dimension (`pads` = all begins then all ends).
  package static func pad<T>(_ a: [T], shape: [Int], pads: [Int], value: T) -> ([T], [Int]) {
    let r = shape.count
    let outShape = (0..<r).map { shape[$0] + pads[$0] + pads[$0 + r] }
    var out = [T](repeating: value, count: outShape.reduce(1, *))
    var idx = [Int](repeating: 0, count: r)
    for i in 0..<a.count {
      var off = 0
      for d in 0..<r { off = off * outShape[d] + idx[d] + pads[d] }
      out[off] = a[i]
      var d = r - 1
      while d >= 0 {
        idx[d] += 1
        if idx[d] < shape[d] { break }
        idx[d] = 0
        d -= 1
      }
    }
    return (out, outShape)
  }
}
