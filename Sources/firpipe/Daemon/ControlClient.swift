import Glibc

/// The client side of the control socket, for `firpipe status` and `firpipe reload`: one command, one
/// reply, with errors that say what to check.
///
/// Threads: any; each call uses a socket of its own.
enum ControlClient {
    /// The largest reply read; a status is a few hundred bytes.
    static let replyLimit = 1 << 20

    /// Sends `command` to the daemon at `path` and returns its reply without the trailing newline.
    ///
    /// - Parameter timeout: how long the whole exchange may take, connecting included (a daemon whose
    ///   queue of waiting connections is full makes connect wait); a reload loads and plans kernels.
    /// - Throws: `.unavailable` when no daemon listens at `path`, `.permission` when the socket is not
    ///   ours to use, `.timeout` when no reply came in time, `.ioError` or `.badAddress` otherwise.
    static func send(
        _ command: String, to path: String, timeout: Duration = .seconds(60)
    ) throws(DaemonError) -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let address = try UnixSocketAddress(path: path)
        let socket = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
        let late = DaemonError(.timeout, "the daemon on \(path) did not answer `\(command)` within \(timeout)")
        /// The time left, as the socket's timeouts, so that no single call outlasts the deadline.
        func budget() throws(DaemonError) {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .milliseconds(1) else { throw late }
            try socket.setTimeouts(receive: left, send: left)
        }
        try budget()
        do throws(DaemonError) {
            try socket.connect(to: address)
        } catch where error.code == .unavailable {
            throw DaemonError(
                .unavailable,
                "no firpipe daemon is listening on \(path); is it running? "
                    + "(systemctl status \(ControlPaths.unitName(socketPath: path)))",
                errno: error.errno)
        } catch where error.code == .permission {
            throw DaemonError(
                .permission,
                "permission denied on \(path); the socket is only for the daemon's user, so run this as root (sudo)",
                errno: error.errno)
        } catch where error.errno == EAGAIN || error.errno == EINPROGRESS {
            throw late
        }
        do throws(DaemonError) {
            try budget()
            try socket.send(Array((command + "\n").utf8))
            var reply: [UInt8] = []
            while reply.count < replyLimit {
                try budget()
                let chunk = try socket.receive(upTo: 65536)
                if chunk.isEmpty { break }
                reply += chunk
            }
            while reply.last == UInt8(ascii: "\n") || reply.last == UInt8(ascii: "\r") { reply.removeLast() }
            guard !reply.isEmpty else {
                throw DaemonError(
                    .badReply, "the daemon on \(path) closed the connection without answering `\(command)`")
            }
            return String(decoding: reply, as: UTF8.self)
        } catch where error.code == .timeout {
            throw late
        }
    }
}
