/// How `firpipe align` weights the cross-spectrum before transforming it back.
public enum CorrelationMethod: String, Sendable, CaseIterable, Codable {
    /// Plain cross-correlation: the peak is where the two signals agree best in energy.
    case plain
    /// GCC-PHAT: every frequency weighted to unit magnitude, so the peak is sharp and coloured sound or
    /// reverberation cannot smear it.
    case phat
}

/// The cross-correlation `r[τ] = Σ_m b[m]·a[m + τ]` of two long signals over a window of lags
/// `centre − reach … centre + reach`, accumulated block by block so that memory stays `O(block + reach)`
/// however long the signals are.
///
/// For each block of `blockSize` samples of `b` starting at `m0`, the caller passes the `span` samples of
/// `a` starting at `m0 + centre − reach` (zeros outside `a`). Their cross-spectrum is summed; one inverse
/// transform at the end gives every lag in the window exactly (no wrap-around: the transform holds
/// `blockSize + 2·reach` samples). GCC-PHAT weights the summed cross-spectrum, which averages out the
/// noise of single blocks as Welch's method does.
///
/// Not thread-safe: one caller thread from `init` to ``correlation(method:)``.
public final class LagWindowCorrelator {
    /// Lag at the middle of the window.
    public let centre: Int
    /// Lags on each side of the centre.
    public let reach: Int
    /// Samples of `b` per block.
    public let blockSize: Int
    /// Samples of `a` per block: `blockSize + 2·reach`.
    public var span: Int { blockSize + 2 * reach }

    private let fft: RealFFT
    private let frame: AlignedFloats
    private let bSpectrum: AlignedFloats
    private let aSpectrum: AlignedFloats
    /// Σ conj(B)·A per bin, in float64: thousands of blocks are summed.
    private var sum: [Double]

    /// Prepares the transforms for lags `centre ± reach`, with blocks of `b` of at least `minimumBlock`
    /// samples (rounded up so the transform is a power of two).
    /// - Throws: ``ResourceError`` when memory is refused.
    public init(centre: Int, reach: Int, minimumBlock: Int = 1 << 15) throws(ResourceError) {
        precondition(reach >= 0 && minimumBlock >= 1, "invalid lag window")
        var size = 2
        while size < minimumBlock + 2 * reach { size *= 2 }
        self.centre = centre
        self.reach = reach
        self.blockSize = size - 2 * reach
        fft = try FFTPlanner.shared.fft(size: size)
        frame = try AlignedFloats(count: size)
        bSpectrum = try AlignedFloats(count: 2 * fft.binCount)
        aSpectrum = try AlignedFloats(count: 2 * fft.binCount)
        sum = [Double](repeating: 0, count: 2 * fft.binCount)
    }

    /// Adds one block: `b` holds ``blockSize`` samples of b, `a` the ``span`` samples of a that face it.
    public func add(b: UnsafePointer<Float>, a: UnsafePointer<Float>) {
        frame.zero()
        frame.pointer.update(from: b, count: blockSize)
        fft.forward(frame.pointer, bSpectrum.pointer)
        frame.pointer.update(from: a, count: span)
        if span < fft.size { (frame.pointer + span).update(repeating: 0, count: fft.size - span) }
        fft.forward(frame.pointer, aSpectrum.pointer)
        let bs = bSpectrum.pointer, aS = aSpectrum.pointer
        sum.withUnsafeMutableBufferPointer { g in
            for k in 0..<fft.binCount {
                let br = Double(bs[2 * k]), bi = Double(bs[2 * k + 1])
                let ar = Double(aS[2 * k]), ai = Double(aS[2 * k + 1])
                g[2 * k] += br * ar + bi * ai
                g[2 * k + 1] += br * ai - bi * ar
            }
        }
    }

    /// The correlation at lags `centre − reach … centre + reach` (index `i` is lag `centre − reach + i`),
    /// weighted by `method`. Scaled to a peak magnitude of about 1 for PHAT; plain keeps relative sizes.
    public func correlation(method: CorrelationMethod) -> [Double] {
        let bins = fft.binCount
        var peak = 0.0
        for k in 0..<bins { peak = Swift.max(peak, (sum[2 * k] * sum[2 * k] + sum[2 * k + 1] * sum[2 * k + 1]).squareRoot()) }
        guard peak > 0 else { return [Double](repeating: 0, count: 2 * reach + 1) }
        // PHAT's floor keeps bins with no energy (silence, band limits) from being lifted to unit weight.
        let floor = peak * 1e-9
        let spectrum = aSpectrum.pointer
        for k in 0..<bins {
            let re = sum[2 * k], im = sum[2 * k + 1]
            let scale = method == .phat ? 1 / Swift.max((re * re + im * im).squareRoot(), floor) : 1 / peak
            spectrum[2 * k] = Float(re * scale)
            spectrum[2 * k + 1] = Float(im * scale)
        }
        fft.backward(spectrum, frame.pointer)
        let norm = 1 / Double(fft.size)
        return (0...(2 * reach)).map { Double(frame.pointer[$0]) * norm }
    }
}
