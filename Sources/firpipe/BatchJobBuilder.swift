import ArgumentParser
import FirAudio
import FirPipeline

/// Makes each batch job's spec as `process` would from the same command line: the command line's
/// options over the config file (`--config`, or a manifest row's own), a manifest row's kernel and gain
/// over both. Config files are read once each.
final class BatchJobBuilder {
    private let options: JobOptions
    private let base: ConfigOverrides
    private let config: ConfigFile?
    /// Manifest rows' config files by path: the file, or why it cannot be used.
    private var rowConfigs: [String: Result<ConfigFile, ConfigError>] = [:]
    /// The config each output's job came from, to place its errors in the file.
    private var configOf: [String: ConfigFile] = [:]

    /// - Throws: exit 78 with the config file's error.
    init(options: JobOptions) throws {
        self.options = options
        base = options.overrides(input: nil, output: nil)
        if let path = options.config {
            do throws(ConfigError) { config = try ConfigFile.load(path: path) } catch {
                throw fail(error.description, code: SysExits.config)
            }
        } else {
            config = nil
        }
    }

    /// A directory batch's job.
    func job(input: String, output: String) throws -> BatchJob {
        guard config != nil || options.kernel != nil else {
            throw ValidationError("give a kernel with --kernel FILE, or use --config FILE")
        }
        return make(input: input, output: output, kernel: nil, gainDB: nil, config: config, origin: nil)
    }

    /// A manifest row's job; its config file, if it names one, replaces `--config`.
    func job(row: BatchManifest.Row, manifest: String) throws -> BatchJob {
        let origin = "\(manifest):\(row.line)"
        var rowConfig = config
        if let path = row.config {
            let loaded = rowConfigs[path] ?? Result { () throws(ConfigError) in try ConfigFile.load(path: path) }
            rowConfigs[path] = loaded
            switch loaded {
            case .success(let file): rowConfig = file
            case .failure(let error):
                return BatchJob(input: row.input, output: row.output, failed: JobError(.config, error.description),
                                origin: origin)
            }
        }
        guard rowConfig != nil || row.kernel != nil || options.kernel != nil else {
            throw fail("\(origin): no kernel for this row; add a kernel column, pass --kernel FILE or use --config FILE",
                       code: SysExits.dataError)
        }
        return make(input: row.input, output: row.output, kernel: row.kernel, gainDB: row.gainDB, config: rowConfig,
                    origin: origin)
    }

    private func make(
        input: String, output: String, kernel: String?, gainDB: Double?, config: ConfigFile?, origin: String?
    ) -> BatchJob {
        var overrides = base
        overrides.input = input
        overrides.output = output
        if let kernel { overrides.kernel = kernel }
        if let gainDB { overrides.settings.set(JobOptionSchema.gainDB, gainDB) }
        guard let config else {
            // Checked by the callers: a kernel comes from the row or the command line.
            let spec = JobSpec(input: input, output: output, kernels: .shared(path: overrides.kernel ?? ""))
            return BatchJob(spec: overrides.settings.applied(to: spec), fromConfig: false, origin: origin)
        }
        do throws(ConfigError) {
            let spec = try config.resolve(overrides)
            configOf[output] = config
            return BatchJob(spec: spec, fromConfig: true, origin: origin)
        } catch {
            return BatchJob(input: input, output: output, failed: JobError(.config, error.description), origin: origin)
        }
    }

    /// A job's error as `process` prints it: placed in its config file when it is about a config key.
    func describe(_ error: JobError, output: String) -> String {
        if let config = configOf[output], let key = error.configKey {
            return config.error(at: key, error.message).description
        }
        return error.message
    }
}
