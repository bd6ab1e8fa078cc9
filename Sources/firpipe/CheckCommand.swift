import ArgumentParser
import FirPipeline

/// `firpipe check --config FILE`: everything `process` would check, without writing anything.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config (or command line): files, kernels, formats. Writes nothing.",
        discussion: "Exit 0 when the job would run; otherwise one line on stderr and the process exit code."
    )

    @Argument(help: "Input audio file (optional with --config).")
    var input: String?

    @Argument(help: "Output audio file (optional with --config).")
    var output: String?

    @OptionGroup var options: JobOptions

    func run() throws {
        let (spec, config) = try options.makeJob(input: input, output: output)
        let plan: FileFilterJob.Plan
        do throws(JobError) { plan = try FileFilterJob(
            spec: spec, fromConfig: config != nil,
            costModel: CostModelStore(wisdom: WisdomStore()).load() ?? .default).prepare() } catch {
            throw report(error, config: config)
        }
        let where_ = config.map { " (\($0.path))" } ?? ""
        print(
            "ok\(where_): \(spec.input) → \(spec.output): \(plan.input.channels) ch, \(plan.input.sampleRate) Hz, "
                + "\(plan.input.frames) frames; kernel \(plan.kernelTaps) taps; block \(plan.blockSize); "
                + "\(plan.format.container.rawValue) \(plan.format.sampleFormat.rawValue)")
    }
}
