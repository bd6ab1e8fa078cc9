import FirCore
import FirPipeline
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the stream engine as a service: starts its threads, stops intake on graceful shutdown, and
/// returns once the output is flushed. The audio itself never touches Swift concurrency.
struct StreamService: Service {
    let daemon: Daemon
    let engine: StreamEngine
    /// Called once the engine's threads run (READY=1).
    let onReady: @Sendable () -> Void

    func run() async throws {
        try engine.start()
        daemon.state = .running
        onReady()
        let result = EngineResult()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await result.wait(for: engine)
            } onGracefulShutdown: { [daemon, engine] in
                daemon.state = .stopping
                daemon.notifyStopping()
                daemon.logger.info("stopping: taking the input already sent, then flushing the output")
                engine.stopIntake()
            }
        } onCancel: {
            result.abandon()
        }
        if let error = result.error { throw error }
        if !engine.isFinished { throw ShutdownTimedOut() }
        let frames = engine.counters.frames.load(ordering: .relaxed)
        let blocks = engine.counters.blocks.load(ordering: .relaxed)
        daemon.logger.info("stream finished: \(frames) frames in \(blocks) blocks")
    }
}

/// The stream did not drain within `shutdown_timeout_s`.
struct ShutdownTimedOut: Error {}

/// Bridges the engine's blocking `wait()` to async code, and lets cancellation stop waiting.
final class EngineResult: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, Never>?
        var done = false
        var error: JobError?
    }
    private let state = Mutex(State())

    var error: JobError? { state.withLock { $0.error } }

    func wait(for engine: StreamEngine) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.done { return true }
                s.continuation = continuation
                return false
            }
            if resumeNow {
                continuation.resume()
                return
            }
            // A plain thread waits: the engine's semaphore must not block the cooperative pool.
            do throws(ResourceError) {
                try NamedThread.start("firpipe-waiter") { [self] in
                    let error = engine.wait()
                    self.complete(error)
                }
            } catch {
                // Nobody can wait for the engine off the pool: stop it, and report why.
                engine.stopIntake()
                complete(JobError(error, path: "stream", while: "waiting for the stream to drain"))
            }
        }
    }

    /// Stops waiting (the group is being cancelled); the process is about to exit.
    func abandon() {
        complete(nil)
    }

    private func complete(_ error: JobError?) {
        let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.done else { return nil }
            s.done = true
            s.error = error
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume()
    }
}
