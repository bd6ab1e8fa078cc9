import FirAudio

/// Where a streaming daemon reads and writes raw PCM, and what that PCM is.
public struct StreamSettings: Sendable, Equatable {
    /// `"-"` for standard input, else the path of a named pipe (or any readable file).
    public var input: String
    /// `"-"` for standard output, else the path of a named pipe (or a file to create).
    public var output: String
    public var format: RawSampleFormat
    public var channels: Int
    public var sampleRate: Int
    /// Pipes, JACK or ALSA (``StreamBackend``); `pipe` unless the config says otherwise. With JACK,
    /// `input`, `output` and `format` are unused.
    public var backend: StreamBackend = .pipe
    /// With the `alsa` backend, the devices in place of `input` and `output`.
    public var alsa: ALSAStreamDevices?
    /// With the `jack` backend, the client's name and the ports to connect.
    public var jack = JackSettings()

    public init(
        input: String = "-", output: String = "-", format: RawSampleFormat, channels: Int, sampleRate: Int,
        backend: StreamBackend = .pipe, alsa: ALSAStreamDevices? = nil, jack: JackSettings = JackSettings()
    ) {
        self.jack = jack
        self.input = input
        self.output = output
        self.format = format
        self.channels = channels
        self.sampleRate = sampleRate
        self.backend = backend
        self.alsa = alsa
    }

    /// Accepted channel counts.
    public static let channelRange = 1...64
    /// Accepted sample rates in Hz.
    public static let sampleRateRange = 1000...768_000
}

/// The directories and limits of spool mode: files that appear complete in `inbox` are filtered into
/// `outbox`; files that cannot be processed move to `failed` beside a `.error` text.
public struct SpoolSettings: Sendable, Equatable {
    public var inbox: String
    public var outbox: String
    public var failed: String
    /// How long a file must stay unchanged (size and modification time) before it counts as complete,
    /// unless it was renamed into the inbox, which marks it complete at once.
    public var settleSeconds: Double = 2
    /// Jobs run at the same time.
    public var maxJobs: Int = 1

    public init(inbox: String, outbox: String, failed: String, settleSeconds: Double = 2, maxJobs: Int = 1) {
        self.inbox = inbox
        self.outbox = outbox
        self.failed = failed
        self.settleSeconds = settleSeconds
        self.maxJobs = maxJobs
    }

    /// Accepted `max_jobs`.
    public static let maxJobsRange = 1...64
}

/// What `firpipe serve` does: stream raw PCM, or watch a spool.
public enum ServeWork: Sendable, Equatable {
    case stream(StreamSettings)
    case spool(SpoolSettings)
}

/// The config's `serve:` section, with defaults filled in and paths absolute.
public struct ServeSettings: Sendable, Equatable {
    public var work: ServeWork
    /// Length of the crossfade from old to new kernels on reload, in milliseconds.
    public var crossfadeMilliseconds: Double = 50
    /// How long SIGTERM may take to drain and flush before the daemon gives up and exits.
    public var shutdownTimeoutSeconds: Double = 5
    /// The control socket's path; `nil` means the default (`$RUNTIME_DIRECTORY/NAME.sock`, else
    /// `/run/firpipe/NAME.sock`, NAME being the config file's name without extension).
    public var controlSocket: String?
    /// Prometheus text-format metrics file, rewritten every `metricsIntervalSeconds`; `nil` for none.
    public var metricsFile: String?
    public var metricsIntervalSeconds: Double = 10

    public init(work: ServeWork) {
        self.work = work
    }

    /// The accepted range of the top-level `block_size` when serving: it is the stream's latency.
    public static let blockSizeRange = 32...65536
    /// The block size a stream uses when the config gives none.
    public static let defaultBlockSize = 256
}

extension ServeSettings {
    /// The same settings with relative paths made absolute under `directory`; `-` (stdin/stdout) stays.
    func resolvingPaths(against directory: String) -> ServeSettings {
        func absolute(_ path: String) -> String {
            path == "-" ? path : FilePaths.absolute(path, under: directory)
        }
        var resolved = self
        switch work {
        case .stream(var stream):
            stream.input = absolute(stream.input)
            stream.output = absolute(stream.output)
            resolved.work = .stream(stream)
        case .spool(var spool):
            spool.inbox = absolute(spool.inbox)
            spool.outbox = absolute(spool.outbox)
            spool.failed = absolute(spool.failed)
            resolved.work = .spool(spool)
        }
        resolved.controlSocket = controlSocket.map(absolute)
        resolved.metricsFile = metricsFile.map(absolute)
        return resolved
    }
}
