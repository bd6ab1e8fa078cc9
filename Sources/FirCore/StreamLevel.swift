internal import CFFTW
internal import Dispatch
import Synchronization
internal import Glibc

/// One background level of a ``StreamConvolver``: uniformly partitioned convolution with partitions of
/// `P` samples over its stretch of every path's kernel, mixed in the frequency domain
/// (``MixingConvolver``), run by a worker thread of its own.
///
/// The audio thread copies each block of input into a two-slot input ring (``write(_:call:)``); when a
/// whole P-sample block j is in, it wakes the worker, which transforms that block of every input once,
/// mixes the paths and assigns the P results per output to slot j mod 2 of the output ring. The audio thread adds those
/// results into its output during the period after (``add(into:call:)``), waiting first if the worker
/// is late. Each ring has two slots because the worker uses one while the audio thread fills or drains
/// the other; the semaphores order every hand-over, so no slot is read and written at the same time.
///
/// `@unchecked Sendable`: the rings are shared by the audio thread and the worker, but only in the
/// hand-overs above; the mixer's state belongs to the worker; the rest is immutable or atomic.
final class StreamLevel: @unchecked Sendable {
    /// Samples per partition and per job, `P`.
    let partitionSize: Int
    /// Kernel tap where this level's partitions start: `2P − B`, so each job has one period of slack.
    let offset: Int
    let inputs: Int
    let outputs: Int
    let blockSize: Int
    /// Audio blocks per job, `P / B`.
    private let periodBlocks: Int

    /// The paths' stretches of kernel at block size P; its state is the worker's.
    private let mixer: MixingConvolver
    /// The inputs and outputs some path of this level uses, for the copies and sums; a path whose
    /// kernel ends before this level has no part here.
    private let activeInputs: [Int]
    private let activeOutputs: [Int]
    /// Two slots of `inputs · P` (`outputs · P`) samples, channel c at `c·P` inside a slot.
    private let inputRing: AlignedFloats
    private let outputRing: AlignedFloats

    /// One signal per complete input block: the worker's queue of jobs.
    private let work = DispatchSemaphore(value: 0)
    /// One signal per finished job.
    private let done = DispatchSemaphore(value: 0)
    /// Signalled once when the worker is named and about to wait for work: `start()` waits for it.
    private let started = DispatchSemaphore(value: 0)
    /// Signalled once when the worker's loop has returned: `stop()` waits for it.
    private let exited = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    /// Tests only: when present, the worker holds each job until the audio thread has found it late, so
    /// the waiting path runs every time, whatever the timing.
    private let lateGate: DispatchSemaphore?
    /// Set once the worker thread exists: a level whose thread was refused has nothing to stop.
    private let launched = Atomic<Bool>(false)
    /// True while the worker thread is in its loop: lets tests check that `start()` and `stop()` join.
    let running = Atomic<Bool>(false)
    /// The worker's pthread, set by the worker before `start()` returns (0 before): lets a real-time
    /// host (JACK) raise its priority.
    let thread = Atomic<UInt>(0)
    /// CPU time the worker thread has used, as of its last job, for the daemon's per-stage load.
    let cpuNanoseconds = Atomic<UInt64>(0)

    /// Transforms this level's stretch of each path's kernel; allocates both rings. Does not start the
    /// worker.
    ///
    /// - Parameters:
    ///   - paths: every path with its whole kernel, already reversed for correlation.
    ///   - level: the partitions this level covers.
    ///   - holdingJobs: tests only; see `lateGate`.
    init(
        paths: [StreamConvolver.Path], inputs: Int, outputs: Int, level: StreamLayout.Level, blockSize: Int,
        holdingJobs: Bool = false
    ) throws(ResourceError) {
        let p = level.partitionSize
        precondition(p % blockSize == 0 && level.offset == 2 * p - blockSize, "level out of step with the block")
        partitionSize = p
        offset = level.offset
        self.inputs = inputs
        self.outputs = outputs
        self.blockSize = blockSize
        periodBlocks = p / blockSize
        lateGate = holdingJobs ? DispatchSemaphore(value: 0) : nil
        let here = paths.filter { $0.taps.count > level.offset }
        mixer = try Self.mixer(
            paths: here, inputs: inputs, outputs: outputs, partition: p, stretch: level.offset..<level.end,
            sumOrder: .partitionMajor)
        activeInputs = Array(Set(here.map(\.input))).sorted()
        activeOutputs = Array(Set(here.map(\.output))).sorted()
        inputRing = try AlignedFloats(count: 2 * inputs * p)
        outputRing = try AlignedFloats(count: 2 * outputs * p)
    }

