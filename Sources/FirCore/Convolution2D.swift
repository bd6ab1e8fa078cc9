internal import Glibc

/// 2-D convolution and correlation of ``Plane``s with scipy's semantics (`scipy.signal.convolve2d` and
/// `correlate2d`, boundary "fill" with zeros), by direct sums or by FFTW's 2-D real transforms.
///
/// The algebra is 1-D's on each axis: convolution commutes, an impulse is the identity, correlation is
/// convolution with the kernel turned half a circle (``Plane/rotated``). Output windows are 1-D's
/// ``OutputWindow`` per axis, except that `correlate2d`'s "same" starts at `m / 2` where `convolve2d`'s
/// starts at `(m − 1) / 2`: an even template is centred half a sample later. Runs on the caller's thread.
public enum Convolution2D {
    /// How the sums are computed.
    public enum Method: String, Sendable, CaseIterable {
        /// Every product summed in float64: exact to float32 rounding, cost rows·columns per output.
        case direct
        /// Zero-padded 2-D transforms: cost about `P·Q·log(P·Q)` for the padded full size `P × Q`.
        case fft
        /// Whichever costs less for these sizes.
        case automatic
    }

    /// The kept rows (or columns) of the full output for an axis of `n` samples and a kernel of `m`.
    public static func window(input n: Int, kernel m: Int, mode: ConvolutionMode, length: OutputLength) -> OutputWindow {
        if mode == .correlate && length == .same && n > 0 { return OutputWindow(start: m / 2, count: n) }
        return OutputWindow(inputLength: n, kernelLength: m, length: length)
    }

    /// `x` convolved with (or correlated with) `h`, the stretch `length` keeps.
    /// For `.valid`, one plane must be at least as large as the other on both axes, as scipy requires.
    /// - Throws: ``ResourceError`` when the FFT path's memory is refused.
    public static func apply(
        _ x: Plane, _ h: Plane, mode: ConvolutionMode = .convolve, length: OutputLength = .full,
        method: Method = .automatic
    ) throws(ResourceError) -> Plane {
        precondition(h.rows >= 1 && h.columns >= 1, "empty kernel")
        precondition(
            length != .valid || (x.rows >= h.rows && x.columns >= h.columns) || (x.rows <= h.rows && x.columns <= h.columns),
            "valid needs one plane at least as large as the other on both axes")
        let k = mode == .correlate ? h.rotated : h
        let rows = window(input: x.rows, kernel: h.rows, mode: mode, length: length)
        let columns = window(input: x.columns, kernel: h.columns, mode: mode, length: length)
        guard rows.count > 0 && columns.count > 0 else { return Plane(rows: rows.count, columns: columns.count) }
        switch method == .automatic ? cheaper(x, k, outputs: rows.count * columns.count) : method {
        case .direct: return direct(x, k, rows: rows, columns: columns)
        default: return try transformed(x, k, rows: rows, columns: columns)
        }
    }

    /// Direct sums cost one multiply-add per output and kernel value; the transforms about 3 passes of
    /// `N log2 N` (two forward, one backward) with a factor for their memory traffic.
    static func cheaper(_ x: Plane, _ k: Plane, outputs: Int) -> Method {
        let n = Double(goodSize(x.rows + k.rows - 1) * goodSize(x.columns + k.columns - 1))
        let fftCost = 3 * n * Swift.max(1, log2(n)) * 2
        return Double(outputs) * Double(k.rows * k.columns) <= fftCost ? .direct : .fft
    }

    /// Full-output entries `rows × columns` of `x * k`, summed in float64.
    static func direct(_ x: Plane, _ k: Plane, rows: OutputWindow, columns: OutputWindow) -> Plane {
        var out = Plane(rows: rows.count, columns: columns.count)
        for i in rows.start..<rows.end {
            // Kernel rows a with 0 ≤ i − a < x.rows.
            let aLow = Swift.max(0, i - x.rows + 1), aHigh = Swift.min(k.rows - 1, i)
            for j in columns.start..<columns.end {
                let bLow = Swift.max(0, j - x.columns + 1), bHigh = Swift.min(k.columns - 1, j)
                var sum = 0.0
                if aLow <= aHigh && bLow <= bHigh {
                    for a in aLow...aHigh {
                        let xRow = (i - a) * x.columns, kRow = a * k.columns
                        for b in bLow...bHigh { sum += Double(x.values[xRow + j - b]) * Double(k.values[kRow + b]) }
                    }
                }
                out[i - rows.start, j - columns.start] = Float(sum)
            }
        }
        return out
    }

    /// The same through zero-padded 2-D transforms of 2·3·5-smooth sizes.
    static func transformed(_ x: Plane, _ k: Plane, rows: OutputWindow, columns: OutputWindow) throws(ResourceError) -> Plane {
        let p = goodSize(x.rows + k.rows - 1), q = goodSize(x.columns + k.columns - 1)
        let fft = try FFTPlanner.shared.fft2D(rows: p, columns: q)
        let frame = try AlignedFloats(count: p * q)
        let xs = try AlignedFloats(count: 2 * p * fft.binColumns), ks = try AlignedFloats(count: 2 * p * fft.binColumns)
        for (plane, spectrum) in [(x, xs.pointer), (k, ks.pointer)] {
            frame.zero()
            for r in 0..<plane.rows {
                for c in 0..<plane.columns { frame.pointer[r * q + c] = plane.values[r * plane.columns + c] }
            }
            fft.forward(frame.pointer, spectrum)
        }
        let bins = p * fft.binColumns, scale = 1 / Float(p * q)
        ComplexMultiply.product(xs.pointer, ks.pointer, into: xs.pointer, bins: bins)
        fft.backward(xs.pointer, frame.pointer)
        var out = Plane(rows: rows.count, columns: columns.count)
        for i in 0..<rows.count {
            for j in 0..<columns.count {
                out[i, j] = frame.pointer[(rows.start + i) * q + columns.start + j] * scale
            }
        }
        return out
    }

    /// The least 2·3·5-smooth number ≥ `n`: sizes FFTW transforms fastest.
    static func goodSize(_ n: Int) -> Int {
        var m = Swift.max(1, n)
        while true {
            var r = m
            for f in [2, 3, 5] { while r % f == 0 { r /= f } }
            if r == 1 { return m }
            m += 1
        }
    }
}
