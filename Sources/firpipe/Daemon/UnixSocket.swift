import Glibc

/// One AF_UNIX socket descriptor, closed when the last reference goes. Every socket call of the daemon's
/// notifier, control socket and client goes through here, so each failure becomes a `DaemonError` that
/// carries errno and names the address.
///
/// Threads: any. The descriptor never changes after `init`; the kernel serialises concurrent calls, and
/// each user below keeps one socket to one thread except the notifier, whose datagrams are atomic.
final class UnixSocket: Sendable {
    let descriptor: Int32

    /// A new socket of `type` (`SOCK_STREAM`, `SOCK_DGRAM`), close-on-exec so that no child inherits it.
    ///
    /// - Throws: `.cannotCreate` when the process is out of descriptors or memory.
    init(type: Int32) throws(DaemonError) {
        descriptor = try posixCall(DaemonError.failing(.cannotCreate, "cannot create a unix socket")) {
            socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
    }

    private init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Connects to `address`.
    ///
    /// - Throws: `.unavailable` when nothing is there or nobody listens (ENOENT, ECONNREFUSED),
    ///   `.permission` for EACCES/EPERM, `.ioError` otherwise.
    func connect(to address: UnixSocketAddress) throws(DaemonError) {
        try posixCall({ Self.failure("connect to", address, $0) }) {
            address.withSockaddr { Glibc.connect(descriptor, $0, $1) }
        }
    }

    /// Binds to `address`; for a path this creates the socket file.
    ///
    /// - Throws: `.unavailable` when the address is in use, `.permission`, or `.cannotCreate`.
    func bind(to address: UnixSocketAddress) throws(DaemonError) {
        try posixCall({ code in
            switch code {
            case EADDRINUSE: DaemonError(.unavailable, "\(address) is already in use", errno: code)
            case EACCES, EPERM, EROFS: Self.failure("bind", address, code)
            default: DaemonError(.cannotCreate, "cannot bind \(address) (\(errnoDescription(code)))", errno: code)
            }
        }) { address.withSockaddr { Glibc.bind(descriptor, $0, $1) } }
    }

    /// Starts listening, and makes `accept` non-blocking so that a client gone between poll and accept
    /// cannot hold the accepting thread.
    func listen(backlog: Int32) throws(DaemonError) {
        try posixCall(DaemonError.failing(.cannotCreate, "cannot listen")) {
            Glibc.listen(descriptor, backlog)
        }
        try makeNonBlocking()
    }

    /// Makes every later call return at once: a receive or send that would wait fails with `.timeout`.
    func makeNonBlocking() throws(DaemonError) {
        let flags = fcntl(descriptor, F_GETFL)
        try posixCall(DaemonError.failing(.cannotCreate, "cannot make the socket non-blocking")) {
            fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        }
    }

    /// Accepts one connection (blocking), or returns nil when none is waiting after all.
    ///
    /// - Throws: `.ioError` for failures that are not about one vanished client (EMFILE, ENOBUFS, …).
    func accept() throws(DaemonError) -> UnixSocket? {
        let fd = Glibc.accept(descriptor, nil, nil)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO: return nil
            default: throw DaemonError(.ioError, "cannot accept a connection (\(errnoDescription(code)))", errno: code)
            }
        }
        // accept4 is not in Swift's Glibc module, so close-on-exec comes a moment later; the daemon
        // starts no programs, so no child can inherit the descriptor in that moment.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return UnixSocket(adopting: fd)
    }

    /// Reads up to `count` bytes; an empty result is end of file.
    ///
    /// - Throws: `.timeout` when a receive timeout set by ``setTimeouts(receive:send:)`` ran out,
    ///   `.ioError` otherwise.
    func receive(upTo count: Int) throws(DaemonError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = try posixCall({ code in
            code == EAGAIN || code == EWOULDBLOCK
                ? DaemonError(.timeout, "no answer in time", errno: code)
                : DaemonError(.ioError, "cannot read from the socket (\(errnoDescription(code)))", errno: code)
        }) { buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, count, 0) } }
        return Array(buffer.prefix(got))
    }

    /// Writes all of `bytes`. MSG_NOSIGNAL: a peer that hung up is an error here, not a SIGPIPE.
    func send(_ bytes: [UInt8]) throws(DaemonError) {
        var offset = 0
        while offset < bytes.count {
            let sent = try posixCall({ code in
                code == EAGAIN || code == EWOULDBLOCK
                    ? DaemonError(.timeout, "the peer did not take our message in time", errno: code)
                    : DaemonError(.ioError, "cannot write to the socket (\(errnoDescription(code)))", errno: code)
            }) {
                bytes.withUnsafeBytes { all in
                    let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                    return Glibc.send(descriptor, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                }
            }
            offset += sent
        }
    }

    /// Sends what the socket takes of `bytes` now and returns how many it took; 0 when its buffer is
    /// full. For non-blocking sockets.
    ///
    /// - Throws: `.ioError` when the peer is gone or the send fails otherwise.
    func sendAvailable(_ bytes: ArraySlice<UInt8>) throws(DaemonError) -> Int {
        do throws(DaemonError) {
            return try posixCall(DaemonError.failing(.ioError, "cannot write to the socket")) {
                bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
        } catch where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            return 0
        }
    }

    /// Sends one datagram to `address`; true when the kernel took it whole. Never blocks for long:
    /// datagrams to a full receiver fail with EAGAIN instead.
    func sendDatagram(_ bytes: [UInt8], to address: UnixSocketAddress) -> Bool {
        let sent = try? posixCall({ DaemonError(.ioError, "sendto \(address) failed", errno: $0) }) {
            bytes.withUnsafeBytes { buffer in
                address.withSockaddr {
                    sendto(descriptor, buffer.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), $0, $1)
                }
            }
        }
        return sent == bytes.count
    }

    /// Ends our direction of a stream: the peer reads end of file after what we sent.
    func shutdownWrite() throws(DaemonError) {
        try posixCall(DaemonError.failing(.ioError, "cannot shut the socket down")) {
            shutdown(descriptor, Int32(SHUT_WR))
        }
    }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO, after which a blocking receive or send fails with `.timeout`.
    func setTimeouts(receive: Duration, send: Duration) throws(DaemonError) {
        for (option, duration) in [(SO_RCVTIMEO, receive), (SO_SNDTIMEO, send)] {
            let (seconds, attoseconds) = duration.components
            var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            try posixCall(DaemonError.failing(.ioError, "cannot set a socket timeout")) {
                setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
            }
        }
    }

    private static func failure(_ action: String, _ address: UnixSocketAddress, _ code: Int32) -> DaemonError {
        switch code {
        case ENOENT, ECONNREFUSED, ENOTDIR:
            DaemonError(.unavailable, "cannot \(action) \(address) (\(errnoDescription(code)))", errno: code)
        case EACCES, EPERM, EROFS:
            DaemonError(.permission, "cannot \(action) \(address): permission denied", errno: code)
        default:
            DaemonError(.ioError, "cannot \(action) \(address) (\(errnoDescription(code)))", errno: code)
        }
    }
}
