import ArgumentParser
import FirAudio
import FirCore
import FirPipeline
import Glibc
import FoundationEssentials

/// `firpipe batch IN_DIR OUT_DIR -k K` and `firpipe batch --manifest FILE`: many files in one process.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Filter every audio file of a directory tree, or of a manifest, in one process.",
        discussion: """
            Each kernel is loaded and transformed once; short files run side by side, one per core, long \
            ones one at a time on every core. Outputs are renamed into place one by one and recorded in a \
            journal; a re-run skips what is done (--force redoes it). A failed file does not stop the \
            others: each gets one line, and the exit code at the end is 65, 66 or 74 (or the code of \
            the first other failure) when any failed.
            """
    )

    @Argument(help: "Input directory, searched recursively for audio files (.wav .flac .aif .aiff .w64 .rf64 .caf).")
    var inputDirectory: String?

    @Argument(help: "Output directory: the input tree is mirrored into it.")
    var outputDirectory: String?

    @Option(help: "CSV (header input,output[,kernel,config,gain_db]) or JSON Lines, one job a row; relative paths resolve against it.")
    var manifest: String?

    @OptionGroup var options: JobOptions

    @Flag(help: "Redo jobs the journal records as done.")
    var force = false

    @Flag(name: .customLong("fail-fast"), help: "Start no more jobs after the first failure.")
    var failFast = false

    @Option(help: "Write a JSON Lines report here: input, output, status, frames, seconds, error.")
    var report: String?

    @Option(help: "The journal of committed jobs (default: .firpipe-batch-journal in OUT_DIR, or beside the manifest).")
    var journal: String?

    @Option(help: "Files in flight at once (default: one per core).")
    var jobs: Int?

    @Option(help: "Run only shard I of N (I from 0), split by audio length; default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX.")
    var shard: String?

    @Option(help: "Shards in all for a Kubernetes Indexed Job (its completions), with JOB_COMPLETION_INDEX.")
    var shards: Int?

    @Flag(name: [.short, .long], help: "No progress line or summary; failures and warnings still go to stderr.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Merge the journals and reports every shard left in DIR (OUT_DIR, or the manifest's directory) and list what failed and what no shard committed; run nothing.",
        valueName: "DIR"))
    var summarize: String?

    func validate() throws {
        if summarize != nil {
            guard manifest == nil, inputDirectory == nil else {
                throw ValidationError("--summarize DIR reads a batch's state; give no directories or manifest with it")
            }
            return
        }
        if manifest == nil && (inputDirectory == nil || outputDirectory == nil) {
            throw ValidationError("give IN_DIR and OUT_DIR, or --manifest FILE")
        }
        if manifest != nil && outputDirectory != nil {
            throw ValidationError("--manifest names every output; give no directories with it")
        }
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs \(jobs) is out of range; use 1...256") }
        if let shard, BatchShard(parsing: shard) == nil {
            throw ValidationError("--shard \(shard) is not I/N with 0 <= I < N, e.g. --shard 0/4")
        }
        if let shards, shards < 1 { throw ValidationError("--shards \(shards) must be at least 1") }
    }

    func run() throws {
        if let summarize {
            try runSummary(directory: summarize)
            return
        }
        signal(SIGXFSZ, SIG_IGN)
        let builder = try BatchJobBuilder(options: options)
        let jobs: [BatchJob]
        let journalPath: String
        if let manifest {
            let parsed: BatchManifest
            do throws(BatchManifest.Failure) { parsed = try BatchManifest(path: manifest) } catch {
                let code = switch error.kind {
                case .missing: SysExits.noInput
                case .schema: SysExits.config
                case .value: SysExits.dataError
                }
                throw fail(error.description, code: code)
            }
            jobs = try parsed.rows.map { row in try builder.job(row: row, manifest: manifest) }
            let directory = PathName.directory(of: manifest)
            journalPath = journal ?? (directory.isEmpty ? "" : directory + "/") + BatchStateFiles.journalName
        } else {
            let (inDir, outDir) = (inputDirectory!, outputDirectory!)
            let pairs: [(input: String, output: String)]
            do throws(BatchPlan.Failure) {
                pairs = try BatchPlan.scan(inputDirectory: inDir, outputDirectory: outDir, container: options.format)
            } catch {
                throw fail(error.description, code: error.missing ? SysExits.noInput : SysExits.usage)
            }
            if pairs.isEmpty { printError("firpipe: \(inDir): no audio files found") }
            jobs = try pairs.map { try builder.job(input: $0.input, output: $0.output) }
            try? FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            journalPath = journal ?? outDir + "/" + BatchStateFiles.journalName
        }
        let lengths = jobs.map { BatchRunner.audioSeconds($0) ?? 0 }
        guard let shard = try chosenShard() else {
            writeJobList(BatchJobList.rows(jobs, lengths: lengths, shardOf: nil, shards: 1), journalPath: journalPath)
            try runJobs(jobs, journalPath: journalPath, builder: builder)
            return
        }
        let shardOf = BatchShard.assign(lengths: lengths, names: jobs.map(\.input), shards: shard.count)
        writeJobList(BatchJobList.rows(jobs, lengths: lengths, shardOf: shardOf, shards: shard.count), journalPath: journalPath)
        let mine = jobs.indices.filter { shardOf[$0] == shard.index }.map { jobs[$0] }
        if !quiet { printError("firpipe: batch shard \(shard): \(mine.count) of \(jobs.count) jobs") }
        try runJobs(mine, journalPath: journalPath, builder: builder, shard: shard)
    }

    /// `--shard`, else the job engine's environment, else none.
    private func chosenShard() throws -> BatchShard? {
        if let shard { return BatchShard(parsing: shard) }
        switch BatchShard.fromEnvironment(ProcessInfo.processInfo.environment, shards: shards) {
        case nil: return nil
        case .success(let shard)?: return shard
        case .failure(let error)?: throw fail(error.description, code: SysExits.usage)
        }
    }

    /// Writes the whole batch's job list beside the journal, for `--summarize`; a failure costs only that.
    private func writeJobList(_ rows: [BatchJobList.Row], journalPath: String) {
        do throws(AudioError) {
            try BatchJobList.write(rows, to: BatchJobList.path(besideJournal: journalPath))
        } catch {
            printError("firpipe: batch job list " + error.description + "; --summarize will not know this batch")
        }
    }

    /// `path` with `-shard-I-of-N` before its extension, for each shard's own report.
    static func shardPath(_ path: String, _ shard: BatchShard) -> String {
        let ext = PathName.fileExtension(path)
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return stem + "-shard-\(shard.index)-of-\(shard.count)" + (ext.isEmpty ? "" : "." + ext)
    }

    /// Runs `jobs`; a shard writes its own journal and report (`-shard-I-of-N`) and reads every shard's
    /// journal, so a re-run with another split still skips what is done.
    private func runJobs(
        _ jobs: [BatchJob], journalPath: String, builder: BatchJobBuilder, shard: BatchShard? = nil
    ) throws {
        let wisdom = WisdomStore()
        wisdom.usePolicy(.batch)
        wisdom.loadInBackground()
        defer { wisdom.saveIfChanged() }
        let costModel = CostModelStore(wisdom: wisdom).load() ?? .default
        var settings = BatchRunner.Settings()
        if let workers = self.jobs { settings.workers = workers }
        settings.force = force
        settings.failFast = failFast
        // Said even with -q: a batch that stops moving must say why.
        settings.onRetry = { error, pause in
            printError("firpipe: \(error.message); retrying in \(Int(pause)) s")
        }
        let line = quiet ? nil : BatchProgressLine()
        let runner = BatchRunner(
            jobs: jobs,
            journal: BatchJournal(
                path: shard.map { journalPath + "-shard-\($0.index)-of-\($0.count)" } ?? journalPath,
                alsoReading: BatchJournal.siblings(of: journalPath)),
            settings: settings, costModel: costModel,
            progress: { line?.update($0) })
        let interrupts = Interrupts { runner.cancel() }
        let began = Date()
        let results = runner.run()
        interrupts.restore()
        line?.finish()
        for result in results {
            for warning in result.warnings { printError("firpipe: " + warning) }
            guard let error = result.error else { continue }
            let place = result.origin.map { "\($0): " } ?? ""
            printError("firpipe: " + place + builder.describe(error, output: result.output))
        }
        if let report {
            do throws(AudioError) {
                try BatchReport.write(results, to: shard.map { Self.shardPath(report, $0) } ?? report)
            } catch {
                printError("firpipe: report " + error.description)
            }
        }
        // The run's own report beside the journal, outputs absolute, for --summarize.
        var kept = results
        for i in kept.indices { kept[i].output = BatchJournal.absolute(kept[i].output) }
        do throws(AudioError) {
            try BatchReport.write(kept, to: BatchStateFiles.report(besideJournal: journalPath, shard: shard))
        } catch {
            printError("firpipe: batch state " + error.description + "; --summarize will count this run's jobs from the journal")
        }
        let failed = results.filter { $0.status == .failed }
        let count = { (s: BatchResult.Status) in results.filter { $0.status == s }.count }
        if !quiet || !failed.isEmpty {
            let hours = results.filter { $0.status == .done }.reduce(0) { $0 + $1.audioSeconds } / 3600
            var summary = "firpipe: batch: \(count(.done)) done, \(count(.skipped)) skipped (journal), "
                + "\(failed.count) failed"
            if count(.notRun) > 0 { summary += ", \(count(.notRun)) not run" }
            summary += String(cFormat: "; %.3f h of audio in %.1f s", hours, Date().timeIntervalSince(began))
            let made = runner.kernels.counts
            summary += "; \(made.loaded) kernel file\(made.loaded == 1 ? "" : "s") loaded, "
                + "\(made.transformed) transform\(made.transformed == 1 ? "" : "s") made"
            if !failed.isEmpty {
                let names = failed.prefix(5).map(\.input).joined(separator: ", ")
                summary += "; failed: " + names + (failed.count > 5 ? " and \(failed.count - 5) more" : "")
            }
            printError(summary)
        }
        if let code = Self.exitCode(results) { throw ExitCode(code) }
    }

    /// 130 when interrupted; else, when any job failed, 74 for an I/O error, 66 for a missing input or
    /// kernel, 65 for bad data, in that order, or the first other failure's code.
    static func exitCode(_ results: [BatchResult]) -> Int32? {
        let kinds = results.compactMap { $0.error?.kind }
        guard let first = kinds.first else { return nil }
        for kind in [JobError.Kind.interrupted, .ioError, .missingInput, .badData] where kinds.contains(kind) {
            return SysExits.code(for: kind)
        }
        return SysExits.code(for: first)
    }
}
