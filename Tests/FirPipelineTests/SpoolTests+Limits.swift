import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Synchronization
import Testing

/// A reload's `max_jobs` and `settle_seconds` take effect in the running spool (before, the spool kept
/// the values it started with while the reload said it had taken the new ones).
@Suite struct SpoolLimitsTests {
    let box: SpoolSandbox
    init() throws { box = try SpoolSandbox() }

    @Test func moreJobsStartAtOnceAfterARaise() throws {
        defer { box.remove() }
        // Jobs hold in their spec factory (called on each job's thread) until released, so how many run
        // at once is counted, not timed.
        let gate = DispatchSemaphore(value: 0)
        let entered = Atomic<Int>(0)
        let factory = box.specFactory()
        let holding: @Sendable (String, String) -> JobSpec = { input, output in
            entered.add(1, ordering: .relaxed)
            gate.wait()
            return factory(input, output)
        }
        let spool = Spool(settings: box.settings(settle: 600, maxJobs: 1), makeSpec: holding, logger: box.log.logger)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        for n in 0..<3 { try box.drop("take\(n).wav", [Signals.noise(count: 500, seed: UInt64(n))]) }
        #expect(waitUntil { entered.load(ordering: .relaxed) == 1 && spool.counts.queued == 2 })

        var raised = SpoolLimits(box.settings())
        raised.maxJobs = 3
        spool.update(makeSpec: holding, limits: raised)
        #expect(waitUntil { entered.load(ordering: .relaxed) == 3 }, "the two queued jobs start without waiting")
        #expect(spool.counts.running == 3)
        #expect(spool.limits.maxJobs == 3)
        #expect(box.log.contains("spool limits now max_jobs 3"))
        for _ in 0..<3 { gate.signal() }
        #expect(waitUntil { spool.counts.done == 3 })
    }

    @Test func aShorterSettleTimeTakesAFileAlreadyWaiting() throws {
        defer { box.remove() }
        let spool = box.makeSpool(settle: 3600)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        // Written in place, not renamed in: only the settle time can make it complete.
        _ = try AudioFixture.write([Signals.noise(count: 500, seed: 9)], to: box.inbox + "/in-place.wav")
        usleep(300_000)
        #expect(spool.counts.done == 0 && spool.counts.queued == 0, "an hour's settle time holds it")
        spool.update(makeSpec: box.specFactory(), limits: SpoolLimits(box.settings(settle: 0.05)))
        #expect(waitUntil { spool.counts.done == 1 })
        #expect(SpoolSandbox.listing(box.outbox) == ["in-place.wav"])
    }
}
