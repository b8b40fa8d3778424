#ifndef TFHE_KERNELS_H
#define TFHE_KERNELS_H

#include <stddef.h>

/// 1 when the kernels below are compiled (AVX2 and FMA), else 0.
int tfhe_kernels_available(void);

/// The two smallest stages (half-blocks 2 and 1) of TFHE's radix-2 FFT on split-complex data,
/// for `count` points (a multiple of 16), written with AVX2 shuffles: Swift's compiler turned the
/// same 4×4 transposes into scalar code (43 % of a forward transform's time at N = 1024).
/// The arithmetic is the same, in the same order, as the portable Swift version
/// (`FourierPlan.lastTwoStagesDIF` / `lastTwoStagesDIT`), so results are bit-for-bit equal.
/// Each returns 0 when this build has no AVX2 version (the caller then runs the Swift one).
int tfhe_last_two_stages_dif(double *re, double *im, ptrdiff_t count);
int tfhe_last_two_stages_dit(double *re, double *im, ptrdiff_t count);

/// One radix-4 pass of the inverse (decimation-in-time) FFT over blocks `[lo, hi)` of `4·q`
/// points, as `FourierPlan.radix4DIT`: the Swift version spilled registers and split vectors in
/// halves (the inverse transform took 1.5× the forward one). Same arithmetic, same order.
int tfhe_radix4_dit(double *re, double *im, ptrdiff_t q,
                    const double *w1r, const double *w1i, const double *w2r, const double *w2i,
                    const double *w3r, const double *w3i, ptrdiff_t lo, ptrdiff_t hi);

#endif
