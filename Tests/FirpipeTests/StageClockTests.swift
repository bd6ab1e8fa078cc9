import FirCore
import Foundation
import Testing

@testable import firpipe

/// `StageClock` and `StageLoadMeter`: CPU time per stage as a share of one core.
@Suite struct StageClockTests {
    @Test func loadIsCPUOverWallTime() {
        let a = StageClock.Reading(cpu: 1_000, wall: 10_000)
        #expect(StageClock.load(from: a, to: StageClock.Reading(cpu: 6_000, wall: 20_000)) == 0.5)
        #expect(StageClock.load(from: a, to: StageClock.Reading(cpu: 21_000, wall: 20_000)) == 2, "two threads")
        #expect(StageClock.load(from: a, to: a) == 0, "no time passed")
    }

    /// A thread that spins counts its CPU; one that sleeps (as a reader blocked on input) does not.
    @Test func threadClockCountsOnlyTheCallingThreadsCPU() {
        let group = DispatchGroup()
        nonisolated(unsafe) var busy: UInt64 = 0, idle: UInt64 = 0
        DispatchQueue.global().async(group: group) {
            let start = ThreadCPUClock.now()
            let until = StageClock.monotonicNanoseconds() + 50_000_000
            while StageClock.monotonicNanoseconds() < until {}
            busy = ThreadCPUClock.now() - start
        }
        DispatchQueue.global().async(group: group) {
            let start = ThreadCPUClock.now()
            usleep(50_000)
            idle = ThreadCPUClock.now() - start
        }
        group.wait()
        // The spinner ran about 50 ms; on a loaded 2-core machine it may have been descheduled for part.
        #expect(busy > 10_000_000 && busy < 200_000_000)
        #expect(idle < 5_000_000)
    }

    /// Before, the first status showed every stage at 0: the meter had no earlier reading. Now the
    /// daemon's start is the first interval's beginning, and totals never reset.
    @Test func meterGivesTotalsAndTheLastInterval() {
        var meter = StageLoadMeter(start: 1_000_000)
        let first = meter.figures(of: [("reader", StageClock.Reading(cpu: 5_000_000, wall: 21_000_000))], at: 21_000_000)
        #expect(first.seconds == ["reader": 0.005])
        #expect(first.loadSinceStart == ["reader": 0.25])
        #expect(first.loadLastInterval == ["reader": 0.25], "the first interval starts at the daemon's start")
        #expect(first.intervalSeconds == 0.02)
        let later = StageClock.Reading(cpu: 5_000_000, wall: 41_000_000)
        let second = meter.figures(of: [("reader", later)], at: 41_000_000)
        #expect(second.seconds == ["reader": 0.005], "totals stay")
        #expect(second.loadSinceStart == ["reader": 0.125])
        #expect(second.loadLastInterval == ["reader": 0], "nothing new since the last call")
        #expect(second.intervalSeconds == 0.02)
    }
}
