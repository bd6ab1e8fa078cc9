import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `firpipe wisdom` and `firpipe bench`, run for real at small sizes.
@Suite struct ToolCommandTests {
    @Test func wisdomSavesPlansAndACostModel() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-wisdom")
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = dir.path("cache")
        let r = try FirpipeBinary.run(["wisdom", "--sizes", "256", "512"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try String(contentsOfFile: dir.path("cache/firpipe/fftw3f.wisdom"), encoding: .utf8)
        #expect(saved.contains("fftw"))
        let model = try Data(contentsOf: URL(fileURLWithPath: dir.path("cache/firpipe/cost-model.json")))
        let json = try JSONSerialization.jsonObject(with: model) as? [String: Any]
        #expect((json?["fftPairSeconds"] as? [Double])?.allSatisfy { $0 > 0 } == true)
        #expect(try FirpipeBinary.run(["wisdom", "--sizes", "3"], environment: env).status == 64)
    }

    /// `--file` with a bare name: the wisdom and the cost model land in the working directory (the
    /// model once went to "/cost-model.json", the root's).
    @Test func wisdomFileWithABareName() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-wisdom-bare")
        defer { dir.remove() }
        // A cache of its own (unused with --file) lets the child measure: the suite's children estimate.
        let r = try FirpipeBinary.run(
            ["wisdom", "--sizes", "256", "--file", "plans.wisdom"], in: URL(fileURLWithPath: dir.path("")),
            environment: ["XDG_CACHE_HOME": dir.path("cache")])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path("")).sorted()
        #expect(names == ["cost-model.json", "plans.wisdom"])
    }

    /// The planner remembers whether a size has measured wisdom (a job asks twice, and the second ask
    /// must not wait for a plan being made); a "no" is forgotten when wisdom comes in, which answers it.
    /// The import changes FFTW's wisdom for the whole process: alone, in a runner of its own.
    @Test func plannerAnswerFollowsImportedWisdom() throws {
        if let failure = try AloneRun.rerun("ToolCommandTests/plannerAnswerFollowsImportedWisdom") {
            #expect(failure.isEmpty, "alone: \(failure)")
            return
        }
        let dir = try TemporaryDirectory(prefix: "firpipe-wisdom-answer")
        defer { dir.remove() }
        let size = 960
        #expect(!FFTPlanner.shared.hasMeasuredPlan(size: size))
        #expect(!FFTPlanner.shared.hasMeasuredPlan(size: size), "asked again")
        let r = try FirpipeBinary.run(
            ["wisdom", "--sizes", "\(size)", "--file", "w.wisdom"], in: URL(fileURLWithPath: dir.path("")),
            // This runner was started by the suite, whose children estimate: this one must measure.
            environment: ["XDG_CACHE_HOME": dir.path("cache"), WisdomStore.planningVariable: ""])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(FFTPlanner.shared.importWisdom(fromFile: dir.path("w.wisdom")))
        #expect(FFTPlanner.shared.hasMeasuredPlan(size: size), "the imported wisdom answers")
    }

    /// `process` imports the saved wisdom on another thread while it starts up; its plans must still
    /// wait for it. A plan made without the wisdom would be measured again (the batch policy measures a
    /// 512-point transform) and the wisdom file saved anew: a new inode and modification time.
    @Test func processPlansWithTheSavedWisdom() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = f.dir.path("cache")
        #expect(try FirpipeBinary.run(["wisdom", "--sizes", "512"], environment: env).status == 0)
        let wisdom = f.dir.path("cache/firpipe/fftw3f.wisdom")
        func identity() throws -> String {
            let attributes = try FileManager.default.attributesOfItem(atPath: wisdom)
            return "\(attributes[.systemFileNumber] ?? "?") \(attributes[.modificationDate] ?? "?")"
        }
        let before = try identity()
        let input = try f.audio("in.wav", [Signals.noise(count: 3000, seed: 4, amplitude: 0.5)])
        let kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 300, seed: 5)])
        for threads in ["1", "2"] {
            let r = try FirpipeBinary.run(
                ["process", input, f.dir.path("out.wav"), "-k", kernel, "--block-size", "256", "--threads", threads, "-q"],
                environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try identity() == before, "the run measured a size the saved wisdom holds")
    }

    /// A first run on a fresh machine measures its sizes in full, so the wisdom it saves plans them alone.
    /// A 16,384-point pair takes 0.7 s here: FFTW's time limit under the old budget (0.3 s a direction)
    /// cut it short, and every later run planned it again and ran FFTW_ESTIMATE's plan. The wisdom is
    /// imported into this process: alone, in a runner of its own.
    @Test func firstRunMeasuresItsSizeInFull() throws {
        if let failure = try AloneRun.rerun("ToolCommandTests/firstRunMeasuresItsSizeInFull") {
            #expect(failure.isEmpty, "alone: \(failure)")
            return
        }
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", [Signals.noise(count: 20_000, seed: 10, amplitude: 0.5)])
        let kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 300, seed: 11)])
        let size = 16_384
        #expect(!FFTPlanner.shared.hasMeasuredPlan(size: size))
        let r = try FirpipeBinary.run(
            ["process", input, f.dir.path("out.wav"), "-k", kernel, "--block-size", "\(size / 2)", "-q"],
            // This runner was started by the suite, whose children estimate: this one must measure.
            environment: ["XDG_CACHE_HOME": f.dir.path("cache"), WisdomStore.planningVariable: ""])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(FFTPlanner.shared.importWisdom(fromFile: f.dir.path("cache/firpipe/fftw3f.wisdom")))
        #expect(FFTPlanner.shared.hasMeasuredPlan(size: size), "the first run's wisdom plans its size alone")
    }

    /// A size too big to measure within the planning budget (a 262,144-point pair: FFTW stops at its
    /// time limit, 2 s a direction) leaves wisdom the next run cannot plan from alone; that run plans
    /// again, from the timed-out records, in milliseconds, and learns nothing new. The wisdom file is then
    /// left alone (it was rewritten and flushed by every run), and so is every later run's.
    @Test func wisdomIsSavedOnlyWhenItChanges() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = f.dir.path("cache")
        let input = try f.audio("in.wav", [Signals.noise(count: 70_000, seed: 8, amplitude: 0.5)])
        let kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 300, seed: 9)])
        let wisdom = f.dir.path("cache/firpipe/fftw3f.wisdom")
        func run() throws -> String {
            let r = try FirpipeBinary.run(
                ["process", input, f.dir.path("out.wav"), "-k", kernel, "--block-size", "131072", "-q"], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            let attributes = try FileManager.default.attributesOfItem(atPath: wisdom)
            return "\(attributes[.systemFileNumber] ?? "?") \(attributes[.modificationDate] ?? "?")"
        }
        let first = try run()
        #expect(try run() == first, "the second run rewrote the wisdom")
        #expect(try run() == first, "the third run rewrote the wisdom")
    }

    /// `FIRPIPE_FFT_PLANNING=estimate`: no wisdom saved, none read (wisdom measured in between changes
    /// nothing: the same bytes), and `firpipe wisdom` refuses, since no run would use what it measures.
    @Test func fixedPlansIgnoreWisdomAndRepeatTheBytes() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = f.dir.path("cache")
        var fixed = env
        fixed["FIRPIPE_FFT_PLANNING"] = "estimate"
        let input = try f.audio("in.wav", [Signals.noise(count: 30_000, seed: 6, amplitude: 0.5)])
        let kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 3000, seed: 7)])
        func run(_ out: String) throws -> Data {
            let r = try FirpipeBinary.run(["process", input, f.dir.path(out), "-k", kernel, "-q"], environment: fixed)
            #expect(r.status == 0, "\(r.stderr)")
            return try Data(contentsOf: URL(fileURLWithPath: f.dir.path(out)))
        }
        let first = try run("a.wav")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("cache/firpipe/fftw3f.wisdom")), "nothing saved")
        let refused = try FirpipeBinary.run(["wisdom", "--sizes", "512"], environment: fixed)
        #expect(refused.status == 64 && refused.stderr.contains("FIRPIPE_FFT_PLANNING=estimate"), "\(refused.stderr)")
        #expect(try FirpipeBinary.run(["wisdom", "--sizes", "8192", "16384"], environment: env).status == 0)
        #expect(try run("b.wav") == first, "measured wisdom in the cache is not read")
    }

    @Test func benchReportsTheEngineAgainstItsLowerBound() throws {
        let r = try FirpipeBinary.run(["bench", "--taps", "4096", "--seconds", "1", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)  // one thread, then two
        #expect(lines.allSatisfy { $0.contains("engine/bound") && $0.contains("block") })
        // The bound is taken on as many workers as the engine's, all at once.
        #expect(lines.first?.contains("alone, on one worker;") == true)
        #expect(lines.last?.contains("alone, on the same 2 workers at once;") == true)
    }

    @Test func benchRejectsNonsense() throws {
        #expect(try FirpipeBinary.run(["bench", "--taps", "0"]).status == 64)
        #expect(try FirpipeBinary.run(["bench", "--seconds", "-1"]).status == 64)
    }
}
