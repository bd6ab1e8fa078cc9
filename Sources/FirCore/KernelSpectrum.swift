internal import Glibc

/// The frequency response of one kernel channel: magnitude, unwrapped phase and group delay on the
/// bins of one zero-padded real transform.
///
/// Value type; made on the caller's thread, then read from any.
public struct KernelSpectrum: Sendable {
    /// Samples per second the frequencies refer to.
    public let sampleRate: Double
    /// Transform length; bins are `sampleRate / fftSize` apart.
    public let fftSize: Int
    /// |H| per bin, linear.
    public let magnitude: [Double]
    /// Phase per bin in radians, unwrapped (see ``unwrappedPhase``).
    public let phase: [Double]
    /// Group delay per bin in samples; NaN where |H| is more than ``resolvedRangeDB`` below its peak.
    public let groupDelay: [Double]
    /// The largest |H|.
    public let peakMagnitude: Double

    /// How far below its peak the response is resolved: the single-precision transform's rounding is
    /// about 1e-7 of the peak (−140 dB), so at −100 dB |H| is still good to 1 % and phase to 0.6°; below,
    /// phase and group delay would be rounding noise.
    public static let resolvedRangeDB = 100.0
    /// The lowest magnitude reported, relative to the peak: near the transform's rounding, where a
    /// bin that happens to round to exactly 0 would otherwise read −300 dB.
    public static let floorDB = -160.0

    /// Transforms `taps` zero-padded to at least `minimumSize` and twice their length, so that bins
    /// are at most 3 Hz apart at 48 kHz and the response is sampled finely enough to unwrap.
    ///
    /// - Throws: ``ResourceError`` when the transform's memory is refused.
    public init(taps: [Double], sampleRate: Double, minimumSize: Int = 16384) throws(ResourceError) {
        let size = SpectrumTransform.powerOfTwo(atLeast: Swift.max(minimumSize, 2 * taps.count))
        let h = try SpectrumTransform.forward(taps, size: size)
        // Group delay as Re(FFT(n·h) / FFT(h)): exact for a pure delay, and free of the differencing
        // noise of −dφ/dω.
        let ramp = try SpectrumTransform.forward(taps.enumerated().map { Double($0.offset) * $0.element }, size: size)
        let bins = h.re.count
        var magnitude = [Double](repeating: 0, count: bins)
        for k in 0..<bins { magnitude[k] = (h.re[k] * h.re[k] + h.im[k] * h.im[k]).squareRoot() }
        let peak = magnitude.max() ?? 0
        let floor = peak * pow(10, -Self.resolvedRangeDB / 20)
        var delay = [Double](repeating: 0, count: bins)
        for k in 0..<bins {
            let power = magnitude[k] * magnitude[k]
            delay[k] = magnitude[k] > floor && power > 0
                ? (ramp.re[k] * h.re[k] + ramp.im[k] * h.im[k]) / power : .nan
        }
        self.phase = Self.unwrappedPhase(h, magnitude: magnitude, taps: taps, size: size)
        self.sampleRate = sampleRate
        self.fftSize = size
        self.magnitude = magnitude
        self.groupDelay = delay
        self.peakMagnitude = peak
    }

    /// Whether bin `k` is within ``resolvedRangeDB`` of the peak (its phase and delay mean something).
    public func isResolved(bin k: Int) -> Bool { magnitude[k] > peakMagnitude * pow(10, -Self.resolvedRangeDB / 20) }

    /// The phase unwrapped outwards from the strongest bin, where it is anchored to the main peak's delay
    /// (the 2π multiple that puts it nearest −2πf·d/fs). Unwrapping from DC instead would carry the
    /// arbitrary turns of a stop band's rounding noise into the pass band (a high pass read +1800°).
    private static func unwrappedPhase(
        _ h: (re: [Double], im: [Double]), magnitude: [Double], taps: [Double], size: Int
    ) -> [Double] {
        let bins = magnitude.count
        let wrapped = (0..<bins).map { atan2(h.im[$0], h.re[$0]) }
        func wrap(_ x: Double) -> Double { x - 2 * Double.pi * (x / (2 * Double.pi)).rounded() }
        var anchor = 0
        for k in 0..<bins where magnitude[k] > magnitude[anchor] { anchor = k }
        var peakTap = 0
        for i in taps.indices where abs(taps[i]) > abs(taps[peakTap]) { peakTap = i }
        let expected = -2 * Double.pi * Double(anchor) * Double(peakTap) / Double(size)
        var phase = [Double](repeating: 0, count: bins)
        phase[anchor] = expected + wrap(wrapped[anchor] - expected)
        for k in stride(from: anchor + 1, to: bins, by: 1) { phase[k] = phase[k - 1] + wrap(wrapped[k] - wrapped[k - 1]) }
        for k in stride(from: anchor - 1, through: 0, by: -1) { phase[k] = phase[k + 1] + wrap(wrapped[k] - wrapped[k + 1]) }
        return phase
    }

    /// Number of bins, DC to Nyquist.
    public var binCount: Int { magnitude.count }

    /// The frequency of bin `k` in Hz.
    public func frequency(ofBin k: Int) -> Double { Double(k) * sampleRate / Double(fftSize) }

    /// The bin nearest to `frequency` (clamped to DC…Nyquist).
    public func bin(nearest frequency: Double) -> Int {
        Swift.min(Swift.max(Int((frequency * Double(fftSize) / sampleRate).rounded()), 0), binCount - 1)
    }

    /// |H| in dB, floored at ``floorDB`` below the peak (and at −300 dB for an all-zero kernel).
    public func magnitudeDB(bin k: Int) -> Double {
        20 * log10(Swift.max(magnitude[k], peakMagnitude * pow(10, Self.floorDB / 20), 1e-15))
    }

    /// The lowest and highest |H| in dB over `band` (Hz), and the frequencies where they occur.
    public func extremesDB(over band: ClosedRange<Double>) -> (min: Double, minAt: Double, max: Double, maxAt: Double) {
        let first = bin(nearest: band.lowerBound), last = Swift.max(first, bin(nearest: band.upperBound))
        var lo = first, hi = first
        for k in first...last {
            if magnitude[k] < magnitude[lo] { lo = k }
            if magnitude[k] > magnitude[hi] { hi = k }
        }
        return (magnitudeDB(bin: lo), frequency(ofBin: lo), magnitudeDB(bin: hi), frequency(ofBin: hi))
    }
}
