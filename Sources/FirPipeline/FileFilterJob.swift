import FirAudio
import FirCore
import Synchronization
internal import FoundationEssentials

/// A batch run: one audio file through per-channel FIR filters into another, via three stages
/// (reader → convolvers → writer) joined by bounded queues, so reading, computing and writing overlap
/// and memory stays bounded whatever the input's length.
///
/// The output is written to a temporary file beside its final name and renamed into place only when
/// complete; on any failure or cancellation the temporary file is removed and nothing carries the
/// final name.
public final class FileFilterJob: Sendable {
    /// What a finished run did.
    public struct Summary: Sendable {
        public var outputPath: String
        public var format: AudioFormat
        public var frames: Int
        public var channels: Int
        public var sampleRate: Int
        public var blockSize: Int
        /// Points per transform: `2·blockSize`, or less (down to blockSize + taps) with one partition.
        public var fftSize: Int
        public var kernelTaps: Int
        /// Integer output samples that were clipped to full scale.
        public var clippedSamples: Int
        /// ``clippedSamples`` by output channel.
        public var clippedPerChannel: [Int]
        /// Input samples that were NaN or infinite and were replaced by silence (``JobSpec/nonFinite``
        /// `.zero`; with `.error` the first one fails the run).
        public var nonFiniteSamples: Int
        /// Where the first of them was, when there was one.
        public var firstNonFinite: SampleLocation?
        /// Frames the limiter (`limitDB`) turned down; 0 without it.
        public var limitedFrames: Int
        /// Automatic choices worth telling the user (one line each).
        public var notices: [String]
        /// Audio blocks the run allocated: the pool, however long the input, or fewer when the output
        /// has fewer blocks.
        public var blocksAllocated: Int
        /// With `commitsLater`: the finished output, not yet flushed nor renamed into place.
        var uncommitted: AtomicOutputFile? = nil
    }

    /// Blocks in flight: enough for the compute workers to run ahead of the writer and of each other
    /// (8), but no more than about 16 MiB of them (at least 4), so huge partitions of a 1M-tap kernel
    /// do not spend the start-up faulting in memory the pipeline does not need.
    public static func poolSize(blockSize: Int, channels: Int) -> Int {
        let blockBytes = AudioBlock.bytes(capacity: blockSize, channels: channels)
        return Swift.max(4, Swift.min(8, (16 << 20) / Swift.max(blockBytes, 1)))
    }

    public let spec: JobSpec
    private let fromConfig: Bool
    private let costModel: CostModel
    /// Starts the reader and compute threads; a test's stand-in may refuse some.
    let startThread: ThreadStarter
    let state: JobState
    /// A batch's kernels and transforms, made once for all its jobs; nil for a job on its own.
    let shared: SharedKernels?
    /// Leave the finished output unflushed and uncommitted in ``Summary/uncommitted``, for a batch
    /// that flushes and commits many at once off its workers (``BatchCommitter``).
    let commitsLater: Bool

    /// - Parameters:
    ///   - spec: the merged command line and config.
    ///   - fromConfig: report kernel problems as config errors (with `configKey`).
    ///   - shared: a batch's kernels and transforms, shared with its other jobs.
    public convenience init(
        spec: JobSpec, fromConfig: Bool = false, costModel: CostModel = .default, shared: SharedKernels? = nil
    ) {
        self.init(
            spec: spec, fromConfig: fromConfig, costModel: costModel, startThread: NamedThread.start, shared: shared)
    }

    init(
        spec: JobSpec, fromConfig: Bool, costModel: CostModel, startThread: @escaping ThreadStarter,
        shared: SharedKernels? = nil, commitsLater: Bool = false
    ) {
        self.commitsLater = commitsLater
        self.spec = spec
        self.fromConfig = fromConfig
        self.costModel = costModel
        self.shared = shared
        state = JobState(nonFinite: spec.nonFinite)
        self.startThread = startThread
    }

    /// Stops a running job as soon as possible; `run` then throws and leaves no output. Any thread
    /// (a signal handler's queue).
    public func cancel() {
        state.fail(JobError(.interrupted, "\(spec.output): interrupted; no output written"))
    }

