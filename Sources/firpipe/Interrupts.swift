import FirCore
import Synchronization
import Glibc

/// SIGINT and SIGTERM, from the process's first moment to its last: a signal handler that only writes
/// the signal's number to a pipe, and a thread started before anything else that reads it and calls
/// the handler a command registered (a running job's `cancel`), so the job stops and removes its
/// temporary file instead of dying with it in place. A second signal exits at once. A signal while no
/// handler is registered (parsing the command line, before a job exists, or after it is done) exits
/// at once with 130 and one line: nothing is being written then.
///
/// Not Dispatch signal sources: between their `signal(SIG_IGN)` and the source's registration on a
/// Dispatch thread a signal was ignored (runs finished normally after a SIGINT at start-up), and near
/// a memory limit Dispatch may get no thread at all, so no signal was ever handled. This thread exists
/// from the start, and the handler is installed once, synchronously.
///
/// `serve` replaces the disposition with ServiceLifecycle's own signal handling when it traps its
/// signals; until then the rule above applies.
final class Interrupts: Sendable {
    /// Registers `handler` for the first SIGINT or SIGTERM until ``restore()``. Any thread.
    init(handler: @escaping @Sendable () -> Void) {
        Self.relay.withLock { $0.handler = handler }
    }

    /// Forgets the handler: a signal from now on exits with 130.
    func restore() {
        Self.relay.withLock { $0.handler = nil }
    }

    /// Starts the signal thread and installs the handler. Call first thing in `main`, once, while the
    /// process still has room for a thread; if it has none, exits with EX_OSERR and one line.
    static func install() {
        // A parent may have left them blocked (inherited by posix_spawn and fork): they would then
        // stay pending until exit, unseen. Unblocked here, before any other thread exists, so every
        // thread created later inherits the unblocked mask.
        var stops = sigset_t()
        sigemptyset(&stops)
        sigaddset(&stops, SIGINT)
        sigaddset(&stops, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stops, nil)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0, fds.allSatisfy({ fcntl($0, F_SETFD, FD_CLOEXEC) == 0 }) else {
            printError("firpipe: cannot make the signal pipe (\(String(cString: strerror(errno))))")
            exit(SysExits.osError)
        }
        let readEnd = fds[0]
        signalPipe = fds[1]
        do throws(ResourceError) {
            try NamedThread.start("firpipe-signals") { relaySignals(from: readEnd) }
        } catch {
            printError("firpipe: \(error); raise the memory or process limit")
            exit(SysExits.osError)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            // Async-signal-safe: one write of one byte, errno kept for the interrupted code.
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(signalPipe, &byte, 1)
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for signal in [SIGINT, SIGTERM] { sigaction(signal, &action, nil) }
    }

    /// The registered handler and the signals seen.
    private struct Relay {
        var handler: (@Sendable () -> Void)?
        var seen = 0
    }

    private static let relay = Mutex(Relay())

    /// The signal thread's loop: one byte per signal.
    private static func relaySignals(from readEnd: Int32) {
        while true {
            var byte: UInt8 = 0
            let n = read(readEnd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return }
            let signal = Int32(byte)
            let (handler, seen) = relay.withLock { r in
                r.seen += 1
                if r.seen == 1 && r.handler == nil {
                    // Under the lock: a command registering its handler meanwhile (and then creating
                    // its temporary output) waits here until the process is gone.
                    printError("firpipe: interrupted; nothing was written")
                    _exit(SysExits.interrupted)
                }
                return (r.handler, r.seen)
            }
            if seen > 1 { exit(128 + signal) }
            handler?()
        }
    }
}

/// The signal pipe's write end, for the signal handler: a plain global (statically initialised, so no
/// lazy initialisation can run inside the handler), written once before the handler is installed.
private nonisolated(unsafe) var signalPipe: Int32 = -1
