#ifndef FIRPIPE_CSOXR_H
#define FIRPIPE_CSOXR_H
// libsoxr, for converting a kernel recorded at one sample rate to another (KernelResampler); loaded at
// first use (SoxrLibrary.c), not at start.
#include <soxr.h>

/// NULL once libsoxr (libsoxr.so.0) is loaded, else why it cannot be. Call before any soxr_ function.
/// Any thread.
const char *firpipe_soxr_library_error(void);
#endif
