internal import Foundation

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
    private var closed = false

    private init(fd: Int32, name: String, owned: Bool) {
        self.fd = fd
        self.name = name
        self.owned = owned
    }

    deinit { close() }

    /// Opens `path` for reading, or takes stdin for `-`. A named pipe blocks here until a writer opens it.
    static func openInput(_ path: String) throws(JobError) -> StreamDescriptor {
        if path == "-" { return StreamDescriptor(fd: STDIN_FILENO, name: "standard input", owned: false) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let kind: JobError.Kind = errno == ENOENT ? .missingInput : .ioError
            throw JobError(kind, "\(path): cannot open the stream input: \(String(cString: strerror(errno)))")
        }
        return StreamDescriptor(fd: fd, name: path, owned: true)
    }

    /// Opens `path` for writing (a named pipe blocks until a reader opens it; a regular file is created
    /// or truncated), or takes stdout for `-`.
    static func openOutput(_ path: String) throws(JobError) -> StreamDescriptor {
        if path == "-" { return StreamDescriptor(fd: STDOUT_FILENO, name: "standard output", owned: false) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw JobError(.cannotCreate, "\(path): cannot open the stream output: \(String(cString: strerror(errno)))")
        }
        return StreamDescriptor(fd: fd, name: path, owned: true)
    }

    /// Waits until the descriptor is readable (or at end of input), or `wake` is readable, or `timeout`
    /// milliseconds pass (−1: no limit). Returns whether the descriptor is readable.
    func waitReadable(orWake wake: Int32, timeout: Int32) throws(JobError) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&fds, 2, timeout)
            if n >= 0 { return fds[0].revents != 0 }
            if errno != EINTR { throw failure("wait for input on") }
        }
    }

    /// Reads up to `count` bytes; 0 means end of input. Retries on EINTR.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(JobError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno != EINTR { throw failure("read") }
        }
    }

    /// Writes all `count` bytes, across short writes and EINTR.
    func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws(JobError) {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, buffer + done, count - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno != EINTR {
                throw failure("write")
            }
        }
    }

    /// Closes an owned descriptor; stdin and stdout stay open. Idempotent.
    func close() {
        guard owned, !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }

    private func failure(_ action: String) -> JobError {
        let reason = errno == EPIPE ? "the reader went away (broken pipe)" : String(cString: strerror(errno))
        return JobError(.ioError, "\(name): cannot \(action) the stream: \(reason)")
    }
}
