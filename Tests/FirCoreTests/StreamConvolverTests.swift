@testable import FirCore
import FirTestSupport
import Foundation
import Testing

/// `StreamConvolver` fed block by block as the daemon feeds it, checked against the float64 direct
/// convolution for every channel.
@Suite("StreamConvolver")
struct StreamConvolverTests {
    static let thresholdDB = SignalConvolutionTests.engineThresholdDB

    /// Feeds the channels of `signals`, padded with silence to whole blocks covering `count` samples,
    /// through `convolver` in planar blocks, and returns each channel's first `count` output samples.
    static func stream(_ signals: [[Float]], through convolver: StreamConvolver, count: Int, inPlace: Bool = false)
        -> [[Float]]
    {
        let b = convolver.blockSize, channels = convolver.channels
        precondition(signals.count == channels)
        let blocks = (count + b - 1) / b
        var block = [Float](repeating: 0, count: channels * b)
        var scratch = [Float](repeating: 0, count: channels * b)
        var outputs = [[Float]](repeating: [Float](repeating: 0, count: blocks * b), count: channels)
        for k in 0..<blocks {
            for c in 0..<channels {
                for i in 0..<b {
                    let n = k * b + i
                    block[c * b + i] = n < signals[c].count ? signals[c][n] : 0
                }
            }
            block.withUnsafeMutableBufferPointer { block in
                if inPlace {
                    convolver.process(block.baseAddress!, block.baseAddress!)
                } else {
                    scratch.withUnsafeMutableBufferPointer { convolver.process(block.baseAddress!, $0.baseAddress!) }
                }
            }
            let result = inPlace ? block : scratch
            for c in 0..<channels {
                outputs[c].replaceSubrange((k * b)..<((k + 1) * b), with: result[(c * b)..<((c + 1) * b)])
            }
        }
        return outputs.map { Array($0.prefix(count)) }
    }

    /// The float64 reference for one channel: `x` filtered by `h` in `mode`, times `gain`, full length.
    static func reference(_ x: [Float], _ h: [Float], mode: ConvolutionMode = .convolve, gain: Float = 1)
        -> [Double]
    {
        DirectConvolution.apply(x.doubles, h.doubles, mode: mode).map { $0 * Double(gain) }
    }

