#ifndef FIRPIPE_CFFTW_SHIM_H
#define FIRPIPE_CFFTW_SHIM_H
// Single precision only: firpipe computes in float32 and keeps float64 for test references.
#include <fftw3.h>
#endif
