import Dispatch
import FirAudio
import FirCore
import FirPipeline
import Logging
import Synchronization
import FoundationEssentials

/// The daemon's state shared by its services: the config in force, the stream engine or spool, the
/// life-cycle state, and the reload logic. Methods may be called from any thread; reloads run one at a
/// time on their own queue, never on the audio path.
final class Daemon: Sendable {
    /// Where the daemon is in its life, as `firpipe status` reports it.
    enum State: String, Sendable {
        case starting, running, reloading, stopping
    }

    let logger: Logger
    let configPath: String
    let startedAt = ContinuousClock.now
    private let current: Mutex<ServeConfig>
    private let stateBox = Mutex(State.starting)
    private let reloadQueue = DispatchQueue(label: "firpipe.reload")
    let reloadsOK = Atomic<Int>(0)
    let reloadsFailed = Atomic<Int>(0)
    /// The stream engine, in stream mode.
    let engine: StreamEngine?
    /// The spool, in spool mode.
    let spool: Spool?
    /// systemd's notify socket (does nothing when not started by systemd).
    let notifier: SystemdNotifier
    /// CPU time per stage, since start and between two status snapshots.
    let meter = Mutex(StageLoadMeter(start: StageClock.monotonicNanoseconds()))
    /// The SHA-256 of the config in force, taken when it was loaded (not of the file now on disk,
    /// which may be a rejected edit).
    private let hash: Mutex<String>
    /// The engine's heartbeat at the last watchdog check.
    private let lastHeartbeat = Atomic<UInt64>(.max)

    init(config: ServeConfig, engine: StreamEngine?, spool: Spool?, notifier: SystemdNotifier, logger: Logger) {
        self.configPath = FileManager.default.currentDirectoryPath == "/" || config.file.path.hasPrefix("/")
            ? config.file.path : FileManager.default.currentDirectoryPath + "/" + config.file.path
        self.current = Mutex(config)
        self.hash = Mutex(ConfigHash.sha256(ofFile: config.file.path) ?? "")
        self.engine = engine
        self.spool = spool
        self.notifier = notifier
        self.logger = logger
    }

    var config: ServeConfig { current.withLock { $0 } }

    /// The SHA-256 of the config in force.
    var configHash: String { hash.withLock { $0 } }

    /// STOPPING=1, and asks systemd to wait for the configured drain (a unit's TimeoutStopSec may be
    /// shorter than `shutdown_timeout_s`).
    func notifyStopping() {
        let usec = Int((config.settings.shutdownTimeoutSeconds + 1) * 1_000_000)
        _ = notifier.notify([("STOPPING", "1"), ("EXTEND_TIMEOUT_USEC", String(usec))])
    }

    /// Whether the audio path moved since the last call: a block filtered or the reader woke on idle
    /// input (stream), or always (spool, whose jobs are watched by their own errors).
    func isAlive() -> Bool {
        guard let engine else { return true }
        let now = engine.heartbeat.load(ordering: .relaxed)
        return lastHeartbeat.exchange(now, ordering: .relaxed) != now
    }

    var state: State {
        get { stateBox.withLock { $0 } }
        set { stateBox.withLock { $0 = newValue } }
    }

    /// Builds the stream convolver for `config`: loads the kernels and transforms them. Slow for long
    /// kernels; never on the audio thread.
    static func makeConvolver(
        _ config: ServeConfig, stream: StreamSettings
    ) throws(JobError) -> StreamGraph {
        let matrix = try config.streamMatrix(stream)
        do throws(ResourceError) {
            return try StreamGraph(
                matrix: matrix, blockSize: config.blockSize ?? ServeSettings.defaultBlockSize, mode: config.mode)
        } catch {
            throw JobError(error, path: "stream", while: "transforming the kernels")
        }
    }

    /// Re-reads the config file and, if it is good and may change live, brings in its kernels. A bad
    /// config leaves the running one in place. Returns `nil` on success or the one-line error, already
    /// logged. Blocks the caller until done; reloads never overlap.
    func reload() -> String? {
        reloadQueue.sync { reloadNow() }
    }

    private func reloadNow() -> String? {
        if state == .stopping {
            logger.info("reload ignored: the daemon is stopping")
            return "the daemon is stopping; reload ignored"
        }
        let previous = state
        state = .reloading
        defer { if state == .reloading { state = previous } }
        logger.info("reloading \(configPath)")
        let new: ServeConfig, newHash: String
        do throws(ConfigError) {
            // Hashed as read now; an edit landing between the two reads would show on the next reload.
            newHash = ConfigHash.sha256(ofFile: configPath) ?? ""
            new = try ServeConfig.load(path: configPath)
        } catch {
            return rejected(error.description)
        }
        let old = config
        if let refusal = old.restartNeeded(for: new) {
            return rejected(refusal.description)
        }
        if let engine, case .stream(let stream) = new.settings.work {
            let convolver: StreamGraph
            do throws(JobError) {
                convolver = try Self.makeConvolver(new, stream: stream)
            } catch {
                let line = new.file.located(error)?.description ?? error.message
                return rejected(line)
            }
            guard convolver.outputs == engine.outputChannels else {
                convolver.shutdown()
                return rejected(
                    "\(configPath): the new config writes \(convolver.outputs) channels where the stream writes "
                        + "\(engine.outputChannels); restart the service to change the output's channel count; "
                        + "the running config stays in force")
            }
            let fade = Int((new.settings.crossfadeMilliseconds * Double(stream.sampleRate) / 1000).rounded(.up))
            engine.replace(with: convolver, crossfadeFrames: fade)
            // Live, from the next block read: the rule has no state to carry over.
            engine.nonFinite.mode = new.nonFinite
        }
        if let spool {
            do throws(JobError) { try new.checkKernels() } catch {
                let line = new.file.located(error)?.description ?? error.message
                return rejected(line)
            }
            spool.update(makeSpec: { new.spoolSpec(input: $0, output: $1) }, limits: new.spoolLimits)
        }
        current.withLock { $0 = new }
        hash.withLock { $0 = newHash }
        reloadsOK.add(1, ordering: .relaxed)
        if engine != nil {
            logger.info("reloaded \(configPath): new kernels take over at the next block with a \(new.settings.crossfadeMilliseconds) ms crossfade")
        } else {
            logger.info("reloaded \(configPath): jobs started from now on use it")
        }
        return nil
    }

    private func rejected(_ line: String) -> String {
        reloadsFailed.add(1, ordering: .relaxed)
        logger.error("reload rejected, keeping the running config: \(line)")
        return line
    }
}
