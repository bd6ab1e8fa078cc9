/// Where a streaming daemon's audio comes from and goes to (`serve.stream.backend`).
public enum StreamBackend: String, CaseIterable, Sendable {
    /// Raw PCM on standard input and output or named pipes, with one block of latency.
    case pipe
    /// Ports of a JACK server (or PipeWire's JACK layer): the filter runs in JACK's process callback,
    /// adding no latency when the block size equals JACK's period.
    case jack
    /// An ALSA device; not in this build (refused by the config reader).
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
