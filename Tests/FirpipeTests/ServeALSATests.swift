import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe serve` with `backend: alsa`, without sound hardware: alsa-lib's `file` plugin on a `null`
/// slave, in an ALSA configuration of the test's own (ALSA_CONFIG_PATH names only it, so the machine's
/// cards and asoundrc play no part). The capture device reads a raw file through the plugin's `infile`;
/// the playback device's plugin writes what the daemon plays to a raw file.
///
/// The null plugin has no clock: it takes and gives frames as fast as they are asked for, so these
/// streams run faster than real time and their capture never ends (past the end of `infile` the plugin
/// repeats stale buffer contents). The tests stop the daemon once the output holds the input's frames.
@Suite struct ServeALSATests {
    static let block = 64
    static let periods = 3
    static let frames = 12_000

    @Test(arguments: [RawSampleFormat.s16le, .s24le, .s32le, .f32le])
    func captureAndPlaybackEqualProcessShiftedByTheLatency(_ format: RawSampleFormat) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let kernel = (0..<2).map { c in Signals.decayingNoise(count: 3000, seed: 50 + UInt64(c)).map { $0 * 0.2 } }
        try f.audio("k.wav", kernel)
        let codec = RawPCMCodec(format: format, channels: 2)
        let x = ServeStreamTests.quantized(
            (0..<2).map { Signals.noise(count: Self.frames, seed: 17 + UInt64($0), amplitude: 0.2) }, codec)
        let subtype = ServeStreamTests.formats.first { $0.0 == format }!.1
        try f.audio("in.wav", x, format: AudioFormat(container: .wav, sampleFormat: subtype))
        try ServeStreamTests.encode(x, codec).write(to: f.dir.url.appendingPathComponent("in.raw"))
        let env = try Self.asoundrc(f)
        // Past the end of in.raw the file plugin hands back stale buffer contents, NaN at times in f32le,
        // and the clockless null device lets the daemon read on until SIGTERM: `non_finite: zero` keeps
        // that from ending the stream. Only the frames before it are compared.
        let config = try f.text(
            "alsa.yaml",
            "kernel: k.wav\nblock_size: \(Self.block)\nnon_finite: zero\nserve:\n  stream: {backend: alsa, capture_device: fpcapture, "
                + "playback_device: fpplayback, periods: \(Self.periods), format: \(format.rawValue), channels: 2, "
                + "rate: 48000}\n")

        let batch = try firpipe("process", f.dir.path("in.wav"), f.dir.path("batch.wav"), "--kernel", f.dir.path("k.wav"), "-q")
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try f.read(f.dir.path("batch.wav")).channels

        let latency = Self.block * Self.periods
        let out = f.dir.path("out.raw")
        let daemon = try DaemonProcess(["serve", "--config", config], environment: env)
        #expect(daemon.waitUntil { Self.size(out) >= (Self.frames + latency) * codec.bytesPerFrame }, "\(daemon.stderr)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("on ALSA (capture fpcapture, playback fpplayback, 3 periods), latency \(latency) samples"))

        let y = ServeStreamTests.decode(try Data(contentsOf: URL(fileURLWithPath: out)), codec)
        try #require(y[0].count >= Self.frames + latency)
        for c in 0..<2 {
            #expect(y[c].prefix(latency).allSatisfy { $0 == 0 }, "the output starts with the device's buffer of silence")
            let streamed = Array(y[c][latency..<(latency + Self.frames)]), reference = Array(expected[c].prefix(Self.frames))
            if format == .s16le {
                // Both sides quantize nearly the same float result; rounding may differ by one step.
                let worst = zip(streamed, reference).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1.0001 / 32768, "worst difference \(worst * 32768) steps")
            } else {
                let db = Tolerance.maxErrorDB(streamed, reference)
                #expect(db <= -120, "\(format): \(db) dB")
                print("ALSA \(format.rawValue) channel \(c): max error \(String(format: "%.1f", db)) dB of the peak")
            }
        }
    }

    @Test func aRateTheDeviceDoesNotRunAtIsAConfigErrorBeforeReady() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        let env = try Self.asoundrc(f)
        let config = try f.text(
            "r.yaml",
            "kernel: k.txt\nserve:\n  stream: {backend: alsa, playback_device: card44k, format: s16le, channels: 2,\n"
                + "           rate: 48000}\n")
        let r = try FirpipeBinary.run(["serve", "--config", config], environment: env, timeout: 60)
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.errorLines.last == "firpipe: \(config):4:18: playback device 'card44k' runs at 44100 Hz, the config "
            + "says serve.stream.rate: 48000; set the rate the card runs at (or resample the kernels with it)", "\(r.stderr)")
        #expect(!r.stderr.contains("streaming"), "refused before it was ready")
    }

    @Test func checkRefusesDeviceSettingsWithoutOpeningTheDevices() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        // The system's alsa.conf too, for its hw and plughw; ALSA_CONFIG_PATH takes a list.
        var env = try Self.asoundrc(f)
        env["ALSA_CONFIG_PATH"] = "/usr/share/alsa/alsa.conf:" + (env["ALSA_CONFIG_PATH"] ?? "")
        func check(_ stream: String) throws -> FirpipeBinary.Result {
            let config = try f.text("c.yaml", "kernel: k.txt\nserve:\n  stream: {format: s16le, channels: 2, rate: 48000, \(stream)}\n")
            return try FirpipeBinary.run(["check", "--config", config], environment: env)
        }
        let config = f.dir.path("c.yaml")
        let cases: [(String, String)] = [
            ("backend: alsa, playback_device: nosuchpcm",
             "3:85: no ALSA device 'nosuchpcm': the ALSA configuration (alsa.conf, /etc/asound.conf, ~/.asoundrc) "
                + "defines no PCM of that name; list them with `aplay -L` / `arecord -L`"),
            ("backend: jack, capture_device: fpcapture",
             "3:84: serve.stream.capture_device needs backend: alsa (the stream's backend is jack); add 'backend: alsa' "
                + "or remove it"),
            ("capture_device: fpcapture",
             "3:69: serve.stream.capture_device needs backend: alsa (the stream's backend is pipe); add 'backend: alsa' "
                + "or remove it"),
            ("backend: alsa", "3:62: serve.stream with backend: alsa needs 'capture_device', 'playback_device' or both "
                + "(a side without one stays a pipe), e.g. capture_device: hw:1, playback_device: hw:1"),
            ("backend: alsa, playback_device: fpplayback, periods: 1",
             "3:106: serve.stream.periods must be between 2 and 16, found 1"),
            ("backend: alsa, capture_device: fpcapture, input: in.pcm",
             "3:102: serve.stream has both input and capture_device; the device takes the pipe's place, so remove input"),
            ("backend: alsa, playback_device: ''", "3:85: serve.stream.playback_device must be an ALSA device name such "
                + "as hw:1 or plughw:CARD=Device, found ''"),
        ]
        for (stream, message) in cases {
            let r = try check(stream)
            #expect(r.status == 78, "\(stream): \(r.stderr)")
            #expect(r.errorLines == ["firpipe: \(config):\(message)"], "\(stream)")
        }
        let ok = try check("backend: alsa, capture_device: fpcapture, playback_device: 'hw:7,0', periods: 2")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("on ALSA (capture fpcapture, playback hw:7,0, 2 periods); kernel 1 taps; latency 512 samples"),
                "\(ok.stdout)")
    }

    // MARK: - Helpers

    /// Writes the test's ALSA configuration beside its files and returns the environment that makes
    /// alsa-lib read it alone: `fpcapture` reads in.raw, `fpplayback` writes out.raw, and `card44k`
    /// runs at 44.1 kHz only (a plug PCM whose slave's rate is fixed, with resampling off as firpipe
    /// asks).
    static func asoundrc(_ f: Fixtures) throws -> [String: String] {
        let dir = f.dir.url.path
        let text = """
            pcm.fpcapture { type file slave.pcm { type null } file "/dev/null" infile "\(dir)/in.raw" format "raw" }
            pcm.fpplayback { type file slave.pcm { type null } file "\(dir)/out.raw" format "raw" }
            pcm.card44k { type plug slave { pcm { type null } rate 44100 } }
            """
        return ["ALSA_CONFIG_PATH": try f.text("asoundrc", text + "\n")]
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
