import FirAudio
import FirCore
internal import Glibc

/// A config file checked for `firpipe serve`: its `serve` section, and the filter every stream block or
/// spool job uses. Loaded at start and again on each reload, on any thread; immutable afterwards.
public struct ServeConfig: Sendable {
    /// The file as loaded, for `FILE:LINE:COLUMN` of later errors.
    public let file: ConfigFile
    public let settings: ServeSettings
    /// The kernels, from `kernel` or `channels`, with absolute paths that existed when loaded.
    public let kernels: KernelSpec
    public let mode: ConvolutionMode
    public let gainDB: Double
    /// Stream mode: the block size and so the latency in samples. Spool mode: the top-level
    /// `block_size` if given, else `nil` (the cost model picks per job).
    public let blockSize: Int?
    /// The stream's dither seed when `dither: tpdf`, else nil.
    public let ditherSeed: UInt64?
    /// The stream's limiter ceiling in dBFS (`limit_db`), or nil for none.
    public let limitDB: Double?
    /// What a NaN or infinite input sample does (`non_finite`); a reload changes it live.
    public let nonFinite: NonFiniteMode

    /// Reads `path` and checks everything a daemon needs before it takes any audio.
    ///
    /// - Throws: `ConfigError` as `ConfigFile.load`, plus: no `serve` section, no kernel, a kernel file
    ///   that does not exist, a stream `block_size` outside `ServeSettings.blockSizeRange`.
    public static func load(path: String) throws(ConfigError) -> ServeConfig {
        try ServeConfig(file: ConfigFile.load(path: path))
    }

    /// Checks an already parsed file (tests, `firpipe check`).
    public init(file: ConfigFile) throws(ConfigError) {
        self.file = file
        guard let settings = file.values.serve else {
            throw ConfigError(
                .missingValue, at: .start(of: file.path),
                "no serve section: add 'serve:' with 'stream:' (raw PCM) or 'spool:' (inbox and outbox directories)")
        }
        self.settings = settings
        // resolve() checks the kernel files exist and points at them; input and output are the daemon's.
        let overrides = ConfigOverrides(input: file.input ?? "-", output: file.output ?? "-")
        let spec = try file.resolve(overrides)
        kernels = spec.kernels
        mode = spec.mode
        gainDB = spec.gainDB
        ditherSeed = spec.dither == .tpdf ? spec.ditherSeed : nil
        limitDB = spec.limitDB
        nonFinite = spec.nonFinite
        switch settings.work {
        case .stream(let stream):
            try Self.checkPipes(stream, in: file)
            try Self.checkDevices(stream, in: file)
            for option in JobOptionSchema.all where !option.stream && file.settings[option.key] != nil {
                throw ConfigError(
                    .invalidValue, at: file.location(of: option.key),
                    "\(option.key) applies to files (process and serve.spool), not to a stream; remove it")
            }
            let size = spec.blockSize ?? ServeSettings.defaultBlockSize
            let range = ServeSettings.blockSizeRange
            guard range.contains(size) else {
                throw ConfigError(
                    .invalidValue, at: file.valueLocation(of: "block_size"),
                    "block_size must be between \(range.lowerBound) and \(range.upperBound) for a stream, found "
                        + "\(size): it is the stream's latency in samples")
            }
            blockSize = size
        case .spool:
            blockSize = spec.blockSize
        }
    }

    /// The stream's input must exist (a named pipe, or a file) and its output's directory too, so a
    /// typo is a config error with a position, not a failure after the daemon said it was ready.
    private static func checkPipes(_ stream: StreamSettings, in file: ConfigFile) throws(ConfigError) {
        if stream.input != "-" {
            var info = stat()
            guard stat(stream.input, &info) == 0 else {
                throw ConfigError(
                    .missingFile, at: file.valueLocation(of: "serve.stream.input"),
                    "stream input \(stream.input) does not exist; create the named pipe (mkfifo) or use '-' for stdin")
            }
            guard (info.st_mode & S_IFMT) != S_IFDIR else {
                throw ConfigError(
                    .invalidValue, at: file.valueLocation(of: "serve.stream.input"),
                    "stream input \(stream.input) is a directory; name a named pipe or file")
            }
        }
        if stream.output != "-" {
            let directory = FilePaths.directory(ofFile: stream.output)
            guard FilePaths.fileProblem(at: directory) == .directory else {
                throw ConfigError(
                    .missingFile, at: file.valueLocation(of: "serve.stream.output"),
                    "the directory of stream output \(stream.output) does not exist; create it or use '-' for stdout")
            }
        }
    }

