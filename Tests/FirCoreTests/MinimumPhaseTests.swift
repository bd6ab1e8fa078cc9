import FirCore
import Foundation
import Testing

/// The cepstral minimum phase: same magnitude, causal and front-loaded, and scipy's result.
@Suite struct MinimumPhaseTests {
    /// A room-like kernel: pre-echo, a delayed main peak, a decaying noisy tail (no deep nulls).
    static func roomLike() -> [Double] {
        var h = [Double](repeating: 0, count: 3000)
        h[120] = 0.3
        h[400] = 1
        var state: UInt64 = 12345
        for i in 401..<h.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53) - 0.5
            h[i] += 0.3 * u * exp(-Double(i - 401) / 300)
        }
        return h
    }

    @Test func sameMagnitudeCausalFrontLoaded() throws {
        let h = Self.roomLike()
        let m = try MinimumPhase.apply(h)
        #expect(m.count == h.count)
        let a = try KernelSpectrum(taps: h, sampleRate: 48000), b = try KernelSpectrum(taps: m, sampleRate: 48000)
        var worst = 0.0
        for k in a.bin(nearest: 20)...a.bin(nearest: 20000) { worst = max(worst, abs(a.magnitudeDB(bin: k) - b.magnitudeDB(bin: k))) }
        print("minimum phase: magnitude differs by at most \(worst) dB over 20 Hz–20 kHz")
        #expect(worst < 0.1)
        // Minimum phase delays energy least: every prefix holds at least the original's share.
        var original = 0.0, minimum = 0.0
        let total = h.reduce(0) { $0 + $1 * $1 }
        for i in h.indices {
            original += h[i] * h[i]
            minimum += m[i] * m[i]
            #expect(minimum >= original - 1e-4 * total, "tap \(i)")
        }
        // Causal and front-loaded: the peak at the start, not at 400 where the original has it.
        let peak = m.indices.max { abs(m[$0]) < abs(m[$1]) }!
        #expect(peak < 10)
        let head = m.prefix(300).reduce(0) { $0 + $1 * $1 }
        #expect(head > 0.9 * total)
    }

    /// Both follow the same steps with the same transform length: they agree up to float32 transforms.
    @Test func matchesScipyHomomorphic() throws {
        let g = try KernelGolden.load().minimumPhase
        let h = try KernelGolden.array(g.input, count: g.count)
        let expected = try KernelGolden.array(g.expected, count: g.count)
        #expect(MinimumPhase.transformSize(taps: g.count) == g.nFFT)
        let m = try MinimumPhase.apply(h)
        var worst = 0.0
        let peak = expected.map(abs).max()!
        for i in h.indices { worst = max(worst, abs(m[i] - expected[i])) }
        let db = 20 * log10(worst / peak)
        print("minimum phase against scipy: \(db) dB of the peak")
        #expect(db < -80)
    }
}
