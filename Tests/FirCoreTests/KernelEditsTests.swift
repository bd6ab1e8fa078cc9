import FirCore
import FirTestSupport
import Foundation
import Testing

/// combine, normalize and trim, against direct float64 references.
@Suite struct KernelEditsTests {
    @Test func combineFiltersAsAThenB() {
        let a = Signals.decayingNoise(count: 700, seed: 21).doubles, b = Signals.decayingNoise(count: 300, seed: 22).doubles
        let x = Signals.noise(count: 2000, seed: 23).doubles
        let ab = KernelEdits.combine(a, b)
        #expect(ab.count == a.count + b.count - 1)
        let once = DirectConvolution.full(x, ab), twice = DirectConvolution.full(DirectConvolution.full(x, a), b)
        let db = Tolerance.maxErrorDB(once, reference: twice)
        // Stored as float32 (a .wav kernel), the combined kernel still filters within −120 dB.
        let stored = DirectConvolution.full(x, ab.map { Double(Float($0)) })
        let storedDB = Tolerance.maxErrorDB(stored, reference: twice)
        print("combine: \(db) dB in float64, \(storedDB) dB stored as float32")
        #expect(db < -250)
        #expect(storedDB < -120)
    }

    @Test func levels() throws {
        let h = [0.5, -1.0, 0.25]
        #expect(try KernelEdits.level(h, by: .peak, sampleRate: 48000) == 1)
        #expect(try KernelEdits.level(h, by: .dc, sampleRate: 48000) == 0.25)
        #expect(try KernelEdits.level(h, by: .energy, sampleRate: 48000) == (0.25 + 1 + 0.0625).squareRoot())
        // |H| of [0.5, −1, 0.25] is largest at Nyquist, 1.75; 20 kHz is near it.
        let passband = try KernelEdits.level(h, by: .passband, sampleRate: 48000)
        let at20k = abs(0.5 - 1.0 * cos(2 * Double.pi * 20000 / 48000) + 0.25 * cos(4 * Double.pi * 20000 / 48000))
        #expect(passband >= at20k * 0.999 && passband <= 1.75)
    }

    @Test func trimKeepsTheLoudPartAlignedAndFades() {
        let a: [Double] = [0, 0, 0, 1e-9, 0.5, 1, 0.2, 1e-3, 1e-7, 0]
        let b: [Double] = [0, 0, 0.1, 0, 0, 0, 0, 0, 0, 0]
        let range = KernelEdits.keptRange([a, b], leadingDB: -120, tailDB: -100)
        #expect(range == 2..<8)
        #expect(KernelEdits.keptRange([a, b], leadingDB: nil, tailDB: -40) == 0..<7)
        let t = KernelEdits.trimmed(a, to: 2..<8, fade: 2)
        #expect(t.count == 6 && t[0] == 0 && t[2] == 0.5 && t[3] == 1)
        #expect(abs(t[4] - 0.2 * 0.75) < 1e-15 && abs(t[5] - 1e-3 * 0.25) < 1e-18)
    }
}
