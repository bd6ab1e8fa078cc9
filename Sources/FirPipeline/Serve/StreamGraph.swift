import FirCore

/// A compiled graph (``FilterMatrix``) on the stream's low-latency engine: one ``StreamConvolver``
/// channel per path, each fed its input channel, the paths summed into their outputs. A diagonal
/// matrix (one filter per channel) runs the convolver on the block directly, with no copies.
///
/// Each path transforms its own input here (the batch job's ``MixingBank`` shares the transform of an
/// input between its paths); a true-stereo stream costs about twice a plain stereo one.
///
/// The audio thread calls ``process(_:_:)``; `shutdown` and the counters as ``StreamConvolver``'s.
public final class StreamGraph: @unchecked Sendable {
    public let inputs: Int
    public let outputs: Int
    public var blockSize: Int { convolver.blockSize }
    let convolver: StreamConvolver
    /// Per path, its input and output channel; nil for a diagonal matrix.
    private let routes: [(input: Int, output: Int)]?
    /// The paths' planar samples, one run of `blockSize` each (one float for a diagonal matrix).
    private let scratch: AlignedFloats

    /// Transforms the kernels (slow for long ones): never on the audio thread.
    public init(matrix: FilterMatrix, blockSize: Int, mode: ConvolutionMode) {
        inputs = matrix.inputs
        outputs = matrix.outputs
        if let filters = matrix.diagonal {
            convolver = StreamConvolver(
                kernels: filters.map(\.taps), blockSize: blockSize, mode: mode, gains: filters.map(\.gain))
            routes = nil
            scratch = AlignedFloats(count: 1)
        } else {
            // A matrix with no path at all still needs one channel to run: a silent one.
            let entries = matrix.entries.isEmpty
                ? [FilterMatrix.Entry(output: 0, input: 0, filter: ChannelFilter(source: "silence", taps: [0], gain: 0))]
                : matrix.entries
            convolver = StreamConvolver(
                kernels: entries.map(\.filter.taps), blockSize: blockSize, mode: mode, gains: entries.map(\.filter.gain))
            routes = entries.map { ($0.input, $0.output) }
            scratch = AlignedFloats(count: entries.count * blockSize)
        }
    }

    /// Filters one block: `input` holds `inputs` planar runs of `blockSize`, `output` gets `outputs`
    /// runs. They may alias (the paths copy their input first). The audio thread.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        guard let routes else {
            convolver.process(input, output)
            return
        }
        let b = blockSize, paths = scratch.pointer
        for (p, route) in routes.enumerated() {
            (paths + p * b).update(from: input + route.input * b, count: b)
        }
        convolver.process(paths, paths)
        output.update(repeating: 0, count: outputs * b)
        for (p, route) in routes.enumerated() {
            let out = output + route.output * b, path = paths + p * b
            for i in 0..<b { out[i] += path[i] }
        }
    }

    /// Times `process` waited for a late background level. Any thread.
    public var underruns: Int { convolver.underruns }
    /// CPU time of the background workers, in nanoseconds. Any thread.
    public var workerCPUNanoseconds: UInt64 { convolver.workerCPUNanoseconds }
    /// Stops the worker threads; see ``StreamConvolver/shutdown()``.
    public func shutdown() { convolver.shutdown() }
}
