internal import CSystem
internal import CFFTW
internal import Glibc

/// Per-thread settings that a thread makes for itself.
public enum CurrentThread {
    /// Names the calling thread as top -H, ps and /proc show it (Linux keeps the first 15 bytes).
    ///
    /// Call it first thing on the new thread: Foundation's `Thread.name`, set from outside before
    /// `start()`, does not reach the system thread on Linux, which then keeps the name of the thread that
    /// started it. Runs on the thread being named.
    public static func setName(_ name: String) {
        firpipe_name_thread(name)
    }

    /// Sleeps the calling thread for `seconds` (pacing and retry pauses, never on the audio path), the
    /// whole time even when signals interrupt it.
    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&left, &remaining) != 0 && errno == EINTR { left = remaining }
    }
}
