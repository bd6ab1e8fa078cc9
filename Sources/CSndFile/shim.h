#ifndef FIRPIPE_CSNDFILE_SHIM_H
#define FIRPIPE_CSNDFILE_SHIM_H
#include <sndfile.h>

#ifdef __linux__
// Declared here because <fcntl.h> hides it without _GNU_SOURCE, which a module's headers cannot set
// before the system modules are built. Linux: int sync_file_range(int, off64_t, off64_t, unsigned int).
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);
#endif

/// Starts writing the file's dirty pages to disk without waiting (Linux sync_file_range with
/// SYNC_FILE_RANGE_WRITE), so the fsync that completes an output has little left to do. Returns 0, or
/// -1 with errno; a no-op elsewhere.
static inline int firpipe_start_writeback(int fd) {
#ifdef __linux__
    return sync_file_range(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */);
#else
    (void)fd;
    return 0;
#endif
}
#endif
