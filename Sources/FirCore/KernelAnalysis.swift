internal import Glibc

/// What `firpipe inspect` reports about one kernel channel.
public struct KernelFigures: Sendable, Equatable, Codable {
    /// The tap of the largest magnitude (the first, when several share it).
    public var peakIndex: Int
    /// That tap's value, with its sign.
    public var peakValue: Double
    /// The sum of the taps: the gain at 0 Hz.
    public var dcGain: Double
    /// The sum of the squared taps.
    public var energy: Double
    /// The main peak's position in seconds: the delay a listener hears.
    public var latencySeconds: Double
    /// Seconds from the main peak until the Schroeder curve is at −60 dB; nil when the kernel is too
    /// short to reach it (see ``SchroederDecay/decay60(_:peakIndex:)``).
    public var decay60Seconds: Double?
    /// The band the extremes are taken over, in Hz (20 Hz to 20 kHz, or to Nyquist below 40 kHz).
    public var bandLowHz: Double
    public var bandHighHz: Double
    /// The lowest and highest magnitude over the band, in dB, and where they occur.
    public var magnitudeMinDB: Double
    public var magnitudeMinHz: Double
    public var magnitudeMaxDB: Double
    public var magnitudeMaxHz: Double
}

/// Computes ``KernelFigures``. Stateless; any thread.
public enum KernelAnalysis {
    /// The band `inspect` reports the magnitude over: 20 Hz to 20 kHz, capped at Nyquist.
    public static func band(sampleRate: Double) -> ClosedRange<Double> {
        20...Swift.max(20, Swift.min(20_000, sampleRate / 2))
    }

    /// The figures of `taps` at `sampleRate`, with the response from `spectrum` (of the same taps).
    public static func figures(taps: [Double], sampleRate: Double, spectrum: KernelSpectrum) -> KernelFigures {
        var peak = 0
        for i in taps.indices where abs(taps[i]) > abs(taps[peak]) { peak = i }
        let band = band(sampleRate: sampleRate)
        let extremes = spectrum.extremesDB(over: band)
        let decay = SchroederDecay.decay60(taps, peakIndex: peak)
        return KernelFigures(
            peakIndex: peak, peakValue: taps.isEmpty ? 0 : taps[peak],
            dcGain: taps.reduce(0, +), energy: taps.reduce(0) { $0 + $1 * $1 },
            latencySeconds: Double(peak) / sampleRate,
            decay60Seconds: decay.map { Double($0) / sampleRate },
            bandLowHz: band.lowerBound, bandHighHz: band.upperBound,
            magnitudeMinDB: extremes.min, magnitudeMinHz: extremes.minAt,
            magnitudeMaxDB: extremes.max, magnitudeMaxHz: extremes.maxAt)
    }

    /// `value` in dB (20·log10|value|), floored at −300 dB.
    public static func decibels(_ value: Double) -> Double { 20 * log10(Swift.max(abs(value), 1e-15)) }
}
