import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe process --config` and `firpipe check --config` on real files.
@Suite struct ConfigCommandTests {
    let x = [Signals.noise(count: 5000, seed: 11, amplitude: 0.5), Signals.noise(count: 5000, seed: 12, amplitude: 0.5)]
    let hl = Signals.decayingNoise(count: 300, seed: 13), hr = Signals.decayingNoise(count: 500, seed: 14)

    /// A directory with in.wav, a stereo kernel and a config using `body`.
    func setUp(_ body: String) throws -> Fixtures {
        let f = try Fixtures()
        try f.audio("in.wav", x)
        try f.audio("room.wav", [hl, hr + [Float](repeating: 0, count: 0)].map { $0 + [Float](repeating: 0, count: 500 - $0.count) })
        try f.text("job.yaml", body)
        return f
    }

    @Test func perChannelKernelsWithGains() throws {
        let f = try setUp("""
            input: in.wav
            output: out.wav
            channels:
              - kernel: room.wav
                channel: 1
                gain_db: -6
              - kernel: room.wav
                channel: 0
            subtype: double
            """)
        defer { f.dir.remove() }
        let r = try firpipe("process", "--config", f.dir.path("job.yaml"), "-q")
        #expect(r.status == 0, "\(r.stderr)")
        let (info, y) = try f.read(f.dir.path("out.wav"))
        #expect(info.sampleFormat == .double && info.frames == 5000 + 500 - 1)
        let padded = { (h: [Float]) in (h + [Float](repeating: 0, count: 500 - h.count)).doubles }
        let g = pow(10, -6.0 / 20)
        #expect(Tolerance.maxErrorDB(y[0], reference: DirectConvolution.full(x[0].doubles, padded(hr).map { $0 * g })) < -120)
        #expect(Tolerance.maxErrorDB(y[1], reference: DirectConvolution.full(x[1].doubles, padded(hl))) < -120)
    }

    @Test func commandLineOverridesTheFile() throws {
        let f = try setUp("input: in.wav\noutput: out.wav\nkernel: room.wav\nlength: full\n")
        defer { f.dir.remove() }
        let r = try firpipe("process", "--config", f.dir.path("job.yaml"), "--length", "same", "-q", in: f.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try f.read(f.dir.path("out.wav")).info.frames == 5000)
    }

    @Test func checkValidatesWithoutWriting() throws {
        let f = try setUp("input: in.wav\noutput: out.wav\nkernel: room.wav\n")
        defer { f.dir.remove() }
        let r = try firpipe("check", "--config", f.dir.path("job.yaml"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok"))
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
    }

    @Test func unknownKeyIsAConfigErrorWithItsPosition() throws {
        let f = try setUp("input: in.wav\noutput: out.wav\nkernel: room.wav\nblocksize: 512\n")
        defer { f.dir.remove() }
        for command in ["check", "process"] {
            let r = try firpipe(command, "--config", f.dir.path("job.yaml"))
            #expect(r.status == 78, "\(r.stderr)")
            #expect(r.errorLines.count == 1)
            #expect(r.stderr.contains("job.yaml:4:1:"), "\(r.stderr)")
            #expect(r.stderr.contains("block_size"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
    }

    @Test func missingKernelFileIsAConfigError() throws {
        let f = try setUp("input: in.wav\noutput: out.wav\nkernel: gone.wav\n")
        defer { f.dir.remove() }
        let r = try firpipe("check", "--config", f.dir.path("job.yaml"))
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("job.yaml:3:9:") && r.stderr.contains("gone.wav"), "\(r.stderr)")
    }

    @Test func kernelThatDoesNotFitIsPlacedInTheFile() throws {
        let f = try setUp("input: in.wav\noutput: out.wav\nchannels:\n  - kernel: room.wav\n    channel: 5\n  - kernel: room.wav\n")
        defer { f.dir.remove() }
        let r = try firpipe("process", "--config", f.dir.path("job.yaml"))
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("job.yaml:5:"), "\(r.stderr)")
        #expect(r.stderr.contains("channel 5"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
    }

    @Test func missingConfigFile() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let r = try firpipe("process", "--config", f.dir.path("none.yaml"))
        #expect(r.status == 78 || r.status == 66, "\(r.stderr)")
        #expect(r.stderr.contains("none.yaml"))
    }

    @Test func exampleConfigIsValid() throws {
        // The shipped example must keep working; `make run` uses it.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Its output goes to out/ at the top, which `make run` creates (a fresh clone has none).
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("out"), withIntermediateDirectories: true)
        let r = try firpipe("check", "--config", root.appendingPathComponent("Config/example.yaml").path)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func shippedServeConfigsRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for dir in ["out/spool/in", "out/spool/out", "out/spool/failed"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        // The stream example with no input: one block of silence (the latency), then a clean exit.
        let stream = try firpipe("serve", "--config", root.appendingPathComponent("Config/serve-stream.yaml").path)
        #expect(stream.status == 0, "\(stream.stderr)")
        #expect(stream.stdout.utf8.count == 256 * 2 * 2)
        let checked = try firpipe("check", "--config", root.appendingPathComponent("Config/serve-stream.yaml").path)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("serve stream 2 ch s16le at 48000 Hz"), "\(checked.stdout)")
        let spool = try DaemonProcess(["serve", "--config", root.appendingPathComponent("Config/serve-spool.yaml").path])
        #expect(spool.waitUntil { spool.stderr.contains("watching") }, "\(spool.stderr)")
        spool.send(SIGTERM)
        #expect(spool.waitForExit() == 0, "\(spool.stderr)")
    }
}
