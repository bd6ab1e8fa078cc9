internal import CFFTW

/// A pair of FFTW plans (real-to-complex forward, complex-to-real backward) for one transform size.
///
/// Plans are made once by ``FFTPlanner`` and are immutable afterwards. FFTW documents that executing a
/// plan with the new-array functions (`fftwf_execute_dft_r2c/c2r`) is thread-safe, so one `RealFFT` is
/// shared by every channel and worker: that is why it is `@unchecked Sendable`.
///
/// Complex data is interleaved (`re, im` pairs), `size / 2 + 1` bins. Transforms are unnormalised: a
/// forward then backward transform multiplies by `size`.
public final class RealFFT: @unchecked Sendable {
    /// The transform length in real samples.
    public let size: Int
    /// The number of complex bins, `size / 2 + 1`.
    public var binCount: Int { size / 2 + 1 }

    private let forwardPlan: fftwf_plan
    private let backwardPlan: fftwf_plan

    init(size: Int, forward: fftwf_plan, backward: fftwf_plan) {
        self.size = size
        self.forwardPlan = forward
        self.backwardPlan = backward
    }

    deinit {
        FFTPlanner.shared.destroy(forwardPlan, backwardPlan)
    }

    /// Forward transform of `size` reals into `binCount` interleaved complex values.
    ///
    /// Both pointers must come from FFTW's allocator (``AlignedFloats``) or keep its alignment.
    /// Any thread. The input may be destroyed (FFTW_DESTROY_INPUT): rebuild it before the next call.
    @inline(__always)
    public func forward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        output.withMemoryRebound(to: fftwf_complex.self, capacity: binCount) { out in
            fftwf_execute_dft_r2c(forwardPlan, input, out)
        }
    }

    /// Backward transform of `binCount` interleaved complex values into `size` reals.
    ///
    /// The input is destroyed (FFTW's c2r overwrites it). Any thread.
    @inline(__always)
    public func backward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        input.withMemoryRebound(to: fftwf_complex.self, capacity: binCount) { inp in
            fftwf_execute_dft_c2r(backwardPlan, inp, output)
        }
    }
}
