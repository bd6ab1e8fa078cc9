import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// A NaN or infinite sample in a stream's raw float input: by default the stream ends with one log line
/// naming the input, channel and frame and the daemon exits 65; with `non_finite: zero` it becomes
/// silence and is counted in `firpipe status` and the metrics file; a reload changes the rule live.
@Suite struct ServeNonFiniteTests {
    static let block = 64
    static let frames = 3000
    static let badFrame = 1234
    static let codec = RawPCMCodec(format: .f32le, channels: 2)

    /// Stereo noise with `value` at `badFrame` of channel 1.
    static func signal(_ value: Float) -> [[Float]] {
        var x = (0..<2).map { Signals.noise(count: frames, seed: 21 + UInt64($0), amplitude: 0.3) }
        x[1][badFrame] = value
        return x
    }

    /// A stereo f32le stream config through the two-tap kernel k.txt, with `extra` lines at the top level
    /// and under `serve:`.
    static func config(_ f: Fixtures, top: String = "", serve: String = "") throws -> String {
        try f.text("k.txt", "0.5\n-0.25\n")
        return try f.text(
            "s.yaml",
            "kernel: k.txt\nblock_size: \(block)\n\(top)serve:\n  stream: {format: f32le, channels: 2, rate: 48000}\n\(serve)")
    }

    @Test("by default a NaN ends the stream with one line naming input, channel and frame, and exit 65",
          arguments: [Float.nan, .infinity])
    func endsTheStream(_ value: Float) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let daemon = try DaemonProcess(["serve", "--config", try Self.config(f)])
        try daemon.write(ServeStreamTests.encode(Self.signal(value), Self.codec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 65, "\(daemon.stderr)")
        let shown = value.isNaN ? "NaN" : "+Inf"
        let lines = daemon.stderr.split(separator: "\n").filter { $0.contains("not a finite sample") }
        #expect(lines.count == 1, "\(daemon.stderr)")
        #expect(lines.first?.hasSuffix(
            "the stream's standard input: channel 1, frame \(Self.badFrame) is \(shown), not a finite sample; "
                + "fix what made it, or set non_finite: zero in the config to replace such samples with silence") == true,
            "\(daemon.stderr)")
        // Nothing filtered from the bad block on reached the output.
        let written = ServeStreamTests.decode(daemon.stdout, Self.codec)
        #expect(written[0].count <= Self.badFrame + Self.block, "\(written[0].count) frames written")
        #expect(written.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    @Test("non_finite: zero silences it, logs it once, and status and metrics count it")
    func zeroCountsInStatusAndMetrics() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let socket = f.dir.path("run/s.sock"), metrics = f.dir.path("s.prom")
        let config = try Self.config(
            f, top: "non_finite: zero\n",
            serve: "  control_socket: run/s.sock\n  metrics_file: s.prom\n  metrics_interval_s: 0.1\n")
        var x = Self.signal(.nan)
        x[0][Self.badFrame + 7] = -.infinity
        let daemon = try DaemonProcess(["serve", "--config", config])
        try daemon.write(ServeStreamTests.encode(x, Self.codec))
        let whole = (Self.frames / Self.block) * Self.block + Self.block
        #expect(daemon.waitUntil { daemon.stdout.count >= whole * Self.codec.bytesPerFrame }, "\(daemon.stderr)")
        let status = try firpipe("status", "--socket", socket)
        #expect(status.status == 0, "\(status.stderr)")
        let json = try #require(DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(json.nonFiniteSamples == 2)
        #expect(status.stdout.contains(#""non_finite_samples":2"#))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.split(separator: "\n").filter { $0.contains("replaced by silence") }.count == 1,
                "logged once: \(daemon.stderr)")
        #expect(daemon.stderr.contains("channel 1, frame \(Self.badFrame) is NaN; replaced by silence"))
        let prom = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(prom.contains("firpipe_non_finite_samples_total{config=\"s\"} 2"), "\(prom)")

        x[1][Self.badFrame] = 0
        x[0][Self.badFrame + 7] = 0
        let y = ServeStreamTests.decode(daemon.stdout, Self.codec)
        for c in 0..<2 {
            let reference = DirectConvolution.full(x[c].doubles, [0.5, -0.25])
            let streamed = Array(y[c].dropFirst(Self.block))
            #expect(Tolerance.maxErrorDB(streamed, reference: Array(reference.prefix(Self.frames))) <= -120)
        }
    }

    @Test("a reload changes the rule live: zero, then error")
    func reloadChangesTheRuleLive() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let config = try Self.config(f, top: "non_finite: zero\n", serve: "  control_socket: run/s.sock\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        let x = Self.signal(.nan)
        let first = x.map { Array($0.prefix(Self.frames / 2)) }, second = x.map { Array($0.dropFirst(Self.frames / 2)) }
        try daemon.write(ServeStreamTests.encode(first, Self.codec))
        #expect(daemon.waitUntil { daemon.stderr.contains("replaced by silence") }, "\(daemon.stderr)")
        _ = try Self.config(f, top: "non_finite: error\n", serve: "  control_socket: run/s.sock\n")
        let reload = try firpipe("reload", "--socket", f.dir.path("run/s.sock"))
        #expect(reload.status == 0, "\(reload.stderr)")
        // Another NaN, in the second half.
        var again = second
        again[0][10] = .nan
        try daemon.write(ServeStreamTests.encode(again, Self.codec))
        #expect(daemon.waitForExit() == 65, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("channel 0, frame \(Self.frames / 2 + 10) is NaN, not a finite sample"),
                "\(daemon.stderr)")
    }
}
