internal import CFFTW
import Foundation

/// The one place that creates and destroys FFTW plans.
///
/// FFTW's planner is not thread-safe, so every plan is made and destroyed under one lock. Plans are
/// cached by size: asking twice for a size returns the same ``RealFFT``.
public final class FFTPlanner: @unchecked Sendable {
    /// How hard FFTW may work to find a fast plan.
    public enum Effort: Sendable {
        /// FFTW_ESTIMATE: no timing, plans in microseconds.
        case estimate
        /// FFTW_MEASURE: times candidate algorithms; seconds for large sizes, much faster plans.
        case measure
    }

    /// The process-wide planner. Unsafe-sendable: all state is guarded by `lock`.
    public static let shared = FFTPlanner()

    private let lock = NSLock()
    private var cache: [Int: RealFFT] = [:]
    /// Planning effort for sizes not yet planned.
    private var effort: Effort = .estimate

    private init() {}

    /// Sets the planning effort for plans made from now on. Any thread.
    public func setEffort(_ effort: Effort) {
        lock.withLock { self.effort = effort }
    }

    /// Returns the plans for a transform of `size` real samples (even, at least 2), making them if needed.
    /// Any thread; blocks while another thread plans.
    public func fft(size: Int) -> RealFFT {
        precondition(size >= 2 && size % 2 == 0, "FFT size must be even and at least 2")
        return lock.withLock {
            if let fft = cache[size] { return fft }
            let fft = makePlans(size: size)
            cache[size] = fft
            return fft
        }
    }

    /// Called with `lock` held.
    private func makePlans(size: Int) -> RealFFT {
        let real = AlignedFloats(count: size)
        let complex = AlignedFloats(count: 2 * (size / 2 + 1))
        let flags: UInt32 = effort == .estimate ? UInt32(FFTW_ESTIMATE) : UInt32(FFTW_MEASURE)
        let n = Int32(size)
        let pair = complex.pointer.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) { c in
            (fftwf_plan_dft_r2c_1d(n, real.pointer, c, flags), fftwf_plan_dft_c2r_1d(n, c, real.pointer, flags))
        }
        guard let forward = pair.0, let backward = pair.1 else {
            fatalError("FFTW could not plan a transform of size \(size)")
        }
        return RealFFT(size: size, forward: forward, backward: backward)
    }

    /// Destroys a plan pair; called from `RealFFT.deinit`, which only runs for plans outside the cache.
    func destroy(_ forward: fftwf_plan, _ backward: fftwf_plan) {
        lock.withLock {
            fftwf_destroy_plan(forward)
            fftwf_destroy_plan(backward)
        }
    }
}
