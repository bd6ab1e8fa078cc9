import Glibc

/// One client of the control socket, as the event loop (``ControlLoop``) moves it along: read one
/// command line, wait for the handler, write the reply, then read what the client still sends until
/// it hangs up. Every step is non-blocking, with a deadline.
///
/// Threads: the loop's only.
final class ControlConnection {
    enum Phase: Equatable {
        /// Waiting for the command line.
        case reading
        /// The handler runs; the loop does not poll the socket meanwhile.
        case handling
        /// Sending the reply.
        case writing
        /// Reply sent and our side shut; reading until the client closes (see ``startDraining(now:)``).
        case draining
        case closed
    }

    /// What a read produced.
    enum Read: Equatable {
        case nothing
        case command(String)
        /// An answer the loop sends without asking the handler (a line over the limit).
        case refusal(String)
    }

    let id: Int
    let socket: UnixSocket
    private(set) var phase = Phase.reading
    /// When the current phase gives up; none while handling.
    private(set) var deadline: ContinuousClock.Instant
    private let timeout: Duration
    private var line: [UInt8] = []
    private var reply: [UInt8] = []
    private var sent = 0
    private var drained = 0

    /// The most a client may send after its command before we stop reading it and close.
    static let drainLimit = 1 << 16

    init(id: Int, socket: UnixSocket, timeout: Duration, now: ContinuousClock.Instant) {
        self.id = id
        self.socket = socket
        self.timeout = timeout
        deadline = now.advanced(by: timeout)
    }

    /// What to poll the socket for, or nil when it is not to be polled.
    var pollEvents: Int16? {
        switch phase {
        case .reading, .draining: Int16(POLLIN)
        case .writing: Int16(POLLOUT)
        case .handling, .closed: nil
        }
    }

    var isWaitingForCommand: Bool { phase == .reading }

    /// Reads what arrived. A complete line (newline, or end of file after some bytes) is the command.
    func read() -> Read {
        guard phase == .reading else { return .nothing }
        let chunk: [UInt8]
        do throws(DaemonError) {
            chunk = try socket.receive(upTo: ControlSocket.lineLimit + 1 - line.count)
        } catch {
            if error.code != .timeout { close() }
            return .nothing
        }
        if let end = chunk.firstIndex(of: UInt8(ascii: "\n")) {
            line += chunk[..<end]
        } else {
            line += chunk
            if line.count > ControlSocket.lineLimit {
                return .refusal(ControlReply.failure("command longer than \(ControlSocket.lineLimit) bytes").json)
            }
            // End of file without a newline: take what came (`printf status | nc -U`).
            guard chunk.isEmpty else { return .nothing }
            if line.isEmpty {
                close()
                return .nothing
            }
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        phase = .handling
        return .command(String(String(decoding: line, as: UTF8.self).trimmingSpaces()))
    }

    /// Starts sending `text` and a newline; the client has ``timeout`` to take it.
    func startReply(_ text: String, now: ContinuousClock.Instant) {
        guard phase != .closed else { return }
        reply = Array((text + "\n").utf8)
        sent = 0
        phase = .writing
        deadline = now.advanced(by: timeout)
        write(now: now)
    }

    /// Sends what the socket takes now.
    func write(now: ContinuousClock.Instant) {
        guard phase == .writing else { return }
        do throws(DaemonError) {
            sent += try socket.sendAvailable(reply[sent...])
        } catch {
            // The client is gone; there is nobody left to tell.
            close()
            return
        }
        if sent == reply.count { startDraining(now: now) }
    }

    /// Closing with unread input makes the kernel reset the connection, which can destroy the reply
    /// before the client reads it (a line over the limit leaves input behind). So end our side, and
    /// read until the client closes, for no longer than a command may take to arrive.
    private func startDraining(now: ContinuousClock.Instant) {
        try? socket.shutdownWrite()
        phase = .draining
        deadline = now.advanced(by: timeout)
    }

    /// Reads and drops what the client still sends; closes at its end of file or past the limit.
    func drain() {
        guard phase == .draining else { return }
        do throws(DaemonError) {
            let chunk = try socket.receive(upTo: 4096)
            drained += chunk.count
            if chunk.isEmpty || drained >= Self.drainLimit { close() }
        } catch where error.code == .timeout {
        } catch {
            close()
        }
    }

    /// What the deadline means when it has passed: a reply for a client that sent no command in time,
    /// else the end of the connection.
    func expire(now: ContinuousClock.Instant) -> String? {
        guard phase != .handling, phase != .closed, now >= deadline else { return nil }
        if phase == .reading { return ControlReply.failure("no command within \(timeout)").json }
        close()
        return nil
    }

    /// Marks the connection closed; the loop drops it, which closes the descriptor.
    func close() {
        phase = .closed
    }
}
