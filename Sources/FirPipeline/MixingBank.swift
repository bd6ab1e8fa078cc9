import FirCore

/// Runs a compiled graph (``FilterMatrix``) on the batch stages, whatever its shape: the plain
/// per-channel filter (a diagonal matrix), routing, mixing, mono into a stereo room, crossovers,
/// true-stereo reverb. Its executor is ``MixingConvolver``, as every level of the stream's is.
///
/// How the workers share a block (``split``):
/// - `.channels`: worker w transforms the inputs i ≡ w (mod workers), then mixes and transforms back the
///   outputs o ≡ w. When an output reads an input of another worker, or the output has another channel
///   count than the input (its frames would overwrite input another worker still reads), the workers
///   meet at the block's ``PhaseBarrier`` between the two phases; otherwise (the per-channel filter)
///   they never wait for each other and run ahead independently.
/// - `.stretches`: each worker has a convolver of its own and filters every channel of its stretches
///   of blocks, priming from the blocks before each (``WorkSplit``): mono, and channel counts that do
///   not divide among the workers; not for a whole input in one block with one partition, whose two
///   blocks must stay on one convolver (`inputEndsInFirstBlock`).
///
/// Output goes straight into the block's interleaved frames for one or two output channels split by
/// channels (the input no longer needs them by then, or each worker only overwrites its own columns);
/// else into the planar runs, which the writer joins with the SIMD transposes of ``StridedCopy`` (a
/// scalar scatter at a stride of 4 took half of the crossover's output step, perf).
///
/// Kernel spectra are made once per distinct filter (equal sources and gains share them) and shared by
/// every path and every worker, and so are the FFT plans.
public final class MixingBank: @unchecked Sendable {
    /// Samples per block.
    public let blockSize: Int
    /// Points per transform: `2·blockSize`, or less with a single partition (``PartitionedKernel``).
    public let fftSize: Int
    /// Worker count `process` expects.
    public let workers: Int
    public let inputs: Int
    public let outputs: Int
    /// How the workers share the blocks.
    public let split: WorkSplit
    /// Partitions of the longest path: the blocks of history a convolver's state depends on.
    public let partitions: Int
    /// Whether `process` leaves the output in the block's interleaved frames rather than in its planar
    /// runs for ``AudioBlock/interleave(frames:)``.
    public let outputIsInterleaved: Bool
    /// Whether the workers meet between the transforms of the inputs and the outputs of each block.
    let waitsBetweenPhases: Bool
    /// One for `.channels`; one per worker for `.stretches`.
    private let convolvers: [MixingConvolver]

    /// - Parameters:
    ///   - matrix: the compiled graph.
    ///   - blockSize, fftSize: the plan for the longest path (`fftSize` nil: `2·blockSize`).
    ///   - threads: at most this many workers.
    ///   - split: how workers share the work; by default stretches only for a diagonal matrix whose
    ///     channels do not divide among the threads (``WorkSplit/choose(channels:threads:partitions:blockBytes:budgetBytes:)``).
    ///   - shared: a batch's transforms, made once for all its jobs; nil to make this bank's own.
    ///   - inputEndsInFirstBlock: the whole input is expected in block 0 (a short file): with one
    ///     partition, block 1 then comes from block 0's transforms (``MixingConvolver``), and the
    ///     workers share the channels, the one way that keeps a channel's two blocks on one convolver.
    /// - Throws: ``ResourceError`` when the memory for the spectra or the convolvers is refused.
    public init(
        matrix: FilterMatrix, blockSize: Int, fftSize: Int? = nil, mode: ConvolutionMode, threads: Int,
        split: WorkSplit? = nil, shared: SharedKernels? = nil, inputEndsInFirstBlock: Bool = false
    ) throws(ResourceError) {
        self.blockSize = blockSize
        let longest = ConvolverLayout(taps: matrix.longestTaps, blockSize: blockSize, fftSize: fftSize)
        let fftSize = longest.fftSize
        self.fftSize = fftSize
        partitions = longest.partitionCount
        inputs = matrix.inputs
        outputs = matrix.outputs
        let keepsTail = inputEndsInFirstBlock && partitions == 1
        let split = split ?? (matrix.diagonal == nil || keepsTail ? .channels : WorkSplit.choose(
            channels: matrix.outputs, threads: threads, partitions: partitions,
            blockBytes: AudioBlock.bytes(capacity: blockSize, channels: matrix.outputs)))
        self.split = split
        let usedInputs = Set(matrix.entries.map(\.input)).count
        let workers: Int
        switch split {
        case .channels: workers = Swift.max(1, Swift.min(threads, Swift.max(usedInputs, outputs)))
        case .stretches: workers = Swift.max(1, threads)
        }
        self.workers = workers
        // Without a barrier each worker reads only inputs it transforms itself, and (writing the
        // interleaved frames while others still read theirs) only over columns of its own.
        let closed = matrix.inputs == matrix.outputs
            && matrix.entries.allSatisfy { $0.input % workers == $0.output % workers }
        waitsBetweenPhases = split == .channels && workers > 1 && !closed
        outputIsInterleaved = split == .channels && !AudioBlock.splitsChannels(outputs)

        var distinct: [ChannelFilter] = []
        var index: [ChannelFilter: Int] = [:]
        for entry in matrix.entries where index[entry.filter] == nil {
            index[entry.filter] = distinct.count
            distinct.append(entry.filter)
        }
        let routes = matrix.entries.map { entry in
            MixingConvolver.Route(
                output: entry.output, input: entry.input,
                partitions: ConvolverLayout(taps: entry.filter.taps.count, blockSize: blockSize, fftSize: fftSize)
                    .partitionCount)
        }
        // The convolvers' memory first: faulting it in and zeroing it (megabytes for long blocks)
        // overlaps the planning of the transform, which the job started on another thread
        // (FileFilterJob.planAhead) and which the kernels below wait for.
        var convolvers: [MixingConvolver] = []
        for _ in 0..<(split == .channels ? 1 : workers) {
            convolvers.append(try MixingConvolver(
                routes: routes, inputs: inputs, outputs: outputs, blockSize: blockSize, fftSize: fftSize,
                phases: waitsBetweenPhases ? .barrier : .sameThread,
                inputEndsInFirstBlock: keepsTail && split == .channels))
        }
        let made = try KernelTransforms.make(
            distinct, blockSize: blockSize, fftSize: fftSize, mode: mode, threads: threads, shared: shared)
        // Every filter was indexed above.
        let kernels = matrix.entries.map { made[index[$0.filter]!] }
        for convolver in convolvers { convolver.attach(kernels) }
        self.convolvers = convolvers
    }

