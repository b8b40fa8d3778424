#include "TFHEKernels.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

int tfhe_kernels_available(void) { return 1; }

// 4×4 transpose: on return, vector e holds element e of the four input vectors.
static inline void transpose4(__m256d *a, __m256d *b, __m256d *c, __m256d *d) {
  __m256d t0 = _mm256_unpacklo_pd(*a, *b);  // a0 b0 a2 b2
  __m256d t1 = _mm256_unpackhi_pd(*a, *b);  // a1 b1 a3 b3
  __m256d t2 = _mm256_unpacklo_pd(*c, *d);  // c0 d0 c2 d2
  __m256d t3 = _mm256_unpackhi_pd(*c, *d);  // c1 d1 c3 d3
  *a = _mm256_permute2f128_pd(t0, t2, 0x20);
  *b = _mm256_permute2f128_pd(t1, t3, 0x20);
  *c = _mm256_permute2f128_pd(t0, t2, 0x31);
  *d = _mm256_permute2f128_pd(t1, t3, 0x31);
}

static inline void load_transposed(const double *p, __m256d *x0, __m256d *x1, __m256d *x2, __m256d *x3) {
  *x0 = _mm256_loadu_pd(p); *x1 = _mm256_loadu_pd(p + 4); *x2 = _mm256_loadu_pd(p + 8); *x3 = _mm256_loadu_pd(p + 12);
  transpose4(x0, x1, x2, x3);
}

static inline void store_transposed(double *p, __m256d x0, __m256d x1, __m256d x2, __m256d x3) {
  transpose4(&x0, &x1, &x2, &x3);
  _mm256_storeu_pd(p, x0); _mm256_storeu_pd(p + 4, x1); _mm256_storeu_pd(p + 8, x2); _mm256_storeu_pd(p + 12, x3);
}

int tfhe_last_two_stages_dif(double *re, double *im, ptrdiff_t count) {
  for (ptrdiff_t g = 0; g < count; g += 16) {
    __m256d x0r, x1r, x2r, x3r, x0i, x1i, x2i, x3i;
    load_transposed(re + g, &x0r, &x1r, &x2r, &x3r);
    load_transposed(im + g, &x0i, &x1i, &x2i, &x3i);
    __m256d a0r = _mm256_add_pd(x0r, x2r), a0i = _mm256_add_pd(x0i, x2i);
    __m256d a2r = _mm256_sub_pd(x0r, x2r), a2i = _mm256_sub_pd(x0i, x2i);
    __m256d a1r = _mm256_add_pd(x1r, x3r), a1i = _mm256_add_pd(x1i, x3i);
    __m256d a3r = _mm256_sub_pd(x1i, x3i), a3i = _mm256_sub_pd(x3r, x1r);  // (x1 − x3)·(−i)
    store_transposed(re + g, _mm256_add_pd(a0r, a1r), _mm256_sub_pd(a0r, a1r), _mm256_add_pd(a2r, a3r), _mm256_sub_pd(a2r, a3r));
    store_transposed(im + g, _mm256_add_pd(a0i, a1i), _mm256_sub_pd(a0i, a1i), _mm256_add_pd(a2i, a3i), _mm256_sub_pd(a2i, a3i));
  }
  return 1;
}

int tfhe_last_two_stages_dit(double *re, double *im, ptrdiff_t count) {
  for (ptrdiff_t g = 0; g < count; g += 16) {
    __m256d y0r, y1r, y2r, y3r, y0i, y1i, y2i, y3i;
    load_transposed(re + g, &y0r, &y1r, &y2r, &y3r);
    load_transposed(im + g, &y0i, &y1i, &y2i, &y3i);
    __m256d a0r = _mm256_add_pd(y0r, y1r), a0i = _mm256_add_pd(y0i, y1i);
    __m256d a1r = _mm256_sub_pd(y0r, y1r), a1i = _mm256_sub_pd(y0i, y1i);
    __m256d a2r = _mm256_add_pd(y2r, y3r), a2i = _mm256_add_pd(y2i, y3i);
    __m256d a3r = _mm256_sub_pd(y2r, y3r), a3i = _mm256_sub_pd(y2i, y3i);
    __m256d tr = _mm256_xor_pd(a3i, _mm256_set1_pd(-0.0)), ti = a3r;  // a3·i
    store_transposed(re + g, _mm256_add_pd(a0r, a2r), _mm256_add_pd(a1r, tr), _mm256_sub_pd(a0r, a2r), _mm256_sub_pd(a1r, tr));
    store_transposed(im + g, _mm256_add_pd(a0i, a2i), _mm256_add_pd(a1i, ti), _mm256_sub_pd(a0i, a2i), _mm256_sub_pd(a1i, ti));
  }
  return 1;
}