    /// The backend's library must load (alsa-lib and libjack are loaded when a stream first needs them,
    /// so a machine may lack them). Each ALSA device must be a PCM the ALSA configuration defines (a
    /// typo in an asoundrc name is a config error with a position); whether its card is present and
    /// takes the stream's format, rate and period is found when the daemon opens it, still before it is
    /// ready.
    private static func checkDevices(_ stream: StreamSettings, in file: ConfigFile) throws(ConfigError) {
        let missing = switch stream.backend {
        case .pipe: nil as String?
        case .jack: JackClient.libraryProblem
        case .alsa: ALSAPCM.libraryProblem
        }
        if let missing { throw ConfigError(.invalidValue, at: file.valueLocation(of: "serve.stream.backend"), missing) }
        guard let alsa = stream.alsa else { return }
        for (name, key) in [(alsa.capture, "capture_device"), (alsa.playback, "playback_device")] {
            guard let name, !ALSAPCM.isDefined(name) else { continue }
            throw ConfigError(
                .invalidValue, at: file.valueLocation(of: "serve.stream.\(key)"),
                "no ALSA device '\(name)': the ALSA configuration (alsa.conf, /etc/asound.conf, ~/.asoundrc) "
                    + "defines no PCM of that name; list them with `aplay -L` / `arecord -L`")
        }
    }

    /// The filter of each stream channel, with kernel files loaded and checked against the stream's
    /// channel count and rate. Errors name the config key at fault (`JobError.configKey`).
    public func streamMatrix(_ stream: StreamSettings) throws(JobError) -> FilterMatrix {
        try KernelResolver.resolve(
            kernels, inputPath: "the stream (serve.stream)", channels: stream.channels,
            sampleRate: stream.sampleRate, gainDB: gainDB, mode: mode, fromConfig: true)
    }

    /// The batch job for one spool file: the config's filter, length and output format.
    public func spoolSpec(input: String, output: String) -> JobSpec {
        file.settings.applied(to: JobSpec(input: input, output: output, kernels: kernels))
    }

    /// Why `new` cannot take over live, located at the key that changed in `new`'s file (or its
    /// nearest parent there, when the key was removed), or `nil` if it can. The rules come from each key's
    /// declaration: ``JobOptionSchema``'s `reload`, ``ServeOptionSchema``'s, and the `serve.stream` and
    /// `serve.spool` keys' own (``StreamKey``, ``SpoolKey``).
    public func restartNeeded(for new: ServeConfig) -> ConfigError? {
        let change: (why: String, key: String)?
        switch (settings.work, new.settings.work) {
        case (.stream(let old), .stream(let now)):
            change = Self.firstRestart(StreamKey.allCases, old, now, section: "serve.stream")
                ?? streamOptionChange(to: new)
        case (.spool(let old), .spool(let now)):
            change = Self.firstRestart(SpoolKey.allCases, old, now, section: "serve.spool")
        default:
            change = ("serve changed between stream and spool; restart the service", "serve")
        }
        guard let change = change ?? ServeOptionSchema.restartNeeded(settings, new.settings) else { return nil }
        return ConfigError(
            .invalidValue, at: new.file.valueLocation(of: change.key),
            "\(change.why); the running config stays in force")
    }

    private static func firstRestart<Key: RawRepresentable<String>, Settings>(
        _ keys: [Key], _ old: Settings, _ new: Settings, section: String
    ) -> (why: String, key: String)? where Key: ReloadDeclared, Key.Settings == Settings {
        for key in keys {
            if case .restart(let why) = key.reload, key.differs(old, new) { return (why, "\(section).\(key.rawValue)") }
        }
        return nil
    }

    /// The job options the schema says a stream cannot change live, compared as a stream uses them.
    private func streamOptionChange(to new: ServeConfig) -> (why: String, key: String)? {
        var base = JobSpec(input: "-", output: "-", kernels: kernels)
        base.blockSize = ServeSettings.defaultBlockSize
        for option in JobOptionSchema.all {
            guard case .restartForStream(let why) = option.reload else { continue }
            var before = base, after = base
            file.settings[option.key]?.apply(&before)
            new.file.settings[option.key]?.apply(&after)
            if before != after { return (why, option.key) }
        }
        return nil
    }

    /// The spool's limits as this config sets them, for ``Spool/update(makeSpec:limits:)``.
    public var spoolLimits: SpoolLimits? {
        guard case .spool(let spool) = settings.work else { return nil }
        return SpoolLimits(spool)
    }
}

/// A key of a `serve` sub-section that declares what a reload makes of a change to it.
protocol ReloadDeclared {
    associatedtype Settings
    var reload: ServeOption.Reload { get }
    func differs(_ old: Settings, _ new: Settings) -> Bool
}

extension StreamKey: ReloadDeclared {}
extension SpoolKey: ReloadDeclared {}

extension ServeConfig {
    /// Loads every kernel file once, so a spool config with a broken kernel is refused when it is
    /// loaded, not job by job. Channel counts are checked per job, against each input.
    public func checkKernels() throws(JobError) {
        let paths: [(String, String)]
        switch kernels {
        case .shared(let path): paths = [(path, "kernel")]
        case .perChannel(let list): paths = list.enumerated().map { ($1.path, "channels.\($0).kernel") }
        case .graph(let graph):
            paths = graph.filters.sorted { $0.key < $1.key }.compactMap { name, filter in
                guard case .convolution(let conv) = filter else { return nil }
                return (conv.path, "filters.\(name).kernel")
            }
        }
        for (path, key) in paths {
            do { _ = try KernelLoader.load(path: path) } catch {
                throw JobError(audio: error, configKey: key)
            }
        }
    }
}
