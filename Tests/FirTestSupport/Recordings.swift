import FirCore
import Foundation

/// Generated "recordings" for the correlation tools: band-limited noise read at fractional offsets,
/// with reverberation, noise and gain, so an offset is known exactly.
public enum Recordings {
    /// Gaussian-like noise (the sum of four uniforms) low-passed to `cutoff` of Nyquist by a 129-tap
    /// windowed sinc, `count` samples. With `coloured`, a speech-like tilt too: two resonances (formants
    /// near 0.08 and 0.3 of Nyquist) that make plain correlation's peak broad.
    public static func source(count: Int, seed: UInt64, cutoff: Double = 0.6, coloured: Bool = false) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        let white = (0..<(count + 128)).map { _ in (0..<4).reduce(0.0) { s, _ in s + Double.random(in: -1..<1, using: &rng) } }
        let half = 64
        let taps = (-half...half).map { k -> Double in
            let t = Double(k), x = t / Double(half + 1)
            let sinc = k == 0 ? cutoff : sin(Double.pi * cutoff * t) / (Double.pi * t)
            return sinc * (0.42 + 0.5 * cos(Double.pi * x) + 0.08 * cos(2 * Double.pi * x))
        }
        var y = (0..<count).map { n in (0...(2 * half)).reduce(0.0) { s, j in s + taps[j] * white[n + 2 * half - j] } }
        if coloured {
            for (frequency, radius) in [(0.08, 0.985), (0.3, 0.97)] {
                let a1 = 2 * radius * cos(Double.pi * frequency), a2 = -radius * radius
                var y1 = 0.0, y2 = 0.0
                for n in y.indices {
                    let v = y[n] + a1 * y1 + a2 * y2
                    y2 = y1
                    y1 = v
                    y[n] = v * (1 - radius)
                }
            }
        }
        return y
    }

    /// `count` samples of `s` read from the fractional position `start` (`s(start + n)`), band-limited
    /// by ``FractionalDelay``; `s` must hold 40 samples on either side.
    public static func read(_ s: [Double], at start: Double, count: Int, gain: Double = 1) -> [Float] {
        let whole = start.rounded(.down), fraction = start - whole
        let delay = fraction == 0 ? 32.0 : 33 - fraction
        let (offset, taps) = FractionalDelay.taps(delay: delay)
        let shift = Int(whole) + Int((delay + fraction).rounded())
        precondition(shift - offset - taps.count >= -1 && shift + count <= s.count, "read beyond the source")
        return (0..<count).map { n in
            let m = shift + n
            var v = 0.0
            for j in taps.indices { v += taps[j] * s[m - offset - j] }
            return Float(v * gain)
        }
    }

    /// A room: a unit direct path, then `seconds` of decaying noise reflections about 5 dB weaker in all,
    /// and optionally one strong early reflection (a floor or a desk) `(delay in samples, amplitude)`.
    public static func room(seconds: Double, rate: Int, seed: UInt64, early: (Int, Float)? = nil) -> [Float] {
        let count = Swift.max(2, Int(seconds * Double(rate)))
        var ir = Signals.decayingNoise(count: count, seed: seed).map { $0 * 0.1 }
        ir[0] = 1
        if let (delay, amplitude) = early { ir[delay] += amplitude }
        return ir
    }

    /// `x` through `ir` (the length of `x` kept), plus uniform noise of `noise` peak.
    public static func recorded(_ x: [Float], room ir: [Float]?, noise: Float, seed: UInt64) -> [Float] {
        let wet = ir.map { SignalConvolution.apply(x, $0, length: .full).prefix(x.count).map { $0 } } ?? x
        let hiss = Signals.noise(count: x.count, seed: seed, amplitude: noise)
        return zip(wet, hiss).map { $0 + $1 }
    }
}