// t = y · conj(w), as the Swift code: re = y.re·w.re + y.im·w.im, im = y.im·w.re − y.re·w.im (one FMA each).
static inline void times_conjugate(__m256d yr, __m256d yi, __m256d cr, __m256d ci, __m256d *tr, __m256d *ti) {
  *tr = _mm256_fmadd_pd(yi, ci, _mm256_mul_pd(yr, cr));
  *ti = _mm256_fnmadd_pd(yr, ci, _mm256_mul_pd(yi, cr));
}

int tfhe_radix4_dit(double *re, double *im, ptrdiff_t q,
                    const double *w1r, const double *w1i, const double *w2r, const double *w2i,
                    const double *w3r, const double *w3i, ptrdiff_t lo, ptrdiff_t hi) {
  for (ptrdiff_t base = lo; base < hi; base += 4 * q) {
    double *r0 = re + base, *i0 = im + base;
    for (ptrdiff_t j = 0; j < q; j += 4) {
      __m256d t1r, t1i, t2r, t2i, t3r, t3i;
      times_conjugate(_mm256_loadu_pd(r0 + j + q), _mm256_loadu_pd(i0 + j + q),
                      _mm256_loadu_pd(w2r + j), _mm256_loadu_pd(w2i + j), &t1r, &t1i);
      times_conjugate(_mm256_loadu_pd(r0 + j + 2 * q), _mm256_loadu_pd(i0 + j + 2 * q),
                      _mm256_loadu_pd(w1r + j), _mm256_loadu_pd(w1i + j), &t2r, &t2i);
      times_conjugate(_mm256_loadu_pd(r0 + j + 3 * q), _mm256_loadu_pd(i0 + j + 3 * q),
                      _mm256_loadu_pd(w3r + j), _mm256_loadu_pd(w3i + j), &t3r, &t3i);
      __m256d y0r = _mm256_loadu_pd(r0 + j), y0i = _mm256_loadu_pd(i0 + j);
      __m256d a0r = _mm256_add_pd(y0r, t1r), a0i = _mm256_add_pd(y0i, t1i);
      __m256d a1r = _mm256_sub_pd(y0r, t1r), a1i = _mm256_sub_pd(y0i, t1i);
      __m256d sr = _mm256_add_pd(t2r, t3r), si = _mm256_add_pd(t2i, t3i);
      __m256d dr = _mm256_sub_pd(t2r, t3r), di = _mm256_sub_pd(t2i, t3i);
      _mm256_storeu_pd(r0 + j, _mm256_add_pd(a0r, sr)); _mm256_storeu_pd(i0 + j, _mm256_add_pd(a0i, si));
      _mm256_storeu_pd(r0 + j + 2 * q, _mm256_sub_pd(a0r, sr)); _mm256_storeu_pd(i0 + j + 2 * q, _mm256_sub_pd(a0i, si));
      // x1 = a1 + i·d, x3 = a1 − i·d
      _mm256_storeu_pd(r0 + j + q, _mm256_sub_pd(a1r, di)); _mm256_storeu_pd(i0 + j + q, _mm256_add_pd(a1i, dr));
      _mm256_storeu_pd(r0 + j + 3 * q, _mm256_add_pd(a1r, di)); _mm256_storeu_pd(i0 + j + 3 * q, _mm256_sub_pd(a1i, dr));
    }
  }
  return 1;
}

#else

int tfhe_kernels_available(void) { return 0; }

int tfhe_last_two_stages_dif(double *re, double *im, ptrdiff_t count) { (void)re; (void)im; (void)count; return 0; }
int tfhe_last_two_stages_dit(double *re, double *im, ptrdiff_t count) { (void)re; (void)im; (void)count; return 0; }
int tfhe_radix4_dit(double *re, double *im, ptrdiff_t q,
                    const double *w1r, const double *w1i, const double *w2r, const double *w2i,
                    const double *w3r, const double *w3i, ptrdiff_t lo, ptrdiff_t hi) {
  (void)re; (void)im; (void)q; (void)w1r; (void)w1i; (void)w2r; (void)w2i; (void)w3r; (void)w3i; (void)lo; (void)hi;
  return 0;
}

#endif
