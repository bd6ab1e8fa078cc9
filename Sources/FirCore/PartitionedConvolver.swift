internal import CFFTW

/// One channel's partitioned convolution (overlap-save with a frequency-domain delay line): uniform
/// partitions, or the whole kernel in one with a transform shorter than two blocks (``PartitionedKernel``).
///
/// Each call to ``process(_:_:)`` takes the next `blockSize` input samples and returns the next
/// `blockSize` samples of the full convolution, with no added delay: block k of the output is samples
/// `[k·B, (k+1)·B)` of `x * h`. All buffers are allocated in `init`; `process` does not allocate, lock,
/// throw or log.
///
/// Not thread-safe: one instance belongs to one channel and is used by one thread at a time. It is
/// `@unchecked Sendable` so a channel's state can move between worker threads between blocks.
public final class PartitionedConvolver: @unchecked Sendable {
    /// The kernel spectra; swapped only between blocks.
    public private(set) var kernel: PartitionedKernel
    /// Samples consumed and produced per call.
    public var blockSize: Int { kernel.blockSize }

    /// The frame, history, delay line and sum (``Memory``).
    private let memory: Memory
    private var head = 0

    /// Makes the state for one channel filtered by `kernel`, as if preceded by silence, in `memory`
    /// (allocated here when nil) of the kernel's layout.
    /// - Throws: ``ResourceError`` when the memory is refused.
    public init(kernel: PartitionedKernel, memory: Memory? = nil) throws(ResourceError) {
        // Not `??`: its autoclosure rethrows untyped.
        let memory = if let memory { memory } else { try Memory(layout: kernel.layout) }
        precondition(memory.layout == kernel.layout, "the convolver's memory has another layout than its kernel")
        self.kernel = kernel
        self.memory = memory
    }

    /// Clears all history, as if the input so far had been silence.
    public func reset() {
        memory.history.zero()
        memory.delayLine.zero()
        head = 0
    }

    /// Filters one block: reads `blockSize` samples from `input`, writes `blockSize` to `output`.
    /// The two may alias. Caller's thread.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        process(gathering: input, stride: 1, count: kernel.blockSize, into: output)
    }

    /// Filters one block whose input is one channel of interleaved frames: `count` samples (at most
    /// `blockSize`) at `input`, `input + stride`, …, followed by zeros up to `blockSize`. Writes
    /// `blockSize` output samples to `output`, `output + outputStride`, …, which may alias the input.
    /// Gathering straight into the transform's frame, and scattering straight out of it, saves a pass
    /// over the block each. Caller's thread.
    public func process(
        gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int,
        into output: UnsafeMutablePointer<Float>, outputStride: Int = 1
    ) {
        ingest(input, stride: inputStride, count: count, transform: true)
        let stride = kernel.spectrumStride, parts = kernel.partitionCount
        let bins = kernel.fftSize / 2 + 1

        // Y = Σ_p X[k − p] · H[p]: slot offsets of X[k − p] first (the newest is the slot before `head`),
        // then the sum, chunk by chunk of bins.
        var slot = head == 0 ? parts - 1 : head - 1
        for p in 0..<parts {
            memory.slots[p] = slot * stride
            slot = slot == 0 ? parts - 1 : slot - 1
        }
        ComplexMultiply.sumOfProducts(
            memory.delayLine.pointer, offsets: memory.slots, kernel.spectrum(0), hStride: stride, parts: parts, bins: bins,
            into: memory.accumulator.pointer)

        // The inverse transform lands in the frame, free again once the forward transform has consumed
        // it: one buffer fewer keeps a 32,768-sample channel's working set inside a 2 MiB L2.
        kernel.fft.backward(memory.accumulator.pointer, memory.frame.pointer)
        // The last blockSize samples of the circular convolution are the ones no wrap-around reaches.
        StridedCopy.scatter(
            memory.frame.pointer + kernel.partitionLength, into: output, stride: outputStride, count: kernel.blockSize)
    }

    /// Takes in one block of input as ``process(gathering:stride:count:into:outputStride:)`` would, but
    /// computes no output: only the history and, when `transform` is true, the block's spectrum in the
    /// delay line.
    /// After ``reset()``, one block with `transform` false and then `partitionCount − 1` with it true
    /// leave exactly the state a run through all earlier input would have, so a worker can start a
    /// stretch of the input in the middle and produce the same bits as one continuous run.
    public func prime(gathering input: UnsafePointer<Float>, stride inputStride: Int, count: Int, transform: Bool) {
        ingest(input, stride: inputStride, count: count, transform: transform)
    }

    /// The frame [earlier input | this block], the history, and (with `transform`) the forward
    /// transform into the delay line's newest slot.
    private func ingest(_ input: UnsafePointer<Float>, stride inputStride: Int, count: Int, transform: Bool) {
        // Per call, since Dispatch may run this channel on any worker thread; one register write.
        firpipe_flush_denormals()
        let b = kernel.blockSize, h = kernel.partitionLength
        precondition(count >= 0 && count <= b, "a block holds at most blockSize samples")
        // The forward transform may destroy the frame, so the earlier input lives in `history`.
        // Read the input first: it may alias the output.
        if transform { memory.frame.pointer.update(from: memory.history.pointer, count: h) }
        let current = memory.frame.pointer + h
        StridedCopy.gather(input, stride: inputStride, into: current, count: count)
        if count < b { (current + count).update(repeating: 0, count: b - count) }
        // h ≤ b: the history the next block needs is the end of this one.
        memory.history.pointer.update(from: current + (b - h), count: h)
        guard transform else { return }
        kernel.fft.forward(memory.frame.pointer, memory.delayLine.pointer + head * kernel.spectrumStride)
        head = head + 1 == kernel.partitionCount ? 0 : head + 1
    }
}
