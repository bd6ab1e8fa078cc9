import FirCore
import FirPipeline
import FirTestSupport
import Testing

/// ``WorkSplit``: stretches give the same bits as one continuous run, whatever the stretch length,
/// kernel length in partitions, channel count or worker count, and the choice between the two splits.
@Suite struct WorkSplitTests {
    /// Runs `x` (planar) through a bank the way the job's stages do: each block read (and split, for
    /// more than two channels) in order, every worker called on it in turn, then the channels joined
    /// unless the workers left them interleaved. Returns the full-length output, planar.
    static func run(
        _ x: [[Float]], kernel: [Float], blockSize b: Int, fftSize: Int? = nil, threads: Int, split: WorkSplit
    ) throws -> [[Float]] {
        // Two kernels, alternating over the channels, so channels do not all share one.
        let kernels = (0..<x.count).map { c in kernel.map { $0 * Float(1 + c % 2) } }
        return try run(x, kernels: kernels, blockSize: b, fftSize: fftSize, threads: threads, split: split)
    }

    /// As above, with channel c filtered by `kernels[c]`.
    static func run(
        _ x: [[Float]], kernels: [[Float]], blockSize b: Int, fftSize: Int? = nil, threads: Int, split: WorkSplit
    ) throws -> [[Float]] {
        let channels = x.count, frames = x[0].count
        let total = frames + kernels.map(\.count).max()! - 1
        let filters = (0..<channels).map { c in ChannelFilter(source: "k#\(c)", taps: kernels[c], gain: 1) }
        let bank = try FilterBank(
            filters: filters, blockSize: b, fftSize: fftSize, mode: .convolve, threads: threads, split: split)
        #expect(bank.split == split)
        // Only mono and stereo split by channels leave the output in the interleaved frames, so the
        // stretch runs below (planar output, then joined) check that path bit for bit.
        #expect(bank.outputIsInterleaved == (split == .channels && channels <= 2))
        let block = try AudioBlock(capacity: b, channels: channels)
        var y = [[Float]](repeating: [], count: channels)
        var position = 0
        while position < total {
            let n = max(0, min(b, frames - position))
            for i in 0..<n { for c in 0..<channels { block.interleaved[i * channels + c] = x[c][position + i] } }
            block.position = position
            block.frames = n
            block.splitChannelsIfMany()
            for w in 0..<bank.workers { bank.process(block, worker: w) }
            if !bank.outputIsInterleaved { block.interleave(frames: 0..<b) }
            for c in 0..<channels {
                for i in 0..<min(b, total - position) { y[c].append(block.interleaved[i * channels + c]) }
            }
            position += b
        }
        return y
    }

    /// The benchmark sizes its bound by `channelCount(ofWorker:)`; it must count the channels `process`
    /// walks for that worker (c = w, w + workers, …).
    @Test func channelCountMatchesTheChannelsAWorkerFilters() throws {
        for channels in 1...8 {
            let filters = (0..<channels).map { ChannelFilter(source: "k#\($0)", taps: [1], gain: 1) }
            for threads in 1...4 {
                let bank = try FilterBank(filters: filters, blockSize: 16, mode: .convolve, threads: threads, split: .channels)
                let counts = (0..<bank.workers).map { bank.channelCount(ofWorker: $0) }
                let walked = (0..<bank.workers).map { Array(stride(from: $0, to: channels, by: bank.workers)).count }
                #expect(counts == walked && counts.reduce(0, +) == channels, "\(channels) ch, \(threads) threads")
            }
        }
    }

    @Test(arguments: [1, 2, 3])
    func stretchesAreBitIdenticalToOneRun(channels: Int) throws {
        let b = 64
        let x = (0..<channels).map { Signals.noise(count: 1500, seed: UInt64(20 + $0), amplitude: 0.5) }
        // 1, 2, 3, 4 and 7 partitions; the last also longer than some stretches' priming window.
        for taps in [40, 100, 150, 256, 420] {
            let h = Signals.decayingNoise(count: taps, seed: UInt64(taps)).map { $0 * 0.1 }
            let one = try Self.run(x, kernel: h, blockSize: b, threads: 1, split: .channels)
            let reference = (0..<channels).map { c in
                DirectConvolution.full(x[c].map(Double.init), h.map { Double($0 * Float(1 + c % 2)) })
            }
            for c in 0..<channels {
                #expect(Tolerance.maxErrorDB(one[c], reference: reference[c]) < -120, "taps \(taps) channel \(c)")
            }
            // Two workers on the channels of one block: for mono and stereo, each scatters its channel
            // into the same interleaved frames.
            #expect(try Self.run(x, kernel: h, blockSize: b, threads: 2, split: .channels) == one, "taps \(taps)")
            for threads in [2, 3] {
                for stretch in [1, 2, 3, 5, 8] {
                    let split = try Self.run(x, kernel: h, blockSize: b, threads: threads, split: .stretches(blocks: stretch))
                    #expect(split == one, "taps \(taps), \(threads) workers, stretches of \(stretch)")
                }
            }
        }
    }

