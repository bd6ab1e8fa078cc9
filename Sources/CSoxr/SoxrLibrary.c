// libsoxr's functions firpipe calls, forwarded to libsoxr.so.0 once loaded (CSystem.h says why; it
// also brings in libgomp).
#include "CSystem.h"
#pragma GCC visibility push(hidden)
#include "CSoxr.h"

#define SOXR_FUNCTIONS(X) X(soxr_io_spec) X(soxr_oneshot) X(soxr_quality_spec)

FIRPIPE_LAZY_LIBRARY(firpipe_soxr, "libsoxr.so.0", SOXR_FUNCTIONS)
#define F firpipe_soxr_fn

soxr_io_spec_t soxr_io_spec(soxr_datatype_t in, soxr_datatype_t out) { return F.soxr_io_spec(in, out); }
soxr_quality_spec_t soxr_quality_spec(unsigned long recipe, unsigned long flags) { return F.soxr_quality_spec(recipe, flags); }
soxr_error_t soxr_oneshot(double inRate, double outRate, unsigned channels, soxr_in_t in, size_t inLength,
                          size_t *inDone, soxr_out_t out, size_t outLength, size_t *outDone,
                          soxr_io_spec_t const *io, soxr_quality_spec_t const *quality,
                          soxr_runtime_spec_t const *runtime) {
    return F.soxr_oneshot(inRate, outRate, channels, in, inLength, inDone, out, outLength, outDone, io, quality, runtime);
}
