import ArgumentParser
import FirAudio
import FirCore
import FirPipeline
import Glibc

/// `firpipe process IN OUT --kernel K` and `firpipe process --config FILE`.
struct ProcessCommand: ParsableCommand {
    /// `_superCommandName` (the parser's, for commands run under another's name) only matters when this
    /// command is parsed on its own (``FirpipeMain/parse(_:)``): the parser then skips its search for
    /// `--generate-completion-script`, which parsed the arguments twice more, as two other commands
    /// (0.6 ms of a 1 s file's 10 ms `process`). That request, like help and every error, fails the
    /// parse on its own and is parsed again from `firpipe`, which answers it as before.
    static let configuration = CommandConfiguration(
        commandName: "process",
        _superCommandName: "firpipe",
        abstract: "Filter an audio file through FIR kernels into a new file.",
        discussion: """
            The output is written beside OUTPUT under a temporary name and renamed into place only when \
            complete. Exit codes follow sysexits: 64 usage, 65 bad data, 66 missing input, 71 too many open \
            files, 73 cannot create output, 74 I/O error, 78 config error.
            """
    )

    @Argument(help: "Input audio file.")
    var input: String?

    @Argument(help: "Output audio file.")
    var output: String?

    @OptionGroup var options: JobOptions

    @Flag(name: [.short, .long], help: "No progress bar or summary; warnings and errors still go to stderr.")
    var quiet = false

    func validate() throws { try options.requireFiles(input: input, output: output) }

    func run() throws {
        // A file-size limit must fail the write (EFBIG, reported, temp file removed), not kill us.
        signal(SIGXFSZ, SIG_IGN)
        let (spec, config) = try options.makeJob(input: input, output: output)
        // Measured plans from earlier runs (their import began before the command line was parsed);
        // new sizes are measured within a budget and saved for the next.
        let wisdom = WisdomStore()
        wisdom.usePolicy(.batch)
        wisdom.loadInBackground()
        defer { wisdom.saveIfChanged() }
        let costModel = CostModelStore(wisdom: wisdom).load() ?? .default
        let job = FileFilterJob(spec: spec, fromConfig: config != nil, costModel: costModel)
        let interrupts = Interrupts { job.cancel() }
        defer { interrupts.restore() }

        let bar = quiet ? nil : ProgressBar(label: spec.output)
        var progress: (@Sendable (Double) -> Void)?
        if let bar { progress = { bar.update($0) } }
        let summary: FileFilterJob.Summary
        do throws(JobError) {
            summary = try job.run(progress: progress)
            bar?.finish()
        } catch {
            bar?.finish()
            throw report(error, config: config)
        }
        for notice in summary.notices { printError("firpipe: " + notice) }
        if summary.clippedSamples > 0 {
            let perChannel = summary.clippedPerChannel.enumerated().filter { $0.element > 0 }
                .map { "ch\($0.offset) \($0.element)" }.joined(separator: ", ")
            printError(
                "firpipe: warning: \(summary.clippedSamples) samples clipped in \(summary.outputPath) (\(perChannel)); "
                    + "lower --gain-db, add --limit-db -1, or write float (--subtype float)")
        }
        if let first = summary.firstNonFinite {
            let n = summary.nonFiniteSamples
            printError(
                "firpipe: warning: \(spec.input): \(n) non-finite sample\(n == 1 ? "" : "s") (NaN or infinity) "
                    + "replaced by silence, the first at channel \(first.channel), frame \(first.frame)")
        }
        if summary.limitedFrames > 0 && !quiet {
            printError("firpipe: the limiter turned down \(summary.limitedFrames) frames")
        }
        if !quiet {
            printError(
                "firpipe: wrote \(summary.outputPath) (\(summary.channels) ch, \(summary.sampleRate) Hz, "
                    + "\(summary.format.container.rawValue) \(summary.format.sampleFormat.rawValue), "
                    + "\(summary.frames) frames; kernel \(summary.kernelTaps) taps, block \(summary.blockSize), "
                    + "transform \(summary.fftSize))")
        }
    }
}
