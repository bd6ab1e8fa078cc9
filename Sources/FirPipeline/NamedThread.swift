import FirCore
internal import Foundation

/// Starting a thread under a name the system shows (top -H, ps, /proc/PID/task/*/comm).
///
/// The names: a batch job's `firpipe-read` and `firpipe-work-N` (its writer is the thread that runs the
/// job), the stream engine's `firpipe-reader`, `firpipe-filter` and `firpipe-writer`, the spool's
/// `firpipe-spool` and `firpipe-job`, the control socket's `firpipe-control`, and `firpipe-waiter` and
/// `firpipe-drain`, which wait on the stream and the spool at shutdown.
public enum NamedThread {
    /// Starts `body` on a new thread named `name` (the first 15 bytes). The name is set from inside:
    /// Foundation's `Thread.name`, set before `start()`, does not reach the kernel on Linux, and the
    /// thread would keep the name of the one that started it.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            CurrentThread.setName(name)
            body()
        }
        thread.start()
    }
}
