import ServiceLifecycle

/// Writes the Prometheus metrics file every interval, and once more at shutdown.
struct MetricsService: Service {
    let daemon: Daemon
    let file: MetricsFile
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            write()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        write()
    }

    private func write() {
        do throws(DaemonError) { try file.write(daemon.status()) } catch {
            daemon.logger.warning("\(error.message)")
        }
    }
}
