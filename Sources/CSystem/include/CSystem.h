#ifndef FIRPIPE_CSYSTEM_H
#define FIRPIPE_CSYSTEM_H
// The few Linux calls Swift's Glibc module hides (variadic, or declared only with _GNU_SOURCE, which a
// module's headers cannot set before the system modules are built), wrapped once for every module:
// thread names and the malloc threshold for FirCore, disk reservation, write-back and unnamed files for
// FirAudio. The C libraries' shims (CFFTW, CSndFile) keep only their libraries.
#include <errno.h>
#include <fcntl.h>
#if defined(__linux__)
#include <sys/prctl.h>
#include <malloc.h>
#endif

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

#ifdef __linux__
// Declared here because <fcntl.h> hides it without _GNU_SOURCE, which a module's headers cannot set
// before the system modules are built. Linux: int sync_file_range(int, off64_t, off64_t, unsigned int).
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);
// The same for fallocate64, whose offsets are 64-bit on every Linux (fallocate's follow off_t).
extern int fallocate64(int fd, int mode, long long offset, long long len);
// And syncfs, declared in <unistd.h> only with _GNU_SOURCE.
extern int syncfs(int fd);
#endif

/// Flushes every dirty file of the file system holding `fd` and waits (Linux syncfs; since 5.8 it reports
/// write-back errors). Returns 0, or -1 with errno. Elsewhere -1 with ENOSYS.
static inline int firpipe_sync_file_system(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}

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

/// Reserves disk blocks for the first `bytes` bytes of the file without changing its size (Linux
/// fallocate with FALLOC_FL_KEEP_SIZE). Returns 0, or -1 with errno: ENOSPC or EDQUOT when the disk or
/// quota cannot hold them, EOPNOTSUPP where the file system cannot reserve. Elsewhere -1 with ENOSYS.
static inline int firpipe_reserve(int fd, long long bytes) {
#ifdef __linux__
    return fallocate64(fd, 1 /* FALLOC_FL_KEEP_SIZE */, 0, bytes);
#else
    (void)fd;
    (void)bytes;
    errno = ENOSYS;
    return -1;
#endif
}

/// Opens an unnamed regular file in directory `dir` for reading and writing (Linux O_TMPFILE), with
/// `mode` less the umask, as open(2) with O_CREAT would give it. Returns the descriptor, or -1 with errno:
/// EOPNOTSUPP, EISDIR or EINVAL where the kernel or file system cannot make one. Elsewhere -1, EOPNOTSUPP.
static inline int firpipe_open_unnamed(const char *dir, unsigned int mode) {
#if defined(__linux__) && defined(__O_TMPFILE)
    // <fcntl.h> defines O_TMPFILE only with _GNU_SOURCE (see above); __O_TMPFILE includes O_DIRECTORY.
    return open(dir, __O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
#else
    (void)dir;
    (void)mode;
    errno = EOPNOTSUPP;
    return -1;
#endif
}
#endif
