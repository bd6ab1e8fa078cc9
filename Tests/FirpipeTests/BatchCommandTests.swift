import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `firpipe batch`: every output what `process` writes for its file (to the engine's accuracy in the
/// first test, see ``Tree/matchesProcess(_:input:_:)``; byte for byte in the others), directory and
/// manifest modes; re-runs skip by the journal, `--force` redoes; failures are reported and the
/// others complete; bad manifests give one line naming the line.
@Suite struct BatchCommandTests {
    /// A small tree: stereo and mono, WAV and FLAC, one level of subdirectory, and one kernel.
    struct Tree {
        let f: Fixtures
        let kernel: String
        /// Input paths relative to `in/`.
        let files = ["a.wav", "b.wav", "sub/c.wav", "sub/d.flac"]

        init() throws {
            f = try Fixtures()
            try FileManager.default.createDirectory(atPath: f.dir.path("in/sub"), withIntermediateDirectories: true)
            try f.audio("in/a.wav", (0..<2).map { Signals.noise(count: 24_000, seed: 1 + UInt64($0), amplitude: 0.3) })
            try f.audio("in/b.wav", [Signals.noise(count: 30_000, seed: 5, amplitude: 0.3)])
            try f.audio("in/sub/c.wav", (0..<2).map { Signals.noise(count: 9_000, seed: 7 + UInt64($0), amplitude: 0.3) })
            try f.audio(
                "in/sub/d.flac", [Signals.noise(count: 20_000, seed: 9, amplitude: 0.3)],
                format: .init(container: .flac, sampleFormat: .pcm16))
            kernel = try f.audio("k.wav", [Signals.decayingNoise(count: 4_096, seed: 3).map { $0 * 0.05 }])
        }

        func path(_ name: String) -> String { f.dir.path(name) }

        /// What `process` writes for `input` with `extra` options.
        func processed(_ input: String, _ extra: [String] = []) throws -> Data {
            let out = path("ref-\(UUID().uuidString.prefix(8)).\((input as NSString).pathExtension)")
            let r = try FirpipeBinary.run(["process", input, out, "-k", kernel, "-q"] + extra)
            try #require(r.status == 0, "\(r.stderr)")
            defer { try? FileManager.default.removeItem(atPath: out) }
            return try Data(contentsOf: URL(fileURLWithPath: out))
        }

        func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

        /// Whether `output` holds what `process` writes for `input` with `extra`, to the engine's accuracy:
        /// within −120 dB of the peak for float files, within one step for integer ones. Not byte for byte:
        /// FFTW measures its plans within a time budget (4 s a run), so on a loaded machine one run may
        /// measure a transform size that the other, out of budget, estimated, and the two algorithms
        /// differ in the last bits (seen: 4 of 6 runs on a load of 8).
        func matchesProcess(_ output: String, input: String, _ extra: [String] = []) throws -> Bool {
            let ext = (output as NSString).pathExtension
            let ref = path("ref-\(UUID().uuidString.prefix(8)).\(ext)")
            let r = try FirpipeBinary.run(["process", input, ref, "-k", kernel, "-q"] + extra)
            try #require(r.status == 0, "\(r.stderr)")
            defer { try? FileManager.default.removeItem(atPath: ref) }
            let (info, got) = try f.read(output)
            let (wantInfo, want) = try f.read(ref)
            guard info == wantInfo, got.count == want.count else { return false }
            let step: Double? = switch info.sampleFormat {
            case .pcm16?: 1.0 / 32_768
            case .pcm24?: 1.0 / 8_388_608
            case .pcm32?: 1.0 / 2_147_483_648
            default: nil
            }
            return zip(got, want).allSatisfy { g, w in
                guard g.count == w.count else { return false }
                if let step { return zip(g, w).allSatisfy { abs(Double($0) - Double($1)) <= step * 1.0001 } }
                return Tolerance.maxErrorDB(g, w) <= -120
            }
        }

        func mtime(_ path: String) throws -> Date {
            try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        }
    }

    @Test("a directory tree: mirrored, each output the bytes process writes, one kernel loaded and transformed once")
    func directoryMatchesProcess() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let r = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--gain-db", "-3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("4 done, 0 skipped"), "\(r.stderr)")
        // Every file has the same length class here, so one plan and one transform serve all four.
        #expect(r.stderr.contains("1 kernel file loaded"), "\(r.stderr)")
        for file in t.files {
            #expect(try t.matchesProcess(t.path("out/" + file), input: t.path("in/" + file), ["--gain-db", "-3"]), "\(file)")
        }
    }

    @Test("--output-format (or --format) changes the outputs' extension and container, as process does")
    func directoryWithFormat() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let r = try FirpipeBinary.run(
            ["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--output-format", "flac", "--subtype", "pcm24", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        // Either name works with either command.
        let want = try t.processed(t.path("in/a.wav"), ["--format", "flac", "--subtype", "pcm24"])
        #expect(try t.bytes(t.path("out/a.flac")) == want)
        #expect(try t.processed(t.path("in/a.wav"), ["--output-format", "flac", "--subtype", "pcm24"]) == want)
        let short = try FirpipeBinary.run(["batch", t.path("in"), t.path("o2"), "-k", t.kernel, "--format", "flac", "-q"])
        #expect(short.status == 0 && FileManager.default.fileExists(atPath: t.path("o2/a.flac")), "\(short.stderr)")
        #expect(FileManager.default.fileExists(atPath: t.path("out/sub/d.flac")))
    }

    @Test("CSV and JSON Lines manifests: per-row kernel and gain, paths relative to the manifest")
    func manifestsMatchProcess() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        try "input,output,kernel,gain_db\nin/a.wav,m/a.wav,,-6\n\"in/sub/c.wav\",m/c.wav,k.wav,\n"
            .write(toFile: t.path("jobs.csv"), atomically: true, encoding: .utf8)
        try "{\"input\": \"in/b.wav\", \"output\": \"j/b.wav\", \"gain_db\": 2.5}\n\n"
            .write(toFile: t.path("jobs.jsonl"), atomically: true, encoding: .utf8)
        // Run from elsewhere: relative paths in the manifest are the manifest's.
        for manifest in ["jobs.csv", "jobs.jsonl"] {
            let r = try FirpipeBinary.run(["batch", "--manifest", t.path(manifest), "-k", t.kernel, "-q"])
            #expect(r.status == 0, "\(manifest): \(r.stderr)")
        }
        #expect(try t.bytes(t.path("m/a.wav")) == t.processed(t.path("in/a.wav"), ["--gain-db", "-6"]))
        #expect(try t.bytes(t.path("m/c.wav")) == t.processed(t.path("in/sub/c.wav")))
        #expect(try t.bytes(t.path("j/b.wav")) == t.processed(t.path("in/b.wav"), ["--gain-db", "2.5"]))
    }

    @Test("a re-run skips what the journal holds, redoes an output changed since, and --force redoes all")
    func journalSkipsAndForceRedoes() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let args = ["batch", t.path("in"), t.path("out"), "-k", t.kernel]
        try #require(try FirpipeBinary.run(args).status == 0)
        let first = try t.files.map { try t.mtime(t.path("out/" + $0)) }
        let want = try t.bytes(t.path("out/a.wav"))
        let again = try FirpipeBinary.run(args)
        #expect(again.status == 0 && again.stderr.contains("0 done, 4 skipped"), "\(again.stderr)")
        #expect(try t.files.map { try t.mtime(t.path("out/" + $0)) } == first)
        // An output damaged after it was recorded is redone, the others still skipped.
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: t.path("out/a.wav")))
        let repaired = try FirpipeBinary.run(args)
        #expect(repaired.stderr.contains("1 done, 3 skipped"), "\(repaired.stderr)")
        #expect(try t.bytes(t.path("out/a.wav")) == want)
        // Other settings are another job: redone without --force.
        let louder = try FirpipeBinary.run(args + ["--gain-db", "1"])
        #expect(louder.stderr.contains("4 done, 0 skipped"), "\(louder.stderr)")
        let forced = try FirpipeBinary.run(args + ["--gain-db", "1", "--force"])
        #expect(forced.stderr.contains("4 done, 0 skipped"), "\(forced.stderr)")
    }

    /// A graph config names its filters and mixers in maps, which a spec holds as dictionaries: the
    /// journal's key must not follow their hash order, which changes from process to process.
    @Test("a graph config's jobs are skipped by the next run, as any others")
    func graphConfigJobsAreSkippedByTheNextRun() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let filters = (0..<8).map { "  f\($0): {type: convolution, kernel: \(t.kernel), gain_db: -\($0)}\n" }.joined()
        let steps = (0..<8).map { "  - {type: filter, channels: [0], names: [f\($0)]}\n" }.joined()
        let config = try t.f.text("graph.yaml", "filters:\n" + filters + "pipeline:\n" + steps)
        let args = ["batch", t.path("in"), t.path("out"), "--config", config]
        let first = try FirpipeBinary.run(args)
        #expect(first.status == 0 && first.stderr.contains("4 done, 0 skipped"), "\(first.stderr)")
        let again = try FirpipeBinary.run(args)
        #expect(again.status == 0 && again.stderr.contains("0 done, 4 skipped"), "\(again.stderr)")
    }

    @Test("a corrupt input and a missing kernel are reported, the other jobs complete, the exit code says so")
    func failuresDoNotStopTheBatch() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        try Data("RIFF junk".utf8).write(to: URL(fileURLWithPath: t.path("in/sub/bad.wav")))
        let report = t.path("report.jsonl")
        let r = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--report", report, "-q"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.errorLines.filter { $0.contains("bad.wav") }.count == 2, "one line, and the summary: \(r.stderr)")
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        let rows = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.count == 5)
        #expect(rows.filter { $0["status"] as? String == "done" }.count == 4)
        let bad = rows.first { ($0["input"] as? String)?.hasSuffix("bad.wav") == true }
        #expect(bad?["status"] as? String == "failed" && bad?["error"] is String)
        #expect(try t.bytes(t.path("out/a.wav")) == t.processed(t.path("in/a.wav")))

        try "input,output,kernel\nin/a.wav,m/a.wav,missing.wav\nin/b.wav,m/b.wav,k.wav\n"
            .write(toFile: t.path("jobs.csv"), atomically: true, encoding: .utf8)
        let m = try FirpipeBinary.run(["batch", "--manifest", t.path("jobs.csv"), "-q"])
        #expect(m.status == 66, "\(m.stderr)")
        #expect(m.stderr.contains("jobs.csv:2: "), "\(m.stderr)")
        #expect(FileManager.default.fileExists(atPath: t.path("m/b.wav")))
        #expect(!FileManager.default.fileExists(atPath: t.path("m/a.wav")))

        // --fail-fast with one job at a time: the first failure stops the rest.
        let fast = try FirpipeBinary.run(
            ["batch", "--manifest", t.path("jobs.csv"), "--fail-fast", "--jobs", "1", "--force", "-q"])
        #expect(fast.status == 66 && fast.stderr.contains("1 not run"), "\(fast.stderr)")
    }

    @Test("bad manifests: one line naming the file and line, 65 for values, 78 for columns, 66 when missing")
    func badManifests() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let cases: [(name: String, text: String, code: Int32, place: String)] = [
            ("cols.csv", "input,output,colour\n", 78, "cols.csv:1: unknown column"),
            ("nohead.csv", "# jobs\ninput,kernel\n", 78, "nohead.csv:2: the header has no 'output'"),
            ("fields.csv", "input,output\nin/a.wav,o.wav,extra\n", 65, "fields.csv:2: 3 fields"),
            ("gain.csv", "input,output,gain_db\nin/a.wav,o.wav,loud\n", 65, "gain.csv:2: gain_db"),
            ("quote.csv", "input,output\n\"in/a.wav,o.wav\n", 65, "quote.csv:2: unterminated"),
            ("twice.csv", "input,output\nin/a.wav,o.wav\nin/b.wav,o.wav\n", 65, "twice.csv:3: output"),
            ("loop.csv", "input,output\nin/a.wav,in/b.wav\nin/b.wav,o.wav\n", 65, "loop.csv:2: output"),
            ("key.jsonl", "{\"input\": \"in/a.wav\", \"output\": \"o.wav\"}\n{\"inptu\": \"x\"}\n", 78, "key.jsonl:2: unknown key"),
            ("json.jsonl", "{\"input\": \"in/a.wav\", \"output\": \"o.wav\"}\n{\"input\": \n", 65, "json.jsonl:2: not a JSON"),
            ("noout.jsonl", "{\"input\": \"in/a.wav\"}\n", 65, "noout.jsonl:1: no output"),
        ]
        for c in cases {
            try c.text.write(toFile: t.path(c.name), atomically: true, encoding: .utf8)
            let r = try FirpipeBinary.run(["batch", "--manifest", t.path(c.name), "-k", t.kernel])
            #expect(r.status == c.code, "\(c.name): \(r.stderr)")
            #expect(r.errorLines.count == 1 && r.stderr.contains(c.place), "\(c.name): \(r.stderr)")
        }
        let missing = try FirpipeBinary.run(["batch", "--manifest", t.path("none.csv"), "-k", t.kernel])
        #expect(missing.status == 66 && missing.errorLines.count == 1, "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.path("o.wav")))
    }
}

