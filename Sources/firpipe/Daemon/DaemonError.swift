import Foundation

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

/// Runs a POSIX call that reports failure by returning -1 and setting errno, and turns that failure into
/// the typed error `failure` builds from errno. Every fallible C call of the daemon goes through here.
///
/// - Parameters:
///   - retryOnInterrupt: retry on EINTR. Pass `false` for `close(2)`: on Linux the descriptor is gone
///     even when close reports EINTR, so retrying could close another thread's new descriptor.
/// Any thread.
@discardableResult
func posixCall<R: BinaryInteger>(
    retryOnInterrupt: Bool = true,
    _ failure: (Int32) -> DaemonError,
    _ body: () -> R
) throws(DaemonError) -> R {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR && retryOnInterrupt { continue }
        throw failure(code)
    }
}

/// The system's text for an errno value, e.g. "Connection refused". Any thread.
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// `clock`'s current time in nanoseconds (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, …). Any thread.
func clockNanoseconds(_ clock: clockid_t) -> UInt64 {
    var now = timespec()
    // Fails only for an unknown clock or a bad pointer, neither possible here; a failed read shows as
    // time standing still, which callers treat as no load, rather than stopping anything.
    _ = try? posixCall({ DaemonError(.ioError, "clock_gettime failed", errno: $0) }) { clock_gettime(clock, &now) }
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
