internal import Glibc

/// A delay by a fractional number of samples, as a windowed-sinc FIR: the band-limited interpolator
/// that shifts a signal by `d` samples with a flat magnitude up to about 0.9 of Nyquist.
public enum FractionalDelay {
    /// Taps on each side of the delay's centre: 64 taps in all, a Blackman-windowed sinc whose ripple
    /// stays within about 0.01 dB below 0.8 of Nyquist.
    public static let halfWidth = 32

    /// The interpolator for a delay of `delay` samples (≥ 0): `offset` leading zeros (not stored) and then
    /// `taps`, so tap j stands at sample `offset + j`. The window is cut at 0 where the delay is shorter
    /// than ``halfWidth``: a causal filter cannot look ahead.
    public static func taps(delay: Double) -> (offset: Int, taps: [Double]) {
        precondition(delay >= 0 && delay.isFinite, "a delay is a finite number of samples, at least 0")
        let centre = delay.rounded(.down)
        let first = Swift.max(0, Int(centre) - halfWidth + 1)
        let last = Int(centre) + halfWidth
        var taps: [Double] = []
        taps.reserveCapacity(last - first + 1)
        for k in first...last {
            let t = Double(k) - delay
            let x = t / Double(halfWidth)  // −1…1 across the window
            let window = abs(x) >= 1 ? 0 : 0.42 + 0.5 * cos(Double.pi * x) + 0.08 * cos(2 * Double.pi * x)
            let sinc = t == 0 ? 1 : sin(Double.pi * t) / (Double.pi * t)
            taps.append(window * sinc)
        }
        return (first, taps)
    }
}
