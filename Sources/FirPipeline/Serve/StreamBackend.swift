/// Where a streaming daemon's audio comes from and goes to (`serve.stream.backend`).
public enum StreamBackend: String, CaseIterable, Sendable {
    /// Raw PCM on standard input and output or named pipes, with one block of latency.
    case pipe
    /// Ports of a JACK server (or PipeWire's JACK layer): the filter runs in JACK's process callback,
    /// adding no latency when the block size equals JACK's period.
    case jack
    /// ALSA capture and playback devices, read and written by the stream's reader and writer threads.
    case alsa
}

/// The jack backend's settings (`serve.stream.jack_*`).
public struct JackSettings: Sendable, Equatable {
    /// The JACK client's name, which prefixes its ports (`NAME:in_1`); nil: the daemon's name (the
    /// config file's name without extension).
    public var clientName: String?
    /// Ports connected to our inputs in order (`system:capture_1` to `in_1`, …), at start and again
    /// whenever one of them reappears.
    public var connectInputs: [String] = []
    /// Ports our outputs are connected to in order (`out_1` to `system:playback_1`, …).
    public var connectOutputs: [String] = []

    public init(clientName: String? = nil, connectInputs: [String] = [], connectOutputs: [String] = []) {
        self.clientName = clientName
        self.connectInputs = connectInputs
        self.connectOutputs = connectOutputs
    }
}

/// The ALSA side of a stream: the devices read and written in place of the pipes (either may be nil,
/// and that side then stays a pipe), and the periods of the playback and capture buffers.
public struct ALSAStreamDevices: Sendable, Equatable {
    public var capture: String?
    public var playback: String?
    public var periods: Int

    public init(capture: String? = nil, playback: String? = nil, periods: Int = ALSAStreamDevices.defaultPeriods) {
        self.capture = capture
        self.playback = playback
        self.periods = periods
    }

    /// Three periods of one block each: the writer keeps the playback buffer full, so a block has two
    /// periods (not one) to get through the filter after its capture period ends. Two would halve that
    /// margin, and USB cards (the usual on a Raspberry Pi) miss it; JACK's advice for USB is three too.
    /// Each period more adds one block of latency.
    public static let defaultPeriods = 3
    /// Accepted `periods`: ALSA needs two at least; more than 16 blocks of buffer is a latency no
    /// room-correction box wants.
    public static let periodsRange = 2...16
}

extension StreamSettings {
    /// Blocks of silence the output starts with, which is the stream's latency before any limiter: one
    /// to a pipe; to an ALSA playback device its `periods`, the buffer the writer keeps full.
    public var primingBlocks: Int {
        guard let alsa, alsa.playback != nil else { return 1 }
        return alsa.periods
    }

    /// The devices in a line for logs and `firpipe check`: `capture hw:1, playback hw:1, 3 periods`;
    /// empty for pipes.
    public var deviceSummary: String {
        guard let alsa else { return "" }
        let sides = [alsa.capture.map { "capture \($0)" }, alsa.playback.map { "playback \($0)" }].compactMap { $0 }
        return (sides + ["\(alsa.periods) periods"]).joined(separator: ", ")
    }
}
