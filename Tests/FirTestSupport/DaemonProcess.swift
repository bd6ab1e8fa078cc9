import Foundation

/// A `firpipe serve` (or any firpipe command) running as a child process with its standard streams on
/// pipes: the test writes its input, sends it signals, and reads what it wrote and logged.
public final class DaemonProcess: Sendable {
    private let child: ChildProcess

    /// Starts `firpipe args…` in `directory` with `environment` added to the tests' own.
    public init(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws {
        child = try ChildProcess(
            args, in: directory, environment: environment, stdin: .pipe, stdout: .capture, stderr: .capture)
    }

    /// The child's `RUNTIME_DIRECTORY` (see ``ChildProcess/runtimeDirectory``).
    public var runtimeDirectory: String { child.runtimeDirectory }

    public var pid: Int32 { child.pid }

    /// Writes to the child's standard input.
    public func write(_ data: Data) throws {
        try child.write(data)
    }

    /// Closes the child's standard input (end of input).
    public func closeInput() {
        child.closeInput()
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        child.send(signal)
    }

    /// What the child has written to stdout so far.
    public var stdout: Data { child.stdoutData }
    /// What the child has written to stderr so far, as text.
    public var stderr: String { child.stderr }

    /// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
    @discardableResult
    public func waitUntil(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        FirTestSupport.waitUntil(timeout: timeout, condition)
    }

    /// Waits for the child to exit (killing it after `timeout` seconds) and for its output to be read.
    /// Returns the exit status, the signal's number if a signal ended it, or nil if it had to be killed.
    public func waitForExit(timeout: Double = 30) -> Int32? {
        switch child.wait(timeout: timeout) {
        case .exited(let code), .signalled(let code): code
        case .hung: nil
        }
    }

    /// How the child ended: true if by a signal rather than exit().
    public var endedBySignal: Bool {
        if case .signalled = child.ended { return true }
        return false
    }
}
