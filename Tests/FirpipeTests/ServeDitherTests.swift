import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `dither: tpdf` on a 16-bit stream: the same seed gives the same bytes, another seed others, and the
/// error against the float stream has TPDF's power (LSB²/4 with the rounding).
@Suite struct ServeDitherTests {
    func stream(_ f: Fixtures, format: RawSampleFormat, dither: String, _ x: [Float]) throws -> Data {
        let config = try f.text(
            "stream.yaml",
            "kernel: k.txt\nblock_size: 64\n\(dither)serve:\n  stream: {format: \(format.rawValue), channels: 1, rate: 48000}\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        try daemon.write(Self.input(x, format))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        return daemon.stdout
    }

    /// The input in the stream's own format: f32le for the reference, s16le (exact here) otherwise.
    static func input(_ x: [Float], _ format: RawSampleFormat) -> Data {
        ServeStreamTests.encode([x], RawPCMCodec(format: format, channels: 1))
    }

    @Test func streamDitherIsReproducibleAndTriangular() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "0.5\n0.25\n-0.125\n")
        // On the 16-bit grid, so the 16-bit and float streams read the same input.
        let x = Signals.sine(count: 60_000, cyclesPerSample: 0.01234, amplitude: 0.4).map { ($0 * 32768).rounded() / 32768 }
        let exact = ServeStreamTests.decode(try stream(f, format: .f32le, dither: "", x), RawPCMCodec(format: .f32le, channels: 1))[0]
        let a = try stream(f, format: .s16le, dither: "dither: tpdf\ndither_seed: 5\n", x)
        let b = try stream(f, format: .s16le, dither: "dither: tpdf\ndither_seed: 5\n", x)
        let c = try stream(f, format: .s16le, dither: "dither: tpdf\ndither_seed: 6\n", x)
        let plain = try stream(f, format: .s16le, dither: "", x)
        #expect(a == b && a != c && a != plain)
        let y = ServeStreamTests.decode(a, RawPCMCodec(format: .s16le, channels: 1))[0]
        let lsb = 1.0 / 32768
        var sum = 0.0
        for n in 64..<y.count { let e = Double(y[n]) - Double(exact[n]); sum += e * e }
        let db = 10 * log10(sum / Double(y.count - 64) / (lsb * lsb / 4))
        #expect(abs(db) < 1, "noise power \(db) dB from TPDF theory")
    }
}

/// `limit_db` on a stream: no sample past the ceiling, the latency grows by the 5 ms look-ahead (and
/// `firpipe status` says so), every frame comes out, and audio below the ceiling passes bit for bit.
@Suite struct ServeLimiterTests {
    static let block = 64, lookAhead = 240

    func stream(_ f: Fixtures, gainDB: Double, limit: Bool, _ x: [Float]) throws -> [Float] {
        let config = try f.text(
            "limit.yaml",
            "kernel: k.txt\ngain_db: \(gainDB)\n\(limit ? "limit_db: -1\n" : "")block_size: \(Self.block)\n"
                + "serve:\n  stream: {format: f32le, channels: 1, rate: 48000}\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        try daemon.write(ServeStreamTests.encode([x], RawPCMCodec(format: .f32le, channels: 1)))
        daemon.closeInput()
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        let latency = Self.block + (limit ? Self.lookAhead : 0)
        #expect(daemon.stderr.contains("latency \(latency) samples"), "\(daemon.stderr)")
        return ServeStreamTests.decode(daemon.stdout, RawPCMCodec(format: .f32le, channels: 1))[0]
    }

    @Test func loudStreamStaysUnderTheCeilingWithEveryFrame() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n0.5\n")
        let x = Signals.noise(count: 20_000, seed: 4, amplitude: 0.9)
        let y = try stream(f, gainDB: 12, limit: true, x)
        #expect(y.count == x.count + Self.block + Self.lookAhead, "every frame, after the longer latency")
        let ceiling = Float(pow(10, -1.0 / 20))
        #expect(y.allSatisfy { abs($0) <= ceiling })
        #expect((y.map(abs).max() ?? 0) > ceiling * 0.9, "the limiter limits, it does not silence")
    }

    @Test func quietStreamPassesBitForBitAfterTheLookAhead() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n0.5\n")
        let x = Signals.noise(count: 10_000, seed: 5, amplitude: 0.2)
        let plain = try stream(f, gainDB: 0, limit: false, x)
        let limited = try stream(f, gainDB: 0, limit: true, x)
        #expect(limited.count == plain.count + Self.lookAhead)
        #expect(Array(limited.prefix(Self.block + Self.lookAhead)).allSatisfy { $0 == 0 })
        let delayed = Array(limited.dropFirst(Self.lookAhead))
        let first = zip(delayed, plain).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(delayed.count == plain.count && first == nil,
                "delayed, otherwise untouched: \(delayed.count) against \(plain.count) frames, first difference at \(first.map(String.init) ?? "-")")
    }
}
