import Foundation
import Synchronization
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
    @Test func measuresTheCallingThreadsCPU() {
        let busy = StageClock(name: "convolver"), idle = StageClock(name: "reader")
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            busy.measure {
                let until = StageClock.monotonicNanoseconds() + 50_000_000
                while StageClock.monotonicNanoseconds() < until {}
            }
        }
        DispatchQueue.global().async(group: group) {
            idle.measure { _ = usleep(50_000) }
        }
        group.wait()
        // The spinner ran about 50 ms; on a loaded 2-core machine it may have been descheduled for part.
        #expect(busy.cpuNanoseconds > 10_000_000 && busy.cpuNanoseconds < 200_000_000)
        #expect(idle.cpuNanoseconds < 5_000_000)
    }

    @Test func workersOfOneStageAddUp() {
        let clock = StageClock(name: "convolver")
        DispatchQueue.concurrentPerform(iterations: 8) { _ in clock.add(nanoseconds: 1_000) }
        #expect(clock.cpuNanoseconds == 8_000)
        #expect(clock.measure { 42 } == 42)
    }

    @Test func meterReportsEachIntervalOnce() {
        let reader = StageClock(name: "reader"), writer = StageClock(name: "writer")
        var meter = StageLoadMeter()
        let started = StageClock.monotonicNanoseconds()
        #expect(meter.loads(of: [reader, writer]) == ["reader": 0, "writer": 0])
        usleep(20_000)
        reader.add(nanoseconds: 5_000_000)
        let loads = meter.loads(of: [reader, writer])
        let elapsed = Double(StageClock.monotonicNanoseconds() - started)
        #expect(loads["writer"] == 0)
        // 5 ms of CPU in a bit over 20 ms of wall time (the meter's interval lies within `elapsed`).
        let load = loads["reader"] ?? -1
        #expect(load <= 0.25 && load >= 5e6 / elapsed)
        #expect(meter.loads(of: [reader])["reader"] == 0, "nothing new since the last call")
    }
}
