#ifndef FIRPIPE_CFFTW_SHIM_H
#define FIRPIPE_CFFTW_SHIM_H
// Single precision only: firpipe computes in float32 and keeps float64 for test references.
#include <fftw3.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/// Makes the calling thread flush denormal floats to zero (FTZ and DAZ on x86; a no-op elsewhere).
/// A decaying reverb tail or a fade to silence otherwise drives FFTs and multiply-adds into denormals,
/// which run tens of times slower; values that small (below 1e-38) are far under any audio noise floor.
static inline void firpipe_flush_denormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ (bit 15) | DAZ (bit 6)
#endif
}

/// FFTW's version string (`fftwf_version`, e.g. "fftw-3.3.10-sse2-avx"): an array of unknown size,
/// which Swift does not import as a value.
static inline const char *firpipe_fftw_version(void) { return fftwf_version; }

#endif
