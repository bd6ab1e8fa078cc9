import FirCore
import FirPipeline
import Foundation
import Synchronization

/// The daemon's control socket: a unix stream socket that answers one command a connection
/// (`status`, `reload`) with one line of JSON, for `firpipe status` and `firpipe reload`.
///
/// The socket file is only for its owner (mode 0600, in a directory created 0700 when missing): the
/// commands reveal paths and can reload the filters. Root passes that check anyway, which is who
/// runs `firpipe status` against a systemd service's dynamic user.
///
/// Threads: `init` and ``stop()`` from any thread. The handler runs on the socket's own thread, one
/// connection at a time, so a slow handler delays the next client but never the audio.
final class ControlSocket: Sendable {
    /// Answers one command (the line without its newline) with the reply text (one line of JSON).
    typealias Handler = @Sendable (String) -> String

    /// Longest command accepted; a client that sends more gets an error reply.
    static let lineLimit = 1024
    /// How long a client may take to send its command.
    static let readTimeout = Duration.seconds(2)

    let path: String
    private let listener: UnixSocket
    /// Wakes the accept thread for ``stop()``: the thread polls the other end beside the listener.
    private let wakeSender: UnixSocket
    /// The socket file's identity, so that ``stop()`` removes our file and never a successor's.
    private let inode: (dev: UInt64, ino: UInt64)
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// umask is per process: two sockets bound at once must not restore each other's mask.
    private static let umaskLock = Mutex(())

    /// Creates the directory if missing, removes a stale socket file, binds and listens at `path`, and
    /// starts answering on a thread of its own.
    ///
    /// - Throws: `.unavailable` when another daemon answers at `path`; `.cannotCreate` when `path` is
    ///   something other than a socket, or the directory or socket cannot be made; `.badAddress` for a
    ///   path too long for a unix socket; `.cannotCreate` too when its thread is refused.
    ///
    /// The umask is per process, so a file another thread creates while the socket is bound is made
    /// 0600 too: make the control socket before the threads that write files start.
    init(path: String, handler: @escaping Handler) throws(DaemonError) {
        let address = try UnixSocketAddress(path: path)
        try Self.makeDirectory((path as NSString).deletingLastPathComponent)
        try Self.removeStaleSocket(at: address)
        let listener = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
        // Bind under umask 0177 so the file is 0600 from its first moment, not only after chmod.
        try Self.umaskLock.withLock { _ throws(DaemonError) in
            let saved = umask(0o177)
            defer { umask(saved) }
            try listener.bind(to: address)
        }
        var info = stat()
        let wakeSender: UnixSocket, wakeReceiver: UnixSocket
        do throws(DaemonError) {
            try posixCall(DaemonError.failing(.cannotCreate, "cannot chmod \(path)")) {
                chmod(path, 0o600)
            }
            try posixCall(DaemonError.failing(.cannotCreate, "cannot stat \(path)")) {
                lstat(path, &info)
            }
            try listener.listen(backlog: 16)
            (wakeSender, wakeReceiver) = try UnixSocket.pair()
        } catch {
            // The file is ours since bind made it; a daemon that failed to start leaves nothing behind.
            unlink(path)
            throw error
        }
        self.path = path
        self.listener = listener
        self.inode = (UInt64(info.st_dev), UInt64(info.st_ino))
        self.wakeSender = wakeSender

        let finished = finished
        do throws(ResourceError) {
            try NamedThread.start("firpipe-control") {
                Self.acceptLoop(listener: listener, wake: wakeReceiver, handler: handler)
                finished.signal()
            }
        } catch {
            // As if the thread had ended: `deinit`'s `stop()` then removes the socket file at once.
            finished.signal()
            throw DaemonError(.cannotCreate, "\(path): cannot answer on the control socket: \(error)")
        }
    }

    deinit {
        stop()
    }

    /// Stops accepting and removes the socket file. A handler already running finishes first; a client
    /// still sending its command is dropped. Idempotent. Not from the handler: it waits for the thread
    /// the handler runs on.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // The byte stays unread, so every later poll on the thread sees it, wherever the thread is.
        try? wakeSender.send([1])
        finished.wait()
        var info = stat()
        // Best effort: a file that is gone or replaced by a newer daemon's socket is not ours to remove.
        if lstat(path, &info) == 0, UInt64(info.st_dev) == inode.dev, UInt64(info.st_ino) == inode.ino {
            unlink(path)
        }
    }

    // MARK: The accept thread

    private static func acceptLoop(listener: UnixSocket, wake: UnixSocket, handler: Handler) {
        while true {
            let (incoming, woken) = listener.waitReadable(until: nil, or: wake.descriptor)
            if woken { return }
            guard incoming else { continue }
            do throws(DaemonError) {
                guard let connection = try listener.accept() else { continue }
                serve(connection, handler: handler, wake: wake)
            } catch {
                // Out of descriptors or buffers: wait a little (or for stop) instead of spinning on poll.
                if wake.waitReadable(until: .now.advanced(by: .milliseconds(100))).0 { return }
            }
        }
    }

    /// Reads one command line within the limits, answers it and closes the connection. Gives up at once
    /// when `wake` becomes readable, so a silent client cannot hold up ``stop()``.
    private static func serve(_ connection: UnixSocket, handler: Handler, wake: UnixSocket) {
        let reply: String
        switch readCommand(from: connection, wake: wake) {
        case .command(let line): reply = handler(line)
        case .tooLong: reply = ControlReply.failure("command longer than \(lineLimit) bytes").json
        case .timedOut: reply = ControlReply.failure("no command within \(readTimeout)").json
        case .closed: return
        }
        // The client may be gone; there is nobody left to tell.
        try? connection.setTimeouts(receive: readTimeout, send: readTimeout)
        try? connection.send(Array((reply + "\n").utf8))
        // Closing with unread input makes the kernel reset the connection, which can destroy the reply
        // before the client reads it (a line over the limit leaves input behind). So end our side, and
        // read until the client closes, for no longer than a command may take to arrive.
        try? connection.shutdownWrite()
        let deadline = ContinuousClock.now.advanced(by: readTimeout)
        var drained = 0
        while drained < 1 << 16, connection.waitReadable(until: deadline, or: wake.descriptor) == (true, false),
            let chunk = try? connection.receive(upTo: 4096), !chunk.isEmpty
        {
            drained += chunk.count
        }
    }

    private enum Received: Equatable { case command(String), tooLong, timedOut, closed }

    private static func readCommand(from connection: UnixSocket, wake: UnixSocket) -> Received {
        let deadline = ContinuousClock.now.advanced(by: readTimeout)
        var line: [UInt8] = []
        while true {
            let (readable, woken) = connection.waitReadable(until: deadline, or: wake.descriptor)
            if woken { return .closed }
            guard readable else { return .timedOut }
            guard let chunk = try? connection.receive(upTo: lineLimit + 1 - line.count) else { return .closed }
            if let end = chunk.firstIndex(of: UInt8(ascii: "\n")) {
                line += chunk[..<end]
                break
            }
            line += chunk
            if line.count > lineLimit { return .tooLong }
            // End of file without a newline: take what came (`printf status | nc -U`).
            if chunk.isEmpty { if line.isEmpty { return .closed } else { break } }
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return .command(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces))
    }
}
