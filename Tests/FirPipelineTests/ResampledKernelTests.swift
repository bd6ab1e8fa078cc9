import FirAudio
import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// Kernels at another rate than the audio: refused by default, naming both rates; resampled once at
/// load with `resample: true` or `--resample-kernels`, keeping the kernel's frequency response.
@Suite struct ResampledKernelTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-resampled") }

    /// A low-pass kernel at 44.1 kHz, quiet at both ends (so resampling loses nothing at the edges).
    static let kernel: [Float] = {
        let taps = 801, centre = 400.0
        return (0..<taps).map { k in
            let t = Double(k) - centre
            let sinc = t == 0 ? 0.2 : sin(Double.pi * 0.2 * t) / (Double.pi * t)
            let window = 0.42 + 0.5 * cos(Double.pi * t / (centre + 1)) + 0.08 * cos(2 * Double.pi * t / (centre + 1))
            return Float(sinc * window)
        }
    }()

    func run(_ spec: JobSpec) throws -> (FileFilterJob.Summary, [[Float]]) {
        let summary = try FileFilterJob(spec: spec, fromConfig: true).run()
        let reader = try AudioFileReader(path: spec.output)
        defer { reader.close() }
        return (summary, try reader.readAllChannels())
    }

    @Test func resampledKernelKeepsItsResponseAndSaysSo() throws {
        defer { dir.remove() }
        let kernel = try AudioFixture.write([Self.kernel], to: dir.path("k44.wav"), rate: 44100)
        // A 1 kHz sine (in the pass band) and a 15 kHz one (in the stop band of a 4.4 kHz low-pass).
        let n = 48000
        let low = Signals.sine(count: n, cyclesPerSample: 1000.0 / 48000, amplitude: 0.5)
        let high = Signals.sine(count: n, cyclesPerSample: 15000.0 / 48000, amplitude: 0.5)
        let input = try AudioFixture.write([low, high], to: dir.path("in.wav"))
        var spec = JobSpec(input: input, output: dir.path("out.wav"), kernels: .shared(path: kernel))
        spec.resampleKernels = true
        let (summary, y) = try run(spec)
        #expect(summary.notices.contains { $0.contains("kernel resampled from 44100 to 48000 Hz") }, "\(summary.notices)")
        // The kernel's own gain at 1 kHz (44.1 kHz taps) is what the resampled kernel gives at 1 kHz.
        var re = 0.0, im = 0.0
        for (k, h) in Self.kernel.enumerated() {
            re += Double(h) * cos(2 * Double.pi * 1000 / 44100 * Double(k))
            im -= Double(h) * sin(2 * Double.pi * 1000 / 44100 * Double(k))
        }
        let expectedGain = (re * re + im * im).squareRoot()
        let middle = y[0][10_000..<40_000].map { Double($0) }
        let rms = (middle.map { $0 * $0 }.reduce(0, +) / Double(middle.count)).squareRoot()
        let gain = rms / (0.5 / 2.0.squareRoot())
        #expect(abs(20 * log10(gain / expectedGain)) < 0.01, "gain \(gain) against the kernel's \(expectedGain)")
        let stop = y[1][10_000..<40_000].map { abs(Double($0)) }.max() ?? 1
        #expect(20 * log10(stop / 0.5) < -60, "15 kHz is in the stop band: \(stop)")
        // Exactly the resampled kernel, convolved: the job against the float64 reference.
        let resampled = try KernelResampler.resampleKernel(Self.kernel, from: 44100, to: 48000)
        let e = Tolerance.maxErrorDB(y[0], reference: DirectConvolution.full(low.doubles, resampled.doubles))
        #expect(e < -120, "\(e) dB")
    }

    @Test func otherRateIsRefusedWithoutResample() throws {
        defer { dir.remove() }
        let kernel = try AudioFixture.write([Self.kernel], to: dir.path("k44.wav"), rate: 44100)
        let input = try AudioFixture.write([Signals.noise(count: 1000, seed: 1)], to: dir.path("in.wav"))
        let spec = JobSpec(input: input, output: dir.path("out.wav"), kernels: .shared(path: kernel))
        let error = #expect(throws: JobError.self) { _ = try FileFilterJob(spec: spec).run() }
        #expect(error?.kind == .badData)
        #expect(error?.message.contains("kernel sample rate is 44100 Hz but input") == true)
        #expect(error?.message.contains("--resample-kernels") == true, "\(String(describing: error))")
    }

    @Test func graphFilterResamplesItsOwnKernel() throws {
        defer { dir.remove() }
        try AudioFixture.write([Self.kernel], to: dir.path("k44.wav"), rate: 44100)
        let x = Signals.noise(count: 5000, seed: 2, amplitude: 0.3)
        try AudioFixture.write([x], to: dir.path("in.wav"))
        let config = dir.path("job.yaml")
        try Data("""
            input: in.wav
            output: out.wav
            filters:
              lp: {type: convolution, kernel: k44.wav, resample: true}
            pipeline:
              - {type: filter, names: [lp]}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let spec = try ConfigFile.load(path: config).resolve()
        let (_, y) = try run(spec)
        let resampled = try KernelResampler.resampleKernel(Self.kernel, from: 44100, to: 48000)
        let e = Tolerance.maxErrorDB(y[0], reference: DirectConvolution.full(x.doubles, resampled.doubles))
        #expect(e < -120, "\(e) dB")
    }
}
