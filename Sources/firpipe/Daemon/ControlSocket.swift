import FirAudio
import FirCore
import FirPipeline
import Synchronization
import Dispatch
import Glibc

/// The daemon's control socket: a unix stream socket that answers one command a connection
/// (`status`, `reload`) with one line of JSON, for `firpipe status` and `firpipe reload`.
///
/// The socket file is only for its owner (mode 0600, in a directory created 0700 when missing): the
/// commands reveal paths and can reload the filters. Root passes that check anyway, which is who
/// runs `firpipe status` against a systemd service's dynamic user.
///
/// Clients are served side by side by one event loop (``ControlLoop``) on the socket's own thread:
/// a silent, slow or hostile client holds only its own connection, never another's answer. Commands
/// run on a concurrent queue, so a reload that plans kernels for seconds does not delay a `status`.
/// The file is watched too: removed by someone, it is bound again.
///
/// Threads: `init` and ``stop()`` from any thread; the handler and the log on any thread.
final class ControlSocket: Sendable {
    /// Answers one command (the line without its newline) with the reply text (one line of JSON).
    typealias Handler = @Sendable (String) -> String
    /// Takes the socket's rare events for the daemon's log (a rebind, a poll failure).
    typealias Log = @Sendable (String) -> Void

    /// Longest command accepted; a client that sends more gets an error reply.
    static let lineLimit = 1024
    /// How long a client may take to send its command, by default.
    static let readTimeout = Duration.seconds(2)
    /// Connections open at once; past it the oldest still silent one is dropped for the newcomer.
    static let connectionLimit = 64

    let path: String
    /// Wakes the loop for ``stop()``.
    private let stopSignal: WakePipe
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// umask is per process: two sockets bound at once must not restore each other's mask.
    private static let umaskLock = Mutex(())

    /// Creates the directory if missing, removes a stale socket file, binds and listens at `path`, and
    /// starts answering on a thread of its own.
    ///
    /// - Parameter readTimeout: how long a client may take to send its command and to read the reply.
    /// - Throws: `.unavailable` when another daemon answers at `path`; `.cannotCreate` when `path` is
    ///   something other than a socket, or the directory or socket cannot be made; `.badAddress` for a
    ///   path too long for a unix socket; `.cannotCreate` too when its thread is refused.
    ///
    /// The umask is per process, so a file another thread creates while the socket is bound is made
    /// 0600 too: make the control socket before the threads that write files start.
    init(
        path: String, readTimeout: Duration = ControlSocket.readTimeout, log: @escaping Log = { _ in },
        handler: @escaping Handler
    ) throws(DaemonError) {
        let address = try UnixSocketAddress(path: path)
        try Self.makeDirectory(PathName.directory(of: path))
        try Self.removeStaleSocket(at: address)
        let bound = try Self.bind(address)
        let stopSignal: WakePipe, loop: ControlLoop
        do throws(DaemonError) {
            stopSignal = try WakePipe(DaemonError.failing(.cannotCreate, "cannot create a wake-up pipe"))
            loop = try ControlLoop(
                address: address, bound: bound, stop: stopSignal, readTimeout: readTimeout, handler: handler,
                log: log)
        } catch {
            unlink(path)
            throw error
        }
        self.path = path
        self.stopSignal = stopSignal
        let finished = finished
        do throws(ResourceError) {
            try NamedThread.start("firpipe-control") {
                loop.run()
                finished.signal()
            }
        } catch {
            // The thread never ran, so nothing else will remove the file: a daemon that failed to start
            // leaves nothing behind.
            loop.removeSocketFile()
            finished.signal()
            throw DaemonError(.cannotCreate, "\(path): cannot answer on the control socket: \(error)")
        }
    }

    deinit {
        stop()
    }

    /// Stops accepting, drops every connection, waits for commands already running and removes the
    /// socket file (when it is still ours). Idempotent. Not from the handler: it waits for it.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // The byte stays unread, so every later poll of the loop sees it.
        stopSignal.wake()
        finished.wait()
    }

    /// A listening socket bound at `address`, and the identity of the file bind made, so that the loop
    /// can tell its own file from a successor's.
    struct Bound {
        let listener: UnixSocket
        let device: UInt64
        let inode: UInt64
    }

    /// Binds and listens at `address`, the file 0600 from its first moment.
    ///
    /// - Throws: as ``init(path:readTimeout:log:handler:)``; the file is removed again on failure.
    static func bind(_ address: UnixSocketAddress) throws(DaemonError) -> Bound {
        let path = address.description
        let listener = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
        // Bind under umask 0177 so the file is 0600 from its first moment, not only after chmod.
        try umaskLock.withLock { _ throws(DaemonError) in
            let saved = umask(0o177)
            defer { umask(saved) }
            try listener.bind(to: address)
        }
        var info = stat()
        do throws(DaemonError) {
            try posixCall(DaemonError.failing(.cannotCreate, "cannot chmod \(path)")) { chmod(path, 0o600) }
            try posixCall(DaemonError.failing(.cannotCreate, "cannot stat \(path)")) { lstat(path, &info) }
            try listener.listen(backlog: Int32(connectionLimit))
        } catch {
            // The file is ours since bind made it.
            unlink(path)
            throw error
        }
        return Bound(listener: listener, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
