internal import Glibc

/// One panel of a plot: its place on the page, its value ranges and how values map to points.
///
/// Value type; any thread.
public struct PlotPanel: Sendable {
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var left: Double, top: Double, width: Double, height: Double
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// A logarithmic x axis (frequency).
    public var xLog: Bool

    /// The page x of value `v` (clamped to the panel).
    public func x(_ v: Double) -> Double {
        let (a, b, t) = xLog ? (log10(xRange.lowerBound), log10(xRange.upperBound), log10(Swift.max(v, 1e-300)))
            : (xRange.lowerBound, xRange.upperBound, v)
        return left + width * Swift.min(Swift.max((t - a) / (b - a), 0), 1)
    }

    /// The page y of value `v` (clamped to the panel).
    public func y(_ v: Double) -> Double {
        let f = (yRange.upperBound - v) / (yRange.upperBound - yRange.lowerBound)
        return top + height * Swift.min(Swift.max(f, 0), 1)
    }

    /// The attributes that let a reader map points back to values (the tests do).
    var dataAttributes: [(String, String)] {
        [("class", "panel"), ("data-panel", name),
         ("data-left", "\(left)"), ("data-top", "\(top)"), ("data-width", "\(width)"), ("data-height", "\(height)"),
         ("data-x-min", "\(xRange.lowerBound)"), ("data-x-max", "\(xRange.upperBound)"),
         ("data-y-min", "\(yRange.lowerBound)"), ("data-y-max", "\(yRange.upperBound)"),
         ("data-x-scale", xLog ? "log" : "linear")]
    }
}

/// Tick positions for plot axes. Stateless; any thread.
public enum PlotTicks {
    /// Round ticks (1, 2 or 5 times a power of ten apart) covering `range`, about `count` of them.
    public static func linear(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count), power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var v = ceil(range.lowerBound / step) * step
        while v <= range.upperBound + step * 1e-9 {
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return ticks
    }

    /// 1, 2 and 5 times each power of ten inside `range` (frequency axes).
    public static func logarithmic(_ range: ClosedRange<Double>) -> [Double] {
        var ticks: [Double] = []
        var decade = pow(10, floor(log10(range.lowerBound)))
        while decade <= range.upperBound {
            for m in [1.0, 2, 5] where (range.lowerBound...range.upperBound).contains(m * decade) { ticks.append(m * decade) }
            decade *= 10
        }
        return ticks
    }

    /// A tick's label: "2k" for 2000 on frequency axes, else the shortest of %g.
    public static func label(_ v: Double, kilo: Bool = false) -> String {
        if kilo, v >= 1000 { return String(cFormat: "%gk", v / 1000) }
        return String(cFormat: "%g", v)
    }

    /// The values between the 1st and 99th percentile: a group delay's spikes at the edge of a stop band
    /// would otherwise squash the rest of the curve into a line.
    public static func central(_ values: [Double]) -> [Double] {
        let sorted = values.filter(\.isFinite).sorted()
        guard sorted.count >= 100 else { return sorted }
        return Array(sorted[(sorted.count / 100)...(sorted.count - 1 - sorted.count / 100)])
    }

    /// A range that holds `values` with a little margin, rounded out to `step`; `fallback` when empty.
    public static func range(of values: [Double], step: Double, fallback: ClosedRange<Double>) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return fallback }
        let low = floor(lo / step) * step, high = ceil(hi / step) * step
        return high > low ? low...high : (low - step)...(high + step)
    }
}
