import FirCore

/// Runs a ``FilterMatrix`` that is not diagonal (routing, mixing, mono into a stereo room, crossovers,
/// true-stereo reverb) on the batch stages: one ``MixingConvolver`` shared by the workers, each worker
/// transforming the inputs i ≡ worker (mod workers), meeting the others at the block's
/// ``PhaseBarrier``, then mixing and transforming back the outputs o ≡ worker (mod workers): mono and
/// stereo straight into the block's interleaved frames, which the input no longer needs by then; more
/// channels into the planar runs, which the writer joins with the SIMD transposes of ``StridedCopy``
/// (a scalar scatter at a stride of 4 took half of the crossover's output step, perf).
///
/// Kernel spectra are made once per distinct path (equal sources and gains share them).
public final class MixingBank: @unchecked Sendable {
    public let blockSize: Int
    public let fftSize: Int
    public let workers: Int
    public let inputs: Int
    public let outputs: Int
    private let convolver: MixingConvolver

    /// - Parameters:
    ///   - matrix: the compiled graph.
    ///   - blockSize, fftSize: the plan for the longest path.
    ///   - threads: at most this many workers.
    ///   - shared: a batch's transforms, made once for all its jobs; nil to make this bank's own.
    /// - Throws: ``ResourceError`` when the memory for the spectra or the rings is refused.
    public init(
        matrix: FilterMatrix, blockSize: Int, fftSize: Int?, mode: ConvolutionMode, threads: Int,
        shared: SharedKernels? = nil
    ) throws(ResourceError) {
        self.blockSize = blockSize
        let layout = ConvolverLayout(taps: matrix.longestTaps, blockSize: blockSize, fftSize: fftSize)
        self.fftSize = layout.fftSize
        inputs = matrix.inputs
        outputs = matrix.outputs
        let usedInputs = Set(matrix.entries.map(\.input)).count
        workers = Swift.max(1, Swift.min(threads, Swift.max(usedInputs, outputs)))
        var made: [ChannelFilter: PartitionedKernel] = [:]
        var paths: [MixingConvolver.Path] = []
        for entry in matrix.entries {
            let kernel = if let made = made[entry.filter] { made } else if let shared {
                try shared.transform(entry.filter, blockSize: blockSize, fftSize: layout.fftSize, mode: mode)
            } else {
                try PartitionedKernel(
                    kernel: entry.filter.taps, blockSize: blockSize, fftSize: layout.fftSize, mode: mode,
                    gain: entry.filter.gain)
            }
            made[entry.filter] = kernel
            paths.append(MixingConvolver.Path(output: entry.output, input: entry.input, kernel: kernel))
        }
        convolver = try MixingConvolver(
            paths: paths, inputs: inputs, outputs: outputs, blockSize: blockSize, fftSize: layout.fftSize)
    }
}

extension MixingBank: BlockFilter {
    public var outputIsInterleaved: Bool { !AudioBlock.splitsChannels(outputs) }
    public var blocksInFlight: Int { 0 }
    public var needsEveryBlock: Bool { true }

    /// Worker `worker`'s inputs, then (after every worker's) its outputs. That worker's thread.
    public func process(_ block: AudioBlock, worker: Int) {
        let k = block.position / blockSize
        let split = block.channelsAreSplit
        var i = worker
        while i < inputs {
            let source = split ? UnsafePointer(block.channel(i)) : UnsafePointer(block.interleaved + i)
            convolver.forward(input: i, block: k, gathering: source, stride: split ? 1 : inputs, count: block.frames)
            i += workers
        }
        block.phase.arriveAndWait(parties: workers)
        let interleaved = outputIsInterleaved
        var o = worker
        while o < outputs {
            if interleaved {
                convolver.output(o, block: k, into: block.interleaved + o, stride: outputs)
            } else {
                convolver.output(o, block: k, into: block.channel(o), stride: 1)
            }
            o += workers
        }
    }
}