    /// A mixer over taps `stretch` of each path's kernel in partitions of `partition` samples; paths
    /// with equal keys and gains share their spectra, paths whose kernel ends before the stretch are
    /// left out. `sumOrder`: `.partitionMajor` for a worker's level, whose job finds its spectra gone
    /// from the caches; `.chunked` for level 0, run every block.
    static func mixer(
        paths: [StreamConvolver.Path], inputs: Int, outputs: Int, partition: Int, stretch: Range<Int>,
        sumOrder: MixingConvolver.SumOrder
    ) throws(ResourceError) -> MixingConvolver {
        var made: [String: PartitionedKernel] = [:]
        var parts: [MixingConvolver.Path] = []
        for path in paths where path.taps.count > stretch.lowerBound {
            let id = "\(path.key)|\(path.gain.bitPattern)"
            let kernel = if let shared = made[id] { shared } else {
                try PartitionedKernel(
                    kernel: Array(path.taps[stretch.lowerBound..<Swift.min(stretch.upperBound, path.taps.count)]),
                    blockSize: partition, gain: path.gain)
            }
            made[id] = kernel
            parts.append(MixingConvolver.Path(output: path.output, input: path.input, kernel: kernel))
        }
        // Level 0 on the audio thread and each level on its worker transform every input, then every
        // output, of one block at a time on one thread: no spare spectrum, and frames to share.
        return try MixingConvolver(
            paths: parts, inputs: inputs, outputs: outputs, blockSize: partition, fftSize: 2 * partition,
            phases: .sameThread, sumOrder: sumOrder)
    }

    /// Starts the worker thread, named `name` in `top -H` and `/proc` (Linux keeps 15 bytes), and returns
    /// once it is ready for work, so a filter is fully running when its `init` returns. Once, after
    /// `init`; the thread that builds the filter.
    /// - Throws: ``ResourceError`` when the thread is refused; ``stop()`` then returns at once.
    func start(name: String) throws(ResourceError) {
        try NamedThread.start(name) { [self] in self.run() }
        launched.store(true, ordering: .releasing)
        started.wait()
    }

    /// The worker's loop: one job per `work` signal until `stop()`. Named by ``NamedThread``.
    private func run() {
        // Once per thread: FTZ/DAZ is per-thread state and this thread runs only this loop.
        firpipe_flush_denormals()
        running.store(true, ordering: .releasing)
        thread.store(UInt(pthread_self()), ordering: .releasing)
        started.signal()
        var job = 0
        while true {
            work.wait()
            if stopping.load(ordering: .acquiring) { break }
            lateGate?.wait()
            let inSlot = inputRing.pointer + (job & 1) * inputs * partitionSize
            let outSlot = outputRing.pointer + (job & 1) * outputs * partitionSize
            for i in activeInputs {
                mixer.forward(input: i, block: job, gathering: inSlot + i * partitionSize, stride: 1, count: partitionSize)
            }
            for o in activeOutputs {
                mixer.output(o, block: job, into: outSlot + o * partitionSize, stride: 1)
            }
            job += 1
            cpuNanoseconds.store(ThreadCPUClock.now(), ordering: .relaxed)
            done.signal()
        }
        running.store(false, ordering: .releasing)
        // Releases an audio thread that was (wrongly) still waiting on this level when it was stopped,
        // so a misordered shutdown cannot hang the daemon.
        done.signal()
        exited.signal()
    }

    /// Copies audio block `call` (planar, `inputs · B` samples) into the input ring and wakes the
    /// worker when it completes a job's block. Audio thread.
    @inline(__always)
    func write(_ input: UnsafePointer<Float>, call: Int) {
        let job = call / periodBlocks, within = call - job * periodBlocks
        let slot = inputRing.pointer + (job & 1) * inputs * partitionSize + within * blockSize
        for c in activeInputs {
            (slot + c * partitionSize).update(from: input + c * blockSize, count: blockSize)
        }
        if within == periodBlocks - 1 { work.signal() }
    }

    /// Adds this level's part of output block `call` into `output` (planar); returns true when it had
    /// to wait for a late worker. Audio thread, after `write` for the same call.
    @inline(__always)
    func add(into output: UnsafeMutablePointer<Float>, call: Int) -> Bool {
        // Output block `call` starts at sample call·B; this level contributes y_level[call·B − offset].
        let t = call * blockSize - offset
        if t < 0 { return false }
        let job = t / partitionSize, within = t - job * partitionSize
        var late = false
        if within == 0 {
            // First read of job `job`: it must be finished. Try without blocking to count lateness.
            if done.wait(timeout: .now()) == .timedOut {
                late = true
                lateGate?.signal()
                done.wait()
            }
        }
        let slot = UnsafePointer(outputRing.pointer) + (job & 1) * outputs * partitionSize + within
        for c in activeOutputs {
            let from = slot + c * partitionSize, to = output + c * blockSize
            for i in 0..<blockSize { to[i] += from[i] }
        }
        return late
    }

    /// Stops the worker and waits until its loop has returned. Once; any thread but the audio thread.
    func stop() {
        guard launched.load(ordering: .acquiring) else { return }
        stopping.store(true, ordering: .releasing)
        work.signal()
        lateGate?.signal()
        exited.wait()
    }
}
