internal import Glibc

/// The Kaiser window and Kaiser's formulas for sizing it from a stop-band attenuation and a transition
/// width (Oppenheim & Schafer, Discrete-Time Signal Processing, §7.6; scipy's `kaiser_beta`/`kaiserord`).
///
/// Stateless; any thread.
public enum KaiserWindow {
    /// β for a stop band `attenuationDB` (positive) below the pass band.
    public static func beta(attenuationDB a: Double) -> Double {
        if a > 50 { return 0.1102 * (a - 8.7) }
        if a >= 21 { return 0.5842 * pow(a - 21, 0.4) + 0.07886 * (a - 21) }
        return 0
    }

    /// Taps for `attenuationDB` across a transition `transitionWidth` wide (a fraction of the sample
    /// rate), rounded up to an odd count so the filter has a centre tap (type I: any band, and a
    /// spectral inverse).
    public static func taps(attenuationDB a: Double, transitionWidth: Double) -> Int {
        let n = Int(((a - 7.95) / (2.285 * 2 * Double.pi * transitionWidth)).rounded(.up)) + 1
        return Swift.max(3, n | 1)
    }

    /// The window of `count` points with shape `beta`, peaking at 1 in the middle.
    public static func window(count: Int, beta: Double) -> [Double] {
        guard count > 1 else { return [1] }
        let m = Double(count - 1), i0Beta = besselI0(beta)
        return (0..<count).map { n in
            let r = 2 * Double(n) / m - 1
            return besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
        }
    }

    /// The modified Bessel function of the first kind, order 0, by its power series (converges for
    /// every β a filter uses; terms shrink below 1e-17 of the sum).
    public static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let q = x * x / 4
        while term > sum * 1e-17 {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
