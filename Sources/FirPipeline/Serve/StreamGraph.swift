import FirCore

/// A compiled graph (``FilterMatrix``) on the stream's low-latency engine: a ``StreamConvolver`` over
/// the graph's paths, which transforms each input once per partition however many paths read it and
/// each output back once however many paths it sums (true-stereo or a crossover cost little more than
/// stereo, as in the batch job's ``MixingBank``). Paths with equal sources and gains share spectra.
///
/// The audio thread calls ``process(_:_:)``; `shutdown` and the counters as ``StreamConvolver``'s.
public final class StreamGraph: @unchecked Sendable {
    public let inputs: Int
    public let outputs: Int
    public var blockSize: Int { convolver.blockSize }
    let convolver: StreamConvolver

    /// Transforms the kernels (slow for long ones): never on the audio thread.
    /// - Throws: ``ResourceError`` when memory or a level's thread is refused.
    public init(matrix: FilterMatrix, blockSize: Int, mode: ConvolutionMode) throws(ResourceError) {
        inputs = matrix.inputs
        outputs = matrix.outputs
        let paths = matrix.entries.map {
            StreamConvolver.Path(
                output: $0.output, input: $0.input, key: $0.filter.source, taps: $0.filter.taps, gain: $0.filter.gain)
        }
        convolver = try StreamConvolver(
            paths: paths, inputs: matrix.inputs, outputs: matrix.outputs, blockSize: blockSize, mode: mode)
    }

    /// Filters one block: `input` holds `inputs` planar runs of `blockSize`, `output` gets `outputs`
    /// runs. They may alias. The audio thread.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        convolver.process(input, output)
    }

    /// Times `process` waited for a late background level. Any thread.
    public var underruns: Int { convolver.underruns }
    /// CPU time of the background workers, in nanoseconds. Any thread.
    public var workerCPUNanoseconds: UInt64 { convolver.workerCPUNanoseconds }
    /// The background levels' worker threads, level 1 first; see ``StreamConvolver/workerThreads``.
    public var workerThreads: [UInt] { convolver.workerThreads }
    /// Stops the worker threads; see ``StreamConvolver/shutdown()``.
    public func shutdown() { convolver.shutdown() }
}