    /// Everything a run needs, opened and checked, before any output exists.
    public struct Plan {
        let reader: AudioFileReader
        /// The compiled graph: which input channels, through which filters, make each output channel.
        public let matrix: FilterMatrix
        let window: OutputWindow
        let choice: OutputFormatChoice
        /// The temporary output beside the final name; removed again if the plan is dropped unused.
        let output: AtomicOutputFile
        /// Block and transform sizes, from the job or the cost model.
        public let blocks: BlockPlan
        /// Samples per block.
        public var blockSize: Int { blocks.blockSize }
        /// Longest kernel, in taps.
        public let kernelTaps: Int
        /// The output file's format.
        public var format: AudioFormat { choice.format }
        /// Input facts.
        public var input: AudioFileInfo { reader.info }
    }

    /// Opens the input, loads and checks the kernels, and chooses the output format and block size,
    /// and creates the temporary output beside the final name (proof that it can be written; removed
    /// when the plan is dropped). Nothing ever appears under the final name here. `firpipe check` stops here.
    public func prepare() throws(JobError) -> Plan {
        try spec.checkPathLengths()
        try refuseOutputThatIsAnInput()
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: spec.input) } catch { throw JobError(audio: error) }
        let info = reader.info
        guard info.channels >= 1, info.sampleRate >= 1 else {
            throw JobError(.badData, "\(spec.input): file reports \(info.channels) channels at \(info.sampleRate) Hz; "
                + "check the file is intact")
        }
        try OutputFormatChoice.checkEarly(spec: spec, input: info)
        if let samples = planAhead(inputFrames: info.frames, channels: info.channels) {
            // Loading a kernel makes Swift arrays (its frames, its channels, a scaled copy), whose
            // allocation failure traps: ask for the room first, so a limit is an error instead.
            let bytes = 3 * samples * MemoryLayout<Float>.size
            guard AlignedFloats.hasRoom(bytes: bytes) else {
                throw JobError(ResourceError(.memory(bytes: bytes)), path: spec.output, while: "loading the kernel")
            }
        }
        let matrix = try KernelResolver.resolve(
            spec.kernels, inputPath: spec.input, channels: info.channels, sampleRate: info.sampleRate,
            gainDB: spec.gainDB, mode: spec.mode, resampleKernels: spec.resampleKernels, fromConfig: fromConfig,
            shared: shared)
        let taps = matrix.longestTaps
        let window = OutputWindow(inputLength: info.frames, kernelLength: taps, length: spec.length)
        let choice = try OutputFormatChoice(spec: spec, input: info, outputFrames: window.count, channels: matrix.outputs)
        let blocks = self.blocks(taps: taps, window: window, inputFrames: info.frames, channels: info.channels)
        let output: AtomicOutputFile
        do { output = try AtomicOutputFile(finalPath: spec.output) } catch { throw JobError(audio: error) }
        return Plan(
            reader: reader, matrix: matrix, window: window, choice: choice, output: output, blocks: blocks,
            kernelTaps: taps)
    }

    /// Compute workers when the user names no count: one per core, or two per core when the channels
    /// divide evenly among that many. The reader and writer threads take a share of some core; with
    /// more channel workers than cores the scheduler evens that out between them instead of one worker
    /// falling behind and the other waiting for it (W3, 8 channels on 2 cores: 4.3% faster with 4,
    /// 3% slower again with 8; farm-bench medians of 16 and 12 pairs).
    public static func defaultThreads(channels: Int, cores: Int) -> Int {
        let doubled = 2 * cores
        return cores > 1 && channels % doubled == 0 ? doubled : cores
    }

    /// When the kernel is one audio file, its header gives its length before its samples are loaded:
    /// the FFT plans for the transform size it will get are then made on another thread meanwhile (a
    /// 524,288-point pair takes about 10 ms, longer when measured). Anything else (a text kernel, one per
    /// channel, an unreadable file) is planned later, when the kernels are transformed.
    /// - Returns: the kernel file's samples (frames × channels) when its header was read.
    private func planAhead(inputFrames: Int, channels: Int) -> Int? {
        // A batch's later jobs find the plans made already.
        guard shared == nil, case .shared(let path) = spec.kernels,
              let header = try? AudioFileReader(path: path) else { return nil }
        let taps = header.info.frames, samples = taps * header.info.channels
        header.close()
        guard taps >= 1 else { return nil }
        let window = OutputWindow(inputLength: inputFrames, kernelLength: taps, length: spec.length)
        let fftSize = blocks(taps: taps, window: window, inputFrames: inputFrames, channels: channels).fftSize
        // Planning here races the set-up's allocations (the spectra and delay lines, about 16 bytes per
        // tap and channel) for memory, and FFTW aborts when its own allocation fails: only with room
        // for both; otherwise the kernels are planned as they are made, after the allocations.
        let room = FFTPlanner.planningRoom(size: fftSize) + 16 * taps * (channels + 1)
        guard AlignedFloats.hasRoom(bytes: room) else { return samples }
        // A refusal (of the thread or of memory) is met again, and reported, when the run makes its
        // kernels. Not on Dispatch: it retries a refused thread forever.
        try? NamedThread.start("firpipe-plan") { _ = try? FFTPlanner.shared.fft(size: fftSize) }
        return samples
    }

    /// The block and transform sizes: uniform partitions of the job's block size, or the cost model's
    /// choice for `taps` over `window`. One rule for the plans made ahead and the plan of the run, so
    /// the early plans are the ones the run uses.
    private func blocks(taps: Int, window: OutputWindow, inputFrames: Int, channels: Int) -> BlockPlan {
        if let fixed = spec.blockSize { return .uniform(fixed) }
        return Self.costModelPlan(
            taps: taps, outputLength: window.end, inputFrames: inputFrames, channels: channels, costModel: costModel)
    }

    /// The cost model's plan for a job of `inputFrames` frames of `channels` channels through `taps`
    /// taps: within the job's block limit, and sizes other than powers of two only with measured
    /// wisdom. The engine benchmark's too, so its bound is a job's.
    public static func costModelPlan(
        taps: Int, outputLength: Int, inputFrames: Int, channels: Int, costModel: CostModel
    ) -> BlockPlan {
        costModel.bestPlan(
            taps: taps, outputLength: outputLength, inputLength: inputFrames,
            maxBlockSize: maxBlockSize(channels: channels), planned: FFTPlanner.shared.hasMeasuredPlan)
    }

    /// The longest block the cost model may choose for a single partition: 2 MiB of interleaved
    /// frames (4 MiB with the planar runs). The pool holds at least 4 blocks, unless the output has
    /// fewer (``poolSize(blockSize:channels:)``): W1's peak RSS was 45 MB with 196,608-frame blocks, 31 MB
    /// with uniform partitions of 32,768 (its plan since ``CostModel/maxSinglePartitionFFT`` came down).
    public static func maxBlockSize(channels: Int) -> Int {
        (2 << 20) / (Swift.max(channels, 1) * MemoryLayout<Float>.size)
    }

    /// Runs the job to completion on the calling thread (which becomes the writer stage).
    ///
    /// - Parameter progress: called on the writer stage with the fraction done, once per block.
    public func run(progress: (@Sendable (Double) -> Void)? = nil) throws(JobError) -> Summary {
        let plan = try prepare()
        defer { plan.reader.close() }
        let info = plan.input
        let threads = spec.threads
            ?? Self.defaultThreads(channels: info.channels, cores: ProcessInfo.processInfo.activeProcessorCount)
        let output = plan.output, writer: AudioFileWriter
        do {
            writer = try AudioFileWriter(
                output: output, format: plan.format, channels: plan.matrix.outputs, sampleRate: info.sampleRate)
            writer.syncsOnFinish = !commitsLater
        } catch {
            throw JobError(audio: error)
        }
        // Before the kernels are transformed (seconds of FFTs for the longest), so a full disk stops the
        // job at once. Not for a compressed input, whose length is only its header's claim (a damaged
        // FLAC header can claim days): there the input's own damage or a full disk stops the writes.
        if plan.input.framesMatchFileSize {
            do {
                try writer.reserve(frames: plan.window.count)
            } catch {
                throw JobError(audio: error)
            }
        }
        // Every allocation of the run happens here, before the first block, so a refusal is an error
        // (EX_OSERR) and the temporary file goes, and the blocks themselves never check.
        let stage: OutputStage
        do throws(JobError) {
            let bank: MixingBank
            do throws(ResourceError) {
                stage = try OutputStage(
                    writer: writer, sampleRate: info.sampleRate, limitDB: spec.limitDB,
                    ditherSeed: spec.dither == .tpdf ? spec.ditherSeed : nil)
                bank = try MixingBank(
                    matrix: plan.matrix, blockSize: plan.blockSize, fftSize: plan.blocks.fftSize, mode: spec.mode,
                    threads: threads, shared: shared, inputEndsInFirstBlock: info.frames <= plan.blockSize)
            } catch {
                throw JobError(error, path: spec.output, while: "transforming the kernel")
            }
            try stream(
                reader: plan.reader, bank: bank, window: plan.window, writer: stage, threads: threads, progress: progress)
            if !state.hasFailed {
                do { try stage.flush() } catch { throw JobError(audio: error) }
            }
            do { try writer.finish() } catch { throw JobError(audio: error) }
            // A cancellation that arrived after the last block still wins: the user asked for no output.
            if let error = state.error { throw error }
            CrashPoint.hit(.beforeCommit)
            if !commitsLater {
                do { try output.commit() } catch { throw JobError(audio: error) }
            }
        } catch {
            output.discard()
            throw error
        }
        return Summary(
            outputPath: spec.output, format: plan.format, frames: writer.framesWritten, channels: plan.matrix.outputs,
            sampleRate: info.sampleRate, blockSize: plan.blockSize, fftSize: plan.blocks.fftSize,
            kernelTaps: plan.kernelTaps,
            clippedSamples: writer.clippedSamples, clippedPerChannel: writer.clippedPerChannel,
            nonFiniteSamples: state.nonFiniteSamples, firstNonFinite: state.firstNonFinite,
            limitedFrames: stage.limitedFrames, notices: notices(plan),
            blocksAllocated: state.blocksAllocated, uncommitted: commitsLater ? output : nil)
    }
}

