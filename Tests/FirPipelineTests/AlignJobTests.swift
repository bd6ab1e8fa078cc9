@testable import FirPipeline
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `align` on generated takes of one band-limited noise "event" at 8 kHz, B read from a known fractional
/// position, with noise, a gain difference and (some cases) a room: the lag must come back within 0.1
/// sample, or 1 sample with reverberation, through both the exact-only and the envelope-then-exact paths.
@Suite struct AlignJobTests {
    static let rate = 8000
    /// 240 s of the event; A and B are read from it.
    static let event = Recordings.source(count: 240 * rate, seed: 17)
    static let colouredEvent = Recordings.source(count: 30 * rate, seed: 18, cutoff: 0.75, coloured: true)

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// B's first sample in A's time, in samples.
        let lag: Double
        var aStart = 100.0 * 8000, aSeconds = 120.0, bSeconds = 40.0
        var reverb = false
        /// A strong early reflection on top of the room, `(delay, amplitude)`.
        var early: (Int, Float)?
        var method = CorrelationMethod.plain
        var maxLag: Double?
        var envelopeLimit = AlignJob.envelopePoints
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "fractional +, exact window", lag: 1234.3, maxLag: 1),
        Case(name: "fractional −, exact window", lag: -2000.7, maxLag: 1),
        Case(name: "integer, envelope first", lag: 40_000),
        Case(name: "+95.4 s, envelope first", lag: 763_203.45),
        Case(name: "−70.2 s, envelope first", lag: -561_730.8, bSeconds: 90),
        Case(name: "+95.4 s, coarse envelope (hours-long files' step)", lag: 763_203.45, envelopeLimit: 4096),
        Case(name: "−3.5 s, phat", lag: -28_000.25, method: .phat, maxLag: 5),
        Case(name: "+71 s, reverberant, phat", lag: 568_000.5, reverb: true, method: .phat),
        Case(name: "−12.6 s, reverberant, phat", lag: -100_800.3, reverb: true, method: .phat, maxLag: 20),
    ]

    /// Writes A and B for `c` and aligns them.
    static func align(_ c: Case, source: [Double] = event, in dir: TemporaryDirectory) throws -> AlignJob.Result {
        let a = Recordings.read(source, at: c.aStart, count: Int(c.aSeconds * Double(rate)))
        let bClean = Recordings.read(source, at: c.aStart + c.lag, count: Int(c.bSeconds * Double(rate)), gain: 0.25)
        let room = c.reverb ? Recordings.room(seconds: 0.3, rate: rate, seed: 5, early: c.early) : nil
        let aPath = try AudioFixture.write(
            [Recordings.recorded(a, room: nil, noise: 0.05, seed: 1)], to: dir.path("a.wav"), rate: rate)
        let bPath = try AudioFixture.write(
            [Recordings.recorded(bClean, room: room, noise: 0.02, seed: 2)], to: dir.path("b.wav"), rate: rate)
        let request = AlignJob.Request(a: aPath, b: bPath, method: c.method, maxLag: c.maxLag)
        return try AlignJob(request, envelopeLimit: c.envelopeLimit).run()
    }

    @Test(arguments: cases)
    func recoversTheOffset(c: Case) throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-align")
        defer { dir.remove() }
        let r = try Self.align(c, in: dir)
        let tolerance = c.reverb ? 1.0 : 0.1
        print("align \(c.name): lag \(r.lag) (true \(c.lag)), error \(r.lag - c.lag), confidence \(r.confidence), "
            + "step \(r.coarseStep.map(String.init) ?? "none")")
        #expect(abs(r.lag - c.lag) <= tolerance, "\(c.name): \(r.lag) against \(c.lag)")
        #expect(r.integerLag == Int(c.lag.rounded()) || c.reverb)
        #expect(abs(r.seconds - c.lag / Double(Self.rate)) <= tolerance / Double(Self.rate))
        // The coarse stage runs exactly when the lags to search exceed the exact window.
        #expect((r.coarseStep != nil) == (c.maxLag == nil))
        #expect(r.confidence > 1.5)
    }

    /// A speech-like spectrum and a strong reflection a millisecond after the direct sound: plain
    /// correlation's broad peak merges the two, PHAT's sharp one keeps them apart.
    @Test("GCC-PHAT places a coloured, reverberant take better than plain correlation")
    func phatBeatsPlainInARoom() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-align-phat")
        defer { dir.remove() }
        var plainError = 0.0, phatError = 0.0
        for (k, lag) in [812.35, -1530.6, 97.5].enumerated() {
            var c = Case(name: "room \(k)", lag: lag, aStart: 5.0 * Double(Self.rate), aSeconds: 20, bSeconds: 12, reverb: true)
            c.maxLag = 1
            c.early = (9 + 4 * k, 0.7)
            let plain = try Self.align(c, source: Self.colouredEvent, in: dir)
            c.method = .phat
            let phat = try Self.align(c, source: Self.colouredEvent, in: dir)
            print("room \(k): plain \(plain.lag - lag) (confidence \(plain.confidence)), "
                + "phat \(phat.lag - lag) (confidence \(phat.confidence))")
            #expect(abs(phat.lag - lag) <= 1)
            #expect(phat.confidence > plain.confidence)
            plainError += abs(plain.lag - lag)
            phatError += abs(phat.lag - lag)
        }
        #expect(phatError < plainError)
    }

    @Test("takes at different sample rates are refused as bad data")
    func differentRates() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-align-rates")
        defer { dir.remove() }
        let x = Signals.noise(count: 4000, seed: 3)
        let a = try AudioFixture.write([x], to: dir.path("a.wav"), rate: 8000)
        let b = try AudioFixture.write([x], to: dir.path("b.wav"), rate: 16000)
        #expect(throws: JobError.self) { try AlignJob(.init(a: a, b: b)).run() }
        do {
            _ = try AlignJob(.init(a: a, b: b)).run()
        } catch {
            #expect(error.kind == .badData && error.message.contains("16000 Hz"))
        }
    }
}
