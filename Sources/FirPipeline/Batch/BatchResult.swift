/// How one job of a batch ended.
public struct BatchResult: Sendable {
    public enum Status: String, Sendable {
        /// Filtered and committed in this run.
        case done
        /// Committed by an earlier run and untouched since (the journal).
        case skipped
        /// Not written; ``error`` says why.
        case failed
        /// Not started: the batch stopped first (`--fail-fast`, an interrupt).
        case notRun = "not-run"
        /// Committed by no shard and tried by none (`--summarize` only): the shard that holds it never
        /// ran, or was stopped before it.
        case missing
    }

    public var input: String
    public var output: String
    public var status: Status
    /// Output frames written (0 unless done).
    public var frames: Int
    /// Audio seconds of the input, when its header could be read.
    public var audioSeconds: Double
    /// Wall time the job took, retries and pauses included.
    public var seconds: Double
    public var error: JobError?
    /// One line each: clipping, silenced non-finite samples, resampled kernels.
    public var warnings: [String]
    /// Where the job came from (`manifest.csv:12`), when a manifest gave it.
    public var origin: String?
}

/// The batch's counts as it runs, for a progress line.
public struct BatchProgress: Sendable {
    public var total: Int
    public var done: Int
    public var skipped: Int
    public var failed: Int
    /// Seconds of input audio of the jobs finished (done or skipped).
    public var audioSeconds: Double
    /// Seconds of input audio of every job, as far as the headers told.
    public var totalAudioSeconds: Double
}
