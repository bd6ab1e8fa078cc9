internal import CFFTW

/// Partitioned convolution of many inputs into many outputs, mixed in the frequency domain: output o is
/// `Σ_i h[o,i] * x[i]` for the paths (o, i) given. Each input block is transformed once however many
/// outputs it feeds, and each output transformed back once however many inputs it sums, which makes
/// true-stereo reverb (4 paths) or a 2 → 4 crossover cost little more than plain stereo. The plain
/// per-channel filter is the diagonal case: every job, batch or stream, runs on this one executor.
///
/// Per block k the caller runs ``forward(input:block:gathering:stride:count:)`` for every input, and
/// ``output(_:block:into:stride:)`` for every output once the inputs its paths read are done. How the
/// caller spreads the two phases over threads is its ``Phases``.
///
/// All memory is allocated in `init`; the per-block calls do not allocate, lock, throw or log.
/// `@unchecked Sendable`: see the thread rules of ``Phases``.
public final class MixingConvolver: @unchecked Sendable {
    /// One path: input, output, and the kernel spectra (shared between equal paths).
    public struct Path: Sendable {
        public let output: Int
        public let input: Int
        public let kernel: PartitionedKernel

        public init(output: Int, input: Int, kernel: PartitionedKernel) {
            self.output = output
            self.input = input
            self.kernel = kernel
        }
    }

    /// A path before its kernel is transformed: enough to allocate the memory, so a job can fault that
    /// in while the transform it needs is still being planned (``attach(_:)`` adds the kernels).
    public struct Route: Sendable, Equatable {
        public let output: Int
        public let input: Int
        /// Partitions of the path's kernel (``ConvolverLayout/partitionCount``).
        public let partitions: Int

        public init(output: Int, input: Int, partitions: Int) {
            self.output = output
            self.input = input
            self.partitions = partitions
        }
    }

    /// How the caller orders the per-block calls across threads.
    public enum Phases: Sendable {
        /// Calls for different inputs (or outputs) may run on different threads at once, each touching
        /// only its own input's (output's) state, with the caller's barrier between the two phases.
        /// Inputs keep one spectrum more than their longest path needs, so the forward transform of
        /// block k + 1 may run while outputs of block k still read: a worker never gets further ahead
        /// than that, since block k + 1's outputs wait for every input of block k + 1.
        case barrier
        /// Each output runs on the thread that transformed every input it reads, after them and before
        /// their next block. No barrier and no spectrum more; an output fed by a single input that feeds
        /// nothing else takes its inverse transform into that input's frame, free again once the
        /// forward transform has consumed it: one buffer fewer keeps a 32,768-sample channel's working
        /// set inside a 2 MiB L2.
        case sameThread
    }

    /// The order of the sum of products over a path's partitions (the frequency-domain delay line).
    public enum SumOrder: Sendable {
        /// Chunk by chunk of bins (``ComplexMultiply/chunkBins``), every partition added into a chunk
        /// while it stays in L1: the faster order when the spectra are in cache, as a batch job's are,
        /// block after block.
        case chunked
        /// One whole partition after another: two arrays read in step into the accumulator, which the
        /// hardware prefetchers keep up with when the spectra come from memory, as a stream worker's
        /// do (one job every P samples, everything else run in between). For 15 partitions of 16,385
        /// bins from memory, 1.5× faster than chunks, which read 30 places at once; in a JACK run at
        /// 2 × 262,144 taps its last level took 0.27% of a core instead of 0.35%.
        case partitionMajor
    }

    public let blockSize: Int
    public let fftSize: Int
    public let inputs: Int
    public let outputs: Int
    /// Taps per partition (`fftSize − blockSize`).
    let partitionLength: Int
    let stride: Int
    let fft: RealFFT
    /// Whether block 1 may be made from block 0's transform alone (``init(routes:inputs:outputs:blockSize:fftSize:phases:inputEndsInFirstBlock:)``).
    let keepsTail: Bool
    private let routes: [Route]
    private let sumOrder: SumOrder
    private let inputStates: [InputState?]
    private let outputStates: [OutputState]

    /// - Parameters:
    ///   - paths: every (output, input) path; kernels made with this `blockSize` and `fftSize`.
    ///   - inputs, outputs: channel counts; an input no path reads is skipped, an output no path feeds
    ///     is silent.
    /// - Throws: ``ResourceError`` when the memory for the rings and frames is refused.
    public convenience init(
        paths: [Path], inputs: Int, outputs: Int, blockSize: Int, fftSize: Int, phases: Phases = .barrier,
        sumOrder: SumOrder = .chunked
    ) throws(ResourceError) {
        try self.init(
            routes: paths.map { Route(output: $0.output, input: $0.input, partitions: $0.kernel.partitionCount) },
            inputs: inputs, outputs: outputs, blockSize: blockSize, fftSize: fftSize, phases: phases,
            sumOrder: sumOrder)
        attach(paths.map(\.kernel))
    }

