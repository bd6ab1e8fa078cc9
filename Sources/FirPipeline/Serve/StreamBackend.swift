/// Where a stream's audio comes from and goes to: raw PCM on pipes (`pipe`, the default), a JACK
/// server's ports (`jack`), or ALSA sound cards (`alsa`), as `serve.stream.backend` names it.
public enum StreamBackend: String, Sendable, CaseIterable {
    case pipe, jack, alsa
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
