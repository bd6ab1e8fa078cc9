internal import Dispatch
#if canImport(Glibc)
internal import Glibc
#endif

/// Starting a thread under a name the system shows (top -H, ps, /proc/PID/task/*/comm), and learning
/// when the system refuses one.
///
/// The names: a batch job's `firpipe-read` and `firpipe-work-N` (its writer is the thread that runs the
/// job), `firpipe-plan` (FFT plans made while the kernel loads) and `firpipe-setup` (kernel transforms);
/// `firpipe-wisdom`, which loads FFTW wisdom; the stream engine's `firpipe-reader`, `firpipe-filter`,
/// `firpipe-writer` and its partition levels' `firpipe-level-N`; the spool's `firpipe-spool` and
/// `firpipe-job`; the control socket's `firpipe-control`; `firpipe-waiter` and `firpipe-drain`, which
/// wait on the stream and the spool at shutdown; and `firpipe-signals`, which turns SIGINT and SIGTERM
/// into a cancellation.
public enum NamedThread {
    /// Starts `body` on a new detached thread named `name` (the first 15 bytes). Any thread.
    ///
    /// pthread_create directly, not Foundation's `Thread`: that ignores a refusal (EAGAIN under a
    /// memory or process limit: each stack is 8 MiB of address space), and the stage that should have
    /// run then never does while the others wait for it forever. The name is set from inside, since a
    /// thread otherwise keeps the name of the one that started it.
    ///
    /// - Throws: ``ResourceError`` `.thread` when the system refuses the thread; `body` then never runs.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) throws(ResourceError) {
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
            CurrentThread.setName(start.name)
            start.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            throw ResourceError(.thread(name: name, errno: result))
        }
        pthread_detach(thread)
    }

    /// What a new thread runs, handed over through pthread_create's one pointer.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}

extension NamedThread {
    /// Runs `body(i)` for every i in `0..<iterations`: iteration 0 on the calling thread, the others on
    /// threads of their own named `name-i`, or on the calling thread too when the system refuses one.
    /// Returns when all are done. Set-up work only (a thread per iteration).
    ///
    /// Not Dispatch's concurrentPerform: when a worker thread is refused (a memory limit), libdispatch
    /// retries pthread_create every few milliseconds forever, and the set-up never ends.
    public static func perform(_ name: String, iterations: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchSemaphore(value: 0)
        var running = 0
        var here = [0]
        for i in 1..<Swift.max(iterations, 1) {
            do throws(ResourceError) {
                try start("\(name)-\(i)") {
                    body(i)
                    done.signal()
                }
                running += 1
            } catch {
                here.append(i)
            }
        }
        for i in here where i < iterations { body(i) }
        for _ in 0..<running { done.wait() }
    }
}

/// How a pipeline starts its stage threads: ``NamedThread/start(_:_:)``, or a test's stand-in that
/// refuses some, to show that the stages already running are let go.
public typealias ThreadStarter =
    @Sendable (_ name: String, _ body: @escaping @Sendable () -> Void) throws(ResourceError) -> Void
