import FirAudio
import FirCore
import Logging
import Synchronization
import Dispatch
internal import FoundationEssentials

/// How many files a spool holds at each stage, for the daemon's status.
public struct SpoolCounts: Sendable, Codable, Equatable {
    /// Complete in the inbox and waiting for a free job slot.
    public var queued: Int
    /// Being filtered now.
    public var running: Int
    /// Written to the outbox (and removed from the inbox) since the spool started.
    public var done: Int
    /// Moved to the failed directory since the spool started.
    public var failed: Int
    /// NaN or infinite input samples the finished jobs replaced by silence (`non_finite: zero`).
    public var nonFiniteSamples: Int

    public init(queued: Int = 0, running: Int = 0, done: Int = 0, failed: Int = 0, nonFiniteSamples: Int = 0) {
        self.queued = queued
        self.running = running
        self.done = done
        self.failed = failed
        self.nonFiniteSamples = nonFiniteSamples
    }
}

/// Spool mode's engine: every audio file that appears complete in the inbox is filtered into the outbox
/// under the same name, then removed from the inbox; a file that cannot be processed moves to the failed
/// directory beside a `NAME.error` line saying why.
///
/// Crash safety rests on the order of durable steps, with no state kept anywhere but the three
/// directories: the output is written to a temporary file and renamed into place (directory synced);
/// only then is the input removed (directory synced). A `kill -9` at any moment leaves the input in the
/// inbox, so a restart does the job again; at worst it replaces a complete output with an identical
/// one. Temporary outputs of a killed run are removed by ``start()``.
///
/// A failure on the output side (``JobError/Kind/cannotCreate``, ``JobError/Kind/ioError``: a full disk,
/// an outbox that became unwritable) is not the input's fault: the input stays in the inbox and the spool
/// pauses all jobs with a growing back-off (1 s doubling to 60 s) instead of failing file after file.
///
/// Threads: one intake thread watches the inbox; each job runs on a thread of its own, at most
/// `maxJobs` at once. Every public method may be called from any thread.
public final class Spool: Sendable {
    /// The directories and limits as started, with trailing slashes removed from the paths. The limits
    /// (`maxJobs`, `settleSeconds`) may change since, by ``update(makeSpec:limits:)``: ``limits`` has them.
    public let settings: SpoolSettings
    let logger: Logger
    let costModel: CostModel
    let state: Mutex<State>
    /// Entered for each job as it is taken from the queue, left when its thread is done with it.
    let inFlight = DispatchGroup()
    /// Held while choosing a name in the failed directory and moving a file there, so that two failing
    /// jobs never pick the same free name.
    let failedDirectory = Mutex<Void>(())
    /// Signalled by the intake thread as it ends.
    let intakeEnded = DispatchSemaphore(value: 0)

    /// How long ``drain(timeout:)`` waits, after cancelling, for cancelled jobs to remove their temporary
    /// outputs. Bounded: a job still loading its kernels notices the cancellation only when it streams.
    static let cancelGraceSeconds = 1.0

    enum Phase { case idle, starting, taking, stopped }

    /// What the intake thread, the job threads and the callers share, under `state`'s lock.
    struct State {
        var phase = Phase.idle
        var makeSpec: @Sendable (String, String) -> JobSpec
        /// `maxJobs` and `settleSeconds` in force; a reload changes them live.
        var limits: SpoolLimits
        /// Complete files waiting for a slot, first come first served; `queuedNames` mirrors it.
        var queue: [String] = []
        var queuedNames: Set<String> = []
        /// Names taken from the queue whose jobs have not ended: what `maxJobs` bounds.
        var running: Set<String> = []
        /// The jobs among them that exist already, for cancelling.
        var jobs: [String: FileFilterJob] = [:]
        /// A drain timed out: jobs not yet made are cancelled as soon as they are.
        var cancelling = false
        var done = 0
        var failed = 0
        /// Non-finite input samples silenced by the jobs that wrote their output.
        var nonFiniteSamples = 0
        var watcher: SpoolWatcher?
        /// No job starts before this instant: the output side failed and is given time.
        var pausedUntil: ContinuousClock.Instant?
        /// The last pause's length; doubles with each output-side failure, cleared by a success.
        var pause = Duration.zero

