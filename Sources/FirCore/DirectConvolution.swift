/// Float64 time-domain convolution: the slow, obviously-correct reference the FFT engine is tested
/// against. O(n·m); for tests and tools, never the audio path.
public enum DirectConvolution {
    /// The full linear convolution, `x.count + h.count − 1` samples (empty if either is empty).
    public static func full(_ x: [Double], _ h: [Double]) -> [Double] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        var y = [Double](repeating: 0, count: x.count + h.count - 1)
        x.withUnsafeBufferPointer { xp in
            h.withUnsafeBufferPointer { hp in
                y.withUnsafeMutableBufferPointer { yp in
                    for i in 0..<xp.count {
                        let xi = xp[i]
                        if xi == 0 { continue }
                        for j in 0..<hp.count { yp[i + j] += xi * hp[j] }
                    }
                }
            }
        }
        return y
    }

    /// `x` filtered by `h` in the given mode, keeping the given stretch (numpy/scipy semantics).
    public static func apply(
        _ x: [Double], _ h: [Double], mode: ConvolutionMode = .convolve, length: OutputLength = .full
    ) -> [Double] {
        let kernel = mode == .correlate ? Array(h.reversed()) : h
        let y = full(x, kernel)
        let window = OutputWindow(inputLength: x.count, kernelLength: h.count, length: length)
        return Array(y[window.start..<window.end])
    }
}
