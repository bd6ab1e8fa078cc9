import ArgumentParser
import FirCore
import FirPipeline

extension ConvolutionMode: CaseArgument {}
extension OutputLength: CaseArgument {}
extension ContainerName: CaseArgument {}
extension SampleFormatName: CaseArgument {}
extension DitherMode: CaseArgument {}
extension NonFiniteMode: CaseArgument {}

/// Options shared by `process` and `check`: everything a config file can also say.
struct JobOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Kernel file: audio (any format libsndfile reads) or text, one coefficient a line.")
    var kernel: String?

    @Option(name: .long, help: "YAML config naming input, output, kernels and settings; options given here win.")
    var config: String?

    @Option(help: "convolve or correlate (cross-correlation, as scipy.signal.correlate).")
    var mode: ConvolutionMode?

    @Option(help: "full (input + kernel - 1, the default), same (input length, centred) or valid.")
    var length: OutputLength?

    // Unconditional so that `--gain-db -6` works: a negative number is not another option.
    @Option(name: .customLong("gain-db"), parsing: .unconditional, help: "Gain in dB for every channel.")
    var gainDB: Double?

    @Option(name: .customLong("block-size"), help: "Uniform partitions of this many samples (default: the cost model's plan).")
    var blockSize: Int?

    @Option(help: "Worker threads (default: one per core; two per core when the channels divide evenly among them).")
    var threads: Int?

    // Two names: `--format` as `process` always had it, `--output-format` as `batch` was specified;
    // either works with either command.
    @Option(
        name: [.customLong("format"), .customLong("output-format")],
        help: "Output container: wav, wavex, flac, aiff, w64, rf64, caf (default: from the output's extension).")
    var format: ContainerName?

    @Option(help: "Output samples: pcm16, pcm24, pcm32, float, double (default: the input's).")
    var subtype: SampleFormatName?

    @Flag(name: .customLong("resample-kernels"), help: "Resample kernels recorded at another rate than the input's (libsoxr, very high quality) instead of refusing them.")
    var resampleKernels = false

    @Option(help: "Dither for integer output: tpdf (triangular, ±1 LSB) or none (the default).")
    var dither: DitherMode?

    @Option(name: .customLong("dither-seed"), help: "Seed of the dither's noise (default 1): the same seed gives the same file.")
    var ditherSeed: UInt64?

    // Unconditional so that `--limit-db -1` works.
    @Option(name: .customLong("limit-db"), parsing: .unconditional, help: "Peak limiter ceiling in dBFS (-60 to 0), 5 ms look-ahead (default: no limiter).")
    var limitDB: Double?

    @Option(name: .customLong("non-finite"), help: "A NaN or infinite input sample: error (exit 65 naming its channel and frame, the default) or zero (silence, counted).")
    var nonFinite: NonFiniteMode?

    func validate() throws {
        if let b = blockSize, !JobSpec.blockSizeRange.contains(b) {
            throw ValidationError(
                "--block-size \(b) is out of range; use \(JobSpec.blockSizeRange.lowerBound)...\(JobSpec.blockSizeRange.upperBound)")
        }
        if let t = threads, !JobSpec.threadRange.contains(t) {
            throw ValidationError("--threads \(t) is out of range; use \(JobSpec.threadRange.lowerBound)...\(JobSpec.threadRange.upperBound)")
        }
        if let l = limitDB, !JobSpec.limitRange.contains(l) {
            throw ValidationError("--limit-db \(l) is out of range; use -60 to 0 dBFS")
        }
        if let g = gainDB, !g.isFinite || abs(g) > 200 {
            throw ValidationError("--gain-db \(g) is out of range; use a finite value within ±200 dB")
        }
    }

    /// The command line's values as config overrides: each flag sets its option of ``JobOptionSchema``.
    func overrides(input: String?, output: String?) -> ConfigOverrides {
        var o = ConfigOverrides(input: input, output: output, kernel: kernel)
        o.settings.set(JobOptionSchema.mode, mode)
        o.settings.set(JobOptionSchema.length, length)
        o.settings.set(JobOptionSchema.gainDB, gainDB)
        o.settings.set(JobOptionSchema.blockSize, blockSize)
        o.settings.set(JobOptionSchema.threads, threads)
        o.settings.set(JobOptionSchema.container, format)
        o.settings.set(JobOptionSchema.sampleFormat, subtype)
        o.settings.set(JobOptionSchema.resampleKernels, resampleKernels ? true : nil)
        o.settings.set(JobOptionSchema.dither, dither)
        o.settings.set(JobOptionSchema.ditherSeed, ditherSeed)
        o.settings.set(JobOptionSchema.limitDB, limitDB)
        o.settings.set(JobOptionSchema.nonFinite, nonFinite)
        return o
    }

    /// Without `--config`, the command line must name the files. Called from the commands' `validate()`,
    /// so the parser reports a missing one with that command's usage, not `firpipe`'s.
    func requireFiles(input: String?, output: String?) throws {
        guard config == nil else { return }
        guard input != nil, output != nil else {
            throw ValidationError("give INPUT and OUTPUT files, or --config FILE")
        }
        guard kernel != nil else {
            throw ValidationError("give a kernel with --kernel FILE, or use --config FILE")
        }
    }

    /// Builds the job: from the config file merged with the command line, or from the command line alone.
    /// Returns the config too, to place later errors in it.
    func makeJob(input: String?, output: String?) throws -> (JobSpec, ConfigFile?) {
        let overrides = overrides(input: input, output: output)
        if let path = config {
            do throws(ConfigError) {
                let file = try ConfigFile.load(path: path)
                return (try file.resolve(overrides), file)
            } catch {
                throw fail(error.description, code: SysExits.config)
            }
        }
        try requireFiles(input: input, output: output)
        guard let input, let output, let kernel else { preconditionFailure("checked by requireFiles") }
        let spec = JobSpec(input: input, output: output, kernels: .shared(path: kernel))
        return (overrides.settings.applied(to: spec), nil)
    }
}

/// Turns a job error into firpipe's one stderr line and exit code, placing config-related errors in
/// the config file.
func report(_ error: JobError, config: ConfigFile?) -> ExitCode {
    if let config, let located = config.located(error) {
        return fail(located.description, code: SysExits.config)
    }
    return fail(error.message, code: SysExits.code(for: error.kind))
}
