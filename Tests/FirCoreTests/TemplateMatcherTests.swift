import FirCore
import FirTestSupport
import Testing

/// Normalized cross-correlation against a float64 direct reference, and the match picking.
@Suite struct TemplateMatcherTests {
    /// The correlation coefficient of every window, computed directly in float64.
    static func reference(_ x: [Float], _ t: [Float]) -> [Double] {
        let m = t.count
        let tm = t.reduce(0.0) { $0 + Double($1) } / Double(m)
        let tc = t.map { Double($0) - tm }
        let tn = tc.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        return (0...(x.count - m)).map { s in
            let w = x[s..<(s + m)].map(Double.init)
            let wm = w.reduce(0, +) / Double(m)
            let wc = w.map { $0 - wm }
            let wn = wc.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            guard wn > TemplateMatcher.silence * Double(m).squareRoot() else { return 0 }
            return zip(wc, tc).reduce(0.0) { $0 + $1.0 * $1.1 } / (wn * tn)
        }
    }

    /// Noise with a stretch of silence, a DC offset and two copies of the template (one quiet, one loud).
    static func signal(template t: [Float]) -> [Float] {
        var x = Signals.noise(count: 6000, seed: 11, amplitude: 0.2).map { $0 + 0.3 }
        for i in 1000..<1800 { x[i] = 0 }
        for (at, gain) in [(2500, Float(0.05)), (4400, Float(3))] {
            for j in t.indices { x[at + j] = gain * t[j] - 0.7 }
        }
        return x
    }

    @Test("scores match the float64 coefficient, in any stretch", arguments: [1, 997, 5000])
    func matchesTheReference(stretch: Int) throws {
        let t = Signals.decayingNoise(count: 301, seed: 12)
        let x = Self.signal(template: t)
        let expected = Self.reference(x, t)
        let matcher = try TemplateMatcher(template: t, stretch: stretch)
        let worker = try matcher.makeWorker()
        var scores = [Float](repeating: 0, count: expected.count)
        var first = 0
        while first < expected.count {
            let count = min(stretch, expected.count - first)
            let window = Array(x[first..<(first + count + t.count - 1)])
            scores.withUnsafeMutableBufferPointer { out in
                matcher.scores(window, count: count, into: out.baseAddress! + first, worker: worker)
            }
            first += count
        }
        let error = zip(scores, expected).map { abs(Double($0) - $1) }.max() ?? 1
        print("template matcher, stretch \(stretch): max error \(error)")
        #expect(error < 1e-5)
        #expect(scores.allSatisfy { (-1...1).contains($0) })
        // Both copies score (about) 1 whatever their level; the silence scores 0.
        #expect(scores[2500] > 0.9999 && scores[4400] > 0.9999)
        #expect(scores[1100] == 0)
    }

    @Test func picksOnePeakPerRunAndSuppressesOverlaps() {
        let scores: [Float] = [0.1, 0.8, 0.9, 0.75, 0.2, 0.95, 0.3, 0.72, 0.71, 0.1, 0.99]
        let found = MatchPicker.candidates(scores, count: scores.count, offset: 100, threshold: 0.7)
        #expect(found == [
            Match(start: 102, score: 0.9), Match(start: 105, score: 0.95), Match(start: 107, score: 0.72),
            Match(start: 110, score: 0.99),
        ])
        // Windows of 4: 105 suppresses 102 and 107; 110 is 5 away from 105 and stays.
        #expect(MatchPicker.suppress(found, distance: 4) == [Match(start: 105, score: 0.95), Match(start: 110, score: 0.99)])
        #expect(MatchPicker.suppress(found, distance: 1) == found)
    }
}
