import FirAudio
internal import Glibc

/// A file descriptor a stream reads raw PCM from or writes it to, with the few system calls the stream
/// stages make, each turning errno into a `JobError` in one place.
///
/// Owned by one stage thread; closed by that thread when the stream ends (never for stdin/stdout,
/// which belong to the process). `@unchecked Sendable`: handed to the stage thread once, at start.
final class StreamDescriptor: @unchecked Sendable {
    let fd: Int32
    /// The path as the config gives it (`-` for stdin or stdout), for messages.
    let name: String
    private let owned: Bool
    /// For a named pipe read from: a write end of our own, so the pipe never reports end of input when
    /// a producer goes away; a daemon reading a pipe runs until it is stopped.
    private let keeper: Int32?
    private var closed = false

    private init(fd: Int32, name: String, owned: Bool, keeper: Int32? = nil) {
        self.fd = fd
        self.name = name
        self.owned = owned
        self.keeper = keeper
    }

    deinit { close() }

    /// Whether the descriptor is a regular file, which is never "waiting": its data is all there.
    var isRegularFile: Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Bytes waiting to be read in a pipe or socket (FIONREAD); 0 if unknown.
    var bytesWaiting: Int {
        var count: Int32 = 0
        return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
    }

    /// Opens `path` for reading, or takes stdin for `-`. Does not wait for a named pipe's writer: the
    /// reader's `poll` does, so that stopping can interrupt it.
    static func openInput(_ path: String) throws(JobError) -> StreamDescriptor {
        if path == "-" { return StreamDescriptor(fd: STDIN_FILENO, name: "standard input", owned: false) }
        let fd = try systemCall({ code in
            JobError(code == ENOENT ? .missingInput : .ioError, "\(path): cannot open the stream input: \(errnoText(code))")
        }) { Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var info = stat()
        let isFIFO = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
        // With our own write end open the pipe has a writer even before the first producer.
        let keeper = isFIFO ? Glibc.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1
        return StreamDescriptor(fd: fd, name: path, owned: true, keeper: keeper >= 0 ? keeper : nil)
    }

    /// Opens `path` for writing (a regular file is created or truncated), or takes stdout for `-`. A
    /// named pipe is retried until a reader opens it, waking every 100 ms to ask `stopped()`; returns
    /// nil if the stream stopped before any reader came.
    static func openOutput(_ path: String, stopped: () -> Bool) throws(JobError) -> StreamDescriptor? {
        if path == "-" { return StreamDescriptor(fd: STDOUT_FILENO, name: "standard output", owned: false) }
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO {
            while true {
                let fd = Glibc.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if fd >= 0 {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                    return StreamDescriptor(fd: fd, name: path, owned: true)
                }
                guard errno == ENXIO || errno == EINTR else { break }  // ENXIO: no reader yet
                if stopped() { return nil }
                usleep(100_000)
            }
            throw JobError(.cannotCreate, "\(path): cannot open the stream output: \(errnoText(errno))")
        }
        let fd = try systemCall({ JobError(.cannotCreate, "\(path): cannot open the stream output: \(errnoText($0))") }) {
            Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        return StreamDescriptor(fd: fd, name: path, owned: true)
    }

    /// Waits until the descriptor is readable (or at end of input), or `wake` is readable, or `timeout`
    /// passes. Returns whether the descriptor is readable.
    func waitReadable(orWake wake: Int32, timeout: Duration) throws(JobError) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        try Poll.wait(&fds, until: .now.advanced(by: timeout)) { failure("wait for input on", $0) }
        return fds[0].revents != 0
    }

    /// Reads up to `count` bytes; 0 means end of input. Retries on EINTR.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(JobError) -> Int {
        try systemCall({ failure("read", $0) }) { Glibc.read(fd, buffer, count) }
    }

    /// Writes all `count` bytes, across short writes and EINTR.
    func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws(JobError) {
        var done = 0
        while done < count {
            done += try systemCall({ failure("write", $0) }) { Glibc.write(fd, buffer + done, count - done) }
        }
    }

    /// Closes an owned descriptor; stdin and stdout stay open. Idempotent.
    func close() {
        guard owned, !closed else { return }
        closed = true
        _ = Glibc.close(fd)
        if let keeper { _ = Glibc.close(keeper) }
    }

    private func failure(_ action: String, _ code: Int32) -> JobError {
        let reason = code == EPIPE ? "the reader went away (broken pipe)" : errnoText(code)
        return JobError(.ioError, "\(name): cannot \(action) the stream: \(reason)")
    }
}
