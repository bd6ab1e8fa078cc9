import FirCore
import FirPipeline
import Logging
import ServiceLifecycle

/// Runs the spool as a service: starts watching, and on graceful shutdown stops intake and lets the
/// jobs in flight finish. Jobs still running at the drain's deadline are cancelled; their inputs stay
/// in the inbox for the next start, so nothing is lost.
struct SpoolService: Service {
    let daemon: Daemon
    let spool: Spool
    /// How long the jobs in flight may take to finish after SIGTERM.
    let drainSeconds: Double
    let onReady: @Sendable () -> Void

    func run() async throws {
        try spool.start()
        daemon.state = .running
        onReady()
        try? await gracefulShutdown()
        daemon.state = .stopping
        daemon.notifyStopping()
        let running = spool.counts.running
        daemon.logger.info("stopping: no new jobs; waiting for \(running) running")
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            // drain blocks; a plain thread keeps it off the cooperative pool.
            do throws(ResourceError) {
                try NamedThread.start("firpipe-drain") { [spool, drainSeconds] in
                    continuation.resume(returning: spool.drain(timeout: drainSeconds))
                }
            } catch {
                // No thread to wait on: the jobs in flight are cancelled as at the deadline.
                daemon.logger.warning("cannot wait for the spool's jobs: \(error)")
                continuation.resume(returning: spool.drain(timeout: 0))
            }
        }
        if !finished {
            daemon.logger.warning(
                "jobs still running at the shutdown deadline were cancelled; their inputs stay in the inbox")
        }
        let counts = spool.counts
        daemon.logger.info("spool stopped: \(counts.done) done, \(counts.failed) failed")
    }
}
