import FirCore

/// Every job option, declared once: its YAML key, how its value is read and checked, what it sets in
/// the ``JobSpec``, the README's description of it, and what a stream and a reload make of it. The
/// config reader, ``ConfigOverrides`` (the command line), `firpipe check`, the reload rules and the
/// README's table (``markdownTable``) all come from here.
///
/// The structural keys (`input`, `output`, `kernel`, `channels`, `filters`, `mixers`, `pipeline`,
/// `serve`) have readers of their own; everything else a job can be told is here.
public enum JobOptionSchema {
    public static let mode = JobOption<ConvolutionMode>(
        "mode", type: "`convolve` / `correlate`", meaning: "as `--mode`",
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.mode = $1 })
    public static let length = JobOption<OutputLength>(
        "length", type: "`full` / `same` / `valid`", meaning: "as `--length`", stream: false,
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.length = $1 })
    public static let gainDB = JobOption<Double>(
        "gain_db", type: "number (±200)", meaning: "gain for every channel (every output, with a graph)",
        read: { r, node, key throws(ConfigError) in try r.gain(node, key) }, apply: { $0.gainDB = $1 })
    public static let blockSize = JobOption<Int>(
        "block_size", type: "integer",
        meaning: "as `--block-size`; for a stream, its latency in samples (32 to 65536, default 256)",
        reload: .restartForStream("block_size changed; restart the service to change the latency"),
        read: { r, node, key throws(ConfigError) in try r.integer(node, key, in: JobSpec.blockSizeRange) },
        apply: { $0.blockSize = $1 })
    public static let threads = JobOption<Int>(
        "threads", type: "integer", meaning: "as `--threads`", stream: false,
        read: { r, node, key throws(ConfigError) in try r.integer(node, key, in: JobSpec.threadRange) },
        apply: { $0.threads = $1 })
    public static let container = JobOption<ContainerName>(
        "format", type: "container name", meaning: "as `--format`", stream: false,
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.container = $1 })
    public static let sampleFormat = JobOption<SampleFormatName>(
        "subtype", type: "sample format name", meaning: "as `--subtype`", stream: false,
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.sampleFormat = $1 })
    public static let resampleKernels = JobOption<Bool>(
        "resample_kernels", type: "`true` / `false`",
        meaning: "as `--resample-kernels`: every kernel of another rate resampled, as `resample: true` on each filter",
        read: { r, node, key throws(ConfigError) in try r.boolean(node, key) }, apply: { $0.resampleKernels = $1 })
    public static let limitDB = JobOption<Double>(
        "limit_db", type: "number (−60 to 0)",
        meaning: "as `--limit-db`; a stream's latency grows by the limiter's 5 ms look-ahead",
        reload: .restartForStream("limit_db changed; restart the service to change the stream's limiter and latency"),
        read: { r, node, key throws(ConfigError) in try r.decimal(node, key, in: JobSpec.limitRange) },
        apply: { $0.limitDB = $1 })
    public static let dither = JobOption<DitherMode>(
        "dither", type: "`none` / `tpdf`", meaning: "as `--dither`; a stream dithers s16le and s24le output",
        reload: .restartForStream("dither changed; restart the service to change the stream's dither"),
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.dither = $1 })
    public static let ditherSeed = JobOption<UInt64>(
        "dither_seed", type: "integer ≥ 0", meaning: "as `--dither-seed`",
        reload: .restartForStream("dither_seed changed; restart the service to change the stream's dither"),
        read: { r, node, key throws(ConfigError) in UInt64(try r.integer(node, key, in: 0...Int.max)) },
        apply: { $0.ditherSeed = $1 })
    public static let nonFinite = JobOption<NonFiniteMode>(
        "non_finite", type: "`error` / `zero`",
        meaning: "as `--non-finite`: a NaN or infinite input sample stops the run (`error`, the default) or "
            + "becomes silence and is counted (`zero`)",
        read: { r, node, key throws(ConfigError) in try r.choice(node, key) }, apply: { $0.nonFinite = $1 })

    /// Every option, in the order the README lists them.
    static let all: [AnyJobOption] = [
        mode.erased, length.erased, gainDB.erased, blockSize.erased, threads.erased, container.erased,
        sampleFormat.erased, resampleKernels.erased, limitDB.erased, dither.erased, ditherSeed.erased,
        nonFinite.erased,
    ]

    /// The option named `key` in a config file, if any.
    static func option(named key: String) -> AnyJobOption? {
        all.first { $0.key == key }
    }

    /// The README's rows for the options: `| key | type | meaning |`, one a line.
    public static var markdownTable: String {
        all.map { option in
            var notes: [String] = []
            if !option.stream { notes.append("files only: a stream refuses it") }
            if case .restartForStream = option.reload { notes.append("a running stream needs a restart to change it") }
            let note = notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
            return "| `\(option.key)` | \(option.type) | \(option.meaning)\(note) |"
        }.joined(separator: "\n")
    }
}

