#ifndef FIRPIPE_CSYSTEM_H
#define FIRPIPE_CSYSTEM_H
// The few Linux calls Swift's Glibc module hides (variadic, or declared only with _GNU_SOURCE, which a
// module's headers cannot set before the system modules are built), wrapped once for every module:
// thread names and the malloc threshold for FirCore, disk reservation, write-back, unnamed files and a
// byte search for FirAudio. The C libraries' shims (CFFTW, CSndFile) keep only their libraries.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
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
// And memmem, declared in <string.h> only with _GNU_SOURCE.
extern void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
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

/// Loads the shared library `soname` (dlopen, as the dynamic linker would find it: LD_LIBRARY_PATH, so
/// `pw-jack` still swaps in PipeWire's libjack) and looks up `count` functions named in `names` into
/// `table`. Returns NULL, or why not (dlerror's text) copied into `error`. For the libraries only some
/// commands use (alsa-lib, libjack, libsoxr): linked at start, they and their own dependencies (libdb,
/// libgomp) took about a third of `firpipe --version`'s 4.5 ms before main.
const char *firpipe_load_library(const char *soname, const char *const names[], void *table[], int count,
                                 char *error, int errorSize);

// A C library loaded at its first use instead of at start (firpipe_load_library): the library's
// functions the program calls, each defined in its C target as a hidden forwarder through a table filled by
// dlopen, so Swift calls them by their own names and nothing else changes. Hidden, because the
// executable exports its symbols: a visible `snd_pcm_open` would take the library's own calls to it.
//
// Include CSystem.h first, then `#pragma GCC visibility push(hidden)`, then the library's header: a
// hidden declaration of a function defined elsewhere (pthread_once, dlopen) would not link.
//
// FIRPIPE_LAZY_LIBRARY(prefix, soname, LIST) declares the table `prefix_fn` from LIST (an X-macro of
// the function names) and defines `const char *prefix_library_error(void)`: NULL once loaded, else
// why not; it loads once (pthread_once) and must be called before any of the functions is.
#define FIRPIPE_LAZY_FIELD(name) __typeof__(&name) name;
#define FIRPIPE_LAZY_NAME(name) #name,
#define FIRPIPE_LAZY_LIBRARY(prefix, soname, LIST)                                                      \
    static struct { LIST(FIRPIPE_LAZY_FIELD) } prefix##_fn;                                             \
    static const char *const prefix##_names[] = { LIST(FIRPIPE_LAZY_NAME) };                            \
    static pthread_once_t prefix##_once = PTHREAD_ONCE_INIT;                                            \
    static char prefix##_why[512];                                                                      \
    static const char *prefix##_error;                                                                  \
    static void prefix##_load(void) {                                                                   \
        prefix##_error = firpipe_load_library(soname, prefix##_names, (void **)&prefix##_fn,            \
                                              (int)(sizeof prefix##_names / sizeof *prefix##_names),    \
                                              prefix##_why, (int)sizeof prefix##_why);                  \
    }                                                                                                   \
    const char *prefix##_library_error(void) {                                                          \
        pthread_once(&prefix##_once, prefix##_load);                                                    \
        return prefix##_error;                                                                          \
    }

#endif
