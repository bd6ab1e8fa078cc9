import FirTestSupport
import Foundation

/// One run of the real binary under the fuzzers' limits: a deadline after which it is killed, and an
/// address-space limit so a mutated input that asks for absurd memory cannot take the machine down.
///
/// Called from a fuzz worker thread; each run is independent.
struct FuzzRun {
    /// How the child ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    var ending: Ending
    var stderr: String
    var stdout: String
    var seconds: Double

    /// stderr's non-empty lines.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// Virtual memory a child may use, in KiB: far above any sane job on the fuzzers' tiny files, far
    /// below what would hurt a shared machine.
    static let memoryLimitKiB = 4_000_000

    /// Runs `firpipe args…` in `directory` with `seconds` to finish.
    static func run(_ args: [String], in directory: URL, seconds limit: Double) throws -> FuzzRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `exec` so the signal a crash dies of reaches us unchanged, not through the shell.
        process.arguments = ["-c", "ulimit -v \(memoryLimitKiB); exec \"$0\" \"$@\"", FirpipeBinary.url.path] + args
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = FirpipeBinary.testCache
        env["RUNTIME_DIRECTORY"] = try FirpipeBinary.freshRuntimeDirectory()
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let start = DispatchTime.now()
        try process.run()
        try? input.fileHandleForWriting.close()
        let killed = KillSwitch()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            killed.fire()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
        let (stdout, stderr) = FirpipeBinary.readToEnd(out, err)
        process.waitUntilExit()
        watchdog.cancel()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let ending: Ending
        if killed.fired {
            ending = .timedOut
        } else if process.terminationReason == .uncaughtSignal {
            ending = .signalled(process.terminationStatus)
        } else {
            ending = .exited(process.terminationStatus)
        }
        return FuzzRun(ending: ending, stderr: stderr, stdout: stdout, seconds: seconds)
    }
}

/// Set by the watchdog when it kills a child, read after the child is reaped.
private final class KillSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func fire() { lock.withLock { value = true } }
    var fired: Bool { lock.withLock { value } }
}
