import ArgumentParser
import FirAudio
import FirPipeline

extension BatchCommand {
    /// `--summarize DIR`: every shard's journal and report in DIR merged over the batch's job list. Prints
    /// the totals, then one line per failed job (with its error) and per missing job (with its shard) on
    /// stdout; `--report FILE` writes the merged report.
    ///
    /// Exit codes: 0 when every job is committed; when any failed, the batch's own (74, 66, 65 or the
    /// first failure's: fix the cause, then re-run); else 75 (EX_TEMPFAIL) when some are missing (run
    /// their shards again); 66 when DIR holds no batch.
    func runSummary(directory: String) throws {
        let journalPath = journal ?? (directory.hasSuffix("/") ? directory : directory + "/") + BatchStateFiles.journalName
        let summary: BatchSummary
        do throws(BatchSummary.Failure) { summary = try BatchSummary(journal: journalPath) } catch {
            throw fail(error.description, code: SysExits.noInput)
        }
        let failed = summary.results.filter { $0.status == .failed }
        let missing = summary.results.filter { $0.status == .missing }
        print(PlatformPath.displayed(
            "batch \(directory): \(summary.results.count) jobs: \(summary.count(.done)) done, "
                + "\(summary.count(.skipped)) skipped, \(failed.count) failed, \(missing.count) missing; "
                + BatchProgressLine.amount(summary.committedHours * 3600) + " of audio committed"))
        for result in failed {
            let place = result.origin.map { " (\($0))" } ?? ""
            // Most errors name the input first already; the others (a kernel's) get it in front.
            let message = result.error?.message ?? "no error recorded"
            let named = message.hasPrefix(result.input + ":") ? message : "\(result.input): \(message)"
            print(PlatformPath.displayed("failed\(place): \(named)"))
        }
        for result in missing {
            let shard = summary.shardOf[result.output].map { " (shard \($0))" } ?? ""
            print(PlatformPath.displayed("missing: \(result.input) -> \(result.output)\(shard)"))
        }
        if let report {
            do throws(AudioError) { try BatchReport.write(summary.results, to: report) } catch {
                throw fail(error.description, code: SysExits.code(for: JobError(audio: error).kind))
            }
        }
        if let code = Self.exitCode(summary.results) { throw ExitCode(code) }
        if !missing.isEmpty { throw ExitCode(SysExits.tempFail) }
    }
}
