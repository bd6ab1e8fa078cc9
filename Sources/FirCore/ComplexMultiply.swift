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
