internal import Glibc

/// The minimum-phase kernel with the same magnitude response, by the homomorphic (cepstral) method.
///
/// It follows scipy's `minimum_phase(h, method='homomorphic', half=False)` step for step (the same
/// transform length, log floor and folding window), so the two agree up to the single-precision
/// transform: log|H| → real cepstrum → fold the anti-causal part onto the causal → exp → back.
/// Stateless; any thread.
public enum MinimumPhase {
    /// Longest transform scipy's rule (about 200 times the kernel) may ask for; beyond it, four times the
    /// kernel. Kernels up to 10,000 taps get scipy's length exactly; a 1M-tap kernel still fits in memory.
    public static let maximumTransform = 1 << 21

    /// scipy's default transform length: 2^ceil(log2(2·(n − 1) / 0.01)), at least 2.
    public static func transformSize(taps: Int) -> Int {
        let wanted = Double(2 * Swift.max(taps - 1, 1)) / 0.01
        return Swift.min(SpectrumTransform.powerOfTwo(atLeast: Int(wanted.rounded(.up))),
                         Swift.max(maximumTransform, SpectrumTransform.powerOfTwo(atLeast: 4 * taps)))
    }

    /// The minimum-phase version of `taps`, as many taps as the input.
    ///
    /// - Throws: ``ResourceError`` when the transforms' memory is refused.
    public static func apply(_ taps: [Double], transformSize: Int? = nil) throws(ResourceError) -> [Double] {
        let n = transformSize ?? Self.transformSize(taps: taps.count)
        let h = try SpectrumTransform.forward(taps, size: n)
        let bins = h.re.count
        var logMagnitude = (0..<bins).map { (h.re[$0] * h.re[$0] + h.im[$0] * h.im[$0]).squareRoot() }
        // scipy's floor: 1e-7 of the smallest non-zero magnitude, so log never sees 0.
        let smallest = logMagnitude.filter { $0 > 0 }.min() ?? 1
        for k in 0..<bins { logMagnitude[k] = log(logMagnitude[k] + 1e-7 * smallest) }
        // The real cepstrum of a real even spectrum: the inverse transform of log|H| with zero imaginary part.
        var cepstrum = try SpectrumTransform.inverse(re: logMagnitude, im: [Double](repeating: 0, count: bins), size: n)
        // Fold: keep c[0], double 1..<n/2, drop n/2 and the negative quefrencies (scipy's window for even n).
        for i in 1..<(n / 2) { cepstrum[i] *= 2 }
        for i in (n / 2)..<n { cepstrum[i] = 0 }
        let folded = try SpectrumTransform.forward(cepstrum, size: n)
        var re = [Double](repeating: 0, count: bins), im = re
        for k in 0..<bins {
            let scale = exp(folded.re[k])
            re[k] = scale * cos(folded.im[k])
            im[k] = scale * sin(folded.im[k])
        }
        let result = try SpectrumTransform.inverse(re: re, im: im, size: n)
        return Array(result.prefix(taps.count))
    }
}
