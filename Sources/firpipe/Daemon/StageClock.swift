import Foundation
import Synchronization

/// The CPU time one pipeline stage spends, for `firpipe status` and the metrics: the stage's threads
/// add their own CPU time (CLOCK_THREAD_CPUTIME_ID) to one atomic counter, and whoever builds the status
/// turns two readings of it, with the wall clock, into a share of one core.
///
/// Threads: ``measure(_:)`` and ``add(nanoseconds:)`` from the stage's threads (several at once, for a
/// stage fanned out with `concurrentPerform`); ``reading()`` from any thread. Relaxed atomics: a reading
/// may miss a block still being measured, which the next interval counts.
final class StageClock: Sendable {
    /// The stage's name in the status and the metrics ("reader", "convolver", "writer", "levels").
    let name: String
    private let cpu = Atomic<UInt64>(0)

    init(name: String) {
        self.name = name
    }

    /// CPU nanoseconds the stage has used so far.
    var cpuNanoseconds: UInt64 { cpu.load(ordering: .relaxed) }

    /// Runs `body` and adds the CPU time the calling thread spent in it. Two clock reads a call (a
    /// system call each, a fraction of a microsecond), so call it per block, not per sample.
    @inline(__always)
    func measure<R>(_ body: () throws -> R) rethrows -> R {
        let start = Self.threadCPUNanoseconds()
        defer { add(nanoseconds: Self.threadCPUNanoseconds() &- start) }
        return try body()
    }

    /// Adds CPU time measured elsewhere, e.g. a worker's own ``threadCPUNanoseconds()`` difference.
    func add(nanoseconds: UInt64) {
        cpu.add(nanoseconds, ordering: .relaxed)
    }

    /// One reading: the stage's CPU time and the monotonic wall clock, both in nanoseconds.
    struct Reading: Sendable, Equatable {
        var cpu: UInt64
        var wall: UInt64
    }

    func reading() -> Reading {
        Reading(cpu: cpuNanoseconds, wall: Self.monotonicNanoseconds())
    }

    /// The share of one core used between two readings: CPU time over wall time (0.25 = a quarter of a
    /// core; above 1 when the stage ran on several threads). 0 when no wall time passed.
    static func load(from earlier: Reading, to later: Reading) -> Double {
        guard later.wall > earlier.wall, later.cpu >= earlier.cpu else { return 0 }
        return Double(later.cpu - earlier.cpu) / Double(later.wall - earlier.wall)
    }

    /// The calling thread's CPU time in nanoseconds.
    static func threadCPUNanoseconds() -> UInt64 {
        clockNanoseconds(CLOCK_THREAD_CPUTIME_ID)
    }

    static func monotonicNanoseconds() -> UInt64 {
        clockNanoseconds(CLOCK_MONOTONIC)
    }
}

/// Turns the stages' clocks into the status's `cpu` map, interval by interval: each call reports the
/// load since the previous call.
///
/// Threads: one caller at a time (the thread that builds the status or writes the metrics).
struct StageLoadMeter {
    private var previous: [String: StageClock.Reading] = [:]

    /// Load per stage name since the last call; 0 for a stage seen for the first time, which has no
    /// earlier reading to measure from.
    mutating func loads(of clocks: [StageClock]) -> [String: Double] {
        var result: [String: Double] = [:]
        for clock in clocks {
            let now = clock.reading()
            result[clock.name] = previous[clock.name].map { StageClock.load(from: $0, to: now) } ?? 0
            previous[clock.name] = now
        }
        return result
    }
}
