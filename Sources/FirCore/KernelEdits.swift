internal import Glibc

/// The exact kernel edits of `firpipe kernel`: combining, scaling and trimming, in float64.
///
/// Stateless; any thread.
public enum KernelEdits {
    /// What `normalize` measures.
    public enum Measure: String, Sendable, CaseIterable {
        /// The largest tap magnitude.
        case peak
        /// The square root of the energy (sum of squared taps).
        case energy
        /// The gain at 0 Hz (the sum of the taps).
        case dc
        /// The largest magnitude of the response over 20 Hz–20 kHz.
        case passband
    }

    /// One kernel that filters as `a` then `b`: their full linear convolution, computed directly in
    /// float64 (no transform rounding at all; O(n·m), seconds for two 65,536-tap kernels).
    public static func combine(_ a: [Double], _ b: [Double]) -> [Double] {
        a.count >= b.count ? DirectConvolution.full(b, a) : DirectConvolution.full(a, b)
    }

    /// `measure` of `taps` as a linear value.
    ///
    /// - Throws: ``ResourceError`` when the passband measure's transform memory is refused.
    public static func level(_ taps: [Double], by measure: Measure, sampleRate: Double) throws(ResourceError) -> Double {
        switch measure {
        case .peak: return taps.map(abs).max() ?? 0
        case .energy: return taps.reduce(0) { $0 + $1 * $1 }.squareRoot()
        case .dc: return abs(taps.reduce(0, +))
        case .passband:
            let spectrum = try KernelSpectrum(taps: taps, sampleRate: sampleRate)
            return pow(10, spectrum.extremesDB(over: KernelAnalysis.band(sampleRate: sampleRate)).max / 20)
        }
    }

    /// The first and one past the last tap to keep: leading taps below `leadingDB` and trailing taps below
    /// `tailDB` (both relative to the largest tap of any channel) are dropped, the same for every channel
    /// so they stay aligned; nil `leadingDB` keeps the start. Returns `0..<1` for an all-zero kernel.
    public static func keptRange(_ channels: [[Double]], leadingDB: Double?, tailDB: Double) -> Range<Int> {
        let peak = channels.map { $0.map(abs).max() ?? 0 }.max() ?? 0
        guard peak > 0 else { return 0..<1 }
        let tail = peak * pow(10, tailDB / 20)
        let end = channels.map { ($0.lastIndex { abs($0) > tail } ?? 0) + 1 }.max() ?? 1
        guard let leadingDB else { return 0..<end }
        let lead = peak * pow(10, leadingDB / 20)
        let start = channels.map { $0.firstIndex { abs($0) > lead } ?? end - 1 }.min() ?? 0
        return Swift.min(start, end - 1)..<end
    }

    /// `taps` cut to `range`, with a half-cosine fade over the last `fade` taps kept (fewer when the
    /// kernel is shorter) so the cut makes no step.
    public static func trimmed(_ taps: [Double], to range: Range<Int>, fade: Int) -> [Double] {
        var kept = Array(taps[range])
        let n = Swift.min(fade, kept.count - 1)
        guard n > 0 else { return kept }
        for i in 0..<n {
            // Gain from 1 (exclusive) down towards 0 at the tap after the last.
            let g = 0.5 * (1 + cos(Double.pi * Double(i + 1) / Double(n + 1)))
            kept[kept.count - n + i] *= g
        }
        return kept
    }
}
