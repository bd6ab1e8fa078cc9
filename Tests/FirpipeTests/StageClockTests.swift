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

    /// A thread that spins counts its CPU; one that waits (as a reader blocked on input) does not, though
    /// another thread spun all the while. No window of time is assumed: the spinner stops once its own
    /// clock shows 20 ms, however long a loaded machine takes to give it that, and the waiter waits for
    /// it. A process-wide clock would show the waiter the spinner's 20 ms; a clock faster than the wall
    /// would show the spinner more CPU than time passed.
    @Test func threadClockCountsOnlyTheCallingThreadsCPU() {
        let spun: UInt64 = 20_000_000
        let ready = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0), group = DispatchGroup()
        nonisolated(unsafe) var busy: UInt64 = 0, busyWall: UInt64 = 0, idle: UInt64 = 0
        // Threads of their own: Dispatch's pool may be busy with other tests, and these two wait for each other.
        group.enter()
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            ready.wait()  // the waiter's window holds the whole spin
            let wallStart = StageClock.monotonicNanoseconds(), start = ThreadCPUClock.now()
            while ThreadCPUClock.now() - start < spun {}
            busy = ThreadCPUClock.now() - start
            busyWall = StageClock.monotonicNanoseconds() - wallStart
            done.signal()
        }
        Thread.detachNewThread {
            defer { group.leave() }
            let start = ThreadCPUClock.now()
            ready.signal()
            done.wait()
            idle = ThreadCPUClock.now() - start
        }
        group.wait()
        #expect(busy >= spun && busy <= busyWall, "\(busy) ns of CPU in \(busyWall) ns")
        #expect(idle < spun / 2, "the waiting thread was charged \(idle) ns")
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
