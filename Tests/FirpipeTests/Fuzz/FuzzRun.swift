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
        // The shell execs firpipe, so the signal a crash dies of reaches us unchanged.
        let child = try ChildProcess(
            args, in: directory, stdout: .capture, stderr: .capture, memoryLimitKB: memoryLimitKiB)
        let ending: Ending
        switch child.wait(timeout: limit) {
        case .exited(let code): ending = .exited(code)
        case .signalled(let signal): ending = .signalled(signal)
        case .hung: ending = .timedOut
        }
        return FuzzRun(ending: ending, stderr: child.stderr, stdout: child.stdout, seconds: child.elapsed)
    }
}
