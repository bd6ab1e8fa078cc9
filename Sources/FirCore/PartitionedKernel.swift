/// A kernel cut into equal partitions, each held as the spectrum of one `fftSize`-point FFT, ready for
/// partitioned convolution (overlap-save with a frequency-domain delay line).
///
/// Uniform partitions are `blockSize` taps and their transforms `2·blockSize` points. A kernel may
/// instead be one partition with a transform several times its length, the blocks taking the rest of
/// the transform (`fftSize − blockSize` ≥ taps): batch filtering then does fewer transform points per
/// output sample, while the transform stays in cache (``CostModel/maxSinglePartitionFFT``).
///
/// Built once on one thread; immutable afterwards and shared read-only by every channel that uses the
/// same kernel, hence `@unchecked Sendable`.
public final class PartitionedKernel: @unchecked Sendable {
    /// Its sizes, and those of a convolver's memory for it.
    public let layout: ConvolverLayout
    /// Samples per processed block.
    public var blockSize: Int { layout.blockSize }
    /// Points of every transform: `2·blockSize`, or less with a single partition.
    public var fftSize: Int { layout.fftSize }
    /// Taps per partition, which is also how many earlier input samples each frame carries:
    /// `fftSize − blockSize`.
    public var partitionLength: Int { layout.partitionLength }
    /// Number of partitions, `ceil(taps / partitionLength)`.
    public var partitionCount: Int { layout.partitionCount }
    /// Kernel length in taps.
    public let taps: Int
    /// The transform of size `fftSize` every user of this kernel shares.
    public let fft: RealFFT
    /// Floats between the starts of two partition spectra: `2·binCount` rounded up so each starts on a
    /// 64-byte boundary, as the FFTW plans expect.
    public var spectrumStride: Int { layout.spectrumStride }

    /// All partition spectra, back to back at `spectrumStride`, already scaled by gain / FFT size.
    let spectra: AlignedFloats

    /// Transforms `kernel` (reversed first for correlation) scaled by `gain`.
    ///
    /// - Parameters:
    ///   - kernel: the taps; at least one.
    ///   - blockSize: samples per block; the partition length too unless `fftSize` says otherwise.
    ///   - fftSize: `2·blockSize` (the default), or less (and even) as long as the whole kernel fits
    ///     in `fftSize − blockSize` taps.
    ///   - mode: `.correlate` reverses the kernel so the engine computes `scipy.signal.correlate`.
    ///   - gain: a linear factor folded into the spectra.
    /// - Throws: ``ResourceError`` when the memory for the spectra is refused.
    public init(
        kernel: [Float], blockSize: Int, fftSize: Int? = nil, mode: ConvolutionMode = .convolve, gain: Float = 1
    ) throws(ResourceError) {
        let layout = ConvolverLayout(taps: kernel.count, blockSize: blockSize, fftSize: fftSize)
        let fftSize = layout.fftSize, length = layout.partitionLength
        self.layout = layout
        self.taps = kernel.count
        self.fft = try FFTPlanner.shared.fft(size: fftSize)
        self.spectra = try AlignedFloats(count: layout.partitionCount * layout.spectrumStride)

        let scale = gain / Float(fftSize)
        let frame = try AlignedFloats(count: fftSize)
        kernel.withUnsafeBufferPointer { kernel in
            for p in 0..<partitionCount {
                frame.zero()
                let first = p * length, n = Swift.min(length, kernel.count - first)
                for j in 0..<n {
                    let tap = mode == .correlate ? kernel[kernel.count - 1 - (first + j)] : kernel[first + j]
                    frame.pointer[j] = tap * scale
                }
                fft.forward(frame.pointer, spectra.pointer + p * spectrumStride)
            }
        }
    }

    /// Start of partition `p`'s spectrum.
    @inline(__always)
    func spectrum(_ p: Int) -> UnsafePointer<Float> {
        UnsafePointer(spectra.pointer + p * spectrumStride)
    }

    /// Bytes held by the spectra.
    public var memoryBytes: Int { spectra.count * MemoryLayout<Float>.size }

    /// `2·bins` floats rounded up to a multiple of 16 floats (64 bytes).
    static func alignedStride(bins: Int) -> Int {
        (2 * bins + 15) / 16 * 16
    }
}

