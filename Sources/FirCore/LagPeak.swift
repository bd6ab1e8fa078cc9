/// The highest peak of a correlation over lags, refined between samples, with how clearly it stands out.
public struct LagPeak: Sendable, Equatable {
    /// The lag of the largest value, in whole samples.
    public let integerLag: Int
    /// The lag refined by a parabola through the peak and its two neighbours, in samples.
    public let lag: Double
    /// The correlation at the peak sample.
    public let value: Double
    /// Peak over the highest other local maximum outside the peak's main lobe; ``unrivalled`` when there
    /// is none above zero.
    public let confidence: Double

    /// The confidence reported when nothing else in the window rises above zero.
    public static let unrivalled = 1e6

    /// Finds the peak of `values`, where index `i` stands for lag `firstLag + i`, among the indices
    /// `allowed` (lags outside the signals' overlap or the caller's window are ignored). nil when
    /// `allowed` is empty or no value in it is positive.
    public static func find(in values: [Double], firstLag: Int, allowed: Range<Int>? = nil) -> LagPeak? {
        let range = (allowed ?? values.indices).clamped(to: values.indices)
        guard let best = range.max(by: { values[$0] < values[$1] }), values[best] > 0 else { return nil }
        let y0 = values[best]
        var delta = 0.0
        if best > range.lowerBound && best + 1 < range.upperBound {
            let ym = values[best - 1], yp = values[best + 1]
            let curvature = ym - 2 * y0 + yp
            if curvature < 0 { delta = Swift.min(0.5, Swift.max(-0.5, 0.5 * (ym - yp) / curvature)) }
        }
        // The main lobe: downhill from the peak on both sides; the rival is the best local maximum beyond.
        var left = best, right = best
        while left > range.lowerBound && values[left - 1] < values[left] { left -= 1 }
        while right + 1 < range.upperBound && values[right + 1] < values[right] { right += 1 }
        var rival = 0.0
        for i in range where i < left || i > right {
            let isMaximum = (i == range.lowerBound || values[i - 1] <= values[i])
                && (i + 1 == range.upperBound || values[i + 1] <= values[i])
            if isMaximum { rival = Swift.max(rival, values[i]) }
        }
        let confidence = rival > 0 ? Swift.min(unrivalled, y0 / rival) : unrivalled
        return LagPeak(integerLag: firstLag + best, lag: Double(firstLag + best) + delta, value: y0, confidence: confidence)
    }
}
