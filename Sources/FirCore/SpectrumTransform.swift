
/// Real transforms of float64 taps through the project's FFTW plans, for analysis and kernel edits
/// (never the audio path).
///
/// The data stays float64 on both sides; the transform itself is FFTW single precision, as every FFT
/// in firpipe is. Its relative error (about 1e-7 of the largest bin, −140 dB) is far below what the
/// analysis reports (0.01 dB) and what the edits promise (0.1 dB, −100 dB). Any thread.
public enum SpectrumTransform {
    /// The forward transform of `x` zero-padded to `size` (even): `size / 2 + 1` bins.
    ///
    /// - Throws: ``ResourceError`` when the buffers or the plan's memory are refused.
    public static func forward(_ x: [Double], size: Int) throws(ResourceError) -> (re: [Double], im: [Double]) {
        precondition(x.count <= size, "signal longer than the transform")
        let fft = try FFTPlanner.shared.fft(size: size)
        let time = try AlignedFloats(count: size)
        let bins = try AlignedFloats(count: 2 * fft.binCount)
        for i in 0..<x.count { time.pointer[i] = Float(x[i]) }
        fft.forward(time.pointer, bins.pointer)
        var re = [Double](repeating: 0, count: fft.binCount), im = re
        for k in 0..<fft.binCount {
            re[k] = Double(bins.pointer[2 * k])
            im[k] = Double(bins.pointer[2 * k + 1])
        }
        return (re, im)
    }

    /// The inverse of ``forward(_:size:)``, normalised (divided by `size`): `size` reals.
    public static func inverse(re: [Double], im: [Double], size: Int) throws(ResourceError) -> [Double] {
        let fft = try FFTPlanner.shared.fft(size: size)
        precondition(re.count == fft.binCount && im.count == fft.binCount, "bin count does not match the size")
        let time = try AlignedFloats(count: size)
        let bins = try AlignedFloats(count: 2 * fft.binCount)
        for k in 0..<fft.binCount {
            bins.pointer[2 * k] = Float(re[k])
            bins.pointer[2 * k + 1] = Float(im[k])
        }
        fft.backward(bins.pointer, time.pointer)
        let scale = 1 / Double(size)
        return (0..<size).map { Double(time.pointer[$0]) * scale }
    }

    /// The smallest power of two that is at least `n` (and at least 2).
    public static func powerOfTwo(atLeast n: Int) -> Int {
        var size = 2
        while size < n { size <<= 1 }
        return size
    }
}
