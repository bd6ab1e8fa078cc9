import Foundation
import Synchronization

/// A `firpipe serve` (or any firpipe command) running as a child process with its standard streams on
/// pipes: the test writes its input, sends it signals, and reads what it wrote and logged.
public final class DaemonProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let output = Collected()
    private let errors = Collected()
    private let readers = DispatchGroup()

    /// Starts `firpipe args…` in `directory` with `environment` added to the tests' own.
    /// The child's `RUNTIME_DIRECTORY`, where its default control socket goes: a fresh one per child, so
    /// tests neither touch /run/firpipe nor meet each other's sockets.
    public let runtimeDirectory: String

    public init(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = FirpipeBinary.url
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = FirpipeBinary.testCache
        runtimeDirectory = try FirpipeBinary.freshRuntimeDirectory()
        env["RUNTIME_DIRECTORY"] = runtimeDirectory
        env.merge(environment) { _, new in new }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        self.input = stdin.fileHandleForWriting
        Self.collect(stdout.fileHandleForReading, into: output, group: readers)
        Self.collect(stderr.fileHandleForReading, into: errors, group: readers)
    }

    /// Bytes read so far from one of the child's output pipes.
    private final class Collected: Sendable {
        let data = Mutex(Data())
    }

    private static func collect(_ handle: FileHandle, into box: Collected, group: DispatchGroup) {
        DispatchQueue.global().async(group: group) {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                box.data.withLock { $0.append(chunk) }
            }
        }
    }

    /// A test that fails half-way must not leave its daemon running.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Writes to the child's standard input.
    public func write(_ data: Data) throws {
        try input.write(contentsOf: data)
    }

    /// Closes the child's standard input (end of input).
    public func closeInput() {
        try? input.close()
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// What the child has written to stdout so far.
    public var stdout: Data { output.data.withLock { $0 } }
    /// What the child has written to stderr so far, as text.
    public var stderr: String { String(decoding: errors.data.withLock { $0 }, as: UTF8.self) }

    /// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
    @discardableResult
    public func waitUntil(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// Waits for the child to exit (killing it after `timeout` seconds) and for its output to be read.
    /// Returns the exit status, or nil if it had to be killed.
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let exited = waitUntil(timeout: timeout) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        readers.wait()
        return exited ? process.terminationStatus : nil
    }

    /// How the child ended: true if by a signal rather than exit().
    public var endedBySignal: Bool { process.terminationReason == .uncaughtSignal }
}
