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
        let filters = x.indices.map { c in ChannelFilter(source: "k#\(c)", taps: kernels[c], gain: 1) }
        let bank = try MixingBank(
            matrix: FilterMatrix(diagonal: filters), blockSize: b, fftSize: fftSize, mode: .convolve, threads: threads,
            split: split)
        #expect(bank.split == split)
        // Only mono and stereo split by channels leave the output in the interleaved frames, so the
        // stretch runs below (planar output, then joined) check that path bit for bit.
        #expect(bank.outputIsInterleaved == (split == .channels && x.count <= 2))
        return try run(x, through: bank, taps: kernels.map(\.count).max()!)
    }

    /// Runs `x` (planar) through `bank` the way the job's stages do, each worker called in turn on one
    /// thread: so the bank's workers must never wait for each other within a block. Returns every
    /// output channel's full-length output (`taps` the longest path's), planar.
    static func run(_ x: [[Float]], through bank: MixingBank, taps: Int) throws -> [[Float]] {
        #expect(!bank.needsEveryBlock)
        let b = bank.blockSize, inputs = x.count, outputs = bank.outputs, frames = x[0].count
        let total = frames + taps - 1
        let block = try AudioBlock(capacity: b, channels: inputs, outputChannels: outputs)
        var y = [[Float]](repeating: [], count: outputs)
        var position = 0
        while position < total {
            let n = max(0, min(b, frames - position))
            for t in 0..<n { for c in 0..<inputs { block.interleaved[t * inputs + c] = x[c][position + t] } }
            block.position = position
            block.frames = n
            block.splitChannelsIfMany()
            for w in 0..<bank.workers { bank.process(block, worker: w) }
            if !bank.outputIsInterleaved { block.interleave(frames: 0..<b) }
            for o in 0..<outputs {
                for t in 0..<min(b, total - position) { y[o].append(block.interleaved[t * outputs + o]) }
            }
            position += b
        }
        return y
    }

    /// A graph that is not diagonal split into stretches: each worker's convolver primes every input,
    /// and the outputs (more or fewer than the inputs) match one continuous run bit for bit.
    @Test(arguments: [(1, 2), (2, 4), (2, 2), (3, 1)])
    func mixingGraphsInStretchesAreBitIdenticalToOneRun(inputs: Int, outputs: Int) throws {
        let b = 64, frames = 1300
        let x = (0..<inputs).map { Signals.noise(count: frames, seed: UInt64(60 + $0), amplitude: 0.5) }
        var entries: [FilterMatrix.Entry] = []
        for o in 0..<outputs {
            for i in 0..<inputs where (o + i) % 3 != 2 || inputs == 1 {
                let taps = [40, 150, 300][(o + 2 * i) % 3]
                let h = Signals.decayingNoise(count: taps, seed: UInt64(70 + 10 * o + i)).map { $0 * 0.1 }
                entries.append(.init(output: o, input: i, filter: ChannelFilter(source: "k\(o)\(i)", taps: h, gain: 1)))
            }
        }
        let matrix = FilterMatrix(inputs: inputs, outputs: outputs, entries: entries)
        let total = frames + matrix.longestTaps - 1
        func run(threads: Int, split: WorkSplit) throws -> [[Float]] {
            let bank = try MixingBank(matrix: matrix, blockSize: b, mode: .convolve, threads: threads, split: split)
            #expect(!bank.outputIsInterleaved)
            return try Self.run(x, through: bank, taps: matrix.longestTaps)
        }
        let one = try run(threads: 1, split: .stretches(blocks: 1000))
        for o in 0..<outputs {
            var reference = [Double](repeating: 0, count: total)
            for entry in entries where entry.output == o {
                let path = DirectConvolution.full(x[entry.input].map(Double.init), entry.filter.taps.map(Double.init))
                for t in path.indices { reference[t] += path[t] }
            }
            #expect(Tolerance.maxErrorDB(one[o], reference: reference) < -120, "output \(o)")
        }
        for threads in [2, 3] {
            for stretch in [1, 2, 5] {
                #expect(try run(threads: threads, split: .stretches(blocks: stretch)) == one, "\(threads) workers, \(stretch)")
            }
        }
    }

    /// Routing that keeps each output on the worker of its inputs (4 channels, two workers: channel c
    /// to c ± 2) needs no barrier, and gives the one-worker run's bits; one path across the workers
    /// brings the barrier back.
    @Test func routingWithinEachWorkerNeedsNoBarrier() throws {
        let x = (0..<4).map { Signals.noise(count: 900, seed: UInt64(80 + $0), amplitude: 0.5) }
        func matrix(_ pairs: [(Int, Int)]) -> FilterMatrix {
            FilterMatrix(inputs: 4, outputs: 4, entries: pairs.map { o, i in
                .init(output: o, input: i, filter: ChannelFilter(
                    source: "k\(o)\(i)", taps: Signals.decayingNoise(count: 100 + 30 * o, seed: UInt64(o)), gain: 1))
            })
        }
        let swapped = matrix([(0, 2), (1, 3), (2, 0), (3, 1), (3, 3)])
        let two = try MixingBank(matrix: swapped, blockSize: 32, mode: .convolve, threads: 2)
        #expect(two.split == .channels && two.workers == 2)
        let one = try MixingBank(matrix: swapped, blockSize: 32, mode: .convolve, threads: 1)
        #expect(try Self.run(x, through: two, taps: 190) == Self.run(x, through: one, taps: 190))
        let across = try MixingBank(matrix: matrix([(0, 2), (1, 0)]), blockSize: 32, mode: .convolve, threads: 2)
        #expect(across.needsEveryBlock)
    }

    /// The benchmark sizes its bound by `channelCount(ofWorker:)`; it must count the channels `process`
    /// walks for that worker (c = w, w + workers, …).
    @Test func channelCountMatchesTheChannelsAWorkerFilters() throws {
        for channels in 1...8 {
            let filters = (0..<channels).map { ChannelFilter(source: "k#\($0)", taps: [1], gain: 1) }
            for threads in 1...4 {
                let bank = try MixingBank(
                    matrix: FilterMatrix(diagonal: filters), blockSize: 16, mode: .convolve, threads: threads,
                    split: .channels)
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
