import Dispatch
import Glibc
import FirCore
import FirTestSupport
import Synchronization
import Testing

/// The process-wide planner under a policy that measures. Its policy and plans belong to the whole
/// process: each test runs alone, in a runner of its own.
@Suite struct FFTPlannerTests {
    /// A size planned already is handed out at once while another thread measures a new size under the
    /// planner's lock (seconds on a fresh machine): one job never waits for another's measure.
    @Test func aPlannedSizeDoesNotWaitForAMeasure() throws {
        if let failure = try AloneRun.rerun("FFTPlannerTests/aPlannedSizeDoesNotWaitForAMeasure") {
            #expect(failure.isEmpty, "alone: \(failure)")
            return
        }
        let planner = FFTPlanner.shared
        _ = try planner.fft(size: 64)
        planner.setPolicy(FFTPlanner.Policy(measureLimit: 1 << 16, budget: 60))
        defer { planner.setPolicy(.estimateOnly) }
        let measured = Flag()
        let started = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            started.signal()
            // A full measure of 32,768 points: about 1 s here, no wisdom in this runner.
            _ = try? planner.fft(size: 32_768)
            measured.value.store(true, ordering: .releasing)
        }
        started.wait()
        usleep(100_000)  // the measure has the planner's lock by now
        _ = try planner.fft(size: 64)
        let waited = measured.value.load(ordering: .acquiring)
        #expect(!waited, "the planned size waited for the measure")
        done.wait()
        let finished = measured.value.load(ordering: .acquiring)
        #expect(finished)
    }
}

/// Set once by the measuring thread.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
