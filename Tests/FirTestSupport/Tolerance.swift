import Foundation

/// Error measures between a computed signal and a float64 reference.
public enum Tolerance {
    /// Maximum absolute difference relative to the reference's peak, in dB (−inf when identical).
    /// Lengths must match; a length mismatch returns +inf so any threshold fails.
    public static func maxErrorDB(_ y: [Float], reference r: [Double]) -> Double {
        guard y.count == r.count else { return .infinity }
        return y.withUnsafeBufferPointer { y in
            relativeErrorDB(count: r.count, computed: { Double(y[$0]) }, reference: { r[$0] })
        }
    }

    /// Maximum absolute difference relative to a given `scale` instead of the reference's own peak, in dB.
    ///
    /// For a window of a longer result (scipy's "same" and "valid"): float32 FFT rounding is proportional
    /// to the whole convolution's magnitude, while a short window can hold one sample that cancels to
    /// almost nothing, so the peak of the full convolution is the fair scale there.
    public static func maxErrorDB(_ y: [Float], reference r: [Double], scale: Double) -> Double {
        guard y.count == r.count else { return .infinity }
        guard !r.isEmpty else { return -.infinity }
        var worst = 0.0
        for i in 0..<r.count { worst = max(worst, abs(Double(y[i]) - r[i])) }
        return decibels(worst / (scale > 0 ? scale : 1))
    }

    /// The peak magnitude of `r` (0 for an empty signal).
    public static func peak(_ r: [Double]) -> Double {
        r.reduce(0) { max($0, abs($1)) }
    }

    /// The same for two float64 signals, computed in float64 so it can resolve differences down to
    /// float64 rounding (about −300 dB), as the scipy golden-file tests need.
    public static func maxErrorDB(_ y: [Double], reference r: [Double]) -> Double {
        guard y.count == r.count else { return .infinity }
        return relativeErrorDB(count: r.count, computed: { y[$0] }, reference: { r[$0] })
    }

    /// The same for two float32 results, the second taken as the reference: for comparing two runs
    /// of the engine (other block sizes, algebraic identities).
    public static func maxErrorDB(_ y: [Float], _ other: [Float]) -> Double {
        maxErrorDB(y, reference: other.doubles)
    }

    /// `20·log10(ratio)`, −inf for zero.
    public static func decibels(_ ratio: Double) -> Double {
        ratio == 0 ? -.infinity : 20 * log10(ratio)
    }

    private static func relativeErrorDB(
        count: Int, computed: (Int) -> Double, reference: (Int) -> Double
    ) -> Double {
        guard count > 0 else { return -.infinity }
        var peak = 0.0, worst = 0.0
        for i in 0..<count {
            let r = reference(i)
            peak = max(peak, abs(r))
            worst = max(worst, abs(computed(i) - r))
        }
        if worst == 0 { return -.infinity }
        // A silent reference: compare against 1.0 (full scale) instead of dividing by zero.
        return decibels(worst / (peak > 0 ? peak : 1))
    }

    /// Where `y` first differs from `expected` bit for bit, as a short message; nil when identical. For
    /// long signals, where a failed `==` would print every sample of both.
    public static func firstDifference(_ y: [Float], _ expected: [Float]) -> String? {
        guard y.count == expected.count else { return "\(y.count) samples, expected \(expected.count)" }
        guard let i = y.indices.first(where: { y[$0].bitPattern != expected[$0].bitPattern }) else { return nil }
        return "sample \(i) is \(y[i]), expected \(expected[i])"
    }
}

extension Array where Element == Float {
    /// The samples widened to Double.
    public var doubles: [Double] { map(Double.init) }
}
