import FirCore
import FirAudio
internal import FoundationEssentials

/// A decoded, checked `firpipe process --config` file, with the position of every key so that checks
/// made later (a kernel whose channel count does not fit the input, found when files are opened) can
/// still report `FILE:LINE:COLUMN`.
///
/// The schema, in snake_case YAML; every key is optional here, because the command line may supply
/// `input`, `output` and the kernel (`resolve(_:)` requires them after merging):
/// ```yaml
/// input: take.wav
/// output: out/take-filtered.wav
/// kernel: room.wav        # one file: mono applies to every channel, C channels map channel i to input i
/// channels:               # or one entry per input channel, in order (not both)
///   - kernel: left.wav    #   required
///     channel: 0          #   optional: which channel of the kernel file, >= 0
///     gain_db: -3.0       #   optional, default 0
/// mode: convolve          # convolve | correlate
/// length: full            # full | same | valid
/// gain_db: 0              # every channel, finite, within ±200
/// block_size: 8192        # JobSpec.blockSizeRange
/// threads: 2              # JobSpec.threadRange
/// format: wav             # ContainerName
/// subtype: float          # SampleFormatName
/// serve:                  # firpipe serve only; see ServeSettings and ServeConfig
///   stream: {input: "-", output: "-", format: s16le, channels: 2, rate: 48000}   # or
///   spool: {inbox: in, outbox: out, failed: failed, settle_seconds: 2, max_jobs: 1}
///   crossfade_ms: 50
///   shutdown_timeout_s: 5
///   control_socket: /run/firpipe/room.sock
///   metrics_file: /var/lib/node_exporter/firpipe.prom
///   metrics_interval_s: 10
/// ```
/// Relative paths in the file count from the file's directory. Loading checks syntax, keys, types and
/// ranges; whether the input and kernel files exist is checked by `resolve(_:)`.
///
/// Immutable and `Sendable`; load it on any thread.
public struct ConfigFile: Sendable {
    /// The config file as the user named it; every location and message uses this spelling.
    public let path: String
    /// The absolute directory that relative paths in the file are resolved against.
    public let directory: String
    /// The file's values with paths already absolute.
    let values: ConfigValues
    let positions: KeyPositions

    /// The input file, absolute, or `nil` when the file does not give one.
    public var input: String? { values.input }
    /// The output file, absolute, or `nil` when the file does not give one.
    public var output: String? { values.output }
    /// The kernels with absolute paths (from `kernel` or `channels`), or `nil` when the file gives neither.
    public var kernels: KernelSpec? { values.kernels }
    /// The job options the file gives (``JobOptionSchema``); ``JobSettings/applied(to:)`` puts them in a job.
    public var settings: JobSettings { values.settings }
    /// The `serve` section, if given, with paths absolute; `ServeConfig` checks it for the daemon.
    public var serve: ServeSettings? { values.serve }

    /// Reads and checks the config file at `path`.
    ///
    /// - Throws: `ConfigError` without a location (code `.unreadable`) when the file cannot be read or
    ///   is not UTF-8 text; otherwise as `parse(yaml:path:)`.
    public static func load(path: String) throws(ConfigError) -> ConfigFile {
        switch FilePaths.fileProblem(at: path) {
        case .missing:
            throw ConfigError(.unreadable, file: path, "cannot read the config file: it does not exist")
        case .directory:
            throw ConfigError(.unreadable, file: path, "cannot read the config file: it is a directory")
        case nil:
            break
        }
        let data: Data
        do throws(AudioError) {
            data = Data(try FileSystem.readWholeFile(path, limit: 16 << 20, tooLarge: "too large for a config file"))
        } catch {
            throw ConfigError(.unreadable, file: path, "cannot read the config file: \(error.message)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let (location, byte) = firstInvalidUTF8(in: data, file: path)
            throw ConfigError(
                .unreadable, at: location,
                "cannot read the config file: byte 0x\(String(byte, radix: 16, uppercase: true)) is not UTF-8 text; "
                    + "save the file as UTF-8")
        }
        return try parse(yaml: text, path: path)
    }

    /// Where the first byte that is not part of valid UTF-8 sits (lines and columns as libyaml counts
    /// them: columns in Unicode scalars), and that byte, so the error points at it like any other.
    private static func firstInvalidUTF8(in data: Data, file: String) -> (SourceLocation, UInt8) {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var line = 1, column = 1, offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar):
                offset += scalar.count
                if scalar.first == UInt8(ascii: "\n") { (line, column) = (line + 1, 1) } else { column += 1 }
            case .error:
                return (SourceLocation(file: file, line: line, column: column), data[data.startIndex + offset])
            case .emptyInput:  // not reached for data that failed to decode
                return (SourceLocation.start(of: file), 0)
            }
        }
    }

    /// Checks config text as if it had been read from `path`.
    ///
    /// `path` need not exist: it is used in messages and, through its directory, to resolve relative
    /// paths in the text.
    ///
    /// - Throws: `ConfigError` with a location, for a YAML syntax error, an empty document or one whose
    ///   top level is not a mapping, an unknown or duplicate key, a value of the wrong type or out of
    ///   range, or both `kernel` and `channels`.
    public static func parse(yaml: String, path: String) throws(ConfigError) -> ConfigFile {
        let document = try YAMLDocument.compose(yaml, file: path)
        var reader = ConfigReader(file: path, aliases: document.aliases)
        let values = try reader.read(document.root)
        let directory = FilePaths.directory(ofFile: path)
        return ConfigFile(
            path: path, directory: directory,
            values: values.resolvingPaths(against: directory), positions: reader.positions)
    }

    private init(path: String, directory: String, values: ConfigValues, positions: KeyPositions) {
        self.path = path
        self.directory = directory
        self.values = values
        self.positions = positions
    }

    /// Where a key is, by dotted path: `"input"`, `"kernel"`, `"channels"`, `"channels.1"` (the second
    /// entry; indices start at 0), `"channels.1.kernel"`, `"block_size"`.
    ///
    /// A key the file does not have falls back to its nearest parent that it has, then to line 1
    /// column 1, so there is always somewhere to point.
    public func location(of keyPath: String) -> SourceLocation {
        lookUp(keyPath, in: positions.keys)
    }

    /// Where a key's value is (e.g. `room.wav` in `kernel: room.wav`), with the same fallbacks as
    /// `location(of:)`; the place to report a value that is wrong.
    public func valueLocation(of keyPath: String) -> SourceLocation {
        lookUp(keyPath, in: positions.values)
    }

    /// An error at the key `keyPath` (see `location(of:)`), for problems found after loading.
    public func error(
        at keyPath: String, _ message: String, code: ConfigError.Code = .invalidValue
    ) -> ConfigError {
        ConfigError(code, at: location(of: keyPath), message)
    }

    /// A job error that names a config key (a kernel file that will not load, a channel that does
    /// not exist) placed at that key's value, which is what is wrong; nil for other errors.
    public func located(_ error: JobError) -> ConfigError? {
        error.configKey.map { ConfigError(.invalidValue, at: valueLocation(of: $0), error.message) }
    }

    private func lookUp(_ keyPath: String, in table: [String: SourceLocation]) -> SourceLocation {
        var components = keyPath.split(separator: ".")
        while !components.isEmpty {
            if let location = table[components.joined(separator: ".")] {
                return location
            }
            components.removeLast()
        }
        return .start(of: path)
    }
}
