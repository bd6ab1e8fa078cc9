#ifndef FIRPIPE_CFFTW_SHIM_H
#define FIRPIPE_CFFTW_SHIM_H
// Single precision only: firpipe computes in float32 and keeps float64 for test references.
#include <fftw3.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#if defined(__linux__)
#include <sys/prctl.h>
#include <malloc.h>
#endif

/// Makes the calling thread flush denormal floats to zero (FTZ and DAZ on x86; a no-op elsewhere).
/// A decaying reverb tail or a fade to silence otherwise drives FFTs and multiply-adds into denormals,
/// which run tens of times slower; values that small (below 1e-38) are far under any audio noise floor.
static inline void firpipe_flush_denormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ (bit 15) | DAZ (bit 6)
#endif
}

/// Names the calling thread as top -H, ps and /proc show it (Linux keeps the first 15 bytes); a no-op
/// elsewhere. Here because prctl is variadic, which Swift cannot call, and pthread_setname_np is hidden
/// from Swift's Glibc module without _GNU_SOURCE.
static inline void firpipe_name_thread(const char *name) {
#if defined(__linux__)
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
#endif
}
/// Makes every allocation of `bytes` or more its own mapping, returned to the system when freed. glibc
/// otherwise raises its mmap threshold after the first large free, and a daemon that replaces its kernel
/// spectra on each reload then fragments its heap. Here because mallopt is hidden from Swift's Glibc.
static inline void firpipe_fixed_mmap_threshold(int bytes) {
#if defined(__linux__)
    mallopt(M_MMAP_THRESHOLD, bytes);
#endif
}
#endif
