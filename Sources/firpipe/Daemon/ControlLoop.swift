import FirAudio
import FirCore
import Synchronization
import Dispatch
import Glibc

/// The control socket's event loop: one poll over the listener, every client, the stop signal and the
/// handlers' finished replies. No client can block it, since every socket is non-blocking and every
/// phase has a deadline (``ControlConnection``); commands run on a concurrent queue.
///
/// Threads: built on any thread, then ``run()`` on the socket's own; the handlers' completions reach
/// it through a mutex and a socket pair.
final class ControlLoop: @unchecked Sendable {
    /// How often the socket file is checked for having been removed.
    static let fileCheckInterval = Duration.milliseconds(250)

    private let address: UnixSocketAddress
    private var bound: ControlSocket.Bound
    private let stop: WakePipe
    private let readTimeout: Duration
    private let handler: ControlSocket.Handler
    private let log: ControlSocket.Log
    /// Oldest first, so that the oldest silent client is the one dropped when the table is full.
    private var connections: [ControlConnection] = []
    private var nextID = 0
    /// Replies of finished commands, by connection id, and the pipe that tells the loop about them.
    private let finished = Mutex<[(Int, String)]>([])
    private let finishedSignal: WakePipe
    private let commands = DispatchGroup()
    private var nextFileCheck = ContinuousClock.now
    /// What has been logged once already, so a lasting condition is not logged every check.
    private var reported = Set<String>()

    init(
        address: UnixSocketAddress, bound: ControlSocket.Bound, stop: WakePipe, readTimeout: Duration,
        handler: @escaping ControlSocket.Handler, log: @escaping ControlSocket.Log
    ) throws(DaemonError) {
        self.address = address
        self.bound = bound
        self.stop = stop
        self.readTimeout = readTimeout
        self.handler = handler
        self.log = log
        finishedSignal = try WakePipe(DaemonError.failing(.cannotCreate, "cannot create a wake-up pipe"))
    }

    private var path: String { address.description }

    /// Serves until ``stop`` is woken, then waits for running commands and removes the
    /// socket file if it is still ours.
    func run() {
        while serveOnce() {}
        connections.removeAll()
        commands.wait()
        removeSocketFile()
    }

    /// Removes the socket file, unless it is gone or is someone else's by now.
    func removeSocketFile() {
        var info = stat()
        if lstat(path, &info) == 0, UInt64(info.st_dev) == bound.device, UInt64(info.st_ino) == bound.inode {
            unlink(path)
        }
    }

    /// One poll and what it found; false when asked to stop.
    private func serveOnce() -> Bool {
        let polled = connections
        var fds = [stop.descriptor, finishedSignal.descriptor, bound.listener.descriptor].map {
            pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
        }
        // A negative descriptor is skipped by poll: a connection whose command runs has nothing to say.
        fds += polled.map { pollfd(fd: $0.pollEvents == nil ? -1 : $0.socket.descriptor, events: $0.pollEvents ?? 0, revents: 0) }
        do throws(DaemonError) {
            try Poll.wait(&fds, until: nearestDeadline()) { DaemonError(.ioError, "poll failed (\(errnoDescription($0)))", errno: $0) }
        } catch {
            // Out of kernel memory, or a limit: say so once and retry calmly rather than spin.
            report("poll", "control socket \(path): \(error.message); retrying")
            usleep(100_000)
            return !stop.isWoken
        }
        if fds[0].revents != 0 { return false }
        let now = ContinuousClock.now
        if fds[1].revents != 0 { deliverReplies(now: now) }
        for (connection, fd) in zip(polled, fds.dropFirst(3)) where fd.revents != 0 {
            progress(connection, now: now)
        }
        if fds[2].revents != 0 { acceptWaiting(now: now) }
        for connection in connections {
            if let reply = connection.expire(now: now) { connection.startReply(reply, now: now) }
        }
        connections.removeAll { $0.phase == .closed }
        if now >= nextFileCheck {
            checkFile()
            nextFileCheck = now.advanced(by: Self.fileCheckInterval)
        }
        return true
    }

