import FirCore
import Logging

extension Spool {
    /// How often the intake lists the whole inbox, whatever inotify says: the fallback for events the
    /// kernel dropped (queue overflow) or never sends (some network file systems).
    static let rescanInterval = Duration.seconds(1)

    /// The intake thread's loop: watch events and rescans feed the candidates; each turn looks again at
    /// every file still settling, queues the complete ones and starts jobs. Returns once the intake is
    /// stopped. Intake thread only.
    func runIntake(_ watcher: SpoolWatcher) {
        var candidates = SpoolCandidates(settleSeconds: settings.settleSeconds)
        var nextScan = ContinuousClock.now
        var trouble = TroubleLog(logger: logger)
        while let settleSeconds = state.withLock({ $0.phase == .taking ? $0.limits.settleSeconds : nil }) {
            // A reload may have changed it; files already settling are judged by the new time too.
            candidates.setSettle(seconds: settleSeconds)
            // Often enough to notice settling within a quarter of the settle time, seldom enough to stay idle.
            let tick = min(0.25, max(0.02, settleSeconds / 4))
            let now = ContinuousClock.now
            if now >= nextScan {
                rescan(&candidates, at: now, trouble: &trouble)
                nextScan = now + Self.rescanInterval
            }
            for name in candidates.names {
                candidates.observe(name, SpoolSystem.signature(of: path(name)), at: now)
            }
            enqueue(candidates.takeComplete(at: now))
            dispatch()

            let events: [SpoolWatchEvent]
            do throws(SpoolSystemError) {
                events = try watcher.wait(timeout: tick)
                trouble.clear("watch")
            } catch {
                trouble.report("watch", "spool inbox watch failed; relying on rescans", error)
                CurrentThread.sleep(seconds: tick)  // pacing only: rescans carry on meanwhile
                continue
            }
            let taken = takenNames()
            let seen = ContinuousClock.now
            for event in events {
                switch event {
                case .renamedIn(let name) where !SpoolCandidates.isIgnored(name) && !taken.contains(name):
                    candidates.observe(name, SpoolSystem.signature(of: path(name)), at: seen, renamedIn: true)
                case .written(let name) where !SpoolCandidates.isIgnored(name) && !taken.contains(name):
                    candidates.observe(name, SpoolSystem.signature(of: path(name)), at: seen)
                case .overflow:
                    nextScan = seen
                case .watchLost:
                    trouble.report("watch", "spool inbox watch ended (inbox removed or moved?); relying on rescans",
                                   SpoolSystemError(path: settings.inbox, what: "is no longer watched"))
                default:
                    break
                }
            }
        }
    }

    /// Lists the inbox: new names become candidates, names no longer there are dropped.
    private func rescan(_ candidates: inout SpoolCandidates, at now: ContinuousClock.Instant,
                        trouble: inout TroubleLog) {
        let listed: [String]
        do throws(SpoolSystemError) {
            listed = try SpoolSystem.names(in: settings.inbox)
            trouble.clear("scan")
        } catch {
            trouble.report("scan", "spool inbox cannot be listed", error)
            return
        }
        // Taken after listing: a job that ends in between has already removed or moved its input, so
        // the signature below finds nothing and the name is not picked up again.
        let taken = takenNames()
        let present = Set(listed)
        for name in candidates.names where !present.contains(name) {
            candidates.forget(name)
        }
        for name in listed.sorted() where candidates.entries[name] == nil {
            guard !SpoolCandidates.isIgnored(name), !taken.contains(name) else { continue }
            candidates.observe(name, SpoolSystem.signature(of: path(name)), at: now)
        }
    }

    /// The names queued or running now.
    private func takenNames() -> Set<String> {
        state.withLock { $0.queuedNames.union($0.running) }
    }

    private func path(_ name: String) -> String {
        settings.inbox + "/" + name
    }
}

/// Logs a recurring trouble (the inbox cannot be listed, the watch failed) once when it starts and once
/// when it ends, instead of once per turn of the intake loop.
struct TroubleLog {
    let logger: Logger
    private var active: Set<String> = []

    init(logger: Logger) { self.logger = logger }

    mutating func report(_ key: String, _ message: Logger.Message, _ error: SpoolSystemError) {
        guard active.insert(key).inserted else { return }
        logger.info(message, metadata: ["reason": "\(error)"])
    }

    mutating func clear(_ key: String) {
        if active.remove(key) != nil { logger.info("spool inbox \(key) works again") }
    }
}
