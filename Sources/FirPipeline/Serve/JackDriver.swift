internal import CJack
import Dispatch
import FirCore
import Synchronization
internal import Glibc

/// The jack backend of a ``StreamEngine``: JACK's process callback runs the filter step for each period
/// in place (level 0 inline, later levels on their workers), so with the block equal to the period
/// the stream adds no latency. A thread of its own (`firpipe-jack`) connects to the server, connects
/// the configured ports, frees what kernel changes leave behind, logs what the callbacks only flag,
/// and reconnects with back-off when the server goes away.
///
/// The process callback does not allocate, lock, log or make a system call of its own (the level
/// workers are woken by semaphores, as in the pipe backend); everything it must report goes through
/// atomics to the driver's thread. Other callbacks (xrun, shutdown, latency, port registration) run on
/// JACK's notification threads and only set flags, except the latency callback, which answers JACK.
///
/// `@unchecked Sendable`: `planar` belongs to the process callback; the client and the back-off state
/// to the driver's thread; the rest is atomic or immutable.
final class JackDriver: @unchecked Sendable {
    unowned(unsafe) let engine: StreamEngine
    let settings: JackSettings
    let clientName: String
    let inputs: Int
    let outputs: Int
    /// The input's and output's planar runs, channel c at `c · blockSize`; the process callback's.
    private let planar: AlignedFloats

    /// Wakes the driver's thread early: the server went away, a port appeared, intake stopped.
    let wake = DispatchSemaphore(value: 0)
    let serverGone = Atomic<Bool>(false)
    let portsAppeared = Atomic<Bool>(false)
    /// The period of the last process call when it was not the block size, else 0.
    let wrongPeriod = Atomic<Int>(0)
    /// A non-finite input sample the default rule refuses: frame (−1 for none), channel, bits.
    let refusedFrame = Atomic<Int>(-1)
    let refusedChannel = Atomic<Int>(0)
    let refusedBits = Atomic<UInt32>(0)
    /// SCHED_FIFO priority for the level workers, just below JACK's process thread (0: JACK is not
    /// real-time, leave them be). Set on connecting.
    let workerPriority = Atomic<Int>(0)
    /// Whether a refused priority was already logged.
    let priorityRefusalSaid = Atomic<Bool>(false)
    /// What a kernel change retired, handed from the process callback to the driver's thread.
    let retired = Mutex<RetiredFilter?>(nil)

    /// The client in use; the driver's thread only (and `start()` before it runs).
    var client: JackClient?
    /// CPU of the process threads of clients already closed, so the figure never goes backwards.
    var closedClientsCPU: UInt64 = 0
    /// The open client's process-thread CPU at the last look.
    var lastProcessCPU: UInt64 = 0
    /// The ports of `connect_inputs` / `connect_outputs` not connected at the last try, to log each
    /// change once.
    var missingPorts: Set<String> = []

    init(engine: StreamEngine, settings: JackSettings, clientName: String, outputs: Int) throws(ResourceError) {
        self.engine = engine
        self.settings = settings
        self.clientName = clientName
        self.inputs = engine.settings.channels
        self.outputs = outputs
        planar = try AlignedFloats(count: engine.blockSize * max(inputs, outputs))
    }

    /// Frames from an input sample to its output: the limiter's look-ahead, no block.
    var addedLatency: Int { engine.filter.limiter?.latency ?? 0 }

    /// Gives `graph`'s level workers real-time priority below JACK's, level 1 highest, as jconvolver
    /// does: the process callback waits for a late level, so a worker preempted by ordinary work
    /// would make JACK miss its deadline. Any thread but the process thread; before `graph` is used.
    func promoteWorkers(of graph: StreamGraph) {
        let top = workerPriority.load(ordering: .relaxed)
        guard top > 0 else { return }
        for (k, thread) in graph.workerThreads.enumerated() {
            var parameters = sched_param(sched_priority: Int32(max(1, top - k)))
            let rc = pthread_setschedparam(pthread_t(thread), SCHED_FIFO, &parameters)
            if rc != 0 && !priorityRefusalSaid.exchange(true, ordering: .relaxed) {
                engine.logger.warning(
                    "the level workers stay at normal priority: SCHED_FIFO refused (\(String(cString: strerror(rc)))); give the daemon's user an rtprio limit (the audio group) or CPUSchedulingPolicy=fifo")
            }
        }
    }

    // MARK: - The process callback

    /// One period: inputs → filter step → outputs. JACK's process thread.
    func process(_ client: JackClient, frames: UInt32) {
        let n = Int(frames), b = engine.blockSize
        guard n == b, !engine.failure.hasFailed, refusedFrame.load(ordering: .relaxed) < 0 else {
            if n != b { wrongPeriod.store(n, ordering: .relaxed) }
            for port in client.outputs { JackClient.buffer(port, frames).update(repeating: 0, count: n) }
            return
        }
        if wrongPeriod.load(ordering: .relaxed) != 0 { wrongPeriod.store(0, ordering: .relaxed) }
        let samples = planar.pointer
        for (c, port) in client.inputs.enumerated() {
            (samples + c * b).update(from: JackClient.buffer(port, frames), count: b)
        }
        let found = engine.nonFinite.screen(
            planar: samples, stride: b, frames: b, channels: inputs,
            firstFrame: engine.counters.frames.load(ordering: .relaxed))
        if case .refused(let location) = found {
            refusedChannel.store(location.channel, ordering: .relaxed)
            refusedBits.store(location.value.bitPattern, ordering: .relaxed)
            refusedFrame.store(location.frame, ordering: .releasing)
            for port in client.outputs { JackClient.buffer(port, frames).update(repeating: 0, count: n) }
            return
        }
        engine.filterStep(samples, frames: b)
        for (c, port) in client.outputs.enumerated() {
            JackClient.buffer(port, frames).update(from: samples + c * b, count: b)
        }
        if engine.filter.retiring != nil { handOffRetired() }
    }

    /// Passes what the filter retired to the driver's thread, if the slot is free and its lock is not
    /// held (else the next period tries again). JACK's process thread.
    private func handOffRetired() {
        let handed = retired.withLockIfAvailable { slot -> Bool in
            guard slot == nil else { return false }
            slot = engine.takeRetired()
            return true
        }
        _ = handed
    }

    /// The C callbacks: plain functions that find the client, and through it the driver.
    static let callbacks = JackClient.Callbacks(
        process: { frames, context in
            let client = JackClient.from(context)
            client.driver.process(client, frames: frames)
            return 0
        },
        xrun: { context in
            let driver = JackClient.from(context).driver
            driver.engine.counters.xruns.add(1, ordering: .relaxed)
            return 0
        },
        shutdown: { context in
            let driver = JackClient.from(context).driver
            driver.serverGone.store(true, ordering: .releasing)
            driver.wake.signal()
        },
        latency: { mode, context in
            let client = JackClient.from(context)
            client.reportLatency(playback: mode == JackPlaybackLatency, added: client.driver.addedLatency)
        },
        portRegistration: { _, registered, context in
            guard registered != 0 else { return }
            let driver = JackClient.from(context).driver
            driver.portsAppeared.store(true, ordering: .releasing)
            driver.wake.signal()
        })
}