    /// The memory for `routes`, zeroed, without kernels: ``attach(_:)`` them before the first block.
    ///
    /// `inputEndsInFirstBlock`: the caller expects every input to end within block 0, as when a whole
    /// short signal is one block. With every kernel in one partition, block 0's inverse transform then
    /// holds block 1 as well: from a silent history the part of block 0's convolution past the frame
    /// wraps around into the history's place, which overlap-save otherwise discards. So block 1, if its
    /// input is indeed empty, takes no transform at all, and one transform pair a channel makes the
    /// whole output. Block 0 must be the first after `init` or ``reset()``.
    /// - Throws: ``ResourceError`` when the memory for the rings and frames is refused.
    public init(
        routes: [Route], inputs: Int, outputs: Int, blockSize: Int, fftSize: Int, phases: Phases,
        inputEndsInFirstBlock: Bool = false, sumOrder: SumOrder = .chunked
    ) throws(ResourceError) {
        self.sumOrder = sumOrder
        precondition(routes.allSatisfy { (0..<outputs).contains($0.output) && (0..<inputs).contains($0.input) })
        self.blockSize = blockSize
        self.fftSize = fftSize
        self.inputs = inputs
        self.outputs = outputs
        self.routes = routes
        partitionLength = fftSize - blockSize
        keepsTail = inputEndsInFirstBlock && routes.allSatisfy { $0.partitions == 1 }
        stride = PartitionedKernel.alignedStride(bins: fftSize / 2 + 1)
        fft = try FFTPlanner.shared.fft(size: fftSize)
        let spare = phases == .barrier ? 1 : 0
        var inputStates: [InputState?] = []
        for i in 0..<inputs {
            if let longest = routes.filter({ $0.input == i }).map(\.partitions).max() {
                inputStates.append(try InputState(
                    fftSize: fftSize, history: partitionLength, slots: longest + spare, stride: stride))
            } else {
                inputStates.append(nil)
            }
        }
        self.inputStates = inputStates
        var outputStates: [OutputState] = []
        for o in 0..<outputs {
            let mine = routes.filter { $0.output == o }
            // The input's frame is free for the inverse only when nothing else reads that input.
            let sole = mine.count == 1 && routes.filter({ $0.input == mine[0].input }).count == 1
            let borrowed = phases == .sameThread && sole ? inputStates[mine[0].input]?.frame.pointer : nil
            outputStates.append(try OutputState(
                routes: mine, fftSize: fftSize, frame: borrowed, tail: keepsTail ? blockSize : 0))
        }
        self.outputStates = outputStates
    }

    /// Gives each route of `init(routes:…)` its kernel, in the same order. Once, before the first block.
    public func attach(_ kernels: [PartitionedKernel]) {
        precondition(kernels.count == routes.count, "one kernel per route")
        var perOutput = [[PartitionedKernel]](repeating: [], count: outputs)
        for (route, kernel) in zip(routes, kernels) {
            precondition(
                kernel.blockSize == blockSize && kernel.fftSize == fftSize && kernel.partitionCount == route.partitions,
                "a kernel of another layout than its route")
            perOutput[route.output].append(kernel)
        }
        for o in 0..<outputs { outputStates[o].kernels = perOutput[o] }
    }

    /// Transforms input `i`'s block `k` (blocks counted from 0, one call per block in order): `count`
    /// samples at `input`, `input + stride`, … then zeros to `blockSize`. Caller's thread.
    public func forward(
        input i: Int, block k: Int, gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int
    ) {
        ingest(input: i, block: k, gathering: input, stride: inputStride, count: count, transform: true)
    }

    /// Takes in input `i`'s block `k` as ``forward(input:block:gathering:stride:count:)`` does, but with
    /// `transform` false keeps only its end as the next frame's history. After ``reset()``, one block
    /// without the transform and then `partitions − 1` with it leave exactly the state a run through all
    /// earlier input would have: a worker can start a stretch of the input in the middle and produce
    /// the same bits as one continuous run.
    public func prime(
        input i: Int, block k: Int, gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int,
        transform: Bool
    ) {
        ingest(input: i, block: k, gathering: input, stride: inputStride, count: count, transform: transform)
    }

    /// Clears every input's history and spectra, as if the input so far had been silence.
    public func reset() {
        for case let state? in inputStates {
            state.history.zero()
            state.ring.zero()
            state.skippedBlock1 = false
        }
    }

