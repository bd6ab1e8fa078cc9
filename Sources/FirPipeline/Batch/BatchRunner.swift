import FirAudio
import FirCore
import Synchronization
internal import FoundationEssentials

/// Runs a batch's jobs in one process: long files one after another, each with the within-file
/// parallelism of `process` (every core), then short files side by side, one per worker on a single
/// thread each, so the cores stay busy whatever the mix. At most `workers` files are in flight, so
/// memory does not grow with the number of files. Kernels and transforms are made once
/// (``SharedKernels``), FFT plans once (the planner's cache).
///
/// Each output goes through ``FileFilterJob`` and so the atomic path; finished outputs are flushed,
/// renamed and recorded in the ``BatchJournal`` in groups by the ``BatchCommitter`` on a thread of its
/// own, and a re-run skips what the journal holds. A failed job does not stop the
/// others (unless `failFast`); an I/O error (a full disk) pauses the job and retries it before giving up.
///
/// Threads: `run` blocks its caller and runs jobs on threads of its own; `cancel` from any thread.
public final class BatchRunner: Sendable {
    public struct Settings: Sendable {
        /// Files in flight at once; one per core by default.
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        /// Inputs at least this long run alone with every core (``FileFilterJob``'s own split).
        public var longSeconds = 60.0
        /// Stop starting jobs after the first failure.
        public var failFast = false
        /// Redo jobs the journal holds.
        public var force = false
        /// Pauses before the retries of a job that met an I/O error (a full disk), doubling.
        public var retryPauses: [Double] = [1, 2, 4, 8]
        /// Told, on the job's worker thread, before each such pause: the error and the pause's length.
        public var onRetry: @Sendable (JobError, Double) -> Void = { _, _ in }
        public init() {}
    }

    public let jobs: [BatchJob]
    public let settings: Settings
    public let kernels = SharedKernels()
    private let journal: BatchJournal?
    private let costModel: CostModel
    /// No job starts once set: `failFast` after a failure, or a cancel.
    private let stopping = Atomic<Bool>(false)
    /// Set by ``cancel()``: a job made after it is cancelled at once.
    private let cancelled = Atomic<Bool>(false)
    private let state: Mutex<State>
    private let progress: @Sendable (BatchProgress) -> Void

    private struct State {
        var results: [BatchResult?]
        var running: [Int: FileFilterJob] = [:]
        var counts: BatchProgress
    }

    /// - Parameters:
    ///   - journal: committed jobs to skip and record; nil for none.
    ///   - progress: called after each job ends, on that job's worker thread.
    public init(
        jobs: [BatchJob], journal: BatchJournal?, settings: Settings, costModel: CostModel = .default,
        progress: @escaping @Sendable (BatchProgress) -> Void = { _ in }
    ) {
        self.jobs = jobs
        self.journal = journal
        self.settings = settings
        self.costModel = costModel
        self.progress = progress
        state = Mutex(State(
            results: Array(repeating: nil, count: jobs.count),
            counts: BatchProgress(total: jobs.count, done: 0, skipped: 0, failed: 0, audioSeconds: 0, totalAudioSeconds: 0)))
    }

