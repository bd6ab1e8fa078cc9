/// What the filter computes.
public enum ConvolutionMode: String, Sendable, CaseIterable, Codable {
    /// `y[i] = Σ x[k] h[i − k]`.
    case convolve
    /// Cross-correlation as `scipy.signal.correlate` defines it: convolution with the kernel reversed,
    /// so a template's peak lands where it matches.
    case correlate
}

/// Which stretch of the full convolution is kept, with numpy/scipy semantics.
public enum OutputLength: String, Sendable, CaseIterable, Codable {
    /// Every sample: input + kernel − 1. The default, so a reverb tail is never cut.
    case full
    /// The input's length, centred on the full output as `scipy.signal.convolve(mode="same")` does.
    case same
    /// Only samples that do not depend on zero padding: |input − kernel| + 1.
    case valid
}

/// The stretch `[start, start + count)` of the full output that an ``OutputLength`` keeps.
public struct OutputWindow: Sendable, Equatable {
    /// Index in the full output of the first kept sample.
    public let start: Int
    /// Number of kept samples.
    public let count: Int

    /// One past the last kept index of the full output.
    public var end: Int { start + count }

    public init(start: Int, count: Int) {
        precondition(start >= 0 && count >= 0, "invalid output window")
        self.start = start
        self.count = count
    }

    /// The window for a signal of `inputLength` samples and a kernel of `kernelLength` taps.
    ///
    /// An empty input gives an empty output in every mode (scipy refuses empty inputs; a filter that
    /// produces a tail from nothing would surprise more).
    public init(inputLength n: Int, kernelLength m: Int, length: OutputLength) {
        precondition(n >= 0 && m >= 1, "kernel must have at least one tap")
        guard n > 0 else {
            self.init(start: 0, count: 0)
            return
        }
        switch length {
        case .full:
            self.init(start: 0, count: n + m - 1)
        case .same:
            self.init(start: (m - 1) / 2, count: n)
        case .valid:
            let short = Swift.min(n, m), long = Swift.max(n, m)
            self.init(start: short - 1, count: long - short + 1)
        }
    }

    /// The part of `[position, position + blockLength)` inside the window, as offsets into that block.
    public func overlap(blockStart position: Int, blockLength: Int) -> Range<Int> {
        let lo = Swift.max(start, position), hi = Swift.min(end, position + blockLength)
        return lo < hi ? (lo - position)..<(hi - position) : 0..<0
    }
}