        /// Whether `name` is queued or running, and so not the intake's business.
        func isTaken(_ name: String) -> Bool {
            queuedNames.contains(name) || running.contains(name)
        }
    }

    /// - Parameters:
    ///   - settings: the directories (absolute paths) and limits; `maxJobs` within
    ///     ``SpoolSettings/maxJobsRange``, `settleSeconds` not negative.
    ///   - makeSpec: builds each job's spec from its input and output paths (kernels, gain, mode,
    ///     format from the config). Called on the job's own thread, outside any lock of the spool's. The spool sets the spec's
    ///     input and output to the paths it passed, and its `threads`, when `nil`, to the job's share of
    ///     the cores.
    ///   - logger: one line per event (job started, done, failed, paused), at info level or below.
    ///   - costModel: chooses block sizes when a spec leaves them open; the machine's measured model.
    public init(
        settings: SpoolSettings, makeSpec: @escaping @Sendable (String, String) -> JobSpec, logger: Logger,
        costModel: CostModel = .default
    ) {
        precondition(SpoolSettings.maxJobsRange.contains(settings.maxJobs), "maxJobs out of range")
        precondition(settings.settleSeconds >= 0, "settleSeconds is negative")
        var settings = settings
        settings.inbox = Self.trimmed(settings.inbox)
        settings.outbox = Self.trimmed(settings.outbox)
        settings.failed = Self.trimmed(settings.failed)
        self.settings = settings
        self.logger = logger
        self.costModel = costModel
        state = Mutex(State(makeSpec: makeSpec, limits: SpoolLimits(settings)))
    }

    /// Checks that the three directories exist, are distinct and writable (the inbox listable too),
    /// removes temporary outputs that a killed run left in the outbox and the failed directory, then
    /// starts watching the inbox and working. Files already in the inbox are taken once they settle.
    /// Call once, before anything else; after a throw it may be called again.
    ///
    /// - Throws: `.config` naming the directory when one is missing, not a directory, not writable or
    ///   the same as another; `.ioError` when the inbox cannot be watched (inotify limits); `.osError`
    ///   when its intake thread is refused.
    public func start() throws(JobError) {
        state.withLock { state in
            precondition(state.phase == .idle, "Spool.start called twice")
            state.phase = .starting
        }
        let watcher: SpoolWatcher
        do throws(JobError) {
            try checkAndClean()
            // Watch before the first scan, so that no file arriving in between goes unseen.
            do { watcher = try SpoolWatcher(directory: settings.inbox) } catch {
                throw JobError(.ioError, "spool inbox directory \(error); raise fs.inotify.max_user_instances "
                    + "or max_user_watches if they are exhausted")
            }
        } catch {
            state.withLock { state in if state.phase == .starting { state.phase = .idle } }
            throw error
        }
        let stoppedMeanwhile = state.withLock { state in
            guard state.phase == .starting else { return true }
            state.phase = .taking
            state.watcher = watcher
            return false
        }
        if stoppedMeanwhile { return }
        do throws(ResourceError) {
            try NamedThread.start("firpipe-spool") { [self] in
                runIntake(watcher)
                intakeEnded.signal()
            }
        } catch {
            // As if the intake had run and ended at once, so a later drain does not wait for it.
            intakeEnded.signal()
            throw JobError(error, path: settings.inbox, while: "starting the spool")
        }
        logger.info("spool started", metadata: [
            "inbox": "\(settings.inbox)", "outbox": "\(settings.outbox)", "failed": "\(settings.failed)",
            "max_jobs": "\(settings.maxJobs)",
        ])
    }

    /// The checks and clean-up of ``start()``.
    private func checkAndClean() throws(JobError) {
        let roles = [("inbox", settings.inbox), ("outbox", settings.outbox), ("failed", settings.failed)]
        var identities: [[UInt64]: String] = [:]
        for (role, path) in roles {
            do throws(SpoolSystemError) {
                let identity = try SpoolSystem.directoryIdentity(path)
                if let other = identities[identity] {
                    throw SpoolSystemError(path: path, what: "is the same directory as the spool's \(other)")
                }
                identities[identity] = role
                try SpoolSystem.probeWritable(path)
                if role == "inbox" { try SpoolSystem.probeListable(path) }
            } catch {
                throw JobError(.config, "spool \(role) directory \(error); the spool needs an existing, "
                    + "writable \(role) directory of its own")
            }
        }
        removeLeftovers(in: settings.outbox)
        removeLeftovers(in: settings.failed)
    }

