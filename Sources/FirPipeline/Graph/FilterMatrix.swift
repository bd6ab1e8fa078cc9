/// A compiled processing graph: every output channel as a sum of input channels, each through one FIR
/// filter. Every graph of convolutions, gains, delays and mixers is linear and time-invariant, so it
/// compiles to this form (``GraphCompiler``), and one executor runs it, in files (``MixingBank``) and in
/// streams (``StreamConvolver``): one forward transform per input channel and block, one inverse per
/// output channel (``MixingConvolver``).
///
/// Immutable and `Sendable`.
public struct FilterMatrix: Sendable {
    /// One path from an input channel to an output channel.
    public struct Entry: Sendable {
        public let output: Int
        public let input: Int
        /// The path's taps and gain; equal sources share one set of spectra.
        public let filter: ChannelFilter

        public init(output: Int, input: Int, filter: ChannelFilter) {
            self.output = output
            self.input = input
            self.filter = filter
        }
    }

    /// Channels read from the input.
    public let inputs: Int
    /// Channels written to the output.
    public let outputs: Int
    /// Non-zero paths, ordered by output then input; an output with none is silent.
    public let entries: [Entry]
    /// What the user should hear about how the kernels were made (a kernel resampled), one line each.
    public var notices: [String] = []

    public init(inputs: Int, outputs: Int, entries: [Entry]) {
        precondition(entries.allSatisfy { (0..<outputs).contains($0.output) && (0..<inputs).contains($0.input) })
        self.inputs = inputs
        self.outputs = outputs
        self.entries = entries.sorted { ($0.output, $0.input) < ($1.output, $1.input) }
    }

    /// Output c filtered from input c, one filter per channel.
    public init(diagonal filters: [ChannelFilter]) {
        self.init(
            inputs: filters.count, outputs: filters.count,
            entries: filters.enumerated().map { Entry(output: $0.offset, input: $0.offset, filter: $0.element) })
    }

    /// The longest path, in taps (at least 1): what the output's tail and the partition plan follow.
    public var longestTaps: Int {
        entries.map(\.filter.taps.count).max() ?? 1
    }

    /// The per-channel filters when output c comes from input c alone and every channel has a filter:
    /// a job whose workers may split the channels' blocks into stretches (``WorkSplit``).
    public var diagonal: [ChannelFilter]? {
        guard inputs == outputs, entries.count == outputs,
              entries.enumerated().allSatisfy({ $0.element.output == $0.offset && $0.element.input == $0.offset })
        else { return nil }
        return entries.map(\.filter)
    }
}
