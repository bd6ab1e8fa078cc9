import Foundation

/// Per-stage CPU load for `firpipe status` and the metrics: the stage threads publish their own
/// cumulative CPU time (CLOCK_THREAD_CPUTIME_ID, see `StreamCounters`), and the status builder turns two
/// readings of it, with the wall clock, into a share of one core.
enum StageClock {
    /// One reading: a stage's CPU time and the monotonic wall clock, both in nanoseconds.
    struct Reading: Sendable, Equatable {
        var cpu: UInt64
        var wall: UInt64
    }

    /// The share of one core used between two readings: CPU time over wall time (0.25 = a quarter of a
    /// core; above 1 when the stage ran on several threads). 0 when no wall time passed.
    static func load(from earlier: Reading, to later: Reading) -> Double {
        guard later.wall > earlier.wall, later.cpu >= earlier.cpu else { return 0 }
        return Double(later.cpu - earlier.cpu) / Double(later.wall - earlier.wall)
    }

    static func monotonicNanoseconds() -> UInt64 {
        clockNanoseconds(CLOCK_MONOTONIC)
    }
}

/// Turns the stages' readings into the status's `cpu` map, interval by interval: each call reports the
/// load since the previous call.
///
/// Threads: one caller at a time (the daemon keeps it under a lock).
struct StageLoadMeter: Sendable {
    private var previous: [String: StageClock.Reading] = [:]

    /// Load per stage name since the last call; 0 for a stage seen for the first time, which has no
    /// earlier reading to measure from.
    mutating func loads(of readings: [(String, StageClock.Reading)]) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, now) in readings {
            result[name] = previous[name].map { StageClock.load(from: $0, to: now) } ?? 0
            previous[name] = now
        }
        return result
    }
}