    /// Stops taking new files: the intake thread ends (this waits for it, briefly) and queued files not
    /// yet started stay in the inbox for the next run. Jobs in flight continue. Idempotent.
    public func stopIntake() {
        let watcher: SpoolWatcher? = state.withLock { state in
            guard state.phase != .stopped else { return nil }
            let watcher = state.watcher
            state.phase = .stopped
            state.watcher = nil
            state.queue = []
            state.queuedNames = []
            return watcher
        }
        guard let watcher else { return }
        watcher.wake()
        intakeEnded.wait()
        logger.info("spool intake stopped")
    }

    /// Stops the intake (see ``stopIntake()``), then blocks until the jobs in flight finish or `timeout`
    /// seconds pass. On time-out it cancels the remaining jobs, whose inputs stay in the inbox and whose
    /// temporary outputs are removed, and waits up to ``cancelGraceSeconds`` more for them to unwind.
    ///
    /// - Returns: true if every job finished within `timeout`.
    public func drain(timeout: Double) -> Bool {
        stopIntake()
        if inFlight.wait(timeout: .now() + max(0, timeout)) == .success { return true }
        let jobs = state.withLock { state in
            state.cancelling = true
            return Array(state.jobs.values)
        }
        logger.info("spool drain timed out; cancelling jobs, their inputs stay in the inbox")
        for job in jobs { job.cancel() }
        _ = inFlight.wait(timeout: .now() + Self.cancelGraceSeconds)
        return false
    }

    /// The current counts. Any thread.
    public var counts: SpoolCounts {
        state.withLock {
            SpoolCounts(
                queued: $0.queue.count, running: $0.running.count, done: $0.done, failed: $0.failed,
                nonFiniteSamples: $0.nonFiniteSamples)
        }
    }

    /// The limits in force: as started, or as the last ``update(makeSpec:limits:)`` set them.
    public var limits: SpoolLimits { state.withLock { $0.limits } }

    /// Builds later jobs' specs with `makeSpec` and applies `limits` when given (a config reload): a
    /// larger `maxJobs` starts queued jobs at once, a smaller one lets running jobs finish and starts no
    /// more until they are under it; a new `settleSeconds` counts for files from the intake's next turn.
    /// Jobs in flight keep the spec they have.
    public func update(makeSpec: @escaping @Sendable (String, String) -> JobSpec, limits: SpoolLimits? = nil) {
        if let limits {
            precondition(SpoolSettings.maxJobsRange.contains(limits.maxJobs), "maxJobs out of range")
            precondition(limits.settleSeconds >= 0, "settleSeconds is negative")
        }
        let (old, now) = state.withLock { state in
            let old = state.limits
            state.makeSpec = makeSpec
            state.limits = limits ?? old
            return (old, state.limits)
        }
        let limits = now
        if old != limits {
            logger.info(
                "spool limits now max_jobs \(limits.maxJobs), settle_seconds \(limits.settleSeconds)",
                metadata: ["max_jobs": "\(limits.maxJobs)", "settle_seconds": "\(limits.settleSeconds)"])
        }
        logger.info("spool job settings updated")
        dispatch()
    }

    /// `path` without trailing slashes, so that names join with one; "/" stays "/".
    private static func trimmed(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}

/// The spool's limits a reload may change live.
public struct SpoolLimits: Sendable, Equatable {
    /// Jobs at once, within ``SpoolSettings/maxJobsRange``.
    public var maxJobs: Int
    /// How long a file written in place must stay unchanged, in seconds.
    public var settleSeconds: Double

    public init(_ settings: SpoolSettings) {
        maxJobs = settings.maxJobs
        settleSeconds = settings.settleSeconds
    }

    /// Threads given to each job's filter bank when its spec leaves the number open, so that `maxJobs`
    /// jobs together use about one thread per core.
    var threadsPerJob: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / maxJobs) }
}
