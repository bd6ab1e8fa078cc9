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
