import Synchronization

/// Low-latency multi-channel streaming convolution with non-uniform partitions: the engine of
/// `firpipe serve`.
///
/// Raw PCM arrives one block of `blockSize` samples per channel at a time; each call to
/// ``process(_:_:)`` returns the matching block of the full convolution `x * h` with no added delay.
///
/// The kernel is cut as ``StreamLayout`` says. Its first taps (level 0) are a uniformly partitioned
/// convolution at the block size, run inline on the audio thread. Each later level k, with partitions
/// of `B·4^k`, is a ``StreamLevel`` with a worker thread of its own, so long kernels cost the audio
/// thread only a few small transforms per block. When a worker is late the audio thread waits for it
/// (and counts an underrun) instead of skipping its part: the output is always exact and the same from
/// run to run. All buffers, FFTW plans and threads are made in `init`; `process` and the workers' loops
/// do not allocate, lock, throw or log.
///
/// Thread use: `init` and `shutdown()` on any thread; `process` on one thread at a time (the audio
/// thread); `underruns` from any thread. `@unchecked Sendable` because the level-0 convolvers and the
/// call count belong to the thread calling `process`, each ``StreamLevel`` orders its own hand-overs,
/// and the rest is immutable, atomic or guarded by a mutex.
public final class StreamConvolver: @unchecked Sendable {
    /// Number of channels, the number of kernels given to `init`.
    public let channels: Int
    /// Samples per channel consumed and produced by each call to ``process(_:_:)``: the latency.
    public let blockSize: Int
    /// How the longest kernel is cut into levels.
    let layout: StreamLayout

    /// Level 0: one convolver per channel at the block size, each with its own kernel spectra.
    private let convolvers: [PartitionedConvolver]
    /// Levels 1 and up, each with its worker running from `init` until `shutdown()`.
    private let levels: [StreamLevel]
    /// Blocks processed so far: tells each level where the current block falls in its period.
    private var calls = 0
    private let underrunCount = Atomic<Int>(0)
    /// True once `shutdown()` has begun; the mutex makes a second caller wait until the workers are
    /// joined, the atomic lets `process` catch a call after shutdown without a lock.
    private let stopped = Mutex(false)
    private let isShutDown = Atomic<Bool>(false)

    /// Prepares the filter: transforms every kernel, allocates all buffers and starts one worker thread
    /// per background level. Any thread; may take a while for long kernels (planning and transforms).
    ///
    /// - Parameters:
    ///   - kernels: one per channel (already chosen), each at least one tap. They may differ in length;
    ///     the longest decides the levels.
    ///   - blockSize: samples per channel per call, at least 1.
    ///   - mode: `.correlate` computes `scipy.signal.correlate` instead of convolution.
    ///   - gains: linear gains, one per channel, folded into the kernel spectra.
    public convenience init(kernels: [[Float]], blockSize: Int, mode: ConvolutionMode = .convolve, gains: [Float]) {
        self.init(kernels: kernels, blockSize: blockSize, mode: mode, gains: gains, holdingJobs: false)
    }

    /// The same, for tests: `holdingJobs` makes every background job late (see `StreamLevel`).
    init(kernels: [[Float]], blockSize: Int, mode: ConvolutionMode, gains: [Float], holdingJobs: Bool) {
        precondition(!kernels.isEmpty, "at least one channel")
        precondition(gains.count == kernels.count, "one gain per channel")
        precondition(blockSize >= 1, "block size must be positive")
        precondition(kernels.allSatisfy { !$0.isEmpty }, "every kernel needs at least one tap")
        self.channels = kernels.count
        self.blockSize = blockSize
        // Levels take stretches of the kernel as it is applied, so correlation reverses it first.
        let kernels = mode == .correlate ? kernels.map { Array($0.reversed()) } : kernels
        let layout = StreamLayout(taps: kernels.map(\.count).max()!, blockSize: blockSize)
        self.layout = layout
        let first = layout.levels[0]
        self.convolvers = zip(kernels, gains).map { kernel, gain in
            let taps = Array(kernel.prefix(first.end))
            return PartitionedConvolver(kernel: PartitionedKernel(kernel: taps, blockSize: blockSize, gain: gain))
        }
        self.levels = layout.levels.dropFirst().map {
            StreamLevel(kernels: kernels, level: $0, blockSize: blockSize, gains: gains, holdingJobs: holdingJobs)
        }
        for (k, level) in levels.enumerated() {
            level.start(name: "firpipe-level-\(k + 1)")
        }
    }

    deinit {
        shutdown()
    }

    /// Filters one block of every channel.
    ///
    /// `input` and `output` are planar: channel c's `blockSize` samples at offset `c·blockSize`. They may
    /// alias. Output block k is samples `[k·B, (k+1)·B)` of the full convolution. The audio thread, one
    /// call at a time; never after ``shutdown()``.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        // A call after shutdown would wait forever on a stopped worker: a programmer error, so crash.
        precondition(!isShutDown.load(ordering: .relaxed), "StreamConvolver.process after shutdown()")
        let call = calls
        // The levels copy the input before level 0 writes the output, which may be the same memory.
        for level in levels {
            level.write(input, call: call)
        }
        // Each channel reads only its own stretch of the input before writing the same stretch of the
        // output, so aliasing is safe channel by channel.
        for c in 0..<channels {
            convolvers[c].process(input + c * blockSize, output + c * blockSize)
        }
        // A fixed order of summation keeps the output bit-for-bit the same from run to run.
        for level in levels {
            if level.add(into: output, call: call) { underrunCount.add(1, ordering: .relaxed) }
        }
        calls = call + 1
    }

    /// Times ``process(_:_:)`` had to wait for a background level that was late. Any thread.
    public var underruns: Int { underrunCount.load(ordering: .relaxed) }

    /// CPU time the background workers have used so far, in nanoseconds. Any thread.
    public var workerCPUNanoseconds: UInt64 {
        levels.reduce(0) { $0 &+ $1.cpuNanoseconds.load(ordering: .relaxed) }
    }

    /// Worker threads that have not yet left their loop. Any thread; for tests.
    var runningWorkers: Int { levels.filter { $0.running.load(ordering: .acquiring) }.count }

    /// Stops and joins the worker threads; idempotent, and called by `deinit`. After it, `process` must
    /// not be called. Any thread but the audio thread; returns once no worker runs.
    public func shutdown() {
        stopped.withLock { stopped in
            guard !stopped else { return }
            stopped = true
            isShutDown.store(true, ordering: .relaxed)
            for level in levels { level.stop() }
        }
    }
}
