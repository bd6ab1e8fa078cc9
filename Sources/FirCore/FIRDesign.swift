internal import Glibc

/// Linear-phase FIR design by the windowed-sinc method with a Kaiser window sized from the stop-band
/// attenuation and transition width asked for. Float64 throughout.
///
/// Every design has an odd length and its centre tap at `(taps − 1) / 2`, so a high pass is the
/// spectral inverse of the low pass (a delta minus it) and a crossover's two kernels sum to a delay of
/// that many samples, exactly. Stateless; any thread.
public enum FIRDesign {
    /// What every design takes.
    public struct Spec: Sendable, Equatable {
        public var sampleRate: Double
        /// Stop-band attenuation in dB (positive).
        public var attenuationDB: Double
        /// Transition band width in Hz, centred on each cutoff.
        public var transitionHz: Double

        public init(sampleRate: Double, attenuationDB: Double, transitionHz: Double) {
            self.sampleRate = sampleRate
            self.attenuationDB = attenuationDB
            self.transitionHz = transitionHz
        }

        /// The attenuation the window is sized for: Kaiser's formulas are fits that miss by up to about
        /// 0.3 dB (80 dB asked, 79.99 dB measured for a high pass), and a band pass adds the errors of its
        /// two low passes (6 dB), so the window aims that much lower than the stated figure.
        public var windowAttenuationDB: Double { attenuationDB + 1 + 20 * log10(2) }

        /// Taps of every filter designed to this spec.
        public var taps: Int {
            KaiserWindow.taps(attenuationDB: windowAttenuationDB, transitionWidth: transitionHz / sampleRate)
        }

        /// The pass-band ripple the design keeps to, in dB either side of 0 dB: Kaiser's design has the
        /// same deviation δ in both bands, at most 10^(−A/20) for the stated attenuation A.
        public var passbandRippleDB: Double { 20 * log10(1 + pow(10, -attenuationDB / 20)) }
    }

    /// A low pass with its −6 dB point at `cutoff` Hz, unity gain at DC.
    public static func lowpass(cutoff: Double, _ spec: Spec) -> [Double] {
        windowedSinc(
            cutoff: cutoff, sampleRate: spec.sampleRate, taps: spec.taps,
            beta: KaiserWindow.beta(attenuationDB: spec.windowAttenuationDB))
    }

    /// The Kaiser-windowed sinc low pass of `taps` taps and window shape `beta`, scaled to unity gain at DC:
    /// scipy's `firwin(taps, cutoff, window=('kaiser', beta), fs=sampleRate)`.
    public static func windowedSinc(cutoff: Double, sampleRate: Double, taps n: Int, beta: Double) -> [Double] {
        let m = Double(n - 1) / 2
        let w = KaiserWindow.window(count: n, beta: beta)
        let fc = 2 * cutoff / sampleRate
        var h = (0..<n).map { i -> Double in
            let t = Double(i) - m
            let sinc = t == 0 ? 1 : sin(Double.pi * fc * t) / (Double.pi * fc * t)
            return fc * sinc * w[i]
        }
        let dc = h.reduce(0, +)
        for i in h.indices { h[i] /= dc }
        return h
    }

    /// A high pass: a delta at the centre tap minus the low pass.
    public static func highpass(cutoff: Double, _ spec: Spec) -> [Double] {
        var h = lowpass(cutoff: cutoff, spec).map { -$0 }
        h[h.count / 2] += 1
        return h
    }

    /// A band pass from `low` to `high` Hz: the low pass at `high` minus the low pass at `low`.
    public static func bandpass(low: Double, high: Double, _ spec: Spec) -> [Double] {
        let upper = lowpass(cutoff: high, spec), lower = lowpass(cutoff: low, spec)
        return zip(upper, lower).map { $0 - $1 }
    }

    /// A 2-way crossover at `cutoff` Hz: the low pass and its complement, whose sum is a delta at the
    /// centre tap.
    public static func crossover(cutoff: Double, _ spec: Spec) -> (low: [Double], high: [Double]) {
        (lowpass(cutoff: cutoff, spec), highpass(cutoff: cutoff, spec))
    }
}
