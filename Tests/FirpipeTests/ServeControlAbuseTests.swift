import FirAudio
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// The control plane abused while a stream runs: 50 silent clients, garbage, a 10 MB line and the
/// socket file deleted. `status` keeps answering at once, and the audio is the same sample for sample.
@Suite struct ServeControlAbuseTests {
    @Test func statusAnswersAndTheStreamIsUntouched() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let block = ServeStreamTests.block
        let taps: [Double] = [1, 0.5, -0.25]
        try f.text("k.txt", taps.map { "\($0)\n" }.joined())
        let socketPath = f.dir.path("run/a.sock")
        let config = try f.text(
            "s.yaml",
            "kernel: k.txt\nblock_size: \(block)\nserve:\n  stream: {format: f32le, channels: 1, rate: 48000}\n"
                + "  control_socket: run/a.sock\n")
        let codec = RawPCMCodec(format: .f32le, channels: 1)
        let x = Signals.noise(count: 400 * block, seed: 21, amplitude: 0.3)
        let daemon = try DaemonProcess(["serve", "--config", config])
        #expect(daemon.waitUntil { daemon.stderr.contains("streaming 1 ch") }, "\(daemon.stderr)")

        var latencies: [Duration] = []
        func status() {
            let started = ContinuousClock.now
            let reply = try? ControlClient.send("status", to: socketPath, timeout: .seconds(5))
            latencies.append(ContinuousClock.now - started)
            #expect(reply.flatMap(DaemonStatus.init(json:)) != nil, "status answered: \(reply ?? "nothing")")
        }
        func connect() throws -> UnixSocket {
            let client = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
            try client.connect(to: try UnixSocketAddress(path: socketPath))
            try client.setTimeouts(receive: .seconds(5), send: .seconds(5))
            return client
        }
        // The input goes in slices between the abuses, so the stream runs throughout.
        var sent = 0
        func feed(_ frames: Int) throws {
            try daemon.write(ServeStreamTests.encode([Array(x[sent..<(sent + frames)])], codec))
            sent += frames
            status()
        }

        try feed(50 * block)
        let idle = try (0..<50).map { _ in try connect() }
        try feed(50 * block)
        for garbage in ["\u{1}\u{2}\u{3}\n", "{\"json\": true}\n", "status status status\n", "\n"] {
            let client = try connect()
            try client.send(Array(garbage.utf8))
            let reply = String(decoding: try client.receive(upTo: 4096), as: UTF8.self)
            #expect(ControlReply(json: reply.trimmingCharacters(in: .newlines))?.ok == false, "\(garbage): \(reply)")
            status()
        }
        try feed(50 * block)
        // A 10 MB line, sent from another thread: the daemon answers after 1 KiB and hangs up at 64 KiB.
        let flood = try connect()
        let flooded = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? flood.send([UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20))
            flooded.signal()
        }
        for _ in 0..<5 { try feed(10 * block) }
        #expect(flooded.wait(timeout: .now() + 10) == .success, "the flood's sender was cut off")
        #expect(unlink(socketPath) == 0)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while !FileManager.default.fileExists(atPath: socketPath), ContinuousClock.now < deadline { usleep(10_000) }
        try feed(50 * block)
        try feed(x.count - sent)
        withExtendedLifetime(idle) {}
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("control socket \(socketPath) was removed; bound it again"))

        latencies.sort()
        let median = latencies[latencies.count / 2], worst = latencies.last ?? .zero
        print("status over \(latencies.count) calls under abuse: median \(median), worst \(worst)")
        #expect(median < .milliseconds(100), "median \(median)")
        #expect(worst < .seconds(1), "worst \(worst): a 2 s read timeout would show here")

        let y = ServeStreamTests.decode(daemon.stdout, codec)[0]
        #expect(y.count == x.count + block)
        let reference = (0..<x.count).map { n in
            taps.enumerated().reduce(0.0) { sum, tap in n >= tap.offset ? sum + tap.element * Double(x[n - tap.offset]) : sum }
        }
        #expect(y.prefix(block).allSatisfy { $0 == 0 })
        #expect(Tolerance.maxErrorDB(Array(y.dropFirst(block)), reference: reference) <= -120)
    }
}
