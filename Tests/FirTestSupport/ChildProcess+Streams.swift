import Foundation
import Synchronization

extension ChildProcess {
    /// Where a child's standard input comes from.
    public enum Input: Sendable {
        /// /dev/null: end of input at once.
        case null
        /// These bytes, then end of input (from an in-memory file, so the child need not read them).
        case data(Data)
        /// A file, read from its start.
        case file(String)
        /// A pipe the test writes with ``ChildProcess/write(_:)`` and ends with
        /// ``ChildProcess/closeInput()``. Choosing it makes the test process ignore SIGPIPE, so a write
        /// to a child that has gone fails instead of killing the runner.
        case pipe
    }

    /// Where a child's standard output or error goes.
    public enum Output: Sendable {
        /// /dev/null.
        case null
        /// A file, created or truncated.
        case file(String)
        /// A pipe read to its end by a thread of its own, for ``ChildProcess/stdout`` and
        /// ``ChildProcess/stderr``.
        case capture
        /// Wherever standard output goes (stderr only).
        case stdout
    }

    /// The descriptors one spawn makes: the child's ends (closed in this process right after the spawn)
    /// and this process's ends (each handed to one owner). All are close-on-exec here; the spawn's dup2
    /// gives the child its own copies at 0, 1 and 2.
    struct Streams {
        private var actions: [(fd: Int32, open: String?, flags: Int32, dup: Int32)] = []
        private var childEnds: [Int32] = []
        private(set) var inputWriter: Int32 = -1
        private(set) var stdoutReader: Int32?
        private(set) var stderrReader: Int32?

        init(stdin: Input, stdout: Output, stderr: Output) throws {
            do {
                try setUp(stdin: stdin, stdout: stdout, stderr: stderr)
            } catch {
                closeChildEnds()
                closeParentEnds()
                throw error
            }
        }

        private mutating func setUp(stdin: Input, stdout: Output, stderr: Output) throws {
            switch stdin {
            case .null: actions.append((0, "/dev/null", O_RDONLY, -1))
            case .file(let path): actions.append((0, path, O_RDONLY, -1))
            case .data(let data):
                let fd = GNUCalls.memfdCreate("firpipe-test-stdin", GNUCalls.memfdCloseOnExec)
                guard fd >= 0 else { throw ChildProcessError(what: "memfd_create", code: errno) }
                childEnds.append(fd)
                let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written == data.count, lseek(fd, 0, SEEK_SET) == 0 else {
                    throw ChildProcessError(what: "writing the child's input", code: errno)
                }
                actions.append((0, nil, 0, fd))
            case .pipe:
                _ = ignoreSIGPIPE
                let (read, write) = try Self.pipe()
                childEnds.append(read)
                inputWriter = write
                actions.append((0, nil, 0, read))
            }
            stdoutReader = try output(stdout, at: 1)
            if case .stdout = stderr {
                actions.append((2, nil, 0, 1))
            } else {
                stderrReader = try output(stderr, at: 2)
            }
        }

        /// Sets up descriptor `fd` of the child; returns this process's reading end for a capture.
        private mutating func output(_ output: Output, at fd: Int32) throws -> Int32? {
            switch output {
            case .null, .stdout: actions.append((fd, "/dev/null", O_WRONLY, -1))
            case .file(let path): actions.append((fd, path, O_WRONLY | O_CREAT | O_TRUNC, -1))
            case .capture:
                let (read, write) = try Self.pipe()
                childEnds.append(write)
                actions.append((fd, nil, 0, write))
                return read
            }
            return nil
        }

        private static func pipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard GNUCalls.pipe2(&fds, O_CLOEXEC) == 0 else { throw ChildProcessError(what: "pipe2", code: errno) }
            return (fds[0], fds[1])
        }

        func addActions(to fileActions: inout posix_spawn_file_actions_t) {
            for action in actions {
                if let path = action.open {
                    posix_spawn_file_actions_addopen(&fileActions, action.fd, path, action.flags, 0o644)
                } else {
                    posix_spawn_file_actions_adddup2(&fileActions, action.dup, action.fd)
                }
            }
        }

        /// After the spawn (or a failed one): the child has its copies.
        mutating func closeChildEnds() {
            for fd in childEnds { close(fd) }
            childEnds = []
        }

        /// After a failed spawn only: otherwise each end has its owner.
        mutating func closeParentEnds() {
            for fd in [inputWriter, stdoutReader ?? -1, stderrReader ?? -1] where fd >= 0 { close(fd) }
            inputWriter = -1
            stdoutReader = nil
            stderrReader = nil
        }
    }

    /// One captured output: a thread reads the pipe to its end, then closes it (its only owner).
    final class Capture: Sendable {
        let data = Mutex(Data())
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    data.withLock { $0.append(contentsOf: buffer[0..<n]) }
                }
                close(fd)
                done.signal()
            }
        }

        /// Waits up to `seconds` for the end of the output.
        func wait(seconds: Double) {
            if done.wait(timeout: .now() + seconds) == .success { done.signal() }
        }
    }
}

/// Set once, the first time a test feeds a child through a pipe.
private let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()