    /// Stops starting jobs and cancels those running (their temporary outputs go). Any thread.
    public func cancel() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        stopping.store(true, ordering: .sequentiallyConsistent)
        for job in state.withLock({ Array($0.running.values) }) { job.cancel() }
    }

    /// Runs every job; returns one result per job, in the jobs' order.
    public func run() -> [BatchResult] {
        removeLeftovers()
        let lengths = jobs.map(Self.audioSeconds)
        state.withLock { $0.counts.totalAudioSeconds = lengths.compactMap { $0 }.reduce(0, +) }
        let long = jobs.indices.filter { (lengths[$0] ?? 0) >= settings.longSeconds }
        let short = jobs.indices.filter { (lengths[$0] ?? 0) < settings.longSeconds }
        let committer = BatchCommitter(capacity: 2 * Swift.max(settings.workers, 1), journal: journal) { [self] i, result in
            ended(i, result)
        }
        // Without a thread of its own (the system refused it) each job commits its own output.
        let commits = (try? NamedThread.start("firpipe-commit") { committer.run() }) != nil ? committer : nil
        for i in long where !stopping.load(ordering: .relaxed) {
            runJob(i, threads: nil, audioSeconds: lengths[i] ?? 0, committer: commits)
        }
        let next = Atomic<Int>(0)
        let workers = Swift.max(1, Swift.min(settings.workers, short.count))
        NamedThread.perform("firpipe-batch", iterations: workers) { [self] _ in
            while !stopping.load(ordering: .relaxed) {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < short.count else { break }
                runJob(short[k], threads: 1, audioSeconds: lengths[short[k]] ?? 0, committer: commits)
            }
        }
        if let commits {
            commits.close()
            commits.waitUntilDone()
        }
        return state.withLock { state in
            jobs.indices.map { i in
                state.results[i] ?? BatchResult(
                    input: jobs[i].input, output: jobs[i].output, status: .notRun, frames: 0,
                    audioSeconds: lengths[i] ?? 0, seconds: 0, error: nil, warnings: [], origin: jobs[i].origin)
            }
        }
    }

    /// The input's length from its header, or nil when it cannot be read (the job reports why).
    public static func audioSeconds(_ job: BatchJob) -> Double? {
        guard job.spec != nil, let reader = try? AudioFileReader(path: job.input) else { return nil }
        defer { reader.close() }
        return reader.info.sampleRate > 0 ? Double(reader.info.frames) / Double(reader.info.sampleRate) : nil
    }

    /// What killed runs left beside the outputs, including those of jobs this run will skip.
    private func removeLeftovers() {
        var seen = Set<String>()
        for job in jobs {
            let directory = PathName.openableDirectory(of: job.output)
            if seen.insert(directory).inserted { AtomicOutputFile.removeLeftovers(in: directory) }
        }
    }

    /// Runs job `i` (or skips it, by the journal) and records its result, or hands its output to
    /// `committer`, which records it once committed. A worker's thread.
    private func runJob(_ i: Int, threads: Int?, audioSeconds: Double, committer: BatchCommitter?) {
        let job = jobs[i]
        let began = ContinuousClock.now
        var result = BatchResult(
            input: job.input, output: job.output, status: .failed, frames: 0, audioSeconds: audioSeconds,
            seconds: 0, error: nil, warnings: [], origin: job.origin)
        do throws(JobError) {
            guard var spec = job.spec else { throw job.setupError ?? JobError(.usage, "\(job.input): no job") }
            let key = BatchJournal.key(of: job)
            if !settings.force, journal?.isDone(job, key: key) == true {
                result.status = .skipped
            } else {
                if spec.threads == nil { spec.threads = threads }
                try Self.makeDirectory(for: spec.output)
                let summary = try attempts(i, spec: spec, fromConfig: job.fromConfig, commitsLater: committer != nil)
                result.status = .done
                result.frames = summary.frames
                result.warnings = Self.warnings(summary, spec: spec)
                if let committer, let output = summary.uncommitted {
                    result.seconds = (ContinuousClock.now - began) / .seconds(1)
                    committer.submit(.init(index: i, job: job, key: key, output: output, result: result))
                    return
                }
                try journal?.record(job, key: key)
            }
        } catch {
            result.status = .failed
            result.error = error
        }
        result.seconds = (ContinuousClock.now - began) / .seconds(1)
        ended(i, result)
    }

    /// Records job `i`'s final result and tells the progress callback. A worker's or the commit thread.
    private func ended(_ i: Int, _ result: BatchResult) {
        if let error = result.error, settings.failFast || error.kind == .interrupted {
            stopping.store(true, ordering: .relaxed)
        }
        let audioSeconds = result.audioSeconds
        let counts = state.withLock { state in
            state.results[i] = result
            switch result.status {
            case .done: state.counts.done += 1
            case .skipped: state.counts.skipped += 1
            default: state.counts.failed += 1
            }
            if result.status != .failed { state.counts.audioSeconds += audioSeconds }
            return state.counts
        }
        progress(counts)
    }

    /// The job, run until it succeeds, fails for its own reasons, or has met an I/O error (a full disk)
    /// once more than there are pauses.
    private func attempts(
        _ i: Int, spec: JobSpec, fromConfig: Bool, commitsLater: Bool
    ) throws(JobError) -> FileFilterJob.Summary {
        var attempt = 0
        while true {
            let job = FileFilterJob(
                spec: spec, fromConfig: fromConfig, costModel: costModel, startThread: NamedThread.start,
                shared: kernels, commitsLater: commitsLater)
            state.withLock { $0.running[i] = job }
            if cancelled.load(ordering: .sequentiallyConsistent) { job.cancel() }
            defer { _ = state.withLock { $0.running.removeValue(forKey: i) } }
            do {
                return try job.run()
            } catch {
                guard error.kind == .ioError, attempt < settings.retryPauses.count,
                      !cancelled.load(ordering: .relaxed)
                else { throw error }
                settings.onRetry(error, settings.retryPauses[attempt])
                CurrentThread.sleep(seconds: settings.retryPauses[attempt])
                attempt += 1
            }
        }
    }

    /// Creates the output's directory and those above it, as the mirrored tree needs.
    private static func makeDirectory(for output: String) throws(JobError) {
        let directory = PathName.directory(of: output)
        guard !directory.isEmpty else { return }
        if let failure = makeDirectories(directory) {
            throw JobError(.cannotCreate, "\(directory): cannot create the output directory (\(errnoText(failure.code))); "
                + "check the permissions of the output tree")
        }
    }

    /// The lines `process` would print as warnings for this job.
    private static func warnings(_ summary: FileFilterJob.Summary, spec: JobSpec) -> [String] {
        var lines: [String] = []
        if summary.clippedSamples > 0 {
            lines.append("warning: \(summary.clippedSamples) samples clipped in \(summary.outputPath); "
                + "lower --gain-db, add --limit-db -1, or write float (--subtype float)")
        }
        if summary.nonFiniteSamples > 0 {
            lines.append("warning: \(spec.input): \(summary.nonFiniteSamples) non-finite samples replaced by silence")
        }
        return lines
    }
}
