import Glibc
import FoundationEssentials

/// What `firpipe status` shows and the metrics file exports: a snapshot of the daemon, filled in by the
/// daemon from its counters and encoded as one line of JSON with sorted snake_case keys.
///
/// A plain value: the daemon builds one on whichever thread answers the control socket or writes the
/// metrics, from atomics the audio threads update.
struct DaemonStatus: Codable, Sendable, Equatable {
    enum State: String, Codable, Sendable, CaseIterable { case starting, running, reloading, stopping }
    enum Mode: String, Codable, Sendable { case stream, spool }

    /// The config file in use and the SHA-256 of its bytes, to tell which version a reload left running.
    struct Config: Codable, Sendable, Equatable {
        var path: String
        var sha256: String
    }

    /// Latency the filter adds, input to output.
    struct Latency: Codable, Sendable, Equatable {
        var samples: Int
        var ms: Double
    }

    /// CPU time by stage name. The totals never reset; the last interval is the time since the previous
    /// snapshot (a `status` call or a metrics write), or since start for the first.
    struct CPU: Codable, Sendable, Equatable {
        var seconds: [String: Double] = [:]
        var loadSinceStart: [String: Double] = [:]
        var loadLastInterval: [String: Double] = [:]
        var intervalSeconds: Double = 0

        enum CodingKeys: String, CodingKey {
            case seconds
            case loadSinceStart = "load_since_start"
            case loadLastInterval = "load_last_interval"
            case intervalSeconds = "interval_s"
        }

        /// The same with non-finite numbers as 0, for JSON.
        var finite: CPU {
            CPU(
                seconds: seconds.mapValues(DaemonStatus.finite),
                loadSinceStart: loadSinceStart.mapValues(DaemonStatus.finite),
                loadLastInterval: loadLastInterval.mapValues(DaemonStatus.finite),
                intervalSeconds: DaemonStatus.finite(intervalSeconds))
        }
    }

    struct Reloads: Codable, Sendable, Equatable {
        var ok: Int = 0
        var failed: Int = 0
    }

    /// Spool jobs by state (spool mode only).
    struct Spool: Codable, Sendable, Equatable {
        var queued: Int = 0
        var running: Int = 0
        var done: Int = 0
        var failed: Int = 0
    }

    /// The build answering: "0.1.0 (commit abc123def456)" (``BuildVersion/summary``).
    var version = BuildVersion.summary
    var state: State
    var mode: Mode
    var config: Config
    var pid: Int32
    var uptimeSeconds: Double = 0
    var latency = Latency(samples: 0, ms: 0)
    /// Blocks through the filter.
    var blocks: UInt64 = 0
    /// Frames through the filter (samples per channel).
    var samples: UInt64 = 0
    /// Times the filter waited for a late background partition level (the output stays exact, but a
    /// real-time consumer may have starved), plus an ALSA playback device's underruns.
    var underruns: UInt64 = 0
    /// Times the input waited longer than a block's duration for the filter or writer (nothing is
    /// dropped: the producer's data waits in the pipe), plus an ALSA capture device's overruns (input lost).
    var overruns: UInt64 = 0
    /// Output samples clipped to full scale.
    var clippedSamples: UInt64 = 0
    /// NaN or infinite input samples replaced by silence (`non_finite: zero`): the stream's, or the sum
    /// of the spool's finished jobs.
    var nonFiniteSamples: UInt64 = 0
    /// ``clippedSamples`` by output channel (stream mode).
    var clippedPerChannel: [UInt64]?
    /// Channels the stream writes: `channels` unless a graph routes them (stream mode).
    var outputChannels: Int?
    /// Per stage ("reader", "convolver", "writer", "levels"; stream mode): CPU used since start, and
    /// as a share of one core (0.5 = half a core; above 1 for a stage running on several threads).
    var cpu = CPU()
    var reloads = Reloads()
    /// Present in spool mode only.
    var spool: Spool?
    /// Present with the jack backend only.
    var jack: Jack?
    var sampleRate: Int
    var channels: Int
    var blockSize: Int

    init(
        state: State = .starting, mode: Mode, config: Config, pid: Int32 = getpid(),
        sampleRate: Int, channels: Int, blockSize: Int
    ) {
        self.state = state
        self.mode = mode
        self.config = config
        self.pid = pid
        self.sampleRate = sampleRate
        self.channels = channels
        self.blockSize = blockSize
        self.spool = mode == .spool ? Spool() : nil
    }

    /// The jack backend's own counts: its xruns (also in `underruns`) and how often the server went away.
    struct Jack: Codable, Sendable, Equatable {
        var xruns: UInt64 = 0
        var serverLosses: UInt64 = 0

        enum CodingKeys: String, CodingKey {
            case xruns
            case serverLosses = "server_losses"
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, state, mode, config, pid, latency, blocks, samples, underruns, overruns, cpu, reloads, spool
        case channels, jack
        case uptimeSeconds = "uptime_s"
        case clippedSamples = "clipped_samples"
        case clippedPerChannel = "clipped_per_channel"
        case outputChannels = "output_channels"
        case nonFiniteSamples = "non_finite_samples"
        case sampleRate = "sample_rate"
        case blockSize = "block_size"
    }

    /// One line of JSON, keys sorted, for the control socket's `status` reply. Non-finite numbers
    /// (which JSON cannot hold) are written as 0.
    var json: String {
        var clean = self
        clean.uptimeSeconds = Self.finite(uptimeSeconds)
        clean.latency.ms = Self.finite(latency.ms)
        clean.cpu = cpu.finite
        return ControlJSON.encode(clean)
    }

    /// The status in `text`, or nil when it is not one.
    init?(json text: String) {
        guard let value = try? JSONDecoder().decode(DaemonStatus.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    static func finite(_ value: Double) -> Double { value.isFinite ? value : 0 }
}
