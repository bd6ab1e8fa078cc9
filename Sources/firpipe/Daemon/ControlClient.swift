import Foundation

/// The client side of the control socket, for `firpipe status` and `firpipe reload`: one command, one
/// reply, with errors that say what to check.
///
/// Threads: any; each call uses a socket of its own.
enum ControlClient {
    /// The largest reply read; a status is a few hundred bytes.
    static let replyLimit = 1 << 20

    /// Sends `command` to the daemon at `path` and returns its reply without the trailing newline.
    ///
    /// - Parameter timeout: how long the daemon may take to answer; a reload loads and plans kernels.
    /// - Throws: `.unavailable` when no daemon listens at `path`, `.permission` when the socket is not
    ///   ours to use, `.timeout` when no reply came in time, `.ioError` or `.badAddress` otherwise.
    static func send(
        _ command: String, to path: String, timeout: Duration = .seconds(60)
    ) throws(DaemonError) -> String {
        let address = try UnixSocketAddress(path: path)
        let socket = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
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
        }
        try socket.setTimeouts(receive: timeout, send: timeout)
        try socket.send(Array((command + "\n").utf8))
        var reply: [UInt8] = []
        while reply.count < replyLimit {
            let chunk: [UInt8]
            do throws(DaemonError) {
                chunk = try socket.receive(upTo: 65536)
            } catch where error.code == .timeout {
                throw DaemonError(
                    .timeout, "the daemon on \(path) did not answer `\(command)` within \(timeout)", errno: error.errno)
            }
            if chunk.isEmpty { break }
            reply += chunk
        }
        while reply.last == UInt8(ascii: "\n") || reply.last == UInt8(ascii: "\r") { reply.removeLast() }
        guard !reply.isEmpty else {
            throw DaemonError(.badReply, "the daemon on \(path) closed the connection without answering `\(command)`")
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