    /// Streams `signals` through a new convolver and checks every channel against the reference.
    static func check(
        signals: [[Float]], kernels: [[Float]], gains: [Float]? = nil, blockSize: Int,
        mode: ConvolutionMode = .convolve, inPlace: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let gains = gains ?? [Float](repeating: 1, count: kernels.count)
        let convolver = try StreamConvolver(kernels: kernels, blockSize: blockSize, mode: mode, gains: gains)
        defer { convolver.shutdown() }
        let count = zip(signals, kernels).map { $0.count + $1.count - 1 }.max()!
        let outputs = stream(signals, through: convolver, count: count, inPlace: inPlace)
        for c in 0..<kernels.count {
            let full = reference(signals[c], kernels[c], mode: mode, gain: gains[c])
            let expected = full + [Double](repeating: 0, count: count - full.count)
            let error = Tolerance.maxErrorDB(outputs[c], reference: expected)
            #expect(
                error <= thresholdDB, "B=\(blockSize) taps=\(kernels[c].count) channel \(c): \(error) dB",
                sourceLocation: sourceLocation)
        }
    }

    @Test("a kernel shorter than the block", arguments: [32, 64, 256])
    func shortKernel(blockSize: Int) throws {
        try Self.check(
            signals: [Signals.noise(count: 3000, seed: 1)], kernels: [Signals.decayingNoise(count: 37, seed: 2)],
            blockSize: blockSize)
    }

    @Test("a kernel of exactly one block", arguments: [32, 100, 512])
    func kernelOfOneBlock(blockSize: Int) throws {
        try Self.check(
            signals: [Signals.noise(count: 2000, seed: 3)],
            kernels: [Signals.decayingNoise(count: blockSize, seed: 4)], blockSize: blockSize)
    }

    /// At B = 32: up to 16 blocks inline, then levels of 256, 2048 and 16,384-sample partitions (the
    /// first from tap 480, the second from 4,064, each the last while the rest fits in 16 of its own).
    @Test(
        "long kernels at a small block need 0 to 3 background levels",
        arguments: [(200, 0), (512, 0), (513, 1), (700, 1), (4576, 1), (4577, 2), (12_000, 2), (40_000, 3)])
    func longKernel(taps: Int, backgroundLevels: Int) throws {
        let layout = StreamLayout(taps: taps, blockSize: 32)
        #expect(layout.levels.count == backgroundLevels + 1, "\(layout.levels)")
        try Self.check(
            signals: [Signals.noise(count: 6000, seed: 5)], kernels: [Signals.decayingNoise(count: taps, seed: 6)],
            blockSize: 32)
    }

    @Test(
        "the levels tile the kernel: contiguous, growing by the ratio, each one period late",
        arguments: [1, 32, 48, 256, 4096, 65_536])
    func layout(blockSize b: Int) {
        for taps in [1, b, 7 * b, 16 * b, 16 * b + 1, 100 * b + 3, 1 << 20, 3 << 20] {
            let levels = StreamLayout(taps: taps, blockSize: b).levels
            #expect(levels[0].offset == 0 && levels[0].partitionSize == b)
            #expect(levels.last!.end >= taps && levels.last!.end - taps < levels.last!.partitionSize)
            for k in levels.indices.dropFirst() {
                let p = levels[k].partitionSize
                #expect(p == StreamLayout.ratio * levels[k - 1].partitionSize)
                #expect(levels[k].offset == 2 * p - b && levels[k].offset == levels[k - 1].end)
                #expect(levels[k].offset < taps)
            }
            for k in levels.indices.dropLast() {
                let r = StreamLayout.ratio
                #expect(levels[k].partitionCount == (k == 0 ? 2 * r - 1 : 2 * r - 2), "B=\(b) taps=\(taps) level \(k)")
            }
        }
    }

    @Test("several block sizes, one kernel", arguments: [32, 48, 64, 128, 250, 1024])
    func blockSizes(blockSize: Int) throws {
        try Self.check(
            signals: [Signals.noise(count: 5000, seed: 7)], kernels: [Signals.decayingNoise(count: 5000, seed: 8)],
            blockSize: blockSize)
    }

    /// Sparse input keeps the direct reference cheap at these lengths; each needs one background level.
    @Test("large blocks with a background level", arguments: [(4096, 70_000), (65_536, 1_100_000)])
    func largeBlocks(blockSize: Int, taps: Int) throws {
        #expect(StreamLayout(taps: taps, blockSize: blockSize).levels.count == 2)
        try Self.check(
            signals: [Signals.sparseImpulses(count: taps + 3 * blockSize, impulses: 12, seed: 40)],
            kernels: [Signals.decayingNoise(count: taps, seed: 41)], blockSize: blockSize)
    }

    @Test("channels with their own kernels and gains")
    func multiChannel() throws {
        let kernels = [
            Signals.decayingNoise(count: 5000, seed: 9), Signals.decayingNoise(count: 300, seed: 10),
            Signals.decayingNoise(count: 1, seed: 11),
        ]
        let signals = (0..<3).map { Signals.noise(count: 4000 + 500 * $0, seed: 12 + UInt64($0)) }
        try Self.check(signals: signals, kernels: kernels, gains: [0.5, 2, -1], blockSize: 32)
    }

    @Test("correlate mode reverses each kernel")
    func correlate() throws {
        let kernels = [Signals.decayingNoise(count: 3000, seed: 15), Signals.decayingNoise(count: 90, seed: 16)]
        let signals = [Signals.noise(count: 3500, seed: 17), Signals.noise(count: 3500, seed: 18)]
        try Self.check(signals: signals, kernels: kernels, gains: [1, 0.25], blockSize: 64, mode: .correlate)
    }

    @Test("input and output may be the same buffer")
    func inPlace() throws {
        let kernels = [Signals.decayingNoise(count: 4000, seed: 19), Signals.decayingNoise(count: 50, seed: 20)]
        let signals = [Signals.noise(count: 3000, seed: 21), Signals.noise(count: 3000, seed: 22)]
        try Self.check(signals: signals, kernels: kernels, blockSize: 32, inPlace: true)
    }

    @Test("an input shorter than the kernel gives the whole tail")
    func shortInput() throws {
        try Self.check(
            signals: [Signals.noise(count: 100, seed: 23)], kernels: [Signals.decayingNoise(count: 5000, seed: 24)],
            blockSize: 32)
    }

    @Test("an impulse reproduces each kernel times its gain", arguments: [32, 64])
    func impulse(blockSize: Int) throws {
        let kernels = [Signals.decayingNoise(count: 6000, seed: 25), Signals.decayingNoise(count: 700, seed: 26)]
        let gains: [Float] = [0.5, -2]
        let convolver = try StreamConvolver(kernels: kernels, blockSize: blockSize, gains: gains)
        let impulses = [Signals.impulse(count: 1), Signals.impulse(count: 1)]
        let outputs = Self.stream(impulses, through: convolver, count: 6000)
        for c in 0..<2 {
            let expected = kernels[c].map { Double($0 * gains[c]) }
            let padded = expected + [Double](repeating: 0, count: 6000 - expected.count)
            #expect(Tolerance.maxErrorDB(outputs[c], reference: padded) <= Self.thresholdDB, "channel \(c)")
        }
    }

    @Test("late workers make process wait and count underruns, and the output stays exact")
    func lateWorkers() throws {
        // 40,000 taps at B = 32 reach three worker levels (partitions of 256, 2,048 and 16,384).
        let kernels = [Signals.decayingNoise(count: 40_000, seed: 36), Signals.decayingNoise(count: 3000, seed: 37)]
        let signals = [Signals.noise(count: 15_000, seed: 38), Signals.noise(count: 15_000, seed: 39)]
        let b = 32, count = 15_000 + 40_000 - 1
        let held = try StreamConvolver(kernels: kernels, blockSize: b, mode: .convolve, gains: [1, 0.5], holdingJobs: true)
        let outputs = Self.stream(signals, through: held, count: count)
        // Every job of every background level was found late once, at its first read.
        let lastBlockStart = (count + b - 1) / b * b - b
        let jobsRead = held.layout.levels.dropFirst().map { level in
            lastBlockStart < level.offset ? 0 : (lastBlockStart - level.offset) / level.partitionSize + 1
        }
        #expect(held.layout.levels.count == 4 && held.underruns == jobsRead.reduce(0, +), "\(jobsRead)")
        held.shutdown()
        #expect(held.runningWorkers == 0)

        let onTime = try StreamConvolver(kernels: kernels, blockSize: b, gains: [1, 0.5])
        #expect(outputs == Self.stream(signals, through: onTime, count: count))
        let error = Tolerance.maxErrorDB(outputs[0], reference: Self.reference(signals[0], kernels[0]))
        #expect(error <= Self.thresholdDB)
    }

    @Test("two runs give the same output bit for bit")
    func deterministic() throws {
        let kernels = [Signals.decayingNoise(count: 12_000, seed: 27), Signals.decayingNoise(count: 2000, seed: 28)]
        let signals = [Signals.noise(count: 20_000, seed: 29), Signals.noise(count: 20_000, seed: 30)]
        let runs = try (0..<2).map { _ in
            let convolver = try StreamConvolver(kernels: kernels, blockSize: 32, gains: [1, 0.5])
            return Self.stream(signals, through: convolver, count: 32_000)
        }
        #expect(runs[0] == runs[1])
    }

    @Test("shutdown joins every worker, and is idempotent", arguments: [(100, 0), (12_000, 2)])
    func shutdownTwice(taps: Int, workers: Int) throws {
        let convolver = try StreamConvolver(
            kernels: [Signals.decayingNoise(count: taps, seed: 31)], blockSize: 32, gains: [1])
        #expect(convolver.runningWorkers == workers)
        _ = Self.stream([Signals.noise(count: 1000, seed: 32)], through: convolver, count: 1000)
        convolver.shutdown()
        #expect(convolver.runningWorkers == 0)
        convolver.shutdown()
        #expect(convolver.runningWorkers == 0)
    }

    #if os(Linux)
    @Test("each background level has a worker thread named after it")
    func workerNames() throws {
        let convolver = try StreamConvolver(
            kernels: [Signals.decayingNoise(count: 12_000, seed: 34)], blockSize: 32, gains: [1])
        defer { convolver.shutdown() }
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let names = Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) })
        #expect(convolver.layout.levels.count == 3)
        for k in 1...2 { #expect(names.contains("firpipe-level-\(k)\n"), "\(names.sorted())") }
    }
    #endif

    @Test("a call after shutdown is a programmer error")
    func processAfterShutdown() async throws {
        await #expect(processExitsWith: .failure) {
            let convolver = try StreamConvolver(
                kernels: [Signals.decayingNoise(count: 1000, seed: 35)], blockSize: 32, gains: [1])
            convolver.shutdown()
            let block = [Float](repeating: 0, count: 32)
            var output = block
            convolver.process(block, &output)
        }
    }

    @Test("shutdown joins workers that never got a job")
    func shutdownUnused() throws {
        let convolver = try StreamConvolver(
            kernels: [Signals.decayingNoise(count: 12_000, seed: 33)], blockSize: 32, gains: [1])
        convolver.shutdown()
        #expect(convolver.runningWorkers == 0)
    }
}
