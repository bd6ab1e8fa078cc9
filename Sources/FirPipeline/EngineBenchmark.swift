import FirCore
import Dispatch

/// `firpipe bench`: the convolution engine alone on generated data, against its own lower bound (the
/// same FFTs and multiply-adds with nothing around them). No file I/O.
public struct EngineBenchmark: Sendable {
    public var taps: Int
    public var channels: Int
    public var seconds: Double
    public var sampleRate: Int
    public var threads: Int
    /// `nil` lets the cost model choose.
    public var blockSize: Int?
    public var costModel: CostModel

    public init(
        taps: Int, channels: Int, seconds: Double, sampleRate: Int = 48000, threads: Int, blockSize: Int?,
        costModel: CostModel
    ) {
        self.taps = taps
        self.channels = channels
        self.seconds = seconds
        self.sampleRate = sampleRate
        self.threads = threads
        self.blockSize = blockSize
        self.costModel = costModel
    }

    /// What one run measured.
    public struct Result: Sendable {
        public var blockSize: Int
        /// Points per transform: `2·blockSize`, or less with a single partition.
        public var fftSize: Int
        public var partitions: Int
        public var blocks: Int
        /// Compute workers (the engine's, and the bound's).
        public var workers: Int
        /// Wall seconds of the engine (all channels, `threads` workers): the best of ``rounds``.
        public var engineSeconds: Double
        /// Wall seconds of the FFTs and multiply-adds alone on the same workers at once
        /// (``ArithmeticBound``): the best of ``rounds``, taken in turn with the engine's.
        public var lowerBoundSeconds: Double
        /// The transforms and the multiply-adds of the whole run on one core alone (the cost model's
        /// calibration), for the split between them.
        public var fftSeconds: Double
        public var macSeconds: Double
        public var channelSamplesPerSecond: Double
        public var realtimeFactor: Double
        public var overhead: Double { engineSeconds / lowerBoundSeconds }
    }

    /// Engine and bound runs taken in turn; each figure is the best of its runs, so a moment of the
    /// machine's noise moves neither, and both meet the same moments.
    public static let rounds = 3

    /// Runs the engine and the lower bound in turn, ``rounds`` times each. Caller's thread (workers via
    /// Dispatch).
    /// - Throws: ``ResourceError`` when the memory for the filters or blocks is refused.
    public func run() throws(ResourceError) -> Result {
        let frames = Int(seconds * Double(sampleRate))
        // The plan a job filtering this much audio would get.
        let plan = blockSize.map(BlockPlan.uniform) ?? FileFilterJob.costModelPlan(
            taps: taps, outputLength: frames + taps - 1, inputFrames: frames, channels: channels, costModel: costModel)
        let b = plan.blockSize
        // A whole input in one block with one partition transforms once; its second block is a copy.
        let oneBlock = frames <= b && ConvolverLayout(taps: taps, blockSize: b, fftSize: plan.fftSize).partitionCount == 1
        let blocks = oneBlock ? 1 : (frames + taps - 1 + b - 1) / b
        var rng = SystemRandomNumberGenerator()
        let filters = (0..<channels).map { c in
            ChannelFilter(
                source: "bench#\(c)", taps: (0..<taps).map { _ in Float.random(in: -1..<1, using: &rng) },
                gain: 0.5 / Float(taps).squareRoot())
        }
        // Channels: the benchmark filters one block over and over, which stretches cannot share out.
        let bank = try MixingBank(
            matrix: FilterMatrix(diagonal: filters), blockSize: b, fftSize: plan.fftSize, mode: .convolve,
            threads: threads, split: .channels)
        // Each worker filters its channels of its own block, block after block, without waiting for
        // the others, as the job's compute workers do; reading, splitting and joining are the other
        // stages' work. Mono and stereo are filtered in place in the interleaved frames, as the job's
        // workers leave them; more channels are split once, here, and then filtered in place in the
        // planar runs. Each worker has a block of its own, so the cache lines two stereo workers share
        // in a job are not shared here. Either way each block's output is the next one's input. The
        // gain, 0.5/√taps on taps of mean square 1/3, takes about 11/12 of the power off each pass, so
        // the values decay towards zero at any length, which does not change the cost of a transform or
        // a multiply-add (the convolvers flush denormals).
        let workers = bank.workers
        var made: [AudioBlock] = []
        for _ in 0..<workers { made.append(try AudioBlock(capacity: b, channels: channels)) }
        let blocksOfWorkers = made
        for block in blocksOfWorkers {
            for i in 0..<block.capacity * block.channels {
                block.interleaved[i] = Float.random(in: -1..<1, using: &rng)
            }
            block.frames = b
            block.splitChannelsIfMany()
        }
        let run: @Sendable (Int, Int) -> Void = { worker, count in
            let block = blocksOfWorkers[worker]
            for _ in 0..<count {
                bank.process(block, worker: worker)
                // The next block of the stream, so every partition's slot of the delay line turns over.
                block.position += block.capacity
            }
        }
        let partitions = bank.partitions
        let channelsOfWorker = (0..<workers).map { bank.channelCount(ofWorker: $0) }
        let bound = try ArithmeticBound(fftSize: plan.fftSize, partitions: partitions, channelsOfWorker: channelsOfWorker)
        DispatchQueue.concurrentPerform(iterations: workers) { run($0, 1) }  // warm caches and pages
        _ = bound.run(blocks: 1)
        var engine = Double.infinity, lower = Double.infinity
        for _ in 0..<Self.rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: workers) { run($0, blocks) }
            engine = min(engine, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            lower = min(lower, bound.run(blocks: blocks))
        }

        let fft = try CostModelCalibration.fftPairSeconds(size: plan.fftSize)
        let bins = plan.fftSize / 2 + 1
        let mac = try CostModelCalibration.macSecondsPerBin(bins: bins, partitions: partitions)
            * Double(partitions * bins)
        let channelBlocks = Double(blocks * channels)
        let samples = Double(frames * channels)
        return Result(
            blockSize: b, fftSize: plan.fftSize, partitions: partitions, blocks: blocks, workers: workers,
            engineSeconds: engine,
            lowerBoundSeconds: lower, fftSeconds: channelBlocks * fft, macSeconds: channelBlocks * mac,
            channelSamplesPerSecond: samples / engine, realtimeFactor: seconds / engine)
    }
}