/// `--shard I/N` and the job engines' variables: the shards together do every job exactly once, with
/// the one-process batch's bytes, and each keeps its own journal and report.
@Suite struct BatchShardCommandTests {
    @Test("four shards: the union is the whole batch, each file done once, bytes as one process")
    func shardsCoverTheBatch() throws {
        let t = try BatchCommandTests.Tree()
        defer { t.f.dir.remove() }
        let whole = try FirpipeBinary.run(["batch", t.path("in"), t.path("one"), "-k", t.kernel, "-q"])
        try #require(whole.status == 0, "\(whole.stderr)")
        var done = 0
        for i in 0..<4 {
            let r = try FirpipeBinary.run(
                ["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--shard", "\(i)/4", "--report", t.path("r.jsonl")])
            #expect(r.status == 0, "\(r.stderr)")
            let summary = r.errorLines.last ?? ""
            done += summary.split(separator: " ").compactMap { Int($0) }.first ?? 0
            #expect(FileManager.default.fileExists(atPath: t.path("r-shard-\(i)-of-4.jsonl")))
        }
        #expect(done == t.files.count)
        for file in t.files {
            #expect(try t.bytes(t.path("out/" + file)) == t.bytes(t.path("one/" + file)), "\(file)")
        }
        // A re-run as one process finds every shard's journal and skips all.
        let again = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel])
        #expect(again.stderr.contains("0 done, 4 skipped"), "\(again.stderr)")
        // The same split from a Slurm array's variables (tasks numbered from 1 here).
        var env = ProcessInfo.processInfo.environment
        env["SLURM_ARRAY_TASK_ID"] = "2"
        env["SLURM_ARRAY_TASK_MIN"] = "1"
        env["SLURM_ARRAY_TASK_COUNT"] = "4"
        let slurm = try FirpipeBinary.run(["batch", t.path("in"), t.path("s"), "-k", t.kernel], environment: env)
        #expect(slurm.status == 0 && slurm.stderr.contains("shard 1/4"), "\(slurm.stderr)")
        env["SLURM_ARRAY_TASK_ID"] = nil
        env["JOB_COMPLETION_INDEX"] = "0"
        let k8s = try FirpipeBinary.run(["batch", t.path("in"), t.path("s"), "-k", t.kernel], environment: env)
        #expect(k8s.status == 64 && k8s.errorLines.count == 1 && k8s.stderr.contains("--shards"), "\(k8s.stderr)")
    }
}
