import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe serve` streaming a processing graph: the crossover example (2 channels in, 4 out) equals
/// the batch job shifted by the latency, and a reload that would change the output's channel count is
/// refused while the running graph goes on.
@Suite struct ServeGraphTests {
    static let configDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config")

    @Test func crossoverExampleStreamsWhatTheBatchJobWrites() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let config = Self.configDirectory.appendingPathComponent("serve-crossover.yaml").path
        let block = 256, frames = 20_000
        let inCodec = RawPCMCodec(format: .f32le, channels: 2), outCodec = RawPCMCodec(format: .f32le, channels: 4)
        let x = (0..<2).map { Signals.noise(count: frames, seed: 50 + UInt64($0), amplitude: 0.3) }
        try f.audio("in.wav", x)
        let batch = try firpipe("process", "--config", config, f.dir.path("in.wav"), f.dir.path("batch.wav"), "-q")
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try f.read(f.dir.path("batch.wav")).channels
        #expect(expected.count == 4)

        let daemon = try DaemonProcess(["serve", "--config", config])
        try daemon.write(ServeStreamTests.encode(x, inCodec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("streaming 2 ch into 4"), "\(daemon.stderr)")
        let y = ServeStreamTests.decode(daemon.stdout, outCodec)
        #expect(y.count == 4 && y[0].count == frames + block, "4 channels, input + latency frames")
        for c in 0..<min(4, y.count, expected.count) {
            let streamed = Array(y[c].dropFirst(block)), reference = Array(expected[c].prefix(frames))
            #expect(y[c].prefix(block).allSatisfy { $0 == 0 })
            #expect(Tolerance.maxErrorDB(streamed, reference) <= -120, "output \(c)")
        }
    }

    @Test func reloadChangingTheOutputChannelCountIsRefusedAndTheGraphGoesOn() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let block = 64
        func config(outputs: Int) -> String {
            let mapping = (0..<outputs).map { "      - {dest: \($0), sources: [{channel: 0, gain_db: -6}]}\n" }.joined()
            return "mixers:\n  up:\n    channels: {in: 1, out: \(outputs)}\n    mapping:\n\(mapping)"
                + "pipeline:\n  - {type: mixer, name: up}\nblock_size: \(block)\n"
                + "serve:\n  stream: {format: f32le, channels: 1, rate: 48000}\n  crossfade_ms: 0\n"
        }
        let path = try f.text("up.yaml", config(outputs: 2))
        let codec = RawPCMCodec(format: .f32le, channels: 1), out = RawPCMCodec(format: .f32le, channels: 2)
        let x = Signals.noise(count: 50 * block, seed: 5, amplitude: 0.4)
        let daemon = try DaemonProcess(["serve", "--config", path])
        try daemon.write(ServeStreamTests.encode([Array(x.prefix(20 * block))], codec))
        #expect(daemon.waitUntil { daemon.stdout.count >= 21 * block * 8 })
        _ = try f.text("up.yaml", config(outputs: 3))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.contains("reload rejected") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("writes 3 channels where the stream writes 2; restart the service"))
        try daemon.write(ServeStreamTests.encode([Array(x.dropFirst(20 * block))], codec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        let y = ServeStreamTests.decode(daemon.stdout, out)
        #expect(y[0].count == x.count + block)
        let half = Float(pow(10, -6.0 / 20))
        for c in 0..<2 {
            let worst = zip(y[c].dropFirst(block), x).map { abs($0 - $1 * half) }.max() ?? 1
            #expect(worst < 1e-6, "output \(c) after the refused reload: \(worst)")
        }
    }

    @Test func clippingIsCountedPerOutputChannelInStatus() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let path = try f.text("loud.yaml", """
            mixers:
              m:
                channels: {in: 1, out: 2}
                mapping:
                  - {dest: 0, sources: [{channel: 0}]}
                  - {dest: 1, sources: [{channel: 0, gain_db: 20}]}
            pipeline:
              - {type: mixer, name: m}
            block_size: 64
            serve:
              stream: {format: s16le, channels: 1, rate: 48000}
              control_socket: ctl.sock
            """)
        let codec = RawPCMCodec(format: .s16le, channels: 1)
        let x = [Signals.noise(count: 64 * 20, seed: 9, amplitude: 0.5)]
        let daemon = try DaemonProcess(["serve", "--config", path])
        try daemon.write(ServeStreamTests.encode(x, codec))
        #expect(daemon.waitUntil { daemon.stdout.count >= 64 * 21 * 4 })
        let status = try firpipe("status", "--socket", f.dir.path("ctl.sock"))
        #expect(status.status == 0, "\(status.stderr)")
        let json = try #require(DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let perChannel = try #require(json.clippedPerChannel)
        #expect(perChannel.count == 2 && perChannel[0] == 0 && perChannel[1] > 100, "\(perChannel)")
        #expect(json.clippedSamples == perChannel[1] && json.outputChannels == 2)
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    /// A graph config for a mono f32le stream into two outputs at `gains` dB, crossfading over 10 ms.
    static func upmix(_ gains: [Double], name: String = "up") -> String {
        let mapping = gains.enumerated().map { "      - {dest: \($0.offset), sources: [{channel: 0, gain_db: \($0.element)}]}\n" }
        return "mixers:\n  up:\n    channels: {in: 1, out: \(gains.count)}\n    mapping:\n" + mapping.joined()
            + "pipeline:\n  - {type: mixer, name: \(name)}\nblock_size: 64\n"
            + "serve:\n  stream: {format: f32le, channels: 1, rate: 48000}\n  crossfade_ms: 10\n"
    }

    /// A new graph crossfades in without a gap; a bad one is refused at its position and the graph in
    /// force goes on.
    @Test func reloadCrossfadesToANewGraphAndRefusesABadOne() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let block = 64, fade = 480
        let path = try f.text("up.yaml", Self.upmix([0, 0]))
        let codec = RawPCMCodec(format: .f32le, channels: 1), out = RawPCMCodec(format: .f32le, channels: 2)
        let first = 30 * block, second = 40 * block, third = 20 * block
        let x = Signals.noise(count: first + second + third, seed: 8, amplitude: 0.4)
        let daemon = try DaemonProcess(["serve", "--config", path])
        try daemon.write(ServeStreamTests.encode([Array(x.prefix(first))], codec))
        #expect(daemon.waitUntil { daemon.stdout.count >= (block + first) * 8 })
        _ = try f.text("up.yaml", Self.upmix([-6, 6]))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.contains("reloaded") }, "\(daemon.stderr)")
        try daemon.write(ServeStreamTests.encode([Array(x[first..<(first + second)])], codec))
        #expect(daemon.waitUntil { daemon.stdout.count >= (block + first + second) * 8 })
        _ = try f.text("up.yaml", Self.upmix([0, 0], name: "upp"))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.contains("reload rejected") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("up.yaml:8:25: pipeline.0.name: no mixer named 'upp' (did you mean 'up'?)"),
                "\(daemon.stderr)")
        try daemon.write(ServeStreamTests.encode([Array(x.suffix(third))], codec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")

        let y = ServeStreamTests.decode(daemon.stdout, out)
        #expect(y[0].count == x.count + block, "no gap: output is input + latency")
        let gains = [(1.0, pow(10, -6.0 / 20)), (1.0, pow(10, 6.0 / 20))]
        for c in 0..<2 {
            var worst = 0.0
            for n in 0..<x.count {
                let w: Double
                if n < first { w = 0 } else if n >= first + fade { w = 1 } else {
                    let s = sin(Double.pi / 2 * (Double(n - first) + 0.5) / Double(fade))
                    w = s * s
                }
                let expected = Double(x[n]) * (gains[c].0 * (1 - w) + gains[c].1 * w)
                worst = max(worst, abs(Double(y[c][n + block]) - expected))
            }
            #expect(worst < 1e-6, "output \(c): worst error \(worst)")
        }
    }
}