    /// Output channels worker `worker` transforms back with `.channels`: o = worker, worker + workers, …
    /// below the output count, as `process` walks them.
    public func channelCount(ofWorker worker: Int) -> Int {
        (outputs - worker + workers - 1) / workers
    }
}

extension MixingBank {
    /// Blocks the job must keep in flight so every worker can be inside its own stretch at once (the
    /// reader hands blocks out in order): 0 for `.channels`.
    public var blocksInFlight: Int {
        guard case .stretches(let blocks) = split else { return 0 }
        return workers * blocks + partitions + 2
    }

    /// Whether every worker must process every block even after the job failed, because workers wait
    /// for each other within a block.
    public var needsEveryBlock: Bool { waitsBetweenPhases }

    /// Worker `worker`'s share of `block`. Input is the block's interleaved frames (`block.frames`,
    /// then zeros), or its planar runs when the reader split them. Each worker calls this for every
    /// block, in order; that worker's thread.
    public func process(_ block: AudioBlock, worker: Int) {
        if case .stretches(let blocks) = split {
            processStretch(block, worker: worker, stretchBlocks: blocks)
            return
        }
        let convolver = convolvers[0]
        let k = block.position / blockSize
        var i = worker
        while i < inputs {
            forward(block, input: i, k, convolver)
            i += workers
        }
        if waitsBetweenPhases { block.phase.arriveAndWait(parties: workers) }
        var o = worker
        while o < outputs {
            output(block, o, k, convolver)
            o += workers
        }
    }

    @inline(__always)
    private func forward(_ block: AudioBlock, input i: Int, _ k: Int, _ convolver: MixingConvolver) {
        let split = block.channelsAreSplit
        let source = split ? UnsafePointer(block.channel(i)) : UnsafePointer(block.interleaved + i)
        convolver.forward(input: i, block: k, gathering: source, stride: split ? 1 : inputs, count: block.frames)
    }

    @inline(__always)
    private func output(_ block: AudioBlock, _ o: Int, _ k: Int, _ convolver: MixingConvolver) {
        if outputIsInterleaved {
            convolver.output(o, block: k, into: block.interleaved + o, stride: outputs)
        } else {
            convolver.output(o, block: k, into: block.channel(o), stride: 1)
        }
    }

    /// The `.stretches` share of `block` for `worker`: filter it if it lies in one of the worker's
    /// stretches, prime the worker's convolver with it if it lies in the `partitions` blocks before
    /// the worker's next stretch, and otherwise leave it alone.
    private func processStretch(_ block: AudioBlock, worker: Int, stretchBlocks: Int) {
        let k = block.position / blockSize, stretch = k / stretchBlocks
        let convolver = convolvers[worker]
        if stretch % workers == worker {
            for i in 0..<inputs { forward(block, input: i, k, convolver) }
            for o in 0..<outputs { output(block, o, k, convolver) }
            return
        }
        let next = stretch + (worker - stretch % workers + workers) % workers
        let start = next * stretchBlocks, first = Swift.max(0, start - partitions)
        guard k >= first && k < start else { return }
        if k == first { convolver.reset() }
        // The first block of the warm-up only sets the history, unless the input starts inside it.
        let transform = k > start - partitions
        for i in 0..<inputs {
            // With stretches the interleaved frames keep the input until the writer joins the block
            // (workers write the planar runs), so prime from them.
            convolver.prime(
                input: i, block: k, gathering: block.interleaved + i, stride: inputs, count: block.frames,
                transform: transform)
        }
    }
}
