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
    /// Runs a reload off the signal task (reloads can take a while for long kernels).
    let reload: @Sendable () -> Void

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigterm, .sigint)
        // Cancelled when its turn in the group's shutdown comes, after the stream has drained.
        try await cancelWhenGracefulShutdown {
            var stops = 0
            for await signal in signals {
                switch signal {
                case .sighup:
                    reload()
                default:
                    stops += 1
                    if stops >= 2 {
                        daemon.logger.warning("second \(signal) during shutdown: exiting at once")
                        exit(128 + signal.rawValue)
                    }
                }
            }
        }
    }
}
