import FirTestSupport
import Foundation

/// A seeded, time-bounded fuzzing campaign: workers (one per core) each draw cases from their own
/// generator and run them until the time is up; failures are collected once per kind and their inputs
/// kept on disk.
///
/// Environment: `FUZZ_SECONDS` is the time for all the fuzz suites together (default 80, shared
/// equally; `make fuzz` sets it), `FUZZ_SEED` the base seed (default 1: the suite is reproducible),
/// `FUZZ_KEEP` where failing inputs go (default a directory under the system's temporary directory,
/// made only when something fails).
struct FuzzCampaign: Sendable {
    /// The fuzz suites that share `FUZZ_SECONDS`.
    static let suites = 2

    let name: String
    let seconds: Double
    let seed: UInt64
    let keepRoot: URL
    let workers: Int

    init(name: String) {
        let env = ProcessInfo.processInfo.environment
        self.name = name
        seconds = (env["FUZZ_SECONDS"].flatMap(Double.init) ?? 80) / Double(Self.suites)
        seed = env["FUZZ_SEED"].flatMap(UInt64.init) ?? 1
        keepRoot = URL(fileURLWithPath: env["FUZZ_KEEP"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("firpipe-fuzz-failures").path)
        workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// A case that broke a rule: what rule, and the files and command that show it.
    struct Failure: Sendable {
        var rule: String
        var kind: String
        var files: [String: Data]
        var args: [String]
        var run: String
    }

    /// Runs `body(worker, iteration, generator)` on every worker until the time is up. `body` returns
    /// nil when the case kept every rule. Returns the number of cases run and the failures, one per kind.
    func run(
        _ body: @escaping @Sendable (Int, Int, inout SeededGenerator) throws -> (outcome: String, failure: Failure?)
    ) -> (cases: Int, outcomes: [String: Int], failures: [Failure]) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var rng = SeededGenerator(seed: seed &* 0x1000_0001 &+ UInt64(worker))
            var i = 0
            while DispatchTime.now().uptimeNanoseconds < deadline {
                do {
                    let (outcome, failure) = try body(worker, i, &rng)
                    tally.add(outcome: outcome, failure: failure)
                } catch {
                    tally.add(outcome: "harness error", failure: Failure(
                        rule: "the harness failed: \(error)", kind: "harness", files: [:], args: [], run: ""))
                }
                i += 1
            }
        }
        let (cases, outcomes, failures) = tally.result()
        for failure in failures { keep(failure) }
        print("fuzz \(name): \(cases) cases in \(Int(seconds)) s (seed \(seed), \(workers) workers); "
            + outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        return (cases, outcomes, failures)
    }

    /// Writes a failure's files and a note of how to replay it under `keepRoot/name/kind`.
    private func keep(_ failure: Failure) {
        let safeKind = String(failure.kind.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(60))
        let dir = keepRoot.appendingPathComponent(name).appendingPathComponent(safeKind)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, data) in failure.files { try? data.write(to: dir.appendingPathComponent(file)) }
        let note = "rule: \(failure.rule)\nrun in this directory: firpipe \(failure.args.joined(separator: " "))\n"
            + "got: \(failure.run)\n"
        try? Data(note.utf8).write(to: dir.appendingPathComponent("FAILURE.txt"))
    }
}

/// Counts outcomes and keeps the first failure of each kind; shared by the workers.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var cases = 0
    private var outcomes: [String: Int] = [:]
    private var failures: [String: FuzzCampaign.Failure] = [:]

    func add(outcome: String, failure: FuzzCampaign.Failure?) {
        lock.withLock {
            cases += 1
            outcomes[outcome, default: 0] += 1
            if let failure, failures[failure.kind] == nil { failures[failure.kind] = failure }
        }
    }

    func result() -> (Int, [String: Int], [FuzzCampaign.Failure]) {
        lock.withLock { (cases, outcomes, failures.values.sorted { $0.kind < $1.kind }) }
    }
}
