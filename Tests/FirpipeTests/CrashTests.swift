import FirAudio
import FirTestSupport
import Foundation
import Testing

/// kill -9 at any moment of `process`, then one normal run to the same output: the output's name holds
/// nothing or the whole, correct file (byte for byte the normal run's), and nothing else is left in
/// the directory. Two ways in: the named crash points of a test build (`FIRPIPE_CRASH_POINT`, see
/// ``CrashPoint``), which reach each step of the commit for certain, and SIGKILL at seeded random
/// moments of real runs. `CRASH_RUNS` sets the number of random kills (20 here; `make crash
/// CRASH_RUNS=200` for a long run).
@Suite(.serialized) struct CrashTests {
    /// The how-to for a binary built without crash points: the tests fail with it instead of skipping.
    static let howToBuild = "the firpipe binary has no crash points: build it as `make test` does, with "
        + "swift build -c release -Xswiftc -enable-testing -Xswiftc -DFIRPIPE_CRASH_POINTS"

    /// A directory with an input long enough that a run takes a good fraction of a second, its kernel,
    /// and the output of one undisturbed run to compare with.
    struct Setup {
        let f: Fixtures
        let input: String
        let kernel: String
        let out: String
        let expected: Data
        /// Wall time of the undisturbed run.
        let seconds: Double
        var args: [String] { ["process", input, out, "-k", kernel, "-q"] }

        init(seconds audio: Int = 8) throws {
            f = try Fixtures()
            input = try f.audio(
                "in.wav", (0..<2).map { Signals.noise(count: 48_000 * audio, seed: 40 + UInt64($0), amplitude: 0.3) })
            kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 32_768, seed: 7).map { $0 * 0.05 }])
            out = f.dir.path("out.flac")
            let r = try FirpipeBinary.run(["process", input, out, "-k", kernel, "-q"])
            try #require(r.status == 0, "\(r.stderr)")
            expected = try Data(contentsOf: URL(fileURLWithPath: out))
            // A second undisturbed run must give the same bytes, or the comparisons below mean nothing;
            // it is also timed (the first may have planned its transforms).
            try FileManager.default.removeItem(atPath: out)
            let start = Date()
            try #require(try FirpipeBinary.run(["process", input, out, "-k", kernel, "-q"]).status == 0)
            seconds = Date().timeIntervalSince(start)
            try #require(try Data(contentsOf: URL(fileURLWithPath: out)) == expected, "two runs differ")
            try FileManager.default.removeItem(atPath: out)
        }

        /// What the directory must hold: the input, the kernel, and the output if `withOutput`.
        func expectClean(withOutput: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let want = withOutput ? ["in.wav", "k.wav", "out.flac"] : ["in.wav", "k.wav"]
            #expect(f.dir.listing() == want, "\(what): \(f.dir.listing())", sourceLocation: sourceLocation)
        }

        /// The output, if it exists, is the whole, correct file. Returns whether it exists.
        func expectNothingOrWhole(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
            guard FileManager.default.fileExists(atPath: out) else { return false }
            let data = try Data(contentsOf: URL(fileURLWithPath: out))
            #expect(data == expected, "\(what): \(data.count) bytes under the final name, want \(expected.count)",
                    sourceLocation: sourceLocation)
            return true
        }

        /// A normal run to the same output succeeds, writes the expected bytes and leaves nothing else.
        /// Returns how long it took.
        @discardableResult
        func expectRecovery(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
            let start = Date()
            let r = try FirpipeBinary.run(args)
            let seconds = Date().timeIntervalSince(start)
            #expect(r.status == 0, "\(what): the next run failed: \(r.stderr)", sourceLocation: sourceLocation)
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == expected, "\(what)", sourceLocation: sourceLocation)
            expectClean(withOutput: true, "\(what), after the next run", sourceLocation: sourceLocation)
            return seconds
        }
    }

    /// The points each kind of temporary file passes, and whether the output exists after dying there.
    static let points: [(point: String, named: Bool, outputAfter: Bool)] = [
        ("after-first-block", false, false), ("before-commit", false, false), ("before-link", false, false),
        ("after-link-before-rename", false, false), ("after-rename", false, true),
        ("after-first-block", true, false), ("before-commit", true, false), ("before-rename", true, false),
        ("after-rename", true, true),
    ]

    @Test("dying at each named crash point leaves nothing the next run does not clear")
    func namedCrashPoints() throws {
        let s = try Setup(seconds: 2)
        defer { s.f.dir.remove() }
        for (point, named, outputAfter) in Self.points {
            let what = "\(point) (\(named ? "named" : "unnamed") temporary file)"
            try? FileManager.default.removeItem(atPath: s.out)
            var environment = ["FIRPIPE_CRASH_POINT": point]
            if named { environment["FIRPIPE_TEMP_FILES"] = "named" }
            let run = try DaemonProcess(s.args, environment: environment)
            let status = run.waitForExit(timeout: 60)
            guard run.endedBySignal, status == SIGKILL else {
                Issue.record("\(what): exited with \(status.map(String.init) ?? "nothing") instead of dying; \(Self.howToBuild)")
                return
            }
            #expect(try s.expectNothingOrWhole(what) == outputAfter, "\(what)")
            if point == "after-link-before-rename" || point == "before-rename" {
                // The one moment a hidden file exists under a dead pid: the next run must remove it.
                #expect(s.f.leftovers().count == 1, "\(what): \(s.f.dir.listing())")
            }
            try s.expectRecovery(what)
        }
    }

    @Test("kill -9 at seeded random moments of a run, then a normal run")
    func randomKills() throws {
        let runs = Int(ProcessInfo.processInfo.environment["CRASH_RUNS"] ?? "") ?? 20
        let s = try Setup()
        defer { s.f.dir.remove() }
        var rng = SeededGenerator(seed: 14)
        var outcomes = (none: 0, whole: 0, finished: 0, leftBehind: 0)
        // How long a run takes, from the latest normal runs (the machine's load changes it), so that
        // the kills spread over the whole run rather than after its end.
        var recent = [s.seconds]
        for run in 0..<runs {
            try? FileManager.default.removeItem(atPath: s.out)
            // Up to 1.1 times the run's length, so a few kills come after the end and most land inside;
            // every other run uses the named temporary file (test builds only; others ignore it).
            let length = recent.sorted()[recent.count / 2]
            let delay = Double.random(in: 0..<(1.1 * length), using: &rng)
            let what = "kill \(run) at \(Int(delay * 1000)) ms"
            let child = try DaemonProcess(s.args, environment: run % 2 == 1 ? ["FIRPIPE_TEMP_FILES": "named"] : [:])
            usleep(useconds_t(delay * 1e6))
            child.send(SIGKILL)
            _ = child.waitForExit(timeout: 60)
            let exists = try s.expectNothingOrWhole(what)
            if !child.endedBySignal {
                outcomes.finished += 1
            } else if exists {
                outcomes.whole += 1
            } else {
                outcomes.none += 1
            }
            if !s.f.leftovers().isEmpty { outcomes.leftBehind += 1 }
            recent = Array((recent + [try s.expectRecovery(what)]).suffix(5))
        }
        print("crash runs: \(runs) kills of a run of about \(Int(recent.sorted()[recent.count / 2] * 1000)) ms: \(outcomes.none) left no output, "
              + "\(outcomes.whole) a whole output, \(outcomes.finished) had finished; \(outcomes.leftBehind) left a "
              + "temporary file that the next run removed; every next run gave the same bytes and a clean directory")
    }
}
