/// Samples per block and points per transform, as ``CostModel/bestPlan(taps:outputLength:inputLength:range:maxBlockSize:)``
/// chooses them: `fftSize` is `2·blockSize` for uniform partitions, less for a single partition.
public struct BlockPlan: Sendable, Equatable {
    public let blockSize: Int
    public let fftSize: Int

    /// `fftSize` even, from `blockSize + 1` to `2·blockSize` (``ConvolverLayout`` and so every kernel and
    /// convolver check their sizes here).
    public init(blockSize: Int, fftSize: Int) {
        precondition(
            blockSize >= 1 && fftSize > blockSize && fftSize <= 2 * blockSize && fftSize % 2 == 0,
            "fftSize must be even, from blockSize + 1 to 2·blockSize")
        self.blockSize = blockSize
        self.fftSize = fftSize
    }

    /// A uniform plan for a block size the job fixes.
    public static func uniform(_ blockSize: Int) -> BlockPlan {
        BlockPlan(blockSize: blockSize, fftSize: 2 * blockSize)
    }
}
