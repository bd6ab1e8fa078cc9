import ServiceLifecycle

/// Pings systemd's watchdog at half of `WatchdogSec=`, but only while the audio path shows signs of
/// life (`Daemon.isAlive()`): a wedged stage stops the pings, and systemd restarts the service.
struct WatchdogService: Service {
    let daemon: Daemon
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if daemon.isAlive() {
                _ = daemon.notifier.watchdog()
            } else {
                daemon.logger.warning("no progress on the audio path since the last watchdog interval; not pinging")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
