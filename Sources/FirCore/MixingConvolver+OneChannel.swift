extension MixingConvolver {
    /// One channel through `kernel` (input 0 into output 0), run by one thread at a time: the
    /// whole-signal tools' and the template matcher's convolver.
    /// - Throws: ``ResourceError`` when the memory is refused.
    public convenience init(kernel: PartitionedKernel) throws(ResourceError) {
        try self.init(
            paths: [Path(output: 0, input: 0, kernel: kernel)], inputs: 1, outputs: 1, blockSize: kernel.blockSize,
            fftSize: kernel.fftSize, phases: .sameThread)
    }

    /// Block `k` of a one-channel convolver: `count` samples at `input` (then zeros to `blockSize`) in,
    /// `blockSize` samples of the full convolution out, which may alias the input. Caller's thread.
    public func process(
        block k: Int, _ input: UnsafePointer<Float>, count: Int? = nil, into output: UnsafeMutablePointer<Float>
    ) {
        forward(input: 0, block: k, gathering: input, stride: 1, count: count ?? blockSize)
        self.output(0, block: k, into: output, stride: 1)
    }
}
