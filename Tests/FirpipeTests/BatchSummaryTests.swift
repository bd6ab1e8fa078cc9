import FirTestSupport
import Foundation
import Testing

/// `firpipe batch --summarize DIR`: every shard's journal and report merged over the job list; the
/// totals, each failed job with its error, each job no shard committed with its shard; the exit code
/// says which (0, the failure's, 75 for missing, 66 for no batch).
@Suite struct BatchSummaryTests {
    typealias Tree = BatchCommandTests.Tree

    /// The summary's lines: the totals first, then `failed:` and `missing:` lines.
    private func summarize(_ t: Tree, _ extra: [String] = []) throws -> FirpipeBinary.Result {
        try FirpipeBinary.run(["batch", "--summarize", t.path("out")] + extra)
    }

    @Test("a sharded run with one shard never run: that shard's job is missing, named with its shard; exit 75")
    func missingShard() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        for i in 0..<3 {
            let r = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--shard", "\(i)/4", "-q"])
            try #require(r.status == 0, "\(r.stderr)")
        }
        // Four files of different lengths over four shards: one each, so shard 3's file is the one absent.
        let absent = t.files.filter { !FileManager.default.fileExists(atPath: t.path("out/" + $0)) }
        try #require(absent.count == 1, "\(absent)")
        let r = try summarize(t, ["--report", t.path("merged.jsonl")])
        #expect(r.status == 75, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let frames = ["a.wav": 24_000, "b.wav": 30_000, "sub/c.wav": 9_000, "sub/d.flac": 20_000]
        let committed = Double(frames.filter { $0.key != absent[0] }.values.reduce(0, +)) / 48_000
        #expect(lines.first?.hasSuffix(
            "4 jobs: 3 done, 0 skipped, 0 failed, 1 missing; " + String(format: "%.1f s", committed) + " of audio committed")
            == true, "\(r.stdout)")
        let missing = lines.filter { $0.hasPrefix("missing: ") }
        #expect(missing.count == 1 && missing[0].hasSuffix("out/\(absent[0]) (shard 3/4)"), "\(r.stdout)")
        let rows = try String(contentsOfFile: t.path("merged.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.count == 4)
        #expect(rows.filter { $0["status"] as? String == "missing" }.count == 1)
        #expect(rows.filter { $0["status"] as? String == "done" }.count == 3)

        // The last shard run: nothing missing, exit 0.
        let last = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "--shard", "3/4", "-q"])
        try #require(last.status == 0, "\(last.stderr)")
        let whole = try summarize(t)
        #expect(whole.status == 0, "\(whole.stdout)\(whole.stderr)")
        #expect(whole.stdout.contains("4 jobs: 4 done, 0 skipped, 0 failed, 0 missing"), "\(whole.stdout)")
    }

    @Test("a failed job is listed with its error and sets the batch's exit code; re-run jobs count as skipped")
    func failedJob() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        try #require(try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "-q"]).status == 0)
        try Data("RIFF junk".utf8).write(to: URL(fileURLWithPath: t.path("in/sub/bad.wav")))
        let run = try FirpipeBinary.run(["batch", t.path("in"), t.path("out"), "-k", t.kernel, "-q"])
        try #require(run.status == 65, "\(run.stderr)")
        let r = try summarize(t)
        #expect(r.status == 65, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("5 jobs: 0 done, 4 skipped, 1 failed, 0 missing"), "\(r.stdout)")
        let failed = r.stdout.split(separator: "\n").filter { $0.hasPrefix("failed: ") }
        // The error as the batch printed it for that file.
        let batchLine = run.errorLines.first { $0.contains("bad.wav") && !$0.hasPrefix("firpipe: batch:") } ?? "none"
        #expect(failed.count == 1 && failed[0].hasPrefix("failed: " + t.path("in/sub/bad.wav") + ": "), "\(r.stdout)")
        #expect(failed.first?.hasSuffix(": " + batchLine.dropFirst("firpipe: ".count)) == true, "\(batchLine) vs \(failed)")

        // An output removed since it was committed is no longer counted: missing until re-run.
        try FileManager.default.removeItem(atPath: t.path("out/a.wav"))
        let gone = try summarize(t)
        #expect(gone.stdout.contains("5 jobs: 0 done, 3 skipped, 1 failed, 1 missing"), "\(gone.stdout)")
        #expect(gone.status == 65, "a failure outranks a missing job: \(gone.stdout)")
    }

    @Test("a directory that holds no batch: one line, exit 66; --summarize with directories is a usage error")
    func noBatch() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        let r = try FirpipeBinary.run(["batch", "--summarize", t.path("in")])
        #expect(r.status == 66 && r.errorLines.count == 1 && r.stderr.contains(".firpipe-batch-jobs.jsonl"), "\(r.stderr)")
        let both = try FirpipeBinary.run(["batch", t.path("in"), "--summarize", t.path("in")])
        #expect(both.status == 64, "\(both.stderr)")
    }
}
