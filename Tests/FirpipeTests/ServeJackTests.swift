import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe serve` with `backend: jack` against a real JACK server on the dummy driver (``JackServer``),
/// played and recorded by a JACK test client (Tests/Jack/play_record.py). Serialized: each test runs a
/// server of its own, and two at once would only compete for the two cores.
@Suite(.serialized) struct ServeJackTests {
    static let period = 256

    /// Kernels long enough for a background level (past 16 blocks of 256), so the callback's filter
    /// step and the level workers both take part.
    static func kernels() -> [[Float]] {
        (0..<2).map { c in Signals.decayingNoise(count: 9000, seed: 60 + UInt64(c)).map { $0 * 0.2 } }
    }

    static func config(
        _ f: Fixtures, name: String, extra: String = "", rate: Int = 48000, kernel: String = "k.wav"
    ) throws -> String {
        try f.text(
            "\(name).yaml",
            "kernel: \(kernel)\nblock_size: \(period)\nserve:\n  stream: {backend: jack, channels: 2, rate: \(rate), "
                + "jack_client: \(name)\(extra)}\n  control_socket: \(name).sock\n")
    }

    @Test func recordingEqualsProcessWithZeroLatency() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let server = try JackServer(period: Self.period)
        let h = Self.kernels()
        try f.audio("k.wav", h)
        let frames = 12_000
        let x = (0..<2).map { Signals.noise(count: frames, seed: 5 + UInt64($0), amplitude: 0.2) }
        try f.audio("in.wav", x, format: AudioFormat(container: .wav, sampleFormat: .float))
        let batch = try firpipe("process", f.dir.path("in.wav"), f.dir.path("batch.wav"), "--kernel", f.dir.path("k.wav"), "-q")
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try f.read(f.dir.path("batch.wav")).channels

        let config = try Self.config(f, name: "fpj")
        let daemon = try DaemonProcess(["serve", "--config", config], environment: server.environment)
        #expect(daemon.waitUntil { daemon.stderr.contains("connected to JACK as fpj") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("latency 0 samples"), "\(daemon.stderr)")

        let length = frames + h[0].count - 1
        // An xrun (the parallel suite loads both cores) drops a period and spoils that recording: it is
        // counted (checked below), and the comparison is made on the first recording without one.
        var attempts: [(recording: [[Float]], latency: [Int], xruns: Int)] = []
        repeat {
            attempts.append(try server.playAndRecord(x, target: "fpj", outputs: 2, record: length + 512, in: f.dir))
        } while attempts.last!.xruns > 0 && attempts.count < 5
        let run = attempts.last!
        let xruns = attempts.reduce(0) { $0 + $1.xruns }
        #expect(run.latency == [0, 0], "JACK reports no added latency at fpj:out_1")
        try #require(run.xruns == 0, "5 recordings in a row had xruns: \(attempts.map(\.xruns))")
        for c in 0..<2 {
            #expect(Tolerance.maxErrorDB(Array(run.recording[c].prefix(length)), Array(expected[c].prefix(length))) <= -120)
            #expect(run.recording[c].dropFirst(length).allSatisfy { abs($0) < 1e-6 }, "nothing after the tail")
        }
        let status = try firpipe("status", "--socket", f.dir.path("fpj.sock"))
        let json = try #require(DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(json.latency.samples == 0 && json.jack?.serverLosses == 0, "\(status.stdout)")
        // The daemon counts every xrun since it started, the client only those while it recorded.
        #expect((json.jack?.xruns ?? 0) >= xruns, "xruns seen by the client \(xruns): \(status.stdout)")
        #expect(json.samples >= UInt64(length), "\(status.stdout)")

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("JACK stream closed (intake stopped)"), "\(daemon.stderr)")
    }

    @Test func serverKilledAndRestartedIsCountedAndStreamsAgain() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let server = try JackServer(period: Self.period)
        try f.audio("k.wav", [[1, 0.5, -0.25], [0.25, 0, 1]])
        let config = try Self.config(f, name: "fpr")
        let daemon = try DaemonProcess(["serve", "--config", config], environment: server.environment)
        #expect(daemon.waitUntil { daemon.stderr.contains("connected to JACK as fpr") }, "\(daemon.stderr)")

        server.kill(SIGKILL)
        #expect(daemon.waitUntil { daemon.stderr.contains("the JACK server went away (1 time so far)") }, "\(daemon.stderr)")
        try server.start()
        #expect(daemon.waitUntil {
            daemon.stderr.components(separatedBy: "connected to JACK as fpr").count == 3
        }, "\(daemon.stderr)")

        let x = (0..<2).map { Signals.noise(count: 4800, seed: 9 + UInt64($0), amplitude: 0.3) }
        let run = try server.playAndRecord(x, target: "fpr", outputs: 2, record: 4802, in: f.dir)
        let h: [[Double]] = [[1, 0.5, -0.25], [0.25, 0, 1]]
        for c in 0..<2 {
            let reference = DirectConvolution.full(x[c].doubles, h[c])
            #expect(Tolerance.maxErrorDB(run.recording[c], reference: reference) <= -120)
        }
        let status = try firpipe("status", "--socket", f.dir.path("fpr.sock"))
        let json = try #require(DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(json.jack?.serverLosses == 1, "\(status.stdout)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    @Test func reloadSwapsKernelsInTheCallbackAndListedPortsConnectWhenTheyAppear() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let server = try JackServer(period: Self.period)
        try f.text("k.txt", "1\n0.5\n")
        // The recorder's ports do not exist yet: the daemon connects them when they appear.
        let config = try Self.config(
            f, name: "fpl", extra: ", jack_connect_outputs: [fptest-rec:r_1, fptest-rec:r_2]", kernel: "k.txt")
        let daemon = try DaemonProcess(["serve", "--config", config], environment: server.environment)
        #expect(daemon.waitUntil { daemon.stderr.contains("connected to JACK as fpl") }, "\(daemon.stderr)")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        _ = try f.text("fpl.yaml", yaml.replacingOccurrences(of: "kernel: k.txt", with: "kernel: k2.txt")
            + "  crossfade_ms: 0\n")
        try f.text("k2.txt", "-0.5\n0\n0.25\n")
        let reload = try firpipe(["reload", "--socket", f.dir.path("fpl.sock")], environment: server.environment)
        #expect(reload.status == 0, "\(reload.stderr)")

        let x = (0..<2).map { Signals.noise(count: 4800, seed: 21 + UInt64($0), amplitude: 0.3) }
        let run = try server.playAndRecord(x, target: "fpl", outputs: 2, record: 4802, in: f.dir)
        for c in 0..<2 {
            let reference = DirectConvolution.full(x[c].doubles, [-0.5, 0, 0.25])
            #expect(Tolerance.maxErrorDB(run.recording[c], reference: reference) <= -120)
        }
        #expect(daemon.stderr.contains("JACK port fptest-rec:r_1 is not there; it is connected when it appears"))
        #expect(daemon.stderr.contains("JACK port fptest-rec:r_2 appeared; connected"), "\(daemon.stderr)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    /// The server's period changed while running (`jack_bufsize`): the callback refuses the new period,
    /// says so once and leaves the outputs silent; with the period back, it filters again.
    @Test func periodChangedWhileRunningIsSilentUntilItIsBack() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let server = try JackServer(period: Self.period)
        let h: [[Double]] = [[0.5, -0.25, 0.125], [1, 0, -0.5]]
        try f.audio("k.wav", h.map { $0.map(Float.init) })
        let config = try Self.config(f, name: "fpp")
        let daemon = try DaemonProcess(["serve", "--config", config], environment: server.environment)
        #expect(daemon.waitUntil { daemon.stderr.contains("connected to JACK as fpp") }, "\(daemon.stderr)")
        let x = (0..<2).map { Signals.noise(count: 4800, seed: 31 + UInt64($0), amplitude: 0.3) }

        try server.setPeriod(2 * Self.period)
        #expect(daemon.waitUntil {
            daemon.stderr.contains("JACK's period is \(2 * Self.period) frames but block_size is \(Self.period): refused")
        }, "\(daemon.stderr)")
        func blocks() throws -> UInt64? {
            let status = try firpipe("status", "--socket", f.dir.path("fpp.sock"))
            return DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?.blocks
        }
        let before = try #require(try blocks())
        let refused = try server.playAndRecord(x, target: "fpp", outputs: 2, record: 4802, in: f.dir)
        #expect(refused.recording.allSatisfy { $0.allSatisfy { $0 == 0 } }, "silent while the period is wrong")
        #expect(try blocks() == before, "no block filtered while the period is wrong")

        try server.setPeriod(Self.period)
        #expect(daemon.waitUntil { daemon.stderr.contains("JACK's period is \(Self.period) again; filtering") }, "\(daemon.stderr)")
        let run = try server.playAndRecord(x, target: "fpp", outputs: 2, record: 4802, in: f.dir)
        for c in 0..<2 {
            let reference = DirectConvolution.full(x[c].doubles, h[c])
            #expect(Tolerance.maxErrorDB(run.recording[c], reference: reference) <= -120)
        }
        #expect(daemon.stderr.components(separatedBy: "refused, the outputs stay silent").count == 2, "said once")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    @Test func wrongRateOrPeriodIsAConfigErrorBeforeReady() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let server = try JackServer(period: 128)
        try f.audio("k.wav", [[1], [1]])
        try f.text("k.txt", "1\n")  // a text kernel has no rate of its own to refuse first
        let period = try firpipe(["serve", "--config", try Self.config(f, name: "fpp")], environment: server.environment)
        #expect(period.status == 78)
        #expect(period.stderr.contains("JACK's period is 128 frames but block_size is 256"), "\(period.stderr)")
        let rate = try firpipe(["serve", "--config", try Self.config(f, name: "fpq", rate: 44100, kernel: "k.txt")], environment: server.environment)
        #expect(rate.status == 78)
        #expect(rate.stderr.contains("the JACK server runs at 48000 Hz but serve.stream.rate is 44100"), "\(rate.stderr)")
    }

    @Test func checkRefusesJackKeysElsewhereAndPipeKeysWithJack() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        let alsa = try f.text(
            "a.yaml", "kernel: k.txt\nserve:\n  stream: {backend: alsa, jack_client: fp, channels: 1, rate: 48000}\n")
        let r = try firpipe("check", "--config", alsa)
        #expect(r.status == 78)
        #expect(r.errorLines == ["firpipe: \(alsa):3:27: serve.stream.jack_client is for the jack backend; "
            + "add backend: jack or remove it"], "\(r.stderr)")
        let mixed = try f.text(
            "m.yaml", "kernel: k.txt\nserve:\n  stream: {backend: jack, input: x.pcm, channels: 1, rate: 48000}\n")
        let m = try firpipe("check", "--config", mixed)
        #expect(m.status == 78)
        #expect(m.stderr.contains("serve.stream.input is for the pipe backend"), "\(m.stderr)")
        let good = try f.text(
            "g.yaml",
            "kernel: k.txt\nserve:\n  stream:\n    backend: jack\n    channels: 1\n    rate: 48000\n"
                + "    jack_connect_inputs: [system:capture_1]\n    jack_connect_outputs: [system:playback_1]\n")
        let g = try firpipe("check", "--config", good)
        #expect(g.status == 0, "\(g.stderr)")
    }
}

/// Runs firpipe with `environment` added (a JACK server's) and waits for it.
private func firpipe(_ args: [String], environment: [String: String]) throws -> FirpipeBinary.Result {
    try FirpipeBinary.run(args, environment: environment, timeout: 60)
}
