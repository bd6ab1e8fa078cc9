import FirAudio
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe serve` in spool mode, run as a real child process: files renamed into the inbox come out
/// in the outbox as `firpipe process` would write them; bad ones go to failed; a kill -9 loses nothing.
@Suite struct ServeSpoolTests {
    /// Inbox, outbox, failed and a staging directory to write files before renaming them in.
    struct Spool {
        let f: Fixtures
        let config: String

        init(settle: Double = 0.2) throws {
            f = try Fixtures()
            for dir in ["in", "out", "failed", "staging", "run"] {
                try FileManager.default.createDirectory(atPath: f.dir.path(dir), withIntermediateDirectories: true)
            }
            try f.audio("k.wav", [Signals.decayingNoise(count: 4096, seed: 5).map { $0 * 0.1 }])
            config = try f.text(
                "spool.yaml",
                """
                kernel: k.wav
                serve:
                  spool: {inbox: in, outbox: out, failed: failed, settle_seconds: \(settle), max_jobs: 2}
                  control_socket: run/spool.sock
                """)
        }

        /// Writes a file in staging and renames it into the inbox, as a well-behaved producer does.
        /// Returns what `firpipe process` makes of it when `batch` is set (run before the rename, since
        /// the spool removes the input once done).
        @discardableResult
        func drop(_ name: String, batch: Bool = false, _ write: (String) throws -> Void) throws -> Output? {
            let staged = f.dir.path("staging/" + name)
            try write(staged)
            let expected = batch ? try self.batch(staged, name: name) : nil
            #expect(rename(staged, f.dir.path("in/" + name)) == 0)
            return expected
        }

        func listing(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: f.dir.path(dir))) ?? []).sorted()
        }

        /// What `firpipe process` writes for `input`: format and samples. (Not the bytes: libsndfile
        /// stamps float files' PEAK chunk with the time of writing.)
        func batch(_ input: String, name: String) throws -> Output {
            let out = f.dir.path("staging/batch-" + name)
            let result = try firpipe("process", input, out, "--kernel", f.dir.path("k.wav"), "-q")
            #expect(result.status == 0, "\(result.stderr)")
            return try Output(out, f)
        }

        func output(_ name: String) throws -> Output {
            try Output(f.dir.path("out/" + name), f)
        }
    }

    /// An audio file's format and samples.
    struct Output {
        let info: AudioFileInfo
        let channels: [[Float]]

        init(_ path: String, _ f: Fixtures) throws {
            (info, channels) = try f.read(path)
        }

        /// Same format and length, samples within float rounding. Not bit for bit: the two processes
        /// may use different FFTW plans (wisdom saved by one run is measured for the next), and a
        /// different plan rounds differently, which can move a 24-bit sample by one step.
        func expectSame(as other: Output, _ name: String) {
            #expect(info == other.info, "\(name)")
            for (a, b) in zip(channels, other.channels) {
                #expect(Tolerance.maxErrorDB(a, b) <= -120, "\(name)")
            }
        }
    }

    @Test func filesInFilesOutFailuresAside() throws {
        let s = try Spool()
        defer { s.f.dir.remove() }
        let daemon = try DaemonProcess(["serve", "--config", s.config])
        #expect(daemon.waitUntil { daemon.stderr.contains("watching") }, "\(daemon.stderr)")
        // top -H tells the spool's threads apart by name (NamedThread).
        let named: Set = ["firpipe-spool", "firpipe-control"]
        #expect(daemon.waitUntil { named.isSubset(of: ServeStreamTests.threadNames(daemon.pid)) },
                "\(ServeStreamTests.threadNames(daemon.pid))")
        var expected: [String: Output] = [:]
        for (i, name) in ["a.wav", "b.wav", "c.flac"].enumerated() {
            let x = [Signals.noise(count: 20_000 + i * 777, seed: UInt64(i), amplitude: 0.3)]
            let format = AudioFormat(container: name.hasSuffix(".flac") ? .flac : .wav, sampleFormat: .pcm24)
            expected[name] = try s.drop(name, batch: true) { try AudioFixture.write(x, to: $0, format: format) }
        }
        try s.drop("broken.wav") { try Data("RIFF but not really".utf8).write(to: URL(fileURLWithPath: $0)) }
        try s.drop(".hidden.wav") { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: $0)) }

        // Outputs are committed before inputs are removed and counted: wait for all three.
        #expect(daemon.waitUntil {
            s.listing("out").count == 3 && s.listing("failed").count == 2 && s.listing("in") == [".hidden.wav"]
                && (try? firpipe("status", "--config", s.config).stdout.contains("\"done\":3")) == true
        }, "\(daemon.stderr)")
        for (name, data) in expected {
            try s.output(name).expectSame(as: data, name)
        }
        #expect(s.listing("in") == [".hidden.wav"], "inputs go once their output is committed; dotfiles stay")
        #expect(s.listing("failed") == ["broken.wav", "broken.wav.error"])
        let reason = try String(contentsOfFile: s.f.dir.path("failed/broken.wav.error"), encoding: .utf8)
        #expect(reason.contains("broken.wav") && reason.split(separator: "\n").count == 1, "\(reason)")

        let status = try #require(DaemonStatus(json: try firpipe("status", "--config", s.config).stdout))
        #expect(status.mode == .spool)
        #expect(status.spool == DaemonStatus.Spool(queued: 0, running: 0, done: 3, failed: 1))

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    @Test func killNineMidJobThenRestartFinishesIt() throws {
        let s = try Spool()
        defer { s.f.dir.remove() }
        let x = (0..<2).map { Signals.noise(count: 48_000 * 2, seed: 30 + UInt64($0), amplitude: 0.3) }
        let expected = try s.drop("long.wav", batch: true) { try AudioFixture.write(x, to: $0) }
        // The test build kills itself once the job's first block is with the writer: mid-job every time,
        // on any machine, where a kill at a moment the test chose needed a 90 s input to land mid-job.
        let first = try DaemonProcess(
            ["serve", "--config", s.config], environment: ["FIRPIPE_CRASH_POINT": "after-first-block"])
        let status = first.waitForExit(timeout: 60)
        try #require(first.endedBySignal && status == SIGKILL, "\(first.stderr); \(CrashTests.howToBuild)")
        #expect(s.listing("in") == ["long.wav"], "the input stays until its output is whole")
        #expect(!s.listing("out").contains("long.wav"))

        let second = try DaemonProcess(["serve", "--config", s.config])
        #expect(second.waitUntil(timeout: 60) { s.listing("in").isEmpty }, "\(second.stderr)")
        second.send(SIGTERM)
        #expect(second.waitForExit() == 0, "\(second.stderr)")
        #expect(s.listing("out") == ["long.wav"], "only the whole file, no temporary left")
        try s.output("long.wav").expectSame(as: try #require(expected), "long.wav")
    }

    /// A spool whose config is a graph (mono in, stereo out through a kernel and a delay) writes what
    /// `firpipe process` writes with the same config.
    @Test func spoolRunsAGraph() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        for dir in ["in", "out", "failed", "staging"] {
            try FileManager.default.createDirectory(atPath: f.dir.path(dir), withIntermediateDirectories: true)
        }
        try f.audio("k.wav", [Signals.decayingNoise(count: 2000, seed: 6).map { $0 * 0.1 }])
        let config = try f.text("graph.yaml", """
            filters:
              room: {type: convolution, kernel: k.wav}
              late: {type: delay, delay: 1, unit: ms}
            mixers:
              up:
                channels: {in: 1, out: 2}
                mapping:
                  - {dest: 0, sources: [{channel: 0}]}
                  - {dest: 1, sources: [{channel: 0, invert: true}]}
            pipeline:
              - {type: mixer, name: up}
              - {type: filter, names: [room]}
              - {type: filter, channels: [1], names: [late]}
            serve:
              spool: {inbox: in, outbox: out, failed: failed, settle_seconds: 0.2}
              control_socket: spool.sock
            """)
        let staged = f.dir.path("staging/take.wav")
        try AudioFixture.write([Signals.noise(count: 30_000, seed: 3, amplitude: 0.3)], to: staged)
        let batch = try firpipe("process", "--config", config, staged, f.dir.path("staging/batch.wav"), "-q")
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try Output(f.dir.path("staging/batch.wav"), f)
        #expect(expected.info.channels == 2)
        let daemon = try DaemonProcess(["serve", "--config", config])
        #expect(daemon.waitUntil { daemon.stderr.contains("watching") }, "\(daemon.stderr)")
        #expect(rename(staged, f.dir.path("in/take.wav")) == 0)
        #expect(daemon.waitUntil {
            (try? FileManager.default.contentsOfDirectory(atPath: f.dir.path("in")))?.isEmpty == true
        }, "\(daemon.stderr)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        try Output(f.dir.path("out/take.wav"), f).expectSame(as: expected, "take.wav")
    }
}
