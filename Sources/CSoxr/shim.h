#ifndef FIRPIPE_CSOXR_SHIM_H
#define FIRPIPE_CSOXR_SHIM_H
// libsoxr, for converting a kernel recorded at one sample rate to another (KernelResampler).
#include <soxr.h>
#endif
