import Foundation

/// A `firpipe` child started with posix_spawn, optionally under a virtual-memory limit, with its
/// stderr in a file: for tests that must signal it at a chosen moment after it starts, or stop waiting
/// for one that hangs. Not thread-safe; the test's thread.
public final class ChildProcess {
    /// How a child ended.
    public enum Ending: Equatable, CustomStringConvertible {
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
    private let stderrPath: String
    private var ended: Ending?

    /// Starts `firpipe args…`, with stdin and stdout on /dev/null and stderr into `stderrPath`; under
    /// `ulimit -v memoryLimitKB` (through /bin/sh, which then execs firpipe) when given. The child gets
    /// the tests' cache and a runtime directory of its own, as ``FirpipeBinary/run(_:in:environment:)``'s.
    public init(_ args: [String], stderrPath: String, memoryLimitKB: Int? = nil) throws {
        var argv: [String]
        if let memoryLimitKB {
            argv = ["/bin/sh", "-c", "ulimit -v \(memoryLimitKB) && exec \"$0\" \"$@\"", FirpipeBinary.url.path]
        } else {
            argv = [FirpipeBinary.url.path]
        }
        argv += args
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = FirpipeBinary.testCache
        env["RUNTIME_DIRECTORY"] = try FirpipeBinary.freshRuntimeDirectory()
        let envp = env.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // As a shell starts a command: SIGINT and SIGTERM at their default action and unblocked,
        // whatever the test runner's own thread has blocked or ignored.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), stops = sigset_t()
        sigemptyset(&none)
        sigemptyset(&stops)
        sigaddset(&stops, SIGINT)
        sigaddset(&stops, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &stops)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnv in
                posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
            }
        }
        started = .now()
        guard result == 0 else {
            throw NSError(domain: "posix_spawn", code: Int(result))
        }
        self.pid = pid
        self.stderrPath = stderrPath
    }

    /// A test that fails half-way must not leave its child running.
    deinit {
        if ended == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Seconds since the spawn.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    /// Sends `signal` to the child (before it is reaped, so never to another process).
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the child to end, polling every millisecond; kills it if it is still running after
    /// `timeout` seconds from now.
    public func wait(timeout: Double) -> Ending {
        if let ended { return ended }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var status: Int32 = 0
        while true {
            let got = waitpid(pid, &status, WNOHANG)
            if got == pid { break }
            if DispatchTime.now().uptimeNanoseconds > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                ended = .hung
                return .hung
            }
            usleep(1_000)
        }
        // WIFEXITED / WIFSIGNALED, spelled out: the macros are not imported.
        let ending: Ending = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        ended = ending
        return ending
    }

    /// What the child wrote to stderr, once it has ended.
    public var stderr: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// stderr's non-empty lines.
    public var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