    private func nearestDeadline() -> ContinuousClock.Instant {
        connections.reduce(nextFileCheck) { nearest, connection in
            connection.phase == .handling ? nearest : min(nearest, connection.deadline)
        }
    }

    private func progress(_ connection: ControlConnection, now: ContinuousClock.Instant) {
        switch connection.phase {
        case .reading:
            switch connection.read() {
            case .nothing: break
            case .refusal(let text): connection.startReply(text, now: now)
            case .command(let command): start(command, for: connection.id)
            }
        case .writing: connection.write(now: now)
        case .draining: connection.drain()
        case .handling, .closed: break
        }
    }

    /// Runs `command` on a thread of its own (at most ``ControlSocket/connectionLimit`` at once); its
    /// reply comes back through ``finished``. Not on Dispatch's pool: with a reload blocked in its
    /// handler, Dispatch started the next `status` about a second later on this 2-core machine.
    private func start(_ command: String, for id: Int) {
        commands.enter()
        do throws(ResourceError) {
            try NamedThread.start("firpipe-command") { [self] in finish(id, handler(command)) }
        } catch {
            finish(id, ControlReply.failure("cannot run `\(command)` now: \(error)").json)
        }
    }

    /// Hands a command's reply to the loop. Any thread; once per ``start(_:for:)``.
    private func finish(_ id: Int, _ reply: String) {
        finished.withLock { $0.append((id, reply)) }
        finishedSignal.wake()
        commands.leave()
    }

    private func deliverReplies(now: ContinuousClock.Instant) {
        finishedSignal.drain()
        let replies = finished.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for (id, reply) in replies {
            // A client dropped meanwhile (stop, or the table full) simply misses its reply.
            connections.first { $0.id == id }?.startReply(reply, now: now)
        }
    }

    /// Takes every waiting client. When the table is full, the oldest client that has not sent its
    /// command makes room: a flood of silent connections then costs each of them its slot, not the
    /// next real client its answer.
    private func acceptWaiting(now: ContinuousClock.Instant) {
        while true {
            let socket: UnixSocket
            do throws(DaemonError) {
                guard let accepted = try bound.listener.accept() else { return }
                socket = accepted
                try socket.makeNonBlocking()
            } catch {
                // Out of descriptors or buffers: the next poll retries; say it once.
                report("accept", "control socket \(path): \(error.message)")
                return
            }
            if connections.count >= ControlSocket.connectionLimit {
                guard let oldest = connections.first(where: \.isWaitingForCommand) else {
                    // Every slot is busy with a real command; this client hears why at once.
                    _ = try? socket.sendAvailable(ArraySlice(Self.busy.utf8))
                    continue
                }
                _ = try? oldest.socket.sendAvailable(ArraySlice(Self.busy.utf8))
                oldest.close()
                connections.removeAll { $0 === oldest }
            }
            nextID += 1
            connections.append(ControlConnection(id: nextID, socket: socket, timeout: readTimeout, now: now))
        }
    }

    private static let busy =
        ControlReply.failure("too many control connections at once; try again").json + "\n"

    /// Notices the socket file gone (an administrator's cleanup, a tmpfiles rule) and binds again, so
    /// `firpipe status` and `reload` do not stay lost until a restart. A file someone else put there is
    /// left alone.
    private func checkFile() {
        var info = stat()
        if lstat(path, &info) == 0 {
            if UInt64(info.st_dev) == bound.device, UInt64(info.st_ino) == bound.inode { return }
            report(
                "replaced",
                "control socket \(path) was replaced by another file; leaving it alone "
                    + "(restart the service to answer there again)")
            return
        }
        guard errno == ENOENT else { return }
        do throws(DaemonError) {
            try ControlSocket.makeDirectory(PathName.directory(of: path))
            bound = try ControlSocket.bind(address)
            reported.remove("rebind")
            log("control socket \(path) was removed; bound it again")
        } catch {
            report("rebind", "control socket \(path) was removed and cannot be bound again: \(error.message)")
        }
    }

    private func report(_ kind: String, _ line: String) {
        if reported.insert(kind).inserted { log(line) }
    }
}
