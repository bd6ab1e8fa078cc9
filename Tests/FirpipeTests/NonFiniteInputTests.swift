import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// A NaN or infinite input sample, through `firpipe process`: refused by default (65, naming the file,
/// channel and frame, nothing left behind), silenced and counted with `--non-finite zero`.
@Suite struct NonFiniteInputTests {
    static let frames = 6000
    /// In a later block than the first with `--block-size 256`: blocks before it were already written to
    /// the temporary file when the reader meets it.
    static let badFrame = 4321
    static let kernel: [Double] = (0..<100).map { (i: Int) -> Double in
        let sign: Double = i % 2 == 0 ? 1 : -0.7
        return 0.1 * exp(-Double(i) / 20) * sign
    }

    /// A stereo float WAV of noise with `value` at `badFrame` of channel 1; returns the signal written.
    static func input(_ f: Fixtures, _ value: Float, name: String = "in.wav") throws -> [[Float]] {
        var x = (0..<2).map { Signals.noise(count: frames, seed: 11 + UInt64($0), amplitude: 0.3) }
        x[1][badFrame] = value
        try f.audio(name, x)
        try f.text("k.txt", kernel.map { "\($0)" }.joined(separator: "\n"))
        return x
    }

    @Test("a NaN or infinite sample is refused with 65 naming file, channel and frame, and nothing is left",
          arguments: [Float.nan, .infinity, -.infinity])
    func refusedByDefault(_ value: Float) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        _ = try Self.input(f, value)
        let out = f.dir.path("out.wav")
        let r = try firpipe("process", f.dir.path("in.wav"), out, "-k", f.dir.path("k.txt"), "--block-size", "256", "-q")
        #expect(r.status == 65, "\(r.stderr)")
        let shown = value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf"
        #expect(r.errorLines == [
            "firpipe: \(f.dir.path("in.wav")): channel 1, frame \(Self.badFrame) is \(shown), not a finite sample; "
                + "fix what made it, or pass --non-finite zero (config non_finite: zero) to replace such samples with silence",
        ])
        #expect(!FileManager.default.fileExists(atPath: out), "nothing under the output's name")
        #expect(f.leftovers().isEmpty, "no temporary file left: \(f.dir.listing())")
    }

    @Test("one thread and the cost model's blocks refuse it too, with the same line")
    func refusedOnOneThread() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        _ = try Self.input(f, .nan)
        let r = try firpipe("process", f.dir.path("in.wav"), f.dir.path("o.wav"), "-k", f.dir.path("k.txt"), "--threads", "1")
        #expect(r.status == 65)
        #expect(r.errorLines.last?.contains("channel 1, frame \(Self.badFrame) is NaN") == true, "\(r.stderr)")
        #expect(f.dir.listing().sorted() == ["in.wav", "k.txt"])
    }

    @Test("--non-finite zero: the output is the input with that sample silenced, filtered, and the summary counts it",
          arguments: [Float.nan, .infinity, -.infinity])
    func zeroedAndCounted(_ value: Float) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var x = try Self.input(f, value)
        let out = f.dir.path("out.wav")
        let r = try firpipe(
            "process", f.dir.path("in.wav"), out, "-k", f.dir.path("k.txt"), "--block-size", "256", "--non-finite", "zero", "-q")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.errorLines == [
            "firpipe: warning: \(f.dir.path("in.wav")): 1 non-finite sample (NaN or infinity) replaced by silence, "
                + "the first at channel 1, frame \(Self.badFrame)",
        ])
        x[1][Self.badFrame] = 0
        let y = try f.read(out).channels
        for c in 0..<2 {
            let reference = DirectConvolution.full(x[c].doubles, Self.kernel)
            #expect(Tolerance.maxErrorDB(y[c], reference: reference) <= -120, "channel \(c)")
        }
    }

    @Test("pcm16 output of a NaN input with --non-finite zero holds no full-scale click and counts no clip")
    func pcm16HasNoClick() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        _ = try Self.input(f, .nan)
        let out = f.dir.path("out.wav")
        let r = try firpipe(
            "process", f.dir.path("in.wav"), out, "-k", f.dir.path("k.txt"), "--subtype", "pcm16", "--non-finite", "zero", "-q")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("clipped"), "\(r.stderr)")
        let y = try f.read(out).channels
        #expect(y.allSatisfy { $0.allSatisfy { abs($0) < 0.99 } }, "no sample near full scale")
        #expect(y[1][Self.badFrame + 10] != 0, "the frames around it are filtered, not silenced")
    }

    @Test("config non_finite: zero works; a bad value is FILE:LINE:COL and 78")
    func configKey() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        _ = try Self.input(f, -.infinity)
        let good = try f.text("good.yaml", "input: in.wav\noutput: out.wav\nkernel: k.txt\nnon_finite: zero\n")
        let r = try firpipe("process", "--config", good, "-q")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("1 non-finite sample (NaN or infinity) replaced by silence"), "\(r.stderr)")
        // The command line wins over the file.
        let strict = try firpipe("process", "--config", good, "--non-finite", "error", "-q")
        #expect(strict.status == 65, "\(strict.stderr)")
        #expect(strict.errorLines.last?.contains("channel 1, frame \(Self.badFrame) is -Inf") == true)

        let bad = try f.text("bad.yaml", "input: in.wav\noutput: o2.wav\nkernel: k.txt\nnon_finite: skip\n")
        for command in ["process", "check"] {
            let b = try firpipe(command, "--config", bad)
            #expect(b.status == 78)
            #expect(b.errorLines == ["firpipe: \(bad):4:13: non_finite must be one of error, zero; found 'skip'"], "\(b.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("o2.wav")))
    }
}
