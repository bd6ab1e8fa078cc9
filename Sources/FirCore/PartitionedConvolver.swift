internal import CFFTW

/// One channel's uniformly partitioned convolution (overlap-save with a frequency-domain delay line).
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

    /// `[previous block | current block]`, the overlap-save input frame.
    private let frame: AlignedFloats
    /// The last `partitionCount` input spectra, a ring indexed by `head`.
    private let delayLine: AlignedFloats
    /// Sum of spectrum products for the current block; destroyed by the inverse FFT.
    private let accumulator: AlignedFloats
    /// Inverse transform output; the second half is this block's result.
    private let timeOut: AlignedFloats
    private var head = 0

    /// Makes the state for one channel filtered by `kernel`, as if preceded by silence.
    public init(kernel: PartitionedKernel) {
        self.kernel = kernel
        let b = kernel.blockSize
        frame = AlignedFloats(count: 2 * b)
        delayLine = AlignedFloats(count: kernel.partitionCount * kernel.spectrumStride)
        accumulator = AlignedFloats(count: kernel.spectrumStride)
        timeOut = AlignedFloats(count: 2 * b)
    }

    /// Clears all history, as if the input so far had been silence.
    public func reset() {
        frame.zero()
        delayLine.zero()
        head = 0
    }

    /// Filters one block: reads `blockSize` samples from `input`, writes `blockSize` to `output`.
    /// The two may alias. Caller's thread.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        // Per call, since Dispatch may run this channel on any worker thread; one register write.
        firpipe_flush_denormals()
        let b = kernel.blockSize, stride = kernel.spectrumStride, parts = kernel.partitionCount
        let bins = b + 1

        // Slide the frame by one block and transform it into the newest delay-line slot.
        frame.pointer.update(from: frame.pointer + b, count: b)
        (frame.pointer + b).update(from: input, count: b)
        let newest = delayLine.pointer + head * stride
        kernel.fft.forward(frame.pointer, newest)

        // Y = Σ_p X[k − p] · H[p], newest input spectrum with the first partition.
        ComplexMultiply.product(UnsafePointer(newest), kernel.spectrum(0), into: accumulator.pointer, bins: bins)
        var slot = head
        for p in 1..<parts {
            slot = slot == 0 ? parts - 1 : slot - 1
            ComplexMultiply.accumulate(
                UnsafePointer(delayLine.pointer + slot * stride), kernel.spectrum(p),
                into: accumulator.pointer, bins: bins)
        }
        head = head + 1 == parts ? 0 : head + 1

        kernel.fft.backward(accumulator.pointer, timeOut.pointer)
        output.update(from: timeOut.pointer + b, count: b)
    }
}
