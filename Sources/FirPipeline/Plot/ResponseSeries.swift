import FirCore
internal import Glibc

/// One curve to draw: a kernel channel (or a graph path) with its response.
public struct PlotChannel: Sendable {
    /// The legend's text, e.g. "room.wav ch 1" or "out 2 ← in 0".
    public var label: String
    public var taps: [Double]
    public var sampleRate: Double
    public var spectrum: KernelSpectrum
    /// The Hilbert envelope of the taps (``HilbertEnvelope``).
    public var envelope: [Double]
    /// The main peak's tap, for the phase without its delay.
    public var peakIndex: Int

    public init(
        label: String, taps: [Double], sampleRate: Double, spectrum: KernelSpectrum, envelope: [Double], peakIndex: Int
    ) {
        self.label = label
        self.taps = taps
        self.sampleRate = sampleRate
        self.spectrum = spectrum
        self.envelope = envelope
        self.peakIndex = peakIndex
    }
}

/// The values each panel draws for one channel, as (x, y) runs in data units; a run breaks where the
/// value is undefined (group delay at a null). Stateless; any thread.
enum ResponseSeries {
    /// Points across a frequency axis, evenly spaced on a log scale.
    static func frequencies(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        let a = log10(range.lowerBound), b = log10(range.upperBound)
        return (0..<count).map { pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
    }

    /// Taps against time in ms; beyond two taps a column, each column's smallest and largest tap (in
    /// their order), so a long kernel keeps its envelope without a point per tap.
    static func impulse(_ c: PlotChannel, columns: Int) -> [(x: Double, y: Double)] {
        decimated(c, columns: columns) { $0 }
    }

    /// The envelope in dBFS against time in ms, the largest of each column.
    static func envelopeDB(_ c: PlotChannel, columns: Int) -> [(x: Double, y: Double)] {
        let ms = 1000 / c.sampleRate, e = c.envelope
        guard e.count > columns else { return e.enumerated().map { (x: Double($0.offset) * ms, y: KernelAnalysis.decibels($0.element)) } }
        let per = Double(e.count) / Double(columns)
        return (0..<columns).map { i in
            let lo = Int(Double(i) * per), hi = Swift.max(lo + 1, Int(Double(i + 1) * per))
            return (x: Double(lo) * ms, y: KernelAnalysis.decibels(e[lo..<Swift.min(hi, e.count)].max() ?? 0))
        }
    }

    private static func decimated(_ c: PlotChannel, columns: Int, _ f: (Double) -> Double) -> [(x: Double, y: Double)] {
        let ms = 1000 / c.sampleRate
        guard c.taps.count > 2 * columns else { return c.taps.enumerated().map { (x: Double($0.offset) * ms, y: f($0.element)) } }
        let per = Double(c.taps.count) / Double(columns)
        var points: [(x: Double, y: Double)] = []
        for i in 0..<columns {
            let lo = Int(Double(i) * per), hi = Swift.min(Swift.max(lo + 1, Int(Double(i + 1) * per)), c.taps.count)
            let slice = c.taps[lo..<hi]
            guard let iMin = slice.indices.min(by: { slice[$0] < slice[$1] }),
                  let iMax = slice.indices.max(by: { slice[$0] < slice[$1] }) else { continue }
            for k in [Swift.min(iMin, iMax), Swift.max(iMin, iMax)] { points.append((x: Double(k) * ms, y: f(c.taps[k]))) }
        }
        return points
    }

    /// |H| in dB, smoothed over 1/`fraction` octave (0: none).
    static func magnitudeDB(_ c: PlotChannel, at frequencies: [Double], fraction: Int) -> [(x: Double, y: Double)] {
        let smoothing = OctaveSmoothing(c.spectrum)
        return frequencies.map { (x: $0, y: smoothing.magnitudeDB(at: $0, fraction: fraction)) }
    }

    /// Unwrapped phase in degrees at the nearest bins; without the main peak's delay when asked.
    static func phaseDegrees(_ c: PlotChannel, at frequencies: [Double], minusDelay: Bool) -> [[(x: Double, y: Double)]] {
        resolvedRuns(c, at: frequencies) { k in
            var phase = c.spectrum.phase[k]
            if minusDelay { phase += 2 * Double.pi * c.spectrum.frequency(ofBin: k) * Double(c.peakIndex) / c.sampleRate }
            return phase * 180 / Double.pi
        }
    }

    /// Group delay in ms at the nearest bins.
    static func groupDelayMS(_ c: PlotChannel, at frequencies: [Double]) -> [[(x: Double, y: Double)]] {
        resolvedRuns(c, at: frequencies) { c.spectrum.groupDelay[$0] * 1000 / c.sampleRate }
    }

    /// `value` of the nearest bin at each frequency, in runs that break where the response is below
    /// what the transform resolves (``KernelSpectrum/resolvedRangeDB``): phase there is rounding noise.
    private static func resolvedRuns(
        _ c: PlotChannel, at frequencies: [Double], _ value: (Int) -> Double
    ) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for f in frequencies {
            let k = c.spectrum.bin(nearest: f)
            let v = value(k)
            if c.spectrum.isResolved(bin: k), v.isFinite {
                runs[runs.count - 1].append((x: f, y: v))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }
    }
}
