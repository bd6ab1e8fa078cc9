import FirCore
import Foundation
import Testing

/// `inspect`'s figures for kernels whose answers are known: a delayed delta, an exponential decay of a
/// given RT60, and scipy's `firwin` low pass (golden).
@Suite struct KernelAnalysisTests {
    static func figures(_ taps: [Double], rate: Double = 48000) throws -> (KernelFigures, KernelSpectrum) {
        let spectrum = try KernelSpectrum(taps: taps, sampleRate: rate)
        return (KernelAnalysis.figures(taps: taps, sampleRate: rate, spectrum: spectrum), spectrum)
    }

    @Test func delayedDelta() throws {
        var h = [Double](repeating: 0, count: 1000)
        h[37] = -0.5
        let (f, s) = try Self.figures(h)
        #expect(f.peakIndex == 37 && f.peakValue == -0.5)
        #expect(abs(f.latencySeconds - 37.0 / 48000) < 1e-12)
        #expect(f.dcGain == -0.5 && f.energy == 0.25)
        // Flat at −6.02 dB; the single-precision transform is exact to about 1e-6 dB here.
        #expect(abs(f.magnitudeMinDB - 20 * log10(0.5)) < 1e-4 && abs(f.magnitudeMaxDB - 20 * log10(0.5)) < 1e-4)
        // All the energy is in one tap: the curve is below −60 dB on the next one.
        #expect(f.decay60Seconds == 1.0 / 48000)
        // Group delay 37 samples and the phase falling by 2πf·37/fs everywhere (from bin 1: the sign of
        // DC's zero imaginary part decides whether it starts at +π or −π).
        for k in stride(from: 1, to: s.binCount, by: 997) {
            #expect(abs(s.groupDelay[k] - 37) < 1e-3)
            let expected = -2 * Double.pi * (s.frequency(ofBin: k) - s.frequency(ofBin: 1)) * 37 / 48000
            #expect(abs(s.phase[k] - s.phase[1] - expected) < 1e-3, "bin \(k)")
        }
    }

    /// h[n] = exp(−a·n) falls 60 dB in amplitude, and so in remaining energy, at n = RT60·fs.
    @Test(arguments: [0.25, 0.8])
    func exponentialDecayHasItsRT60(rt60: Double) throws {
        let rate = 48000.0, a = 3 * log(10) / (rt60 * rate)
        let h = (0..<Int(2 * rt60 * rate)).map { exp(-a * Double($0)) }
        let (f, _) = try Self.figures(h)
        let decay = try #require(f.decay60Seconds)
        print("RT60 \(rt60) s measured \(decay) s")
        #expect(abs(decay - rt60) <= 1 / rate + 1e-9)
        #expect(f.peakIndex == 0 && f.peakValue == 1)
        // Sum of a geometric series.
        #expect(abs(f.energy - (1 - exp(-2 * a * Double(h.count))) / (1 - exp(-2 * a))) < 1e-9 * f.energy)
    }

    @Test func tooShortToDecay() throws {
        let rate = 48000.0, a = 3 * log(10) / (1.0 * rate)
        // 0.5 s of a 1 s RT60: the tail is still −30 dB where it is cut.
        let h = (0..<24000).map { exp(-a * Double($0)) }
        #expect(try Self.figures(h).0.decay60Seconds == nil)
    }

    @Test func scipyFirwinLowpass() throws {
        let g = try KernelGolden.load().firwin
        let h = try KernelGolden.array(g.taps, count: g.count)
        let (f, _) = try Self.figures(h, rate: g.sampleRate)
        #expect(f.peakIndex == g.peakIndex && f.peakValue == g.peakValue)
        #expect(abs(f.dcGain - g.dcGain) < 1e-12 && abs(f.energy - g.energy) < 1e-12)
        // Bins 0.05 Hz apart, so the nearest is as good as the exact frequency on the −6 dB slope.
        let fine = try KernelSpectrum(taps: h, sampleRate: g.sampleRate, minimumSize: 1 << 20)
        for (hz, db) in zip(g.frequencies, g.magnitudeDB) {
            // A float32 transform against scipy's exact freqz.
            let ours = fine.magnitudeDB(bin: fine.bin(nearest: hz))
            let tolerance = db > -20 ? 0.01 : 0.1
            #expect(abs(ours - db) < tolerance, "\(hz) Hz: \(ours) dB, scipy \(db) dB")
        }
        // The pass band's highest point is scipy's ripple; 20 Hz–20 kHz reaches deep into the stop band.
        #expect(f.magnitudeMaxDB < 0.02 && f.magnitudeMaxDB > 0 && f.magnitudeMaxHz < 4000)
        #expect(f.magnitudeMinDB < -50 && f.magnitudeMinHz > 4000)
    }

    /// A Gaussian-windowed cosine: its Hilbert envelope is the Gaussian (the cosine's spectrum is far
    /// from DC, so the analytic signal is exact to the Gaussian's tiny spectral overlap).
    @Test func hilbertEnvelopeOfAModulatedGaussian() throws {
        let g = (0..<1000).map { exp(-pow(Double($0 - 500) / 50, 2) / 2) }
        let h = g.enumerated().map { $0.element * cos(0.3 * Double.pi * Double($0.offset)) }
        let e = try HilbertEnvelope.envelope(h)
        let worst = zip(e, g).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "envelope off by \(worst)")
    }

    @Test func smoothingAFlatResponseKeepsItFlat() throws {
        var h = [Double](repeating: 0, count: 64)
        h[3] = 2
        let smoothing = OctaveSmoothing(try KernelSpectrum(taps: h, sampleRate: 48000))
        for fraction in [0, 3, 6] {
            for hz in [20.0, 200, 2000, 20000] {
                #expect(abs(smoothing.magnitudeDB(at: hz, fraction: fraction) - 20 * log10(2)) < 1e-4)
            }
        }
    }
}
