internal import CFFTW

/// Partitioned convolution of many inputs into many outputs, mixed in the frequency domain: output o is
/// `Σ_i h[o,i] * x[i]` for the paths (o, i) given. Each input block is transformed once however many
/// outputs it feeds, and each output transformed back once however many inputs it sums, which makes
/// true-stereo reverb (4 paths) or a 2 → 4 crossover cost little more than plain stereo.
///
/// Per block k the caller runs ``forward(input:block:gathering:stride:count:)`` for every input, and
/// only when all of them are done, ``output(_:block:into:stride:)`` for every output. Calls for
/// different inputs (or outputs) may run on different threads at once, each touching only its own
/// input's (output's) state; the caller's barrier between the two phases orders the rest. Inputs keep
/// one spectrum more than their longest path needs, so the forward transform of block k + 1 may run
/// while outputs of block k still read: a worker never gets further ahead than that, since block k + 1's
/// outputs wait for every input of block k + 1.
///
/// All memory is allocated in `init`; the per-block calls do not allocate, lock, throw or log.
/// `@unchecked Sendable`: see the thread rules above.
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

    public let blockSize: Int
    public let fftSize: Int
    public let inputs: Int
    public let outputs: Int
    /// Taps per partition (`fftSize − blockSize`).
    let partitionLength: Int
    let stride: Int
    let fft: RealFFT
    private let inputStates: [InputState?]
    private let outputStates: [OutputState]

    /// - Parameters:
    ///   - paths: every (output, input) path; kernels made with this `blockSize` and `fftSize`.
    ///   - inputs, outputs: channel counts; an input no path reads is skipped, an output no path feeds
    ///     is silent.
    /// - Throws: ``ResourceError`` when the memory for the rings and frames is refused.
    public init(paths: [Path], inputs: Int, outputs: Int, blockSize: Int, fftSize: Int) throws(ResourceError) {
        precondition(paths.allSatisfy { $0.kernel.blockSize == blockSize && $0.kernel.fftSize == fftSize })
        self.blockSize = blockSize
        self.fftSize = fftSize
        self.inputs = inputs
        self.outputs = outputs
        partitionLength = fftSize - blockSize
        stride = PartitionedKernel.alignedStride(bins: fftSize / 2 + 1)
        fft = try FFTPlanner.shared.fft(size: fftSize)
        var inputStates: [InputState?] = []
        for i in 0..<inputs {
            let longest = paths.filter { $0.input == i }.map(\.kernel.partitionCount).max()
            if let longest {
                let stride = PartitionedKernel.alignedStride(bins: fftSize / 2 + 1)
                inputStates.append(try InputState(
                    fftSize: fftSize, history: fftSize - blockSize, slots: longest + 1, stride: stride))
            } else {
                inputStates.append(nil)
            }
        }
        self.inputStates = inputStates
        var outputStates: [OutputState] = []
        for o in 0..<outputs {
            outputStates.append(try OutputState(paths: paths.filter { $0.output == o }, fftSize: fftSize))
        }
        self.outputStates = outputStates
    }

    /// Transforms input `i`'s block `k` (blocks counted from 0, one call per block in order): `count`
    /// samples at `input`, `input + stride`, … then zeros to `blockSize`. Caller's thread.
    public func forward(
        input i: Int, block k: Int, gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int
    ) {
        guard let state = inputStates[i] else { return }
        firpipe_flush_denormals()
        let b = blockSize, h = partitionLength
        precondition(count >= 0 && count <= b, "a block holds at most blockSize samples")
        state.frame.pointer.update(from: state.history.pointer, count: h)
        let current = state.frame.pointer + h
        StridedCopy.gather(input, stride: inputStride, into: current, count: count)
        if count < b { (current + count).update(repeating: 0, count: b - count) }
        state.history.pointer.update(from: current + (b - h), count: h)
        fft.forward(state.frame.pointer, state.ring.pointer + (k % state.slots) * stride)
    }

    /// Writes output `o`'s block `k` (`blockSize` samples at `output`, `output + stride`, …), once every
    /// input's block `k` is transformed. Caller's thread.
    public func output(_ o: Int, block k: Int, into output: UnsafeMutablePointer<Float>, stride outputStride: Int) {
        let state = outputStates[o]
        guard !state.paths.isEmpty else {
            StridedCopy.scatter(state.silence.pointer, into: output, stride: outputStride, count: blockSize)
            return
        }
        firpipe_flush_denormals()
        let bins = fftSize / 2 + 1
        for (n, path) in state.paths.enumerated() {
            guard let input = inputStates[path.input] else { preconditionFailure("a path's input has state") }
            let parts = path.kernel.partitionCount
            for p in 0..<parts {
                // X[k − p]; blocks before the first are the ring's untouched, zeroed slots.
                state.offsets[p] = ((k - p) % input.slots + input.slots) % input.slots * stride
            }
            ComplexMultiply.sumOfProducts(
                input.ring.pointer, offsets: state.offsets, path.kernel.spectrum(0), hStride: stride, parts: parts,
                bins: bins, into: state.accumulator.pointer, adding: n > 0)
        }
        fft.backward(state.accumulator.pointer, state.frame.pointer)
        StridedCopy.scatter(state.frame.pointer + partitionLength, into: output, stride: outputStride, count: blockSize)
    }

    /// One input's overlap-save frame, history and ring of recent block spectra.
    private final class InputState {
        let frame: AlignedFloats
        let history: AlignedFloats
        let ring: AlignedFloats
        let slots: Int

        init(fftSize: Int, history: Int, slots: Int, stride: Int) throws(ResourceError) {
            frame = try AlignedFloats(count: fftSize)
            self.history = try AlignedFloats(count: history)
            ring = try AlignedFloats(count: slots * stride)
            self.slots = slots
        }
    }

    /// One output's paths, its sum of products and its inverse-transform frame.
    private final class OutputState {
        let paths: [Path]
        let accumulator: AlignedFloats
        let frame: AlignedFloats
        let offsets: UnsafeMutablePointer<Int>
        /// Zeros for an output no path feeds.
        let silence: AlignedFloats

        init(paths: [Path], fftSize: Int) throws(ResourceError) {
            self.paths = paths
            accumulator = try AlignedFloats(count: PartitionedKernel.alignedStride(bins: fftSize / 2 + 1))
            frame = try AlignedFloats(count: fftSize)
            silence = try AlignedFloats(count: paths.isEmpty ? fftSize : 1)
            // Last: a throw above must not leak it (a class that fails in `init` gets no `deinit`).
            offsets = .allocate(capacity: Swift.max(1, paths.map(\.kernel.partitionCount).max() ?? 1))
        }

        deinit { offsets.deallocate() }
    }
}
