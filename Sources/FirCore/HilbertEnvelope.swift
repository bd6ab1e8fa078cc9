
/// The envelope of a kernel: the magnitude of its analytic signal, |h + j·H{h}|, with the Hilbert
/// transform H{h} taken in the frequency domain (−j on positive frequencies). A sinc's envelope is its
/// smooth outline, not the lobes that |h| in dB shows.
///
/// Stateless; any thread.
public enum HilbertEnvelope {
    /// The envelope of `taps`, as many values, from a transform of at least twice their length (so the
    /// circular transform does not wrap the tail onto the start).
    ///
    /// - Throws: ``ResourceError`` when the transform's memory is refused.
    public static func envelope(_ taps: [Double]) throws(ResourceError) -> [Double] {
        let size = SpectrumTransform.powerOfTwo(atLeast: 2 * taps.count)
        let h = try SpectrumTransform.forward(taps, size: size)
        let bins = h.re.count
        // Multiplying by −j maps (re, im) to (im, −re); DC and Nyquist have no quadrature part.
        var re = [Double](repeating: 0, count: bins), im = re
        for k in 1..<(bins - 1) {
            re[k] = h.im[k]
            im[k] = -h.re[k]
        }
        let quadrature = try SpectrumTransform.inverse(re: re, im: im, size: size)
        return taps.indices.map { (taps[$0] * taps[$0] + quadrature[$0] * quadrature[$0]).squareRoot() }
    }
}
