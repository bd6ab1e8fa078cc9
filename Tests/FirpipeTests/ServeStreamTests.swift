import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe serve` in stream mode, run as a real child process: raw PCM in on stdin, out on stdout.
@Suite struct ServeStreamTests {
    static let block = 64
    static let frames = 12_000  // not a whole number of blocks: the last one is partial

    /// Each format's raw samples and the WAV subtype holding the same values.
    static let formats: [(RawSampleFormat, SampleFormat)] = [
        (.s16le, .pcm16), (.s24le, .pcm24), (.s32le, .pcm32), (.f32le, .float),
    ]

    @Test(arguments: [0, 1, 2, 3]) func streamEqualsBatchShiftedByTheLatency(_ which: Int) throws {
        let (raw, subtype) = Self.formats[which]
        let f = try Fixtures()
        defer { f.dir.remove() }
        let kernel = (0..<2).map { c in Signals.decayingNoise(count: 3000, seed: 40 + UInt64(c)).map { $0 * 0.2 } }
        try f.audio("k.wav", kernel)
        let codec = RawPCMCodec(format: raw, channels: 2)
        let x = Self.quantized((0..<2).map { Signals.noise(count: Self.frames, seed: 7 + UInt64($0), amplitude: 0.2) }, codec)
        try f.audio("in.wav", x, format: AudioFormat(container: .wav, sampleFormat: subtype))
        let config = try f.text(
            "stream.yaml",
            "kernel: k.wav\nblock_size: \(Self.block)\nserve:\n  stream: {format: \(raw.rawValue), channels: 2, rate: 48000}\n")

        let batch = try firpipe("process", f.dir.path("in.wav"), f.dir.path("batch.wav"), "--kernel", f.dir.path("k.wav"), "-q")
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try f.read(f.dir.path("batch.wav")).channels

        let daemon = try DaemonProcess(["serve", "--config", config])
        try daemon.write(Self.encode(x, codec))
        daemon.closeInput()
        let status = daemon.waitForExit()
        #expect(status == 0, "\(daemon.stderr)")
        let y = Self.decode(daemon.stdout, codec)
        #expect(y[0].count == Self.frames + Self.block, "output is input + latency")
        #expect(y[0].prefix(Self.block).allSatisfy { $0 == 0 } && y[1].prefix(Self.block).allSatisfy { $0 == 0 })
        for c in 0..<2 {
            let streamed = Array(y[c].dropFirst(Self.block)), reference = Array(expected[c].prefix(Self.frames))
            if raw != .s16le {
                // Float rounding (−120 dB of the peak) is coarser than a 24- or 32-bit step.
                #expect(Tolerance.maxErrorDB(streamed, reference) <= -120)
            } else {
                // Both sides quantize nearly the same float result; rounding may differ by one step.
                let step = 1 / Float(1 << (raw.bytesPerSample * 8 - 1))
                let worst = zip(streamed, reference).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= step * 1.0001, "worst difference \(worst / step) steps")
            }
        }
    }

    @Test func sigtermMidStreamFlushesEverythingSentAndExitsZero() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let config = try Self.monoStream(f, taps: "1\n0.5\n-0.25\n")
        let codec = RawPCMCodec(format: .f32le, channels: 1)
        let x = [Signals.noise(count: 5000, seed: 3, amplitude: 0.3)]
        let daemon = try DaemonProcess(["serve", "--config", config])
        // The block of silence is written once the signal handlers are in place.
        #expect(daemon.waitUntil { daemon.stdout.count >= Self.block * 4 })
        try daemon.write(Self.encode(x, codec))
        daemon.send(SIGTERM)
        let status = daemon.waitForExit()
        #expect(status == 0, "\(daemon.stderr)")
        let y = Self.decode(daemon.stdout, codec)[0]
        #expect(y.count == 5000 + Self.block, "every frame sent before the signal is in the output")
        let reference = DirectConvolution.full(x[0].doubles, [1, 0.5, -0.25])
        #expect(Tolerance.maxErrorDB(Array(y.dropFirst(Self.block)), reference: Array(reference.prefix(5000))) <= -120)
        #expect(daemon.stderr.contains("intake stopped"))
    }

    @Test func streamThreadsShowTheirNamesInProc() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let config = try Self.monoStream(f, taps: "1\n0.5\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        let stages: Set = ["firpipe-reader", "firpipe-filter", "firpipe-writer"]
        // top -H and the soak script (Benchmarks/soak.sh) tell the stages apart by these names.
        #expect(daemon.waitUntil { stages.isSubset(of: Self.threadNames(daemon.pid)) },
                "\(Self.threadNames(daemon.pid))")
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
    }

    @Test func badConfigAtStartIsOneLineWithItsPosition() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        let config = try f.text(
            "bad.yaml", "kernel: k.txt\nserve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n  crossfade_ms: -5\n")
        let result = try firpipe("serve", "--config", config)
        #expect(result.status == 78)
        #expect(
            result.errorLines == ["firpipe: \(config):4:17: serve.crossfade_ms must be between 0 and 10000, found -5"])
    }

    @Test func checkMatchesKernelsAgainstTheStream() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("k3.wav", [[1], [1], [1]])
        let config = try f.text(
            "c.yaml", "kernel: k3.wav\nserve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n")
        let r = try firpipe("check", "--config", config)
        #expect(r.status == 78)
        // At the value, not at the key as before.
        let expected = "firpipe: \(config):1:9: \(f.dir.path("k3.wav")): kernel has 3 channels"
        #expect(r.errorLines.first?.hasPrefix(expected) == true, "\(r.stderr)")
    }

    @Test func missingPipesAreConfigErrorsBeforeReady() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        let missingInput = try f.text(
            "c.yaml", "kernel: k.txt\nserve:\n  stream: {input: nowhere.pcm, format: s16le, channels: 1, rate: 8000}\n")
        let r = try firpipe("serve", "--config", missingInput)
        #expect(r.status == 78)
        #expect(r.errorLines == [
            "firpipe: \(missingInput):3:19: stream input \(f.dir.path("nowhere.pcm")) does not exist; create the named "
                + "pipe (mkfifo) or use '-' for stdin",
        ])
        let missingDirectory = try f.text(
            "d.yaml", "kernel: k.txt\nserve:\n  stream: {output: no/dir/out.pcm, format: s16le, channels: 1, rate: 8000}\n")
        let d = try firpipe("serve", "--config", missingDirectory)
        #expect(d.status == 78)
        let directoryError = "firpipe: \(missingDirectory):3:20: the directory of stream output"
        #expect(d.errorLines.first?.hasPrefix(directoryError) == true, "\(d.stderr)")
    }

    @Test func namedPipesInAndOut() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "0.5\n0.25\n")
        let input = f.dir.path("in.pcm"), output = f.dir.path("out.pcm")
        #expect(mkfifo(input, 0o600) == 0 && mkfifo(output, 0o600) == 0)
        let config = try f.text(
            "p.yaml",
            "kernel: k.txt\nblock_size: 32\nserve:\n  stream: {input: in.pcm, output: out.pcm, format: s16le, "
                + "channels: 1, rate: 8000}\n")
        let codec = RawPCMCodec(format: .s16le, channels: 1)
        let x = Self.quantized([Signals.noise(count: 3000, seed: 9, amplitude: 0.5)], codec)
        let daemon = try DaemonProcess(["serve", "--config", config])
        // Opening a named pipe waits for the other end: the reader of out.pcm on its own thread.
        let received = Received()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            guard let handle = FileHandle(forReadingAtPath: output) else { return }
            while case let chunk = handle.availableData, !chunk.isEmpty { received.append(chunk) }
        }
        // Two producers one after the other: the daemon keeps the pipe open between them.
        for half in [Array(x[0].prefix(1000)), Array(x[0].dropFirst(1000))] {
            let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
            try writer.write(contentsOf: Self.encode([half], codec))
            try writer.close()
        }
        #expect(daemon.waitUntil { received.count >= (3000 + 32 - 3000 % 32) * 2 }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("end of input") == false, "a producer closing the pipe does not end the stream")
        daemon.send(SIGTERM)
        reading.wait()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        let y = Self.decode(received.data, codec)[0]
        #expect(y.count == 3000 + 32)
        let reference = DirectConvolution.full(x[0].doubles, [0.5, 0.25])
        let worst = zip(y.dropFirst(32), reference).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(worst <= 1.0 / 32768, "within one 16-bit step: \(worst)")
    }

    // MARK: - Helpers

    /// Bytes read on another thread.
    final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        func append(_ chunk: Data) { lock.withLock { bytes.append(chunk) } }
        var count: Int { lock.withLock { bytes.count } }
        var data: Data { lock.withLock { bytes } }
    }

    /// A config for a mono f32le stream at 48 kHz, blocks of `block`, filtered by the text kernel `taps`
    /// (written as k.txt beside it); returns the config's path.
    static func monoStream(_ f: Fixtures, taps: String) throws -> String {
        try f.text("k.txt", taps)
        return try f.text(
            "s.yaml", "kernel: k.txt\nblock_size: \(block)\nserve:\n  stream: {format: f32le, channels: 1, rate: 48000}\n")
    }

    /// The names of a process's threads as the system shows them (`/proc/PID/task/*/comm`).
    static func threadNames(_ pid: Int32) -> Set<String> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return Set(tasks.compactMap { tid in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        })
    }

    /// Rounds samples to what `codec` can carry, so files and raw streams hold the same values.
    static func quantized(_ x: [[Float]], _ codec: RawPCMCodec) -> [[Float]] {
        decode(encode(x, codec), codec)
    }

    static func encode(_ x: [[Float]], _ codec: RawPCMCodec) -> Data {
        let n = x[0].count
        let planar = x.flatMap { $0 }
        var bytes = Data(count: n * codec.bytesPerFrame)
        planar.withUnsafeBufferPointer { p in
            bytes.withUnsafeMutableBytes { _ = codec.encode(p.baseAddress!, stride: n, frames: n, into: $0.baseAddress!) }
        }
        return bytes
    }

    static func decode(_ data: Data, _ codec: RawPCMCodec) -> [[Float]] {
        let n = data.count / codec.bytesPerFrame
        var planar = [Float](repeating: 0, count: n * codec.channels)
        data.withUnsafeBytes { raw in
            planar.withUnsafeMutableBufferPointer {
                if n > 0 { codec.decode(raw.baseAddress!, frames: n, into: $0.baseAddress!, stride: n) }
            }
        }
        return (0..<codec.channels).map { Array(planar[($0 * n)..<(($0 + 1) * n)]) }
    }
}
