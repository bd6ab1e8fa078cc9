import FirAudio
import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `FileFilterJob` on real files: the result must not depend on how the work is split (threads, block
/// sizes), must be exact at the edges (one sample, silence, inputs shorter than a block), and the
/// memory it uses must not grow with the input.
@Suite struct FileFilterJobTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-job") }

    /// Writes planar `channels` as a float WAV.
    func write(_ name: String, _ channels: [[Float]]) throws -> String {
        try AudioFixture.write(channels, to: dir.path(name))
    }

    /// Runs a job and reads its output back.
    func run(
        _ input: String, _ kernel: String, threads: Int? = nil, blockSize: Int? = nil, length: OutputLength = .full,
        name: String = UUID().uuidString + ".wav"
    ) throws -> (FileFilterJob.Summary, [[Float]]) {
        var spec = JobSpec(input: input, output: dir.path(name), kernels: .shared(path: kernel))
        spec.threads = threads
        spec.blockSize = blockSize
        spec.length = length
        let summary = try FileFilterJob(spec: spec).run()
        let reader = try AudioFileReader(path: dir.path(name))
        defer { reader.close() }
        return (summary, try reader.readAllChannels())
    }

    /// Mono and stereo gather straight from the interleaved frames (stereo vectorised) and scatter
    /// back into them; the reader splits more channels into the planar runs. One thread runs every
    /// stage on the calling thread.
    @Test(arguments: [1, 2, 5])
    func threadCountDoesNotChangeASingleBit(channels: Int) throws {
        defer { dir.remove() }
        let x = (0..<channels).map { Signals.noise(count: 3000, seed: UInt64(10 + $0), amplitude: 0.5) }
        let input = try write("in.wav", x)
        let kernel = try write("k.wav", [Signals.decayingNoise(count: 700, seed: 3).map { $0 * 0.1 }])
        let (_, one) = try run(input, kernel, threads: 1, blockSize: 256)
        for threads in [2, 3, 5, 8] {
            let (_, other) = try run(input, kernel, threads: threads, blockSize: 256)
            #expect(other == one, "threads \(threads)")
        }
    }

    /// Left to the cost model, a 3,000-tap kernel over 200,000 samples takes one partition and a
    /// longer transform; every thread count must still give the same bits, and the reference.
    @Test func singlePartitionPlanAtEveryThreadCount() throws {
        defer { dir.remove() }
        let x = (0..<2).map { Signals.noise(count: 200_000, seed: UInt64(40 + $0), amplitude: 0.5) }
        let h = Signals.decayingNoise(count: 3000, seed: 6).map { $0 * 0.05 }
        let input = try write("in.wav", x), kernel = try write("k.wav", [h])
        let (summary, one) = try run(input, kernel, threads: 1)
        #expect(summary.fftSize != 2 * summary.blockSize && summary.fftSize - summary.blockSize == 3000, "\(summary)")
        for c in 0..<2 {
            let e = Tolerance.maxErrorDB(one[c], reference: DirectConvolution.full(x[c].doubles, h.doubles))
            #expect(e < -120, "channel \(c): \(e) dB")
        }
        for threads in [2, 3, 4] {
            let (_, other) = try run(input, kernel, threads: threads)
            #expect(other == one, "threads \(threads)")
        }
    }

    @Test func blockSizeChangesOnlyRounding() throws {
        defer { dir.remove() }
        let x = [Signals.noise(count: 20_000, seed: 4, amplitude: 0.5), Signals.sine(count: 20_000, cyclesPerSample: 0.003)]
        let h = Signals.decayingNoise(count: 3000, seed: 5).map { $0 * 0.05 }
        let input = try write("in.wav", x), kernel = try write("k.wav", [h])
        for blockSize in [16, 100, 1000, 4096, nil] as [Int?] {
            let (summary, y) = try run(input, kernel, blockSize: blockSize)
            for c in 0..<2 {
                let e = Tolerance.maxErrorDB(y[c], reference: DirectConvolution.full(x[c].doubles, h.doubles))
                #expect(e < -120, "block \(summary.blockSize), channel \(c): \(e) dB")
            }
        }
    }

    @Test func inputShorterThanABlock() throws {
        defer { dir.remove() }
        let x = Signals.noise(count: 10, seed: 6), h = Signals.decayingNoise(count: 50, seed: 7)
        let (summary, y) = try run(try write("in.wav", [x]), try write("k.wav", [h]), blockSize: 4096)
        #expect(summary.blockSize == 4096 && y[0].count == 59)
        #expect(Tolerance.maxErrorDB(y[0], reference: DirectConvolution.full(x.doubles, h.doubles)) < -120)
    }

    @Test func aSingleSampleGivesTheScaledKernel() throws {
        defer { dir.remove() }
        let h = Signals.decayingNoise(count: 300, seed: 8)
        let (_, y) = try run(try write("in.wav", [[0.5]]), try write("k.wav", [h]))
        #expect(Tolerance.maxErrorDB(y[0], reference: h.doubles.map { $0 * 0.5 }) < -120)
    }

    @Test(arguments: [OutputLength.full, .same, .valid])
    func silenceGivesExactSilence(length: OutputLength) throws {
        defer { dir.remove() }
        let input = try write("in.wav", [[Float](repeating: 0, count: 5000), [Float](repeating: 0, count: 5000)])
        let (_, y) = try run(input, try write("k.wav", [Signals.decayingNoise(count: 1000, seed: 9)]), length: length)
        let expected = OutputWindow(inputLength: 5000, kernelLength: 1000, length: length).count
        for c in 0..<2 {
            #expect(y[c].count == expected)
            #expect(y[c].allSatisfy { $0 == 0 })
        }
    }

    /// 1,000 blocks through the stages: the job still allocates only its pool, for either split.
    @Test func memoryDoesNotGrowWithTheInput() throws {
        defer { dir.remove() }
        let kernel = try write("k.wav", [[1, 0.5, 0.25], [0.5, 0.25, 1]])
        let monoKernel = try write("k1.wav", [[1, 0.5, 0.25]])
        let longMonoKernel = try write("k20.wav", [Signals.decayingNoise(count: 20, seed: 3)])
        #expect(FileFilterJob.poolSize(blockSize: 16, channels: 2) == 8)
        for frames in [160, 16_000] {
            // Stereo on two threads: a channel each, through the 8-block pool.
            let stereo = try write("in\(frames).wav", [Signals.noise(count: frames, seed: 1), Signals.noise(count: frames, seed: 2)])
            let (summary, y) = try run(stereo, kernel, threads: 2, blockSize: 16)
            #expect(y[0].count == frames + 2)
            #expect(summary.blocksAllocated == 8, "\(frames) frames")
            // Mono on two threads, a 20-tap kernel in 2 partitions: stretches of 8 blocks, every
            // worker's in flight with the 2-block priming window and 2 spare: 2 · 8 + 2 + 2.
            let mono = try write("mono\(frames).wav", [y[0]])
            let (split, m) = try run(mono, longMonoKernel, threads: 2, blockSize: 16)
            #expect(m[0].count == frames + 21)
            // A short input takes no more blocks than its output has (160 frames: 181 in 12 blocks).
            #expect(split.blocksAllocated == min(20, (m[0].count + 15) / 16), "\(frames) frames, mono")
            // One partition: stretches of one block need 2 · 1 + 1 + 2, within the 8-block pool.
            let (short, _) = try run(mono, monoKernel, threads: 2, blockSize: 16)
            #expect(short.blocksAllocated == 8, "\(frames) frames, mono, one partition")
            // One thread runs every stage in turn on a single block.
            let (single, z) = try run(stereo, kernel, threads: 1, blockSize: 16)
            #expect(z == y)
            #expect(single.blocksAllocated == 1, "\(frames) frames, one thread")
        }
    }

    @Test func cancelledJobLeavesNoOutput() throws {
        defer { dir.remove() }
        let input = try write("in.wav", [Signals.noise(count: 200_000, seed: 2)])
        let kernel = try write("k.wav", [[1]])
        var spec = JobSpec(input: input, output: dir.path("out.wav"), kernels: .shared(path: kernel))
        spec.blockSize = 16
        let job = FileFilterJob(spec: spec)
        job.cancel()  // before it starts: the stages stop at their first check
        #expect(throws: JobError.self) { try job.run() }
        #expect(dir.listing() == ["in.wav", "k.wav"])
    }
}