    /// One partition with a transform longer than two blocks: each stretch primes with one block.
    @Test(arguments: [1, 2, 3])
    func singlePartitionStretchesAreBitIdenticalToOneRun(channels: Int) throws {
        let x = (0..<channels).map { Signals.noise(count: 1500, seed: UInt64(30 + $0), amplitude: 0.5) }
        for (taps, b, n) in [(64, 192, 256), (50, 206, 256), (100, 412, 512)] {
            let h = Signals.decayingNoise(count: taps, seed: UInt64(taps)).map { $0 * 0.1 }
            let one = try Self.run(x, kernel: h, blockSize: b, fftSize: n, threads: 1, split: .channels)
            for c in 0..<channels {
                let reference = DirectConvolution.full(x[c].map(Double.init), h.map { Double($0 * Float(1 + c % 2)) })
                #expect(Tolerance.maxErrorDB(one[c], reference: reference) < -120, "taps \(taps) channel \(c)")
            }
            #expect(try Self.run(x, kernel: h, blockSize: b, fftSize: n, threads: 2, split: .channels) == one)
            for threads in [2, 3] {
                for stretch in [1, 2, 3] {
                    let split = try Self.run(
                        x, kernel: h, blockSize: b, fftSize: n, threads: threads, split: .stretches(blocks: stretch))
                    #expect(split == one, "taps \(taps), \(threads) workers, stretches of \(stretch)")
                }
            }
        }
    }

    /// Kernels of different lengths in one single-partition bank: the shorter one's partition is
    /// padded to the longer one's history, and every split still gives the same bits.
    @Test func singlePartitionWithUnequalKernels() throws {
        let x = (0..<3).map { Signals.noise(count: 1200, seed: UInt64(50 + $0), amplitude: 0.5) }
        let kernels = [64, 30, 1].map { Signals.decayingNoise(count: $0, seed: UInt64($0)).map { $0 * 0.1 } }
        let one = try Self.run(x, kernels: kernels, blockSize: 192, fftSize: 256, threads: 1, split: .channels)
        for c in 0..<3 {
            let reference = DirectConvolution.full(x[c].map(Double.init), kernels[c].map(Double.init))
            // Every channel's output runs to the longest kernel's full length, zeros past its own.
            let padded = reference + [Double](repeating: 0, count: one[c].count - reference.count)
            #expect(Tolerance.maxErrorDB(one[c], reference: padded) < -120, "channel \(c)")
        }
        #expect(try Self.run(x, kernels: kernels, blockSize: 192, fftSize: 256, threads: 3, split: .channels) == one)
        for threads in [2, 4] {
            let split = try Self.run(
                x, kernels: kernels, blockSize: 192, fftSize: 256, threads: threads, split: .stretches(blocks: 1))
            #expect(split == one, "\(threads) workers")
        }
    }

    @Test func defaultWorkerCount() {
        // Two per core when the channels divide among them, else one per core; one core stays one.
        #expect(FileFilterJob.defaultThreads(channels: 8, cores: 2) == 4)
        #expect(FileFilterJob.defaultThreads(channels: 16, cores: 4) == 8)
        #expect(FileFilterJob.defaultThreads(channels: 2, cores: 2) == 2)
        #expect(FileFilterJob.defaultThreads(channels: 6, cores: 2) == 2)
        #expect(FileFilterJob.defaultThreads(channels: 1, cores: 2) == 2)
        #expect(FileFilterJob.defaultThreads(channels: 8, cores: 1) == 1)
    }

    @Test func choice() {
        // Channels that divide among the threads, or one thread: channels.
        #expect(WorkSplit.choose(channels: 2, threads: 2, partitions: 2, blockBytes: 1 << 19) == .channels)
        #expect(WorkSplit.choose(channels: 8, threads: 2, partitions: 2, blockBytes: 1 << 19) == .channels)
        #expect(WorkSplit.choose(channels: 1, threads: 1, partitions: 2, blockBytes: 1 << 19) == .channels)
        // Mono or an odd count on two threads: stretches of 8·(partitions − 1), at least 8.
        #expect(WorkSplit.choose(channels: 1, threads: 2, partitions: 2, blockBytes: 1 << 18) == .stretches(blocks: 8))
        #expect(WorkSplit.choose(channels: 3, threads: 2, partitions: 3, blockBytes: 1 << 18) == .stretches(blocks: 16))
        // One partition primes without a transform: stretches of one block, even of 4 MiB blocks
        // ((8 − 1 − 2) / 2 = 2 affordable); channels only when not even one block a worker fits.
        #expect(WorkSplit.choose(channels: 1, threads: 2, partitions: 1, blockBytes: 1 << 18) == .stretches(blocks: 1))
        #expect(WorkSplit.choose(channels: 3, threads: 2, partitions: 1, blockBytes: 4 << 20) == .stretches(blocks: 1))
        #expect(WorkSplit.choose(channels: 1, threads: 2, partitions: 1, blockBytes: 12 << 20) == .channels)
        // Large blocks: shortened to the memory budget, then channels when too short to pay off.
        // 32 MiB of 2 MiB blocks is 16: (16 − 2 − 2) / 2 = 6 blocks a stretch for 2 partitions.
        #expect(WorkSplit.choose(channels: 1, threads: 2, partitions: 2, blockBytes: 2 << 20) == .stretches(blocks: 6))
        #expect(WorkSplit.choose(channels: 1, threads: 2, partitions: 4, blockBytes: 2 << 20) == .channels)
    }
}
