import FirPipeline
import Synchronization

extension Daemon {
    /// A snapshot for `firpipe status` and the metrics file. Any thread; see ``DaemonStatus/CPU`` for
    /// the intervals of the CPU figures.
    func status() -> DaemonStatus {
        let config = self.config
        let hash = configHash
        var status: DaemonStatus
        switch config.settings.work {
        case .stream(let stream):
            status = DaemonStatus(
                mode: .stream, config: .init(path: configPath, sha256: hash), sampleRate: stream.sampleRate,
                channels: stream.channels, blockSize: config.blockSize ?? ServeSettings.defaultBlockSize)
            let latency = engine?.latency ?? status.blockSize
            status.latency = .init(samples: latency, ms: Double(latency) * 1000 / Double(stream.sampleRate))
        case .spool:
            status = DaemonStatus(
                mode: .spool, config: .init(path: configPath, sha256: hash), sampleRate: 0, channels: 0,
                blockSize: config.blockSize ?? 0)
        }
        status.state = DaemonStatus.State(rawValue: state.rawValue) ?? .running
        status.uptimeSeconds = Double((ContinuousClock.now - startedAt).components.seconds)
            + Double((ContinuousClock.now - startedAt).components.attoseconds) / 1e18
        status.reloads = .init(ok: reloadsOK.load(ordering: .relaxed), failed: reloadsFailed.load(ordering: .relaxed))
        if let engine {
            let c = engine.counters
            status.blocks = UInt64(c.blocks.load(ordering: .relaxed))
            status.samples = UInt64(c.frames.load(ordering: .relaxed))
            // A card's xruns count with the stream's own: each is a gap a listener may hear.
            status.underruns = UInt64(c.underruns.load(ordering: .relaxed) + c.deviceUnderruns.load(ordering: .relaxed))
            status.overruns = UInt64(c.overruns.load(ordering: .relaxed) + c.deviceOverruns.load(ordering: .relaxed))
            status.clippedSamples = UInt64(c.clipped.load(ordering: .relaxed))
            status.clippedPerChannel = c.clippedPerChannel.values.map(UInt64.init)
            status.nonFiniteSamples = UInt64(engine.nonFinite.silencedSamples)
            status.outputChannels = engine.outputChannels
            if case .stream(let stream) = config.settings.work, stream.backend == .jack {
                status.jack = .init(
                    xruns: UInt64(c.xruns.load(ordering: .relaxed)),
                    serverLosses: UInt64(c.serverLosses.load(ordering: .relaxed)))
            }
            let wall = StageClock.monotonicNanoseconds()
            var readings = StreamCounters.Stage.allCases.map { stage in
                (stage.name, StageClock.Reading(cpu: c.cpuNanoseconds(stage), wall: wall))
            }
            readings.append(("levels", StageClock.Reading(cpu: c.levelsCPU.load(ordering: .relaxed), wall: wall)))
            status.cpu = meter.withLock { $0.figures(of: readings, at: wall) }
        }
        if let spool {
            let counts = spool.counts
            status.spool = .init(
                queued: counts.queued, running: counts.running, done: counts.done, failed: counts.failed)
            status.nonFiniteSamples = UInt64(counts.nonFiniteSamples)
        }
        return status
    }

    /// The control socket's commands: `status` and `reload`, each answered with one line of JSON.
    func answer(_ command: String) -> String {
        switch command.trimmingSpaces() {
        case "status":
            return status().json
        case "reload":
            if let error = reloadNotifying() { return ControlReply.failure(error).json }
            return ControlReply.success("reloaded", config: status().config).json
        default:
            return ControlReply.failure("unknown command '\(command)'; the commands are status and reload").json
        }
    }

    /// A reload with the notify protocol around it: RELOADING=1, then READY=1 and the outcome as STATUS.
    func reloadNotifying() -> String? {
        if state == .stopping { return reload() }  // refused; no RELOADING after STOPPING
        _ = notifier.reloading()
        let error = reload()
        _ = notifier.ready(status: error == nil ? "reloaded \(configPath)" : "reload rejected; running config kept")
        return error
    }
}
