import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Testing

extension SpoolTests {
    /// The batch rule in a spool: by default a NaN input fails its job (moved to failed/ with the line
    /// naming channel and frame); after a reload to `non_finite: zero` the same audio is filtered, and
    /// the silenced sample is counted for the daemon's status.
    @Test func nonFiniteInputFailsThenIsCountedOnceZeroed() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        var x = [Signals.noise(count: 2000, seed: 5, amplitude: 0.5), Signals.noise(count: 2000, seed: 6)]
        x[0][1500] = .nan
        try box.drop("bad.wav", x)
        #expect(waitUntil { spool.counts.failed == 1 })
        let report = try String(contentsOfFile: box.failed + "/bad.wav.error", encoding: .utf8)
        #expect(report.contains("\(box.inbox)/bad.wav: channel 0, frame 1500 is NaN, not a finite sample"), "\(report)")
        #expect(SpoolSandbox.listing(box.outbox).isEmpty)

        let factory = box.specFactory()
        spool.update(makeSpec: { input, output in
            var spec = factory(input, output)
            spec.nonFinite = .zero
            return spec
        })
        try box.drop("again.wav", x)
        #expect(waitUntil { spool.counts.done == 1 })
        #expect(spool.counts.nonFiniteSamples == 1)
        #expect(box.log.contains("non_finite_samples=1"))
        #expect(try SpoolSandbox.read(box.outbox + "/again.wav").allSatisfy { $0.allSatisfy(\.isFinite) })
    }
}
