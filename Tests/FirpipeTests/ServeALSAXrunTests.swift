import FirAudio
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe serve` with `backend: alsa` on devices that keep time (``ClockedPCM``), so that a stream
/// falling behind them gets an xrun as on a sound card: the daemon stopped for 200 ms (SIGSTOP, then
/// SIGCONT) must count the overrun and the underrun, warn once of each, recover and stream on. The
/// control run, never stopped, must count none and play the capture exactly, so the count can fail.
///
/// The capture loops 0.1 s of noise; the kernel is one tap of 1, so what is played is what was captured.
@Suite(.enabled(
    if: ClockedPCM.compiler != nil && ClockedPCM.hasHeaders,
    "the clocked test PCM needs a C compiler (cc) and alsa-lib's headers (libasound2-dev) to be built"))
struct ServeALSAXrunTests {
    static let block = 256
    /// A buffer of 43 ms, well under the 200 ms stop: with 3 periods (16 ms) the control run overran
    /// once in eight on a machine with both cores busy.
    static let periods = 8
    static let latency = block * periods
    static let codec = RawPCMCodec(format: .s16le, channels: 2)
    static let overran = "capture device 'fpcapture' overran"
    static let underran = "playback device 'fpplayback' underran"

    @Test func aDaemonStoppedFor200msCountsItsXrunsOnceWarnedAndStreamsOn() throws {
        let setup = try Setup()
        defer { setup.f.dir.remove() }
        let daemon = try setup.start()
        #expect(daemon.waitUntil { setup.outputFrames >= Self.latency + 20 * Self.block }, "\(daemon.stderr)")
        let before = try setup.status()

        daemon.send(SIGSTOP)
        #expect(daemon.waitUntil { Self.isStopped(daemon.pid) }, "the daemon did not stop")
        // The stimulus, not a wait for something: in 200 ms both cards run more than a buffer (43 ms)
        // past the stream.
        usleep(200_000)
        daemon.send(SIGCONT)

        #expect(daemon.waitUntil { daemon.stderr.contains(Self.overran) && daemon.stderr.contains(Self.underran) },
                "\(daemon.stderr)")
        let resumed = setup.outputFrames
        #expect(daemon.waitUntil { setup.outputFrames >= resumed + 12_000 }, "the stream goes on: \(daemon.stderr)")
        let after = try setup.status()
        #expect(after.state == .running)
        #expect(after.overruns > before.overruns && after.underruns > before.underruns,
                "both cards' xruns are counted: \(before) → \(after)")
        #expect(after.samples >= before.samples + 12_000, "\(before.samples) → \(after.samples)")
        #expect(daemon.stderr.components(separatedBy: Self.overran).count == 2, "warned once: \(daemon.stderr)")
        #expect(daemon.stderr.components(separatedBy: Self.underran).count == 2, "warned once: \(daemon.stderr)")
        // What is played after the recovery is the capture again, not only the silence it was refilled with.
        let played = setup.output().dropFirst(resumed * Self.codec.bytesPerFrame)
        #expect(played.contains { $0 != 0 }, "\(played.count) bytes of silence after the recovery")

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    @Test func aDaemonThatKeepsUpCountsNoXrunsAndPlaysTheCaptureExactly() throws {
        let setup = try Setup()
        defer { setup.f.dir.remove() }
        let daemon = try setup.start()
        let frames = 24_000  // 0.5 s: five times round the captured loop
        #expect(daemon.waitUntil { setup.outputFrames >= Self.latency + frames }, "\(daemon.stderr)")
        let status = try setup.status()
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")

        #expect(status.overruns == 0 && status.underruns == 0, "\(status)")
        #expect(!daemon.stderr.contains("overran") && !daemon.stderr.contains("underran"), "\(daemon.stderr)")
        let bytes = Self.codec.bytesPerFrame
        let y = setup.output()
        try #require(y.count >= (Self.latency + frames) * bytes)
        #expect(y.prefix(Self.latency * bytes).allSatisfy { $0 == 0 }, "the output starts with the buffer of silence")
        var looped = Data()
        while looped.count < frames * bytes { looped.append(setup.input) }
        let played = y.dropFirst(Self.latency * bytes).prefix(frames * bytes)
        let differs = zip(played, looped).enumerated().first { $0.element.0 != $0.element.1 }.map { $0.offset / bytes }
        #expect(differs == nil, "the played frames differ from the captured from frame \(differs ?? 0)")
    }

    // MARK: - Helpers

    /// One test's directory: 0.1 s of stereo s16le noise to capture, the clocked devices, a kernel of
    /// one tap and the daemon's config (``periods`` periods of ``block`` frames at 48 kHz, a control socket).
    struct Setup {
        let f: Fixtures
        let input: Data
        let environment: [String: String]
        let config: String

        init() throws {
            f = try Fixtures()
            let x = (0..<2).map { Signals.noise(count: 4800, seed: 70 + UInt64($0), amplitude: 0.3) }
            let codec = ServeALSAXrunTests.codec
            input = ServeStreamTests.encode(ServeStreamTests.quantized(x, codec), codec)
            try input.write(to: f.dir.url.appendingPathComponent("in.raw"))
            environment = try ClockedPCM.environment(f, infile: f.dir.path("in.raw"))
            try f.text("k.txt", "1\n")
            config = try f.text(
                "xrun.yaml",
                "kernel: k.txt\nblock_size: \(ServeALSAXrunTests.block)\nserve:\n  stream: {backend: alsa, "
                    + "capture_device: fpcapture, playback_device: fpplayback, periods: \(ServeALSAXrunTests.periods), "
                    + "format: s16le, channels: 2, rate: 48000}\n  control_socket: fp.sock\n")
        }

        func start() throws -> DaemonProcess {
            try DaemonProcess(["serve", "--config", config], environment: environment)
        }

        /// What the playback device has been given so far.
        func output() -> Data {
            (try? Data(contentsOf: URL(fileURLWithPath: f.dir.path("out.raw")))) ?? Data()
        }

        var outputFrames: Int { ServeALSATests.size(f.dir.path("out.raw")) / ServeALSAXrunTests.codec.bytesPerFrame }

        /// `firpipe status` of the running daemon.
        func status() throws -> DaemonStatus {
            let r = try FirpipeBinary.run(["status", "--socket", f.dir.path("fp.sock")], timeout: 60)
            try #require(r.status == 0, "\(r.stderr)")
            return try #require(DaemonStatus(json: r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    /// Whether `pid` is stopped by a signal: the state after the command name in /proc/pid/stat is T.
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[end.upperBound...].first == "T"
    }
}
