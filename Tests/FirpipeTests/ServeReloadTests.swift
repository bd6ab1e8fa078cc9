import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// SIGHUP while streaming: a good config's kernels take over with a crossfade and no gap; a bad one is
/// logged with its position and the running filter goes on.
@Suite struct ServeReloadTests {
    static let block = 64
    static let rate = 48000

    static func config(kernel: String, extra: String = "") -> String {
        "kernel: \(kernel)\nblock_size: \(block)\n\(extra)serve:\n  stream: {format: f32le, channels: 1, rate: \(rate)}\n"
            + "  crossfade_ms: 10\n"
    }

    @Test func goodConfigSwitchesKernelsWithACrossfadeAndNoGap() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("identity.txt", "1\n")
        try f.text("half-late.txt", "0\n0.5\n")
        let configPath = try f.text("room.yaml", Self.config(kernel: "identity.txt"))
        let codec = RawPCMCodec(format: .f32le, channels: 1)
        let first = 40 * Self.block, second = 60 * Self.block + 17
        let x = Signals.noise(count: first + second, seed: 11, amplitude: 0.4)

        let daemon = try DaemonProcess(["serve", "--config", configPath])
        try daemon.write(ServeStreamTests.encode([Array(x.prefix(first))], codec))
        // Wait until every block sent so far has come out, so the switch lands exactly at frame `first`.
        #expect(daemon.waitUntil { daemon.stdout.count >= (Self.block + first) * 4 })
        _ = try f.text("room.yaml", Self.config(kernel: "half-late.txt"))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.contains("reloaded") }, "\(daemon.stderr)")
        try daemon.write(ServeStreamTests.encode([Array(x.suffix(second))], codec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")

        let y = ServeStreamTests.decode(daemon.stdout, codec)[0]
        #expect(y.count == x.count + Self.block, "no gap and no dropped block: output is input + latency")
        let out = Array(y.dropFirst(Self.block))
        let fade = Self.rate * 10 / 1000
        var worst = 0.0, inFade = 0
        for n in 0..<x.count {
            // The new kernels start from silence at the switch: they filter the input from `first` on.
            let old = Double(x[n]), new = n - 1 >= first ? 0.5 * Double(x[n - 1]) : 0
            let w: Double
            if n < first { w = 0 } else if n >= first + fade { w = 1 } else {
                let s = sin(Double.pi / 2 * (Double(n - first) + 0.5) / Double(fade))
                w = s * s
                inFade += 1
            }
            worst = max(worst, abs(Double(out[n]) - (old * (1 - w) + new * w)))
        }
        #expect(inFade == fade)
        #expect(Tolerance.decibels(worst / 0.4) <= -120, "worst error \(worst)")
    }

    @Test func badConfigIsLoggedWithItsPositionAndTheOldFilterGoesOn() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("identity.txt", "1\n")
        let configPath = try f.text("room.yaml", Self.config(kernel: "identity.txt"))
        let codec = RawPCMCodec(format: .f32le, channels: 1)
        let x = Signals.noise(count: 50 * Self.block, seed: 12, amplitude: 0.4)

        let daemon = try DaemonProcess(["serve", "--config", configPath])
        try daemon.write(ServeStreamTests.encode([Array(x.prefix(1000))], codec))
        #expect(daemon.waitUntil { daemon.stdout.count >= Self.block * 4 })
        // A kernel that does not exist, on line 1, and then a key that does not exist.
        _ = try f.text("room.yaml", Self.config(kernel: "missing.txt"))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.contains("reload rejected") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("\(configPath):1:9: kernel file \(f.dir.path("missing.txt")) does not exist"),
                "\(daemon.stderr)")
        _ = try f.text("room.yaml", Self.config(kernel: "identity.txt", extra: "gain_db: 1\nbogus: 2\n"))
        daemon.send(SIGHUP)
        #expect(daemon.waitUntil { daemon.stderr.components(separatedBy: "reload rejected").count == 3 })
        #expect(daemon.stderr.contains("\(configPath):4:1: unknown key 'bogus'"), "\(daemon.stderr)")

        try daemon.write(ServeStreamTests.encode([Array(x.dropFirst(1000))], codec))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        let y = ServeStreamTests.decode(daemon.stdout, codec)[0]
        #expect(y.count == x.count + Self.block)
        #expect(Tolerance.maxErrorDB(Array(y.dropFirst(Self.block)), x) <= -120, "the identity kernel stayed")
    }

    /// A second change during a crossfade waits for it: the output never jumps.
    @Test func changeDuringACrossfadeWaitsForIt() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        for (name, tap) in [("plus.txt", "1"), ("minus.txt", "-1"), ("quarter.txt", "0.5")] {
            try f.text(name, tap + "\n")
        }
        func config(_ kernel: String) -> String {
            "kernel: \(kernel)\nblock_size: \(Self.block)\nserve:\n  stream: {format: f32le, channels: 1, rate: \(Self.rate)}\n"
                + "  crossfade_ms: 200\n"
        }
        let configPath = try f.text("room.yaml", config("plus.txt"))
        let codec = RawPCMCodec(format: .f32le, channels: 1)
        let dc = { (n: Int) in ServeStreamTests.encode([[Float](repeating: 0.5, count: n)], codec) }
        let daemon = try DaemonProcess(["serve", "--config", configPath])
        var sent = 0
        func send(_ n: Int) throws {
            try daemon.write(dc(n))
            sent += n
            #expect(daemon.waitUntil { daemon.stdout.count >= (Self.block + sent) * 4 })
        }
        func reload(_ kernel: String, _ times: Int) throws {
            _ = try f.text("room.yaml", config(kernel))
            daemon.send(SIGHUP)
            #expect(daemon.waitUntil { daemon.stderr.components(separatedBy: "reloaded").count == times + 1 })
        }
        try send(20 * Self.block)
        try reload("minus.txt", 1)
        try send(10 * Self.block)  // the fade to −1 is a tenth done
        try reload("quarter.txt", 2)
        try send(400 * Self.block)
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")

        let y = Array(ServeStreamTests.decode(daemon.stdout, codec)[0].dropFirst(Self.block))
        #expect(y.count == sent)
        let fade = Self.rate / 5
        // The steepest step of a raised-cosine fade from 0.5 to −0.5 over `fade` samples is π/2 / fade.
        let steepest = zip(y.dropFirst(), y).map { abs($0 - $1) }.max() ?? 1
        #expect(Double(steepest) <= 1.01 * Double.pi / 2 / Double(fade), "no jump: \(steepest)")
        #expect(y[20 * Self.block - 1] == 0.5)
        #expect(abs(y[20 * Self.block + fade] + 0.5) < 1e-6, "the first fade ran to its end")
        #expect(abs(y[20 * Self.block + 2 * fade] - 0.25) < 1e-6, "then the second")
        #expect(abs(y.last! - 0.25) < 1e-6)
    }
}
