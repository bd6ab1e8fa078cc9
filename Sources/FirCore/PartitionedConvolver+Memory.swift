extension PartitionedConvolver {
    /// One channel's working memory, zeroed: the overlap-save frame, the history, the delay line of
    /// input spectra and the sum of products. It depends only on the kernel's ``ConvolverLayout``, so a
    /// job allocates it (faulting in and zeroing 6.6 MB for W1's two channels) while the transform the
    /// kernel needs is still being planned on another thread: W1's filter bank was ready 1.5–1.8 ms
    /// sooner (medians of 20 timestamped runs), its 2-thread run 1.5% faster (30 pairs).
    ///
    /// `@unchecked Sendable`: made on one thread, then used only by the convolver that owns it.
    public final class Memory: @unchecked Sendable {
        public let layout: ConvolverLayout
        /// `[earlier input | current block]`, the overlap-save input frame of `fftSize` samples; the
        /// transform may destroy it.
        let frame: AlignedFloats
        /// The last `partitionLength` input samples before the current block.
        let history: AlignedFloats
        /// Per partition p, the float offset of X[k − p] in the delay line; refilled every block.
        let slots: UnsafeMutablePointer<Int>
        /// The last `partitionCount` input spectra, a ring indexed by the convolver's `head`.
        let delayLine: AlignedFloats
        /// Sum of spectrum products for the current block; destroyed by the inverse FFT.
        let accumulator: AlignedFloats

        /// - Throws: ``ResourceError`` when the memory is refused.
        public init(layout: ConvolverLayout) throws(ResourceError) {
            self.layout = layout
            frame = try AlignedFloats(count: layout.fftSize)
            history = try AlignedFloats(count: layout.partitionLength)
            delayLine = try AlignedFloats(count: layout.partitionCount * layout.spectrumStride)
            accumulator = try AlignedFloats(count: layout.spectrumStride)
            slots = .allocate(capacity: layout.partitionCount)
        }

        deinit { slots.deallocate() }
    }
}
