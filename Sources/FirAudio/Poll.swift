import Foundation

/// `poll(2)` with a deadline, for every thread of firpipe that waits on descriptors: the stream's
/// reader, the spool's watcher and the control socket's loop. Any thread.
public enum Poll {
    /// Waits until one of `fds` has an event or `deadline` passes (nil: no deadline), retrying after
    /// signals with the time that is left. Returns whether any descriptor has an event; `revents` says
    /// which.
    ///
    /// - Throws: what `failure` makes of errno when poll itself fails (ENOMEM, or more descriptors than
    ///   RLIMIT_NOFILE): a caller that retried at once would spin.
    @discardableResult
    public static func wait<Failure: Error>(
        _ fds: inout [pollfd], until deadline: ContinuousClock.Instant?, _ failure: (Int32) -> Failure
    ) throws(Failure) -> Bool {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                let (seconds, attoseconds) = max(left, .zero).components
                // Rounded up, so a wait never ends a little before its deadline and spins once more.
                timeout = Int32(min(seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000, 60_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready > 0 { return true }
            if ready == 0 {
                guard let deadline, ContinuousClock.now < deadline else { return false }
                continue
            }
            let code = errno
            if code == EINTR { continue }
            throw failure(code)
        }
    }
}

/// A pipe that wakes a thread waiting in ``Poll/wait(_:until:_:)`` on its read end: non-blocking at
/// both ends (a wake never blocks its caller) and close-on-exec. Owns both descriptors.
///
/// Threads: ``wake()`` from any (a one-byte write to a pipe is atomic); ``drain()`` from the waiter.
public final class WakePipe: Sendable {
    /// The end to poll.
    public let descriptor: Int32
    private let writeEnd: Int32

    /// - Throws: what `failure` makes of errno when the process is out of descriptors.
    public init<Failure: Error>(_ failure: (Int32) -> Failure) throws(Failure) {
        var ends: [Int32] = [-1, -1]
        // pipe2 is not in Swift's Glibc module; no child is started meanwhile to inherit the ends.
        try systemCall(failure) { pipe(&ends) }
        do throws(Failure) {
            for fd in ends {
                try systemCall(failure) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
                try systemCall(failure) { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            }
        } catch {
            ends.forEach { close($0) }
            throw error
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    /// Makes the read end readable. Best effort: the only failure is a full pipe, which wakes anyway.
    public func wake() {
        var one: UInt8 = 1
        _ = write(writeEnd, &one, 1)
    }

    /// Empties the pipe, so the next poll waits again.
    public func drain() {
        var bytes: (UInt64, UInt64) = (0, 0)
        while read(descriptor, &bytes, 16) > 0 {}
    }

    /// Whether a wake is pending, without waiting or consuming it.
    public var isWoken: Bool {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 1, 0) > 0
    }
}
