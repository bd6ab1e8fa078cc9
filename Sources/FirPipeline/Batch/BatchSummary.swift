
/// What `firpipe batch --summarize DIR` finds of a batch, every shard merged: for each job of the job
/// list (``BatchJobList``), done or skipped when a journal holds it as committed and its output is
/// untouched (the journals decide, as they do for a re-run), failed when not committed and the last
/// report that names it says failed (with its error), missing otherwise — its shard never ran, was
/// killed, or was stopped before or while running it (an interrupted job is missing, not failed: running
/// its shard again is all it needs).
///
/// A job committed and reported done by its last run counts as done; committed otherwise (an earlier
/// run's, or a run killed before its report) as skipped.
///
/// Value type; built on the caller's thread.
public struct BatchSummary: Sendable {
    /// One per job, in the job list's order; output paths absolute.
    public let results: [BatchResult]
    /// Each missing job's shard (`I/N`), by output, when the batch was sharded.
    public let shardOf: [String: String]

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Merges the state kept beside `journal`: the job list, every shard's journal and every run's report.
    ///
    /// - Throws: when there is no job list there (no batch has started with this journal).
    public init(journal: String) throws(Failure) {
        let listPath = BatchJobList.path(besideJournal: journal)
        guard let rows = BatchJobList.read(listPath) else {
            throw Failure(description: "\(listPath): no batch job list here; give the OUT_DIR of a batch that has "
                + "started (or the manifest's directory), and --journal FILE if the batch used one")
        }
        let journals = BatchJournal(path: journal, alsoReading: BatchJournal.siblings(of: journal))
        var lastWord: [String: BatchResult] = [:]
        for path in BatchStateFiles.reports(besideJournal: journal) {
            for result in BatchReport.read(path) where result.status != .notRun {
                lastWord[BatchJournal.absolute(result.output)] = result
            }
        }
        var shardOf: [String: String] = [:]
        results = rows.map { row in
            let said = lastWord[row.output]
            var result = BatchResult(
                input: row.input, output: row.output, status: .missing, frames: 0, audioSeconds: row.audioSeconds,
                seconds: said?.seconds ?? 0, error: nil, warnings: [], origin: said?.origin)
            if journals.isCommitted(output: row.output, key: row.job) {
                result.status = said?.status == .done ? .done : .skipped
                result.frames = said?.status == .done ? said?.frames ?? 0 : 0
            } else if let said, said.status == .failed, said.error?.kind != .interrupted {
                result.status = .failed
                result.error = said.error
            } else if let shard = row.shard {
                shardOf[row.output] = shard
            }
            return result
        }
        self.shardOf = shardOf
    }

    /// Jobs with `status`.
    public func count(_ status: BatchResult.Status) -> Int { results.filter { $0.status == status }.count }

    /// Hours of input audio of the committed jobs.
    public var committedHours: Double {
        results.filter { $0.status == .done || $0.status == .skipped }.reduce(0) { $0 + $1.audioSeconds } / 3600
    }
}
