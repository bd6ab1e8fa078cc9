import Glibc

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

/// Turns the stages' readings into the status's `cpu` figures: each stage's CPU time since start, its
/// average share of a core since start, and its share over the last interval, that is since the
/// previous snapshot (a `status` call or a metrics write), or since start for the first.
///
/// Threads: one caller at a time (the daemon keeps it under a lock).
struct StageLoadMeter: Sendable {
    /// The daemon's start on the monotonic clock, when every stage's CPU time was zero.
    let start: UInt64
    private var previous: [String: StageClock.Reading] = [:]
    private var previousWall: UInt64

    init(start: UInt64) {
        self.start = start
        previousWall = start
    }

    mutating func figures(of readings: [(String, StageClock.Reading)], at wall: UInt64) -> DaemonStatus.CPU {
        let origin = StageClock.Reading(cpu: 0, wall: start)
        var cpu = DaemonStatus.CPU()
        cpu.intervalSeconds = Double(wall &- previousWall) / 1e9
        for (name, now) in readings {
            cpu.seconds[name] = Double(now.cpu) / 1e9
            cpu.loadSinceStart[name] = StageClock.load(from: origin, to: now)
            cpu.loadLastInterval[name] = StageClock.load(from: previous[name] ?? origin, to: now)
            previous[name] = now
        }
        previousWall = wall
        return cpu
    }
}
