internal import CFFTW

/// Rows and columns of a 2-D transform.
struct Size2D: Hashable {
    let rows: Int
    let columns: Int
}

extension FFTPlanner {
    /// Returns the plans for a 2-D transform of `rows × columns` real samples, making them (estimated:
    /// images are transformed once or twice per run) under the planner's lock. Any thread.
    /// - Throws: ``ResourceError`` when memory for the planner's arrays is refused.
    public func fft2D(rows: Int, columns: Int) throws(ResourceError) -> RealFFT2D {
        precondition(rows >= 1 && columns >= 1, "a 2-D transform needs at least one row and one column")
        let key = Size2D(rows: rows, columns: columns)
        return try lock.withLock { _ throws(ResourceError) in
            if let fft = cache2D[key] { return fft }
            let real = try AlignedFloats(scratchCount: rows * columns)
            let complex = try AlignedFloats(scratchCount: 2 * rows * (columns / 2 + 1))
            let room = Self.planningRoom(size: rows * columns)
            guard AlignedFloats.hasRoom(bytes: room) else { throw ResourceError(.memory(bytes: room)) }
            let flags = UInt32(FFTW_ESTIMATE)
            let (forward, backward) = complex.pointer.withMemoryRebound(
                to: fftwf_complex.self, capacity: rows * (columns / 2 + 1)
            ) { c in
                (fftwf_plan_dft_r2c_2d(Int32(rows), Int32(columns), real.pointer, c, flags | UInt32(FFTW_DESTROY_INPUT)),
                 fftwf_plan_dft_c2r_2d(Int32(rows), Int32(columns), c, real.pointer, flags))
            }
            guard let forward, let backward else {
                fatalError("FFTW could not plan a 2-D transform of \(rows) × \(columns)")
            }
            let fft = RealFFT2D(rows: rows, columns: columns, forward: forward, backward: backward)
            cache2D[key] = fft
            return fft
        }
    }
}

/// A pair of FFTW plans for a 2-D real transform of `rows × columns` (row-major), made by
/// ``FFTPlanner/fft2D(rows:columns:)`` and immutable afterwards; executed with the new-array calls, so
/// one instance serves every thread (`@unchecked Sendable` for that reason).
///
/// The spectrum is `rows × (columns / 2 + 1)` interleaved complex values; transforms are unnormalised
/// (forward then backward multiplies by `rows · columns`).
public final class RealFFT2D: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// Complex values per row of the spectrum.
    public var binColumns: Int { columns / 2 + 1 }
    private let forwardPlan: fftwf_plan
    private let backwardPlan: fftwf_plan

    init(rows: Int, columns: Int, forward: fftwf_plan, backward: fftwf_plan) {
        self.rows = rows
        self.columns = columns
        forwardPlan = forward
        backwardPlan = backward
    }

    deinit {
        FFTPlanner.shared.destroy(forwardPlan, backwardPlan)
    }

    /// `rows × columns` reals (from ``AlignedFloats``) to their spectrum; the input may be destroyed.
    public func forward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        output.withMemoryRebound(to: fftwf_complex.self, capacity: rows * binColumns) { out in
            fftwf_execute_dft_r2c(forwardPlan, input, out)
        }
    }

    /// A spectrum back to `rows × columns` reals; the spectrum is destroyed.
    public func backward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        input.withMemoryRebound(to: fftwf_complex.self, capacity: rows * binColumns) { inp in
            fftwf_execute_dft_c2r(backwardPlan, inp, output)
        }
    }
}
