import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe process` on real files, checked sample by sample against the float64 reference.
@Suite struct ProcessCommandTests {
    let x = [Signals.noise(count: 9000, seed: 1, amplitude: 0.5), Signals.sine(count: 9000, cyclesPerSample: 0.01)]
    let h = Signals.decayingNoise(count: 1500, seed: 2).map { $0 * 0.2 }

    @Test func monoTextKernelFiltersEveryChannel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", x)
        let kernel = try f.text("k.txt", "# test kernel\n" + h.map { "\($0)" }.joined(separator: "\n") + "\n")
        let r = try firpipe("process", input, f.dir.path("out.wav"), "--kernel", kernel, "--quiet")
        #expect(r.status == 0, "\(r.stderr)")
        let (info, y) = try f.read(f.dir.path("out.wav"))
        #expect(info.channels == 2 && info.frames == 9000 + 1500 - 1 && info.sampleFormat == .float)
        for c in 0..<2 {
            let e = Tolerance.maxErrorDB(y[c], reference: DirectConvolution.full(x[c].doubles, h.doubles))
            #expect(e < -120, "channel \(c): \(e) dB")
        }
        #expect(f.leftovers().isEmpty)
    }

    @Test(arguments: [(ConvolutionMode.convolve, OutputLength.same), (.correlate, .full), (.correlate, .valid), (.convolve, .valid)])
    func modesAndLengths(mode: ConvolutionMode, length: OutputLength) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let stereoKernel = [h, Signals.decayingNoise(count: 700, seed: 3)]
        let input = try f.audio("in.wav", x)
        let kernel = try f.audio("k.wav", [stereoKernel[0], stereoKernel[1] + [Float](repeating: 0, count: 800)])
        let r = try firpipe(
            "process", input, f.dir.path("out.w64"), "-k", kernel, "--mode", mode.rawValue, "--length", length.rawValue,
            "--gain-db", "-6", "-q")
        #expect(r.status == 0, "\(r.stderr)")
        let (info, y) = try f.read(f.dir.path("out.w64"))
        #expect(info.container == .w64)
        let gain = pow(10, -6.0 / 20)
        for c in 0..<2 {
            let k = (c == 0 ? h : stereoKernel[1] + [Float](repeating: 0, count: 800)).doubles.map { $0 * gain }
            let reference = DirectConvolution.apply(x[c].doubles, k, mode: mode, length: length)
            #expect(Tolerance.maxErrorDB(y[c], reference: reference) < -120, "channel \(c)")
        }
    }

    /// Threads split channels, never the arithmetic: any thread count gives the same bits. Another block
    /// size changes FFT sizes and so rounding, which stays near float32's floor.
    @Test func outputDoesNotDependOnThreadsOrBlockSize() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", x)
        let kernel = try f.audio("k.wav", [h])
        func run(_ name: String, _ args: [String]) throws -> [[Float]] {
            let out = f.dir.path(name)
            let r = try FirpipeBinary.run(["process", input, out, "-k", kernel, "-q"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return try f.read(out).channels
        }
        let one = try run("t1.wav", ["--threads", "1", "--block-size", "256"])
        let two = try run("t2.wav", ["--threads", "2", "--block-size", "256"])
        #expect(one == two)
        for (i, b) in ["16", "1000"].enumerated() {
            let other = try run("b\(i).wav", ["--block-size", b])
            for c in 0..<2 { #expect(Tolerance.maxErrorDB(other[c], reference: one[c].doubles) < -120) }
        }
    }

    @Test func integerOutputClipsAndReportsIt() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", [[Float](repeating: 0.9, count: 100)])
        let kernel = try f.text("k.txt", "1\n1\n")
        let r = try firpipe("process", input, f.dir.path("out.wav"), "-k", kernel, "--subtype", "pcm16", "-q")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("99 samples clipped"), "\(r.stderr)")
        let (info, y) = try f.read(f.dir.path("out.wav"))
        #expect(info.sampleFormat == .pcm16 && y[0].count == 101)
        #expect(y[0][50] > 0.999)  // clipped to full scale, not wrapped negative
    }

    @Test func floatInputToFlacFallsBackToPCM24WithANote() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", x)
        let kernel = try f.text("k.txt", "0.5\n")
        let r = try firpipe("process", input, f.dir.path("out.flac"), "-k", kernel, "-q")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("writing pcm24"))
        let (info, y) = try f.read(f.dir.path("out.flac"))
        #expect(info.container == .flac && info.sampleFormat == .pcm24)
        // Within two 24-bit steps of the exact product: one for quantising (libsndfile writes with
        // 2^23 - 1 and reads with 2^23), one for the float32 FFT's rounding.
        let worst = zip(y[0], x[0]).map { abs(Double($0) - 0.5 * Double($1)) }.max() ?? 1
        #expect(worst <= 2.0 / Double(1 << 23))
    }

    @Test func integerInputKeepsItsSampleFormat() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.aiff", x, format: .init(container: .aiff, sampleFormat: .pcm24))
        let kernel = try f.text("k.txt", "1\n")
        let r = try firpipe("process", input, f.dir.path("out.caf"), "-k", kernel, "-q")
        #expect(r.status == 0, "\(r.stderr)")
        let (info, _) = try f.read(f.dir.path("out.caf"))
        #expect(info.container == .caf && info.sampleFormat == .pcm24)
    }
}
