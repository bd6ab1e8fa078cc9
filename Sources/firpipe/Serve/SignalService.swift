import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Handles the signals the service group does not: SIGHUP reloads the config, and a second SIGTERM or
/// SIGINT (the group turns the first into a graceful shutdown) exits at once.
///
/// Listed first in the group so it is shut down last, after the stream has drained: a second signal
/// during the drain must still be heard.
struct SignalService: Service {
    let daemon: Daemon
    /// SIGHUP, trapped from the start of `serve` so that a reload asked for while the kernels were
    /// still loading neither kills the daemon nor is lost: it runs once the daemon is up.
    let hangups: UnixSignalsSequence
    /// Runs a reload off the signal task (reloads can take a while for long kernels).
    let reload: @Sendable () -> Void
    /// Called just before a second signal exits, to remove what must not outlive the process.
    let beforeExit: @Sendable () -> Void

    func run() async throws {
        // Trapped only now, after the group has trapped them: the first one is the group's.
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
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
                        if count >= 2 {
                            daemon.logger.warning("second \(signal) during shutdown: exiting at once")
                            beforeExit()
                            exit(128 + signal.rawValue)
                        }
                    }
                }
            }
        }
    }
}
