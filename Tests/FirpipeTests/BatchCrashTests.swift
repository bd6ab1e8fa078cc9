import FirAudio
import FirTestSupport
import Foundation
import Testing

/// kill -9 at seeded random moments of a `firpipe batch`, each followed by a re-run: at the end every
/// output is whole and byte for byte a clean run's, nothing is half-written under a final name at any
/// point, no temporary file is left, and the re-run does each missing job exactly once.
/// `BATCH_CRASH_RUNS` sets the number of kills (3 here; `make crash` runs more).
@Suite(.serialized) struct BatchCrashTests {
    @Test("kill -9 at random moments of a batch, then a re-run")
    func randomKills() throws {
        let runs = Int(ProcessInfo.processInfo.environment["BATCH_CRASH_RUNS"] ?? "") ?? 3
        let files = Int(ProcessInfo.processInfo.environment["BATCH_CRASH_FILES"] ?? "") ?? 40
        let f = try Fixtures()
        defer { f.dir.remove() }
        try FileManager.default.createDirectory(atPath: f.dir.path("in/x"), withIntermediateDirectories: true)
        let names = (0..<files).map { String(format: "%@%03d.wav", $0 % 2 == 0 ? "" : "x/", $0) }
        for (i, name) in names.enumerated() {
            try f.audio("in/" + name, (0..<2).map { Signals.noise(count: 24_000, seed: UInt64(2 * i + $0), amplitude: 0.3) })
        }
        let kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 16_384, seed: 11).map { $0 * 0.05 }])
        // The clean run everything is compared with; a second one (--force: the first may have planned
        // its transforms) is timed to spread the kills over a run.
        let clean = try FirpipeBinary.run(["batch", f.dir.path("in"), f.dir.path("ref"), "-k", kernel, "-q"])
        try #require(clean.status == 0, "\(clean.stderr)")
        let start = Date()
        let timed = try FirpipeBinary.run(["batch", f.dir.path("in"), f.dir.path("ref"), "-k", kernel, "-q", "--force"])
        let length = Date().timeIntervalSince(start)
        try #require(timed.status == 0, "\(timed.stderr)")
        let expected = try names.map { try Data(contentsOf: URL(fileURLWithPath: f.dir.path("ref/" + $0))) }

        var rng = SeededGenerator(seed: 18)
        var killedMidway = 0
        for run in 0..<runs {
            let out = f.dir.path("out")
            try? FileManager.default.removeItem(atPath: out)
            let args = ["batch", f.dir.path("in"), out, "-k", kernel, "-q"]
            // Kill, then kill the re-run too now and then, so a run resumes a journal of a killed run.
            var kills = 0
            while kills < 1 + (run % 2) {
                let delay = Double.random(in: 0..<(1.1 * length), using: &rng)
                let child = try DaemonProcess(args, environment: run % 2 == 1 ? ["FIRPIPE_TEMP_FILES": "named"] : [:])
                usleep(useconds_t(delay * 1e6))
                child.send(SIGKILL)
                _ = child.waitForExit(timeout: 60)
                if child.endedBySignal { killedMidway += 1 }
                kills += 1
                // Nothing half-written under any final name.
                for (name, want) in zip(names, expected) {
                    guard let got = FileManager.default.contents(atPath: out + "/" + name) else { continue }
                    #expect(got == want, "run \(run) kill \(kills) at \(Int(delay * 1000)) ms: \(name) is not whole")
                }
            }
            let rerun = try FirpipeBinary.run(args.dropLast() + [])
            #expect(rerun.status == 0, "run \(run): \(rerun.stderr)")
            // Each job exactly once over the runs: the re-run's done and skipped add up to all of them.
            let summary = rerun.errorLines.last ?? ""
            let counts = summary.split(separator: " ").compactMap { Int($0) }
            #expect(counts.count >= 3 && counts[0] + counts[1] == files && counts[2] == 0, "run \(run): \(summary)")
            for (name, want) in zip(names, expected) {
                #expect(FileManager.default.contents(atPath: out + "/" + name) == want, "run \(run): \(name)")
            }
            let left = (FileManager.default.subpaths(atPath: out) ?? []).filter { $0.contains(".firpipe-") && $0.hasSuffix(".tmp") }
            #expect(left.isEmpty, "run \(run): temporary files left: \(left)")
        }
        print("batch crash runs: \(runs), \(killedMidway) kills landed inside a run of about \(Int(length * 1000)) ms "
            + "(\(files) files); every re-run completed the batch with the clean run's bytes and nothing left behind")
    }
}
