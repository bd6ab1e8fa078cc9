/// The sizes that follow from a kernel's length, block and transform size: what its spectra and a
/// convolver's ring of input spectra (``MixingConvolver``) are made of.
public struct ConvolverLayout: Equatable, Sendable {
    public let blockSize: Int
    public let fftSize: Int
    /// Taps per partition, and the input samples each frame carries over.
    public var partitionLength: Int { fftSize - blockSize }
    public let partitionCount: Int
    /// Floats between two partition spectra (``PartitionedKernel/spectrumStride``).
    public let spectrumStride: Int

    /// `fftSize`: `2·blockSize` when nil, else as ``BlockPlan`` allows; under `2·blockSize` the whole
    /// kernel must fit in `fftSize − blockSize` taps.
    public init(taps: Int, blockSize: Int, fftSize: Int? = nil) {
        precondition(taps >= 1, "empty kernel")
        precondition(blockSize >= 1, "block size must be positive")
        let plan = fftSize.map { BlockPlan(blockSize: blockSize, fftSize: $0) } ?? .uniform(blockSize)
        let fftSize = plan.fftSize, length = fftSize - blockSize
        self.blockSize = blockSize
        self.fftSize = fftSize
        partitionCount = (taps + length - 1) / length
        // The delay line advances one block per call, so partitions other than the first must start
        // whole blocks apart.
        precondition(
            length == blockSize || partitionCount == 1,
            "a kernel longer than fftSize − blockSize taps needs fftSize = 2·blockSize")
        spectrumStride = PartitionedKernel.alignedStride(bins: fftSize / 2 + 1)
    }
}
