import ArgumentParser
import FirAudio
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

    @Flag(name: .customLong("list-options"), help: "Print the config's job options and serve keys as the README's table rows, and exit.")
    var listOptions = false

    func validate() throws {
        if !listOptions { try options.requireFiles(input: input, output: output) }
    }

    func run() throws {
        if listOptions {
            print(JobOptionSchema.markdownTable + "\n\n" + ServeOptionSchema.markdownTable)
            return
        }
        // A daemon's config (a serve section and no input) is checked as `firpipe serve` would load it.
        if input == nil, let path = options.config, let file = try? ConfigFile.load(path: path),
           file.serve != nil, file.input == nil {
            try checkServe(path)
            return
        }
        let (spec, config) = try options.makeJob(input: input, output: output)
        let plan: FileFilterJob.Plan
        do throws(JobError) { plan = try FileFilterJob(
            spec: spec, fromConfig: config != nil,
            costModel: CostModelStore(wisdom: WisdomStore()).load() ?? .default).prepare() } catch {
            throw report(error, config: config)
        }
        let where_ = config.map { " (\($0.path))" } ?? ""
        print(
            "ok\(where_): \(PlatformPath.displayed(spec.input)) → \(PlatformPath.displayed(spec.output)): "
                + "\(plan.input.channels) ch, \(plan.input.sampleRate) Hz, "
                + "\(plan.input.frames) frames; kernel \(plan.kernelTaps) taps; "
                + "block \(plan.blockSize), transform \(plan.blocks.fftSize); "
                + "\(plan.format.container.rawValue) \(plan.format.sampleFormat.rawValue)")
    }

    /// Everything `serve` checks before it is ready: the serve section, the pipes, and the kernels
    /// (loaded, and for a stream matched against its channels and rate).
    private func checkServe(_ path: String) throws {
        let serve: ServeConfig
        do throws(ConfigError) { serve = try ServeConfig.load(path: path) } catch {
            throw fail(error.description, code: SysExits.config)
        }
        do throws(JobError) {
            switch serve.settings.work {
            case .stream(let stream):
                let matrix = try serve.streamMatrix(stream)
                let block = serve.blockSize ?? ServeSettings.defaultBlockSize
                let routing = matrix.outputs == stream.channels ? "" : " into \(matrix.outputs) ch"
                let devices = stream.alsa == nil ? "" : " on ALSA (\(stream.deviceSummary))"
                print(
                    "ok (\(path)): serve stream \(stream.channels) ch\(routing) \(stream.format.rawValue) at "
                        + "\(stream.sampleRate) Hz\(devices); kernel \(matrix.longestTaps) taps; latency "
                        + "\(block * stream.primingBlocks) samples")
            case .spool(let spool):
                try serve.checkKernels()
                print("ok (\(path)): serve spool \(spool.inbox) → \(spool.outbox), up to \(spool.maxJobs) jobs at once")
            }
        } catch {
            throw report(error, config: serve.file)
        }
    }
}
