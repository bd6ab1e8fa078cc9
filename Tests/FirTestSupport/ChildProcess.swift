import Foundation
import Synchronization

/// A child process started with posix_spawn: the one way the tests start a process (firpipe, a shell,
/// setpriv, sha256sum…). Every descriptor it makes has one owner that closes it once, and all are
/// close-on-exec, so a test running in parallel neither loses a descriptor to it nor passes one to
/// its own children.
///
/// Thread-safe: the test's thread, and any thread that polls or signals it.
public final class ChildProcess: Sendable {
    /// How a child ended.
    public enum Ending: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the deadline: killed with SIGKILL.
        case hung

        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signalled(let signal): "signal \(signal)"
            case .hung: "still running at the deadline (killed)"
            }
        }
    }

    public let pid: pid_t
    /// When the child was spawned.
    public let started: DispatchTime
    /// How it ended, once reaped; the lock also keeps a signal from reaching a reaped (reused) pid.
    private let ending = Mutex<Ending?>(nil)
    private let input: Mutex<Int32>
    private let stdoutCapture: Capture?
    private let stderrCapture: Capture?
    private let stderrPath: String?

    /// Starts `executable args…` (firpipe by default) in `directory`, with `environment` added to the
    /// tests' own. Every child gets the tests' cache and a runtime directory of its own (its default
    /// control socket) unless `environment` names them; under `ulimit -v memoryLimitKB` (through
    /// /bin/sh, which then execs the program) when given. SIGINT, SIGTERM and SIGPIPE start at their
    /// default actions and unblocked, as a shell starts a command, whatever the test runner's threads
    /// have blocked or ignored.
    public init(
        _ args: [String], executable: String = FirpipeBinary.url.path, in directory: URL? = nil,
        environment: [String: String] = [:], stdin: Input = .null, stdout: Output = .null, stderr: Output = .null,
        memoryLimitKB: Int? = nil
    ) throws {
        var argv = [executable] + args
        if let memoryLimitKB { argv = ["/bin/sh", "-c", "ulimit -v \(memoryLimitKB) && exec \"$0\" \"$@\""] + argv }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = FirpipeBinary.testCache
        // Fixed plans for children on the shared cache: the wisdom a child measures and saves there
        // mid-run would give the next child another plan, and other bits, than a test's previous run
        // of the same job got (a parallel run compared two streams and found them a bit apart). A
        // test with a cache of its own gets measured plans, as users do.
        if environment["XDG_CACHE_HOME"] == nil { env["FIRPIPE_FFT_PLANNING"] = "estimate" }  // WisdomStore.fixedPlans
        if environment["RUNTIME_DIRECTORY"] == nil { env["RUNTIME_DIRECTORY"] = try FirpipeBinary.freshRuntimeDirectory() }
        env.merge(environment) { _, new in new }
        self.runtimeDirectory = env["RUNTIME_DIRECTORY"] ?? ""

        var streams = try Streams(stdin: stdin, stdout: stdout, stderr: stderr)
        defer { streams.closeChildEnds() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        streams.addActions(to: &actions)
        // Descriptors the code under test opened without O_CLOEXEC (another test's, on another thread)
        // must not reach the child, where they would hold a pipe open or a file busy.
        _ = GNUCalls.addCloseFrom(&actions, 3)
        if let directory { _ = GNUCalls.addChdir(&actions, directory.path) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = withCStrings(argv) { cArgv in
            withCStrings(env.map { "\($0.key)=\($0.value)" }) { cEnv in
                posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
            }
        }
        started = .now()
        guard result == 0 else {
            streams.closeParentEnds()
            throw ChildProcessError(what: "posix_spawn \(argv[0])", code: result)
        }
        self.pid = pid
        self.input = Mutex(streams.inputWriter)
        self.stdoutCapture = streams.stdoutReader.map(Capture.init)
        self.stderrCapture = streams.stderrReader.map(Capture.init)
        if case .file(let path) = stderr { self.stderrPath = path } else { self.stderrPath = nil }
    }

    /// The child's `RUNTIME_DIRECTORY`, where its default control socket goes: a fresh one per child, so
    /// tests neither touch /run/firpipe nor meet each other's sockets.
    public let runtimeDirectory: String

    /// A test that fails half-way must not leave its child running.
    deinit {
        ending.withLock { ended in
            guard ended == nil else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            ended = .signalled(SIGKILL)
        }
        closeInput()
    }

    /// Seconds since the spawn.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    /// Sends `signal` to the child, unless it has been reaped (its pid may then be another process's).
    public func send(_ signal: Int32) {
        ending.withLock { ended in
            if ended == nil { kill(pid, signal) }
        }
    }

    /// How the child ended, or nil while it runs (reaps it if it has ended).
    public var ended: Ending? { reap(hang: false) }

    /// Waits for the child to end, polling every millisecond; kills it if it is still running after
    /// `timeout` seconds from now. Then waits for captured output to reach its end.
    @discardableResult
    public func wait(timeout: Double) -> Ending {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var result = reap(hang: false)
        while result == nil {
            if DispatchTime.now().uptimeNanoseconds > deadline {
                result = reap(hang: true)
                break
            }
            usleep(1_000)
            result = reap(hang: false)
        }
        // The pipes end when the child does, unless it left a process of its own holding them.
        stdoutCapture?.wait(seconds: 10)
        stderrCapture?.wait(seconds: 10)
        return result ?? .hung
    }

    /// One waitpid under the lock: the ending if the child has ended (or was killed, with `hang`).
    private func reap(hang: Bool) -> Ending? {
        ending.withLock { ended in
            if let ended { return ended }
            var status: Int32 = 0
            if hang {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                ended = .hung
                return .hung
            }
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            // WIFEXITED / WIFSIGNALED, spelled out: the macros are not imported.
            ended = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
            return ended
        }
    }

    /// Writes `data` to the child's standard input (``Input/pipe``). A child that has closed its end
    /// makes this throw EPIPE (the tests ignore SIGPIPE; see ``Input/pipe``).
    public func write(_ data: Data) throws {
        try input.withLock { fd in
            guard fd >= 0 else { throw ChildProcessError(what: "write to a closed stdin", code: EBADF) }
            try data.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw ChildProcessError(what: "write to stdin", code: errno) }
                    done += n
                }
            }
        }
    }

    /// Closes the child's standard input (end of input); again is nothing.
    public func closeInput() {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// What the child has written to a captured stdout so far.
    public var stdoutData: Data { stdoutCapture?.data.withLock { $0 } ?? Data() }
    /// What the child has written to stdout so far, as text.
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }

    /// What the child has written to stderr so far: captured, or the file it went to.
    public var stderr: String {
        if let stderrCapture { return String(decoding: stderrCapture.data.withLock { $0 }, as: UTF8.self) }
        guard let stderrPath else { return "" }
        return (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// stderr's non-empty lines.
    public var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A failed system call while starting or feeding a child.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var what: String
    public var code: Int32
    public var description: String { "\(what): \(String(cString: strerror(code)))" }
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