/// What a reload does when an option's value changes.
public enum ReloadRule: Sendable, Equatable {
    /// Taken over live.
    case live
    /// A stream must restart to change it (the message says why); a spool takes it job by job.
    case restartForStream(String)
}

/// One option of ``JobOptionSchema``, of value type `Value`.
public struct JobOption<Value: Sendable>: Sendable {
    public let key: String
    let type: String
    let meaning: String
    let reload: ReloadRule
    /// Whether a stream uses it; a stream's config that sets an option it does not use is refused.
    let stream: Bool
    let read: @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> Value
    let apply: @Sendable (inout JobSpec, Value) -> Void

    init(
        _ key: String, type: String, meaning: String, reload: ReloadRule = .live, stream: Bool = true,
        read: @escaping @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> Value,
        apply: @escaping @Sendable (inout JobSpec, Value) -> Void
    ) {
        self.key = key
        self.type = type
        self.meaning = meaning
        self.reload = reload
        self.stream = stream
        self.read = read
        self.apply = apply
    }

    /// This option set to `value`.
    public func setting(_ value: Value) -> JobSetting {
        let apply = self.apply
        return JobSetting(key: key, value: "\(value)") { apply(&$0, value) }
    }

    var erased: AnyJobOption {
        let read = self.read, setting = self.setting
        return AnyJobOption(
            key: key, type: type, meaning: meaning, reload: reload, stream: stream,
            read: { r, node, keyPath throws(ConfigError) in setting(try read(r, node, keyPath)) })
    }
}

/// An option of any value type, as the reader and the docs walk them.
struct AnyJobOption: Sendable {
    let key: String
    let type: String
    let meaning: String
    let reload: ReloadRule
    let stream: Bool
    let read: @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> JobSetting
}

/// An option's value, from a config file or the command line, ready to apply to a ``JobSpec``.
public struct JobSetting: Sendable {
    public let key: String
    /// The value as text: what the reload diff compares.
    public let value: String
    let apply: @Sendable (inout JobSpec) -> Void
}

/// Settings by key; a later source (the command line) replaces an earlier one's (the file's).
public struct JobSettings: Sendable {
    private(set) var byKey: [String: JobSetting] = [:]

    public init() {}

    /// Sets `option` to `value`, or leaves it as it is when `value` is nil.
    public mutating func set<Value>(_ option: JobOption<Value>, _ value: Value?) {
        if let value { byKey[option.key] = option.setting(value) }
    }

    mutating func set(_ setting: JobSetting) {
        byKey[setting.key] = setting
    }

    /// The setting for `key`, if given.
    public subscript(key: String) -> JobSetting? { byKey[key] }

    /// `spec` with every setting applied, in the schema's order.
    public func applied(to spec: JobSpec) -> JobSpec {
        var spec = spec
        for option in JobOptionSchema.all {
            byKey[option.key]?.apply(&spec)
        }
        return spec
    }

    /// `self` with `other`'s settings taking precedence.
    func overridden(by other: JobSettings) -> JobSettings {
        var merged = self
        for (key, setting) in other.byKey { merged.byKey[key] = setting }
        return merged
    }
}
