import Foundation

/// Error measures between a computed signal and a float64 reference.
public enum Tolerance {
    /// Maximum absolute difference relative to the reference's peak, in dB (−inf when identical).
    /// Lengths must match; a length mismatch returns +inf so any threshold fails.
    public static func maxErrorDB(_ y: [Float], reference r: [Double]) -> Double {
        guard y.count == r.count else { return .infinity }
        guard !r.isEmpty else { return -.infinity }
        var peak = 0.0, worst = 0.0
        for i in 0..<r.count {
            peak = max(peak, abs(r[i]))
            worst = max(worst, abs(Double(y[i]) - r[i]))
        }
        if worst == 0 { return -.infinity }
        // A silent reference: compare against 1.0 (full scale) instead of dividing by zero.
        return 20 * log10(worst / (peak > 0 ? peak : 1))
    }

    /// The same for two float64 signals.
    public static func maxErrorDB(_ y: [Double], reference r: [Double]) -> Double {
        maxErrorDB(y.map { Float($0) }, reference: r) // float rounding floor is far below test thresholds
    }
}

extension Array where Element == Float {
    /// The samples widened to Double.
    public var doubles: [Double] { map(Double.init) }
}
