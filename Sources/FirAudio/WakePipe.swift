internal import Glibc

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
