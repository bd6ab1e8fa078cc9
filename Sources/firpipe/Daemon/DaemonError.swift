import FirAudio
import Glibc

/// A failure of the daemon's own plumbing (sockets, notification, metrics files) that a user or an
/// administrator can cause or fix, with a kind the executable turns into a sysexits code.
struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; cases can grow.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Nobody listens where we connect, or another daemon already listens where we would bind.
        static let unavailable = Code(name: "unavailable")
        /// The file system refused us (EACCES, EPERM).
        static let permission = Code(name: "permission")
        /// A socket, directory or file could not be created.
        static let cannotCreate = Code(name: "cannot create")
        /// Reading or writing failed part-way.
        static let ioError = Code(name: "I/O error")
        /// The peer did not answer in time.
        static let timeout = Code(name: "timeout")
        /// An address that cannot be a unix socket address (too long, empty, holds NUL).
        static let badAddress = Code(name: "bad address")
        /// The peer answered something that is not the protocol.
        static let badReply = Code(name: "bad reply")
        var description: String { name }
    }

    var code: Code
    /// One line: which path, what is wrong, what to do.
    var message: String
    /// The errno behind the failure, when there was one.
    var errno: Int32?

    init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    var description: String { message }

    /// A failure for ``posixCall(retryOnInterrupt:_:_:)``: "`action` (errno's text)", of kind `code`.
    static func failing(_ code: Code, _ action: String) -> (Int32) -> DaemonError {
        { DaemonError(code, "\(action) (\(errnoDescription($0)))", errno: $0) }
    }
}

/// `systemCall` (FirAudio) with the daemon's error type. Every fallible C call of the daemon goes
/// through here. Any thread.
@discardableResult
func posixCall<R: BinaryInteger>(
    retryOnInterrupt: Bool = true,
    _ failure: (Int32) -> DaemonError,
    _ body: () -> R
) throws(DaemonError) -> R {
    try systemCall(retryOnInterrupt: retryOnInterrupt, failure, body)
}

/// The system's text for an errno value, e.g. "Connection refused". Any thread.
func errnoDescription(_ code: Int32) -> String {
    errnoText(code)
}

/// `clock`'s current time in nanoseconds (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, …). Any thread.
func clockNanoseconds(_ clock: clockid_t) -> UInt64 {
    var now = timespec()
    // Fails only for an unknown clock or a bad pointer, neither possible here; a failed read shows as
    // time standing still, which callers treat as no load, rather than stopping anything.
    _ = try? posixCall({ DaemonError(.ioError, "clock_gettime failed", errno: $0) }) { clock_gettime(clock, &now) }
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
