internal import Glibc

/// Fractional-octave smoothing of a magnitude response: the power averaged over a band of 1/N octave
/// centred (geometrically) on each frequency, as room-measurement tools show it.
///
/// Built once per spectrum (prefix sums of the power), then each value costs O(1). Any thread.
public struct OctaveSmoothing: Sendable {
    private let spectrum: KernelSpectrum
    /// Sum of |H|² over bins 0..<k.
    private let prefix: [Double]

    public init(_ spectrum: KernelSpectrum) {
        self.spectrum = spectrum
        var sums = [Double](repeating: 0, count: spectrum.binCount + 1)
        for k in 0..<spectrum.binCount { sums[k + 1] = sums[k] + spectrum.magnitude[k] * spectrum.magnitude[k] }
        self.prefix = sums
    }

    /// |H| in dB at `frequency`, averaged in power over 1/`fraction` octave; `fraction` 0 means no
    /// smoothing (the nearest bin). Where the band holds less than one bin, the nearest bin.
    public func magnitudeDB(at frequency: Double, fraction: Int) -> Double {
        guard fraction > 0 else { return spectrum.magnitudeDB(bin: spectrum.bin(nearest: frequency)) }
        let half = pow(2, 1 / (2 * Double(fraction)))
        let lo = spectrum.bin(nearest: frequency / half), hi = spectrum.bin(nearest: frequency * half)
        guard hi > lo else { return spectrum.magnitudeDB(bin: spectrum.bin(nearest: frequency)) }
        let power = (prefix[hi + 1] - prefix[lo]) / Double(hi - lo + 1)
        return 10 * log10(Swift.max(power, 1e-30))
    }
}
