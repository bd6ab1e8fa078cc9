import FirAudio
import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// The writer's output stage in whole jobs: the limiter keeps every sample within its ceiling and
/// leaves quieter audio untouched, the dither is reproducible by seed, clipping is counted per channel.
@Suite struct OutputStageTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-output-stage") }

    func run(
        _ x: [[Float]], gainDB: Double, limitDB: Double? = nil, dither: DitherMode = .none, seed: UInt64 = 1,
        subtype: SampleFormatName? = nil, threads: Int = 2
    ) throws -> (FileFilterJob.Summary, [[Float]]) {
        let input = try AudioFixture.write(x, to: dir.path("in.wav"))
        let kernel = try AudioFixture.write([Signals.decayingNoise(count: 500, seed: 9).map { $0 * 0.3 }], to: dir.path("k.wav"))
        let output = dir.path("out-\(UUID().uuidString).wav")
        var spec = JobSpec(input: input, output: output, kernels: .shared(path: kernel))
        spec.gainDB = gainDB
        spec.limitDB = limitDB
        spec.dither = dither
        spec.ditherSeed = seed
        spec.sampleFormat = subtype
        spec.threads = threads
        let summary = try FileFilterJob(spec: spec).run()
        let reader = try AudioFileReader(path: output)
        defer { reader.close() }
        return (summary, try reader.readAllChannels())
    }

    static let loud = (0..<2).map { Signals.noise(count: 30_000, seed: 30 + UInt64($0), amplitude: 0.9) }

    @Test func limiterKeepsEverySampleWithinItsCeilingAndTheLength() throws {
        defer { dir.remove() }
        let (plain, unlimited) = try run(Self.loud, gainDB: 12)
        let peak = unlimited.flatMap { $0 }.map(abs).max() ?? 0
        #expect(peak > 1.5, "the test needs peaks well over the ceiling: \(peak)")
        let ceiling = Float(GraphMath.linear(dB: -1))
        for threads in [1, 2] {
            let (summary, limited) = try run(Self.loud, gainDB: 12, limitDB: -1, threads: threads)
            #expect(limited[0].count == unlimited[0].count, "the limiter's look-ahead is hidden, not added")
            #expect(limited.flatMap { $0 }.allSatisfy { abs($0) <= ceiling })
            #expect(summary.limitedFrames > 0 && plain.limitedFrames == 0)
            // Linked channels: one gain per frame, and never above 1.
            for n in stride(from: 0, to: limited[0].count, by: 97) where abs(unlimited[0][n]) > 1e-3 && abs(unlimited[1][n]) > 1e-3 {
                let g0 = limited[0][n] / unlimited[0][n], g1 = limited[1][n] / unlimited[1][n]
                #expect(abs(g0 - g1) < 1e-4 && g0 <= 1.0001 && g0 > 0, "frame \(n): \(g0) vs \(g1)")
            }
        }
    }

    @Test func limiterLeavesAudioBelowItsCeilingUntouched() throws {
        defer { dir.remove() }
        let quiet = Self.loud.map { $0.map { $0 * 0.1 } }
        let (_, plain) = try run(quiet, gainDB: 0)
        #expect((plain.flatMap { $0 }.map(abs).max() ?? 1) < 0.8)
        let (summary, limited) = try run(quiet, gainDB: 0, limitDB: -1)
        #expect(limited == plain, "bit for bit")
        #expect(summary.limitedFrames == 0)
    }

    @Test func ditherIsReproducibleBySeedAndTPDFInPower() throws {
        defer { dir.remove() }
        let x = (0..<2).map { Signals.sine(count: 40_000, cyclesPerSample: 0.0123 + 0.001 * Double($0), amplitude: 0.3) }
        let (_, exact) = try run(x, gainDB: -6, subtype: .float)
        let (_, a) = try run(x, gainDB: -6, dither: .tpdf, seed: 7, subtype: .pcm16)
        let (_, b) = try run(x, gainDB: -6, dither: .tpdf, seed: 7, subtype: .pcm16, threads: 1)
        let (_, c) = try run(x, gainDB: -6, dither: .tpdf, seed: 8, subtype: .pcm16)
        let (_, plain) = try run(x, gainDB: -6, subtype: .pcm16)
        #expect(a == b, "the same seed gives the same file at any thread count")
        #expect(a != c && a != plain)
        // Error against the float result: dither (LSB²/6) plus rounding (LSB²/12) = LSB²/4.
        let lsb = 1.0 / 32768
        var sum = 0.0, count = 0
        for ch in 0..<2 { for n in 0..<a[ch].count { let e = Double(a[ch][n]) - Double(exact[ch][n]); sum += e * e; count += 1 } }
        let db = 10 * log10(sum / Double(count) / (lsb * lsb / 4))
        #expect(abs(db) < 1, "noise power \(db) dB from TPDF theory")
    }

    @Test func clippingIsCountedPerChannel() throws {
        defer { dir.remove() }
        let x = [Self.loud[0], Self.loud[1].map { $0 * 0.01 }]
        let (summary, _) = try run(x, gainDB: 12, subtype: .pcm16)
        #expect(summary.clippedPerChannel.count == 2)
        #expect(summary.clippedPerChannel[0] > 0 && summary.clippedPerChannel[1] == 0, "\(summary.clippedPerChannel)")
        #expect(summary.clippedSamples == summary.clippedPerChannel.reduce(0, +))
    }
}
