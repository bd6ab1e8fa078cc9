import FirCore
import Foundation
import Testing

/// Kaiser windowed-sinc designs: scipy's taps, the stated ripple and attenuation, the crossover's sum.
@Suite struct FIRDesignTests {
    static let spec = FIRDesign.Spec(sampleRate: 48000, attenuationDB: 80, transitionHz: 400)

    @Test func lowpassEqualsScipyFirwinKaiser() throws {
        let g = try KernelGolden.load().kaiser
        let expected = try KernelGolden.array(g.taps, count: g.count)
        // Kaiser's formulas as scipy has them, then the same windowed sinc.
        #expect(abs(KaiserWindow.beta(attenuationDB: g.attenuation) - g.beta) < 1e-12)
        #expect(KaiserWindow.taps(attenuationDB: g.attenuation, transitionWidth: g.transition / g.sampleRate) == g.count)
        let h = FIRDesign.windowedSinc(cutoff: g.cutoff, sampleRate: g.sampleRate, taps: g.count, beta: g.beta)
        #expect(h.count == g.count)
        let worst = zip(h, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-12, "largest difference \(worst)")
    }

    static func check(_ s: KernelSpectrum, pass: [ClosedRange<Double>], stop: [ClosedRange<Double>]) -> (ripple: Double, stop: Double) {
        var ripple = 0.0, stopPeak = -400.0
        for band in pass {
            for k in s.bin(nearest: band.lowerBound)...s.bin(nearest: band.upperBound) { ripple = max(ripple, abs(s.magnitudeDB(bin: k))) }
        }
        for band in stop {
            for k in s.bin(nearest: band.lowerBound)...s.bin(nearest: band.upperBound) { stopPeak = max(stopPeak, s.magnitudeDB(bin: k)) }
        }
        return (ripple, stopPeak)
    }

    @Test func designsMeetTheirRippleAndAttenuation() throws {
        let s = Self.spec, tw = s.transitionHz / 2, ny = s.sampleRate / 2
        let cases: [(String, [Double], [ClosedRange<Double>], [ClosedRange<Double>])] = [
            ("lowpass", FIRDesign.lowpass(cutoff: 2000, s), [0...(2000 - tw)], [(2000 + tw)...ny]),
            ("highpass", FIRDesign.highpass(cutoff: 2000, s), [(2000 + tw)...ny], [0...(2000 - tw)]),
            ("bandpass", FIRDesign.bandpass(low: 1000, high: 5000, s), [(1000 + tw)...(5000 - tw)],
             [0...(1000 - tw), (5000 + tw)...ny]),
            ("lowpass 40 dB", FIRDesign.lowpass(cutoff: 300, .init(sampleRate: 44100, attenuationDB: 40, transitionHz: 100)),
             [0...250], [350...22050]),
        ]
        for (name, h, pass, stop) in cases {
            let stated = name.hasSuffix("40 dB") ? 40.0 : s.attenuationDB
            let statedRipple = 20 * log10(1 + pow(10, -stated / 20))
            let rate = name.hasSuffix("40 dB") ? 44100.0 : s.sampleRate
            let (ripple, stopPeak) = Self.check(
                try KernelSpectrum(taps: h, sampleRate: rate, minimumSize: 1 << 17), pass: pass, stop: stop)
            print("\(name): \(h.count) taps, pass-band ripple ±\(ripple) dB (stated \(statedRipple)), stop band \(stopPeak) dB")
            #expect(ripple <= statedRipple, "\(name) ripple")
            #expect(stopPeak <= -stated, "\(name) stop band")
        }
    }

    @Test func crossoverSumsToADelta() throws {
        let (low, high) = FIRDesign.crossover(cutoff: 2000, Self.spec)
        var sum = zip(low, high).map { $0 + $1 }
        let centre = sum.count / 2
        sum[centre] -= 1
        let worst = sum.map(abs).max()!
        // Also after the taps are stored as float32, as a .wav kernel holds them.
        let stored = zip(low, high).enumerated().map { i, p in Double(Float(p.0)) + Double(Float(p.1)) - (i == centre ? 1 : 0) }
        let worstStored = stored.map(abs).max()!
        print("crossover: sum minus a delta at \(centre): \(20 * log10(worst)) dB in float64, \(20 * log10(worstStored)) dB stored as float32")
        #expect(20 * log10(worst) < -250)
        #expect(20 * log10(worstStored) < -100)
    }
}
