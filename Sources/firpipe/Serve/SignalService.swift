import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
import Glibc

/// Handles the daemon's signals: SIGHUP reloads the config; the first SIGTERM or SIGINT asks the group
/// for a graceful shutdown, and a second one exits at once.
///
/// Listed first in the group so it is shut down last, after the stream has drained: a second signal
/// during the drain must still be heard.
struct SignalService: Service {
    let daemon: Daemon
    /// SIGHUP, trapped from the start of `serve` so that a reload asked for while the kernels were
    /// still loading neither kills the daemon nor is lost: it runs once the daemon is up.
    let hangups: UnixSignalsSequence
    /// SIGTERM and SIGINT, trapped before the group starts and by nobody else: UnixSignals allows one
    /// handler per signal, and a stop that came before this service ran must still count as the first.
    let stops: UnixSignalsSequence
    /// Starts the group's graceful shutdown (the first stop signal).
    let shutdown: @Sendable () async -> Void
    /// Runs a reload off the signal task (reloads can take a while for long kernels).
    let reload: @Sendable () -> Void
    /// Called just before a second signal exits, to remove what must not outlive the process.
    let beforeExit: @Sendable () -> Void

    func run() async throws {
        // Cancelled when its turn in the group's shutdown comes, after the stream has drained.
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { reload() }
                }
                group.addTask {
                    var count = 0
                    for await signal in stops {
                        count += 1
                        if count == 1 {
                            await shutdown()
                            continue
                        }
                        daemon.logger.warning("second \(signal) during shutdown: exiting at once")
                        beforeExit()
                        exit(128 + signal.rawValue)
                    }
                }
            }
        }
    }
}

/// The service group, for a service inside it that must reach it (set once the group exists).
final class ServiceGroupHandle: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func set(_ group: ServiceGroup) { self.group.withLock { $0 = group } }

    /// Asks the group for a graceful shutdown; the group remembers one asked for before it runs.
    func triggerGracefulShutdown() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }
}
