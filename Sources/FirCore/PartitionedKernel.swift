/// A kernel cut into equal partitions of `blockSize` taps, each held as the spectrum of a `2·blockSize`
/// FFT, ready for uniformly partitioned convolution.
///
/// Built once on one thread; immutable afterwards and shared read-only by every channel that uses the
/// same kernel, hence `@unchecked Sendable`.
public final class PartitionedKernel: @unchecked Sendable {
    /// Samples per partition, and per processed block.
    public let blockSize: Int
    /// Number of partitions, `ceil(taps / blockSize)`.
    public let partitionCount: Int
    /// Kernel length in taps.
    public let taps: Int
    /// The transform of size `2·blockSize` every user of this kernel shares.
    public let fft: RealFFT
    /// Floats between the starts of two partition spectra: `2·binCount` rounded up so each starts on a
    /// 64-byte boundary, as the FFTW plans expect.
    public let spectrumStride: Int

    /// All partition spectra, back to back at `spectrumStride`, already scaled by gain / FFT size.
    let spectra: AlignedFloats

    /// Transforms `kernel` (reversed first for correlation) scaled by `gain`.
    ///
    /// - Parameters:
    ///   - kernel: the taps; at least one.
    ///   - blockSize: the partition length; at least 1.
    ///   - mode: `.correlate` reverses the kernel so the engine computes `scipy.signal.correlate`.
    ///   - gain: a linear factor folded into the spectra.
    public init(kernel: [Float], blockSize: Int, mode: ConvolutionMode = .convolve, gain: Float = 1) {
        precondition(!kernel.isEmpty, "empty kernel")
        precondition(blockSize >= 1, "block size must be positive")
        self.blockSize = blockSize
        self.taps = kernel.count
        self.partitionCount = (kernel.count + blockSize - 1) / blockSize
        self.fft = FFTPlanner.shared.fft(size: 2 * blockSize)
        self.spectrumStride = PartitionedKernel.alignedStride(bins: blockSize + 1)
        self.spectra = AlignedFloats(count: partitionCount * spectrumStride)

        let fftSize = 2 * blockSize
        let scale = gain / Float(fftSize)
        let frame = AlignedFloats(count: fftSize)
        kernel.withUnsafeBufferPointer { kernel in
            for p in 0..<partitionCount {
                frame.zero()
                let first = p * blockSize, n = Swift.min(blockSize, kernel.count - first)
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
