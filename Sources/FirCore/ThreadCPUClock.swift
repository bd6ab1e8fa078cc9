internal import Glibc

/// CPU time of the calling thread, for the per-stage loads of `firpipe status`.
public enum ThreadCPUClock {
    /// Nanoseconds of CPU the calling thread has used (CLOCK_THREAD_CPUTIME_ID); 0 if unavailable. One
    /// system call: call it per block or per job, not per sample.
    public static func now() -> UInt64 {
        var ts = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 else { return 0 }
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