    private func ingest(
        input i: Int, block k: Int, gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int,
        transform: Bool
    ) {
        guard let state = inputStates[i] else { return }
        // Per call, since a worker may run this input on any thread; one register write.
        firpipe_flush_denormals()
        let b = blockSize, h = partitionLength
        precondition(count >= 0 && count <= b, "a block holds at most blockSize samples")
        // The forward transform may destroy the frame (and an output may borrow it), so the earlier
        // input lives in `history`. Read the input first: it may alias an output.
        if transform { state.frame.pointer.update(from: state.history.pointer, count: h) }
        let current = state.frame.pointer + h
        StridedCopy.gather(input, stride: inputStride, into: current, count: count)
        if count < b { (current + count).update(repeating: 0, count: b - count) }
        // h ≤ b: the history the next block needs is the end of this one.
        state.history.pointer.update(from: current + (b - h), count: h)
        guard transform else { return }
        // Block 0 left block 1's output behind (see init); one input of a block empty means all are.
        if keepsTail && k == 1 && count == 0 {
            state.skippedBlock1 = true
            return
        }
        state.skippedBlock1 = false
        fft.forward(state.frame.pointer, state.ring.pointer + (k % state.slots) * stride)
    }

    /// Writes output `o`'s block `k` (`blockSize` samples at `output`, `output + stride`, …), once block
    /// `k` of every input its paths read is transformed. Caller's thread.
    public func output(_ o: Int, block k: Int, into output: UnsafeMutablePointer<Float>, stride outputStride: Int) {
        let state = outputStates[o]
        guard !state.routes.isEmpty else {
            StridedCopy.scatter(state.silence.pointer, into: output, stride: outputStride, count: blockSize)
            return
        }
        if keepsTail && k == 1, let first = inputStates[state.routes[0].input], first.skippedBlock1 {
            StridedCopy.scatter(state.tail.pointer, into: output, stride: outputStride, count: blockSize)
            return
        }
        firpipe_flush_denormals()
        let bins = fftSize / 2 + 1
        for n in 0..<state.routes.count {
            let route = state.routes[n]
            guard let input = inputStates[route.input] else { preconditionFailure("a path's input has state") }
            for p in 0..<route.partitions {
                // X[k − p]; blocks before the first are the ring's untouched, zeroed slots.
                state.offsets[p] = ((k - p) % input.slots + input.slots) % input.slots * stride
            }
            ComplexMultiply.sumOfProducts(
                input.ring.pointer, offsets: state.offsets, state.kernels[n].spectrum(0), hStride: stride,
                parts: route.partitions, bins: bins, into: state.accumulator.pointer, adding: n > 0,
                chunkBins: sumOrder == .chunked ? ComplexMultiply.chunkBins : bins)
        }
        fft.backward(state.accumulator.pointer, state.frame)
        // The last blockSize samples of the circular convolution are the ones no wrap-around reaches.
        StridedCopy.scatter(state.frame + partitionLength, into: output, stride: outputStride, count: blockSize)
        // What wrapped around is the start of block 1 (the rest of the tail buffer stays zero).
        if keepsTail && k == 0 { state.tail.pointer.update(from: state.frame, count: partitionLength) }
    }

    /// One input's overlap-save frame, history and ring of recent block spectra.
    private final class InputState {
        let frame: AlignedFloats
        let history: AlignedFloats
        let ring: AlignedFloats
        let slots: Int
        /// Block 1 was empty and its transform skipped (``keepsTail``).
        var skippedBlock1 = false

        init(fftSize: Int, history: Int, slots: Int, stride: Int) throws(ResourceError) {
            frame = try AlignedFloats(count: fftSize)
            self.history = try AlignedFloats(count: history)
            ring = try AlignedFloats(count: slots * stride)
            self.slots = slots
        }
    }

    /// One output's routes and kernels, its sum of products and its inverse-transform frame.
    private final class OutputState {
        let routes: [Route]
        var kernels: [PartitionedKernel] = []
        let accumulator: AlignedFloats
        /// Where the inverse transform lands: `ownFrame`, or a sole input's frame (``Phases/sameThread``).
        let frame: UnsafeMutablePointer<Float>
        /// The frame when not borrowed (one float when it is).
        let ownFrame: AlignedFloats
        let offsets: UnsafeMutablePointer<Int>
        /// Zeros for an output no path feeds.
        let silence: AlignedFloats
        /// Block 1's output, left by block 0's transform (``keepsTail``; one float otherwise).
        let tail: AlignedFloats

        init(
            routes: [Route], fftSize: Int, frame borrowed: UnsafeMutablePointer<Float>?, tail: Int
        ) throws(ResourceError) {
            self.routes = routes
            accumulator = try AlignedFloats(count: PartitionedKernel.alignedStride(bins: fftSize / 2 + 1))
            let own = try AlignedFloats(count: borrowed == nil ? fftSize : 1)
            frame = borrowed ?? own.pointer
            ownFrame = own
            silence = try AlignedFloats(count: routes.isEmpty ? fftSize : 1)
            self.tail = try AlignedFloats(count: Swift.max(tail, 1))
            // Last: a throw above must not leak it (a class that fails in `init` gets no `deinit`).
            offsets = .allocate(capacity: Swift.max(1, routes.map(\.partitions).max() ?? 1))
        }

        deinit { offsets.deallocate() }
    }
}
