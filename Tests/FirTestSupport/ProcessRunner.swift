import Foundation

/// Runs the built `firpipe` binary as a child process, the way a user would.
public enum FirpipeBinary {
    /// The `firpipe` executable beside the test bundle (SwiftPM builds it into the same directory).
    public static var url: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The test runner is <build>/<config>/firpipePackageTests.xctest; the binary sits beside it.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("firpipe")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("firpipe")
    }

    /// The cache directory the tests' firpipe runs use, shared by them, kept for the process's life and
    /// removed at its exit.
    public static let testCache: String = {
        try? FileManager.default.createDirectory(atPath: testCachePath, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FirpipeBinary.testCachePath) }
        return testCachePath
    }()

    private static let testCachePath =
        FileManager.default.temporaryDirectory.appendingPathComponent("firpipe-test-cache-\(getpid())").path

    /// A new directory for one child's `RUNTIME_DIRECTORY` (its default control socket), under the
    /// tests' cache.
    public static func freshRuntimeDirectory() throws -> String {
        let path = testCache + "/run-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// What a finished run printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Whether the child died of a signal (then `status` is the signal's number).
        public var signaled = false
        /// stderr's non-empty lines.
        public var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs `script` with /bin/sh in `directory`, with `$FP` set to the firpipe binary: for file names
    /// that are not UTF-8 (`"$(printf 'a\\377.wav')"`) or a resource limit (`ulimit -n 8; exec "$FP" …`).
    public static func shell(_ script: String, in directory: URL? = nil) throws -> Result {
        try run(["-c", script], in: directory, environment: ["FP": url.path], executable: "/bin/sh")
    }

    /// Runs `firpipe args…` (or `executable args…`) in `directory` with `environment` added to the
    /// tests' own and standard input at its end, and waits for it; one still running after `timeout`
    /// seconds is killed (and reported as killed by SIGKILL).
    public static func run(
        _ args: [String], in directory: URL? = nil, environment: [String: String] = [:],
        executable: String? = nil, stdin: ChildProcess.Input = .null, timeout: Double = 600
    ) throws -> Result {
        let child = try ChildProcess(
            args, executable: executable ?? url.path, in: directory, environment: environment, stdin: stdin,
            stdout: .capture, stderr: .capture)
        let ending = child.wait(timeout: timeout)
        var result = Result(status: 0, stdout: child.stdout, stderr: child.stderr)
        switch ending {
        case .exited(let code): result.status = code
        case .signalled(let signal): (result.status, result.signaled) = (signal, true)
        case .hung: (result.status, result.signaled) = (SIGKILL, true)
        }
        return result
    }
}