extension FileFilterJob {
    /// The format's notices, and one when dither was asked for but cannot apply.
    func notices(_ plan: Plan) -> [String] {
        var notices = plan.matrix.notices + plan.choice.notices
        let format = plan.format
        if spec.dither == .tpdf {
            switch format.sampleFormat.integerBits {
            case nil: notices.append("dither ignored: \(format.sampleFormat.rawValue) output is not rounded to integers")
            case 32?: notices.append("dither ignored at 32 bits: a float sample is already on the 32-bit grid")
            default: break
            }
        }
        return notices
    }
}

/// A running job's shared state: its first failure (``StageFailure``, as the stream's), the count of
/// blocks it made and the non-finite input samples it silenced.
final class JobState: Sendable {
    private let failure = StageFailure()
    private let allocated = Atomic<Int>(0)
    let nonFinite: NonFiniteGuard

    init(nonFinite mode: NonFiniteMode) {
        nonFinite = NonFiniteGuard(mode: mode)
    }

    /// Counts one more audio block made for this job. Any thread.
    func countBlock() { allocated.add(1, ordering: .relaxed) }

    var blocksAllocated: Int { allocated.load(ordering: .relaxed) }

    var nonFiniteSamples: Int { nonFinite.silencedSamples }

    var firstNonFinite: SampleLocation? { nonFinite.firstSilenced }

    /// Records `error` unless an earlier one is recorded. Any thread.
    func fail(_ error: JobError) { failure.record(error) }

    /// Cheap check for the stage loops.
    var hasFailed: Bool { failure.hasFailed }

    var error: JobError? { failure.error }
}
