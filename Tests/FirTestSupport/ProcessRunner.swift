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

    /// The cache directory the tests' firpipe runs use, shared by them and kept for the process's life.
    public static let testCache: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("firpipe-test-cache-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

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

    /// Runs `script` with /bin/sh in `directory`, with `$FP` set to the firpipe binary: for what a
    /// `Process` cannot do, such as file names that are not UTF-8 (`"$(printf 'a\\377.wav')"`) or a
    /// resource limit (`ulimit -n 8; exec "$FP" …`).
    public static func shell(_ script: String, in directory: URL? = nil) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["FP"] = url.path
        environment["XDG_CACHE_HOME"] = testCache
        return try run(
            ["-c", script], in: directory, environment: environment, executable: URL(fileURLWithPath: "/bin/sh"))
    }

    /// Runs `firpipe args…` (or `executable args…`) in `directory` and waits for it.
    public static func run(
        _ args: [String], in directory: URL? = nil, environment: [String: String]? = nil, executable: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? url
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        // FFTW wisdom and the cost model go to a cache of the tests' own, never the user's.
        var env = environment ?? ProcessInfo.processInfo.environment
        if environment?["XDG_CACHE_HOME"] == nil { env["XDG_CACHE_HOME"] = testCache }
        if environment?["RUNTIME_DIRECTORY"] == nil { env["RUNTIME_DIRECTORY"] = try freshRuntimeDirectory() }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Standard input: a pipe of our own, closed at once (end of file). Not FileHandle.nullDevice:
        // Process closes the handles it is given after spawning, and that shared handle's descriptor
        // number is then reused by other threads' files, which a later run would close again.
        let input = Pipe()
        process.standardInput = input
        try process.run()
        try? input.fileHandleForWriting.close()
        let (stdout, stderr) = readToEnd(out, err)
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: stdout, stderr: stderr,
            signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Reads a child's stdout and stderr pipes to their ends, both at once so a chatty child cannot
    /// block on a full pipe; call it before waiting for the child.
    public static func readToEnd(_ out: Pipe, _ err: Pipe) -> (stdout: String, stderr: String) {
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// A fresh temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "firpipe-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Files in the directory (names), sorted.
    public func listing() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
