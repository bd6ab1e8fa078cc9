/// The multiply-add kernels of frequency-domain convolution, on interleaved complex arrays.
///
/// Written as plain loops over `re, im` pairs so the compiler can vectorise them (interleaved loads and
/// stores); these are the inner loop of every partitioned convolution.
enum ComplexMultiply {
    /// `out[k] = a[k] · b[k]` for `bins` complex values.
    @inline(__always)
    static func product(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, bins: Int
    ) {
        for k in 0..<bins {
            let ar = a[2 * k], ai = a[2 * k + 1], br = b[2 * k], bi = b[2 * k + 1]
            out[2 * k] = ar * br - ai * bi
            out[2 * k + 1] = ar * bi + ai * br
        }
    }

    /// Bins per chunk of ``sumOfProducts``: 4 KiB of accumulator, which stays in L1.
    static let chunkBins = 512

    /// `out = Σ_p x[p] · h[p]` over `bins` complex values, for `parts` (≥ 1) pairs: `x[p]` at
    /// `x + xOffsets[p]`, `h[p]` at `h + p · hStride`. Chunk by chunk of bins, so each chunk of `out`
    /// stays in L1 while every pair adds into it: the frequency-domain delay line's sum, and the one
    /// ``ArithmeticBound`` times. With `adding`, the sum is added to what `out` holds (the next path
    /// into one output of a ``MixingConvolver``). `chunk` bins at a time; with `chunk ≥ bins`, one whole
    /// pair after another (``MixingConvolver/SumOrder``). Each bin sums its pairs in the same order
    /// either way, so the result is the same to the bit.
    @inline(__always)
    static func sumOfProducts(
        _ x: UnsafePointer<Float>, offsets xOffsets: UnsafePointer<Int>, _ h: UnsafePointer<Float>, hStride: Int,
        parts: Int, bins: Int, into out: UnsafeMutablePointer<Float>, adding: Bool = false,
        chunkBins chunk: Int = chunkBins
    ) {
        var first = 0
        while first < bins {
            let n = Swift.min(chunk, bins - first), offset = 2 * first
            if adding {
                accumulate(x + xOffsets[0] + offset, h + offset, into: out + offset, bins: n)
            } else {
                product(x + xOffsets[0] + offset, h + offset, into: out + offset, bins: n)
            }
            for p in 1..<parts {
                accumulate(x + xOffsets[p] + offset, h + p * hStride + offset, into: out + offset, bins: n)
            }
            first += n
        }
    }

    /// `out[k] += a[k] · b[k]` for `bins` complex values.
    @inline(__always)
    static func accumulate(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, bins: Int
    ) {
        for k in 0..<bins {
            let ar = a[2 * k], ai = a[2 * k + 1], br = b[2 * k], bi = b[2 * k + 1]
            out[2 * k] += ar * br - ai * bi
            out[2 * k + 1] += ar * bi + ai * br
        }
    }
}
