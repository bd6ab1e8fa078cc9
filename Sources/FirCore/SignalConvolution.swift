/// Whole-signal filtering of in-memory arrays through the streaming engine: what tests, tools and
/// the benchmark use when a file pipeline would be in the way.
public enum SignalConvolution {
    /// Filters `x` by `h` block by block with the partitioned engine.
    ///
    /// - Parameters:
    ///   - blockSize: uniform partitions of this size; `nil` lets ``CostModel`` choose the plan.
    ///   - gain: linear gain applied with the kernel.
    /// - Returns: the stretch of the result chosen by `length`, numpy/scipy semantics.
    public static func apply(
        _ x: [Float], _ h: [Float], mode: ConvolutionMode = .convolve, length: OutputLength = .full,
        blockSize: Int? = nil, gain: Float = 1, costModel: CostModel = .default
    ) -> [Float] {
        precondition(!h.isEmpty, "empty kernel")
        let window = OutputWindow(inputLength: x.count, kernelLength: h.count, length: length)
        guard window.count > 0 else { return [] }
        let plan = blockSize.map(BlockPlan.uniform) ?? costModel.bestPlan(taps: h.count, outputLength: window.end)
        do {
            return try filter(x, h, mode: mode, window: window, plan: plan, gain: gain)
        } catch {
            // In-memory arrays for tests and tools: sizes the caller chose, so a refusal is theirs.
            preconditionFailure("SignalConvolution.apply: \(error)")
        }
    }

    /// ``apply(_:_:mode:length:blockSize:gain:costModel:)`` once the plan is chosen.
    private static func filter(
        _ x: [Float], _ h: [Float], mode: ConvolutionMode, window: OutputWindow, plan: BlockPlan, gain: Float
    ) throws(ResourceError) -> [Float] {
        let b = plan.blockSize
        let convolver = try MixingConvolver(
            kernel: PartitionedKernel(kernel: h, blockSize: b, fftSize: plan.fftSize, mode: mode, gain: gain))
        let inBlock = try AlignedFloats(count: b), outBlock = try AlignedFloats(count: b)
        var result = [Float](repeating: 0, count: window.count)
        var position = 0
        x.withUnsafeBufferPointer { xs in
            result.withUnsafeMutableBufferPointer { out in
                while position < window.end {
                    inBlock.zero()
                    let available = Swift.max(0, Swift.min(b, xs.count - position))
                    if available > 0 { inBlock.pointer.update(from: xs.baseAddress! + position, count: available) }
                    convolver.process(block: position / b, inBlock.pointer, into: outBlock.pointer)
                    let keep = window.overlap(blockStart: position, blockLength: b)
                    for i in keep { out[position + i - window.start] = outBlock.pointer[i] }
                    position += b
                }
            }
        }
        return result
    }
}
