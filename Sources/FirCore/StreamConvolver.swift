import Synchronization

/// Low-latency multi-channel streaming convolution: the engine of `firpipe serve`.
///
/// Raw PCM arrives one block of `blockSize` samples per channel at a time; each call to
/// ``process(_:_:)`` returns the matching block of the full convolution `x * h` with no added delay.
///
/// This first version runs every channel as one uniformly partitioned convolution at the block size,
/// inline on the caller's thread. All buffers and FFTW plans are made in `init`; `process` does not
/// allocate, lock, throw or log.
///
/// Thread use: `init` and `shutdown()` on any thread; `process` on one thread at a time (the audio
/// thread); `underruns` from any thread. `@unchecked Sendable` because the only state touched from more
/// than one thread is the atomic underrun counter; the per-channel convolvers belong to the thread
/// calling `process`.
public final class StreamConvolver: @unchecked Sendable {
    /// Number of channels, the number of kernels given to `init`.
    public let channels: Int
    /// Samples per channel consumed and produced by each call to ``process(_:_:)``: the latency.
    public let blockSize: Int

    /// One convolver per channel, each with its own kernel spectra (kernels and gains differ).
    private let convolvers: [PartitionedConvolver]
    private let underrunCount = Atomic<Int>(0)

    /// Prepares the filter: transforms every kernel and allocates all buffers. Any thread; may take a
    /// while for long kernels (FFT planning and kernel transforms).
    ///
    /// - Parameters:
    ///   - kernels: one per channel (already chosen), each at least one tap.
    ///   - blockSize: samples per channel per call, at least 1.
    ///   - mode: `.correlate` computes `scipy.signal.correlate` instead of convolution.
    ///   - gains: linear gains, one per channel, folded into the kernel spectra.
    public init(kernels: [[Float]], blockSize: Int, mode: ConvolutionMode = .convolve, gains: [Float]) {
        precondition(!kernels.isEmpty, "at least one channel")
        precondition(gains.count == kernels.count, "one gain per channel")
        precondition(blockSize >= 1, "block size must be positive")
        precondition(kernels.allSatisfy { !$0.isEmpty }, "every kernel needs at least one tap")
        self.channels = kernels.count
        self.blockSize = blockSize
        self.convolvers = zip(kernels, gains).map { kernel, gain in
            PartitionedConvolver(kernel: PartitionedKernel(kernel: kernel, blockSize: blockSize, mode: mode, gain: gain))
        }
    }

    deinit {
        shutdown()
    }

    /// Filters one block of every channel.
    ///
    /// `input` and `output` are planar: channel c's `blockSize` samples at offset `c·blockSize`. They may
    /// alias. Output block k is samples `[k·B, (k+1)·B)` of the full convolution. The audio thread, one
    /// call at a time.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        // Each channel reads only its own stretch of the input before writing the same stretch of the
        // output, so aliasing is safe channel by channel.
        for c in 0..<channels {
            convolvers[c].process(input + c * blockSize, output + c * blockSize)
        }
    }

    /// Times ``process(_:_:)`` had to wait for a background level that was late. Any thread.
    public var underruns: Int { underrunCount.load(ordering: .relaxed) }

    /// Stops the background work; idempotent, and called by `deinit`. After it, `process` must not be
    /// called. Any thread.
    public func shutdown() {
        // Nothing runs in the background yet: every channel is filtered inline.
    }
}
