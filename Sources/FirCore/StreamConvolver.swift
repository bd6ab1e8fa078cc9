import Synchronization

/// Low-latency multi-channel streaming convolution with non-uniform partitions: the engine of
/// `firpipe serve`.
///
/// Raw PCM arrives one block of `blockSize` samples per channel at a time; each call to
/// ``process(_:_:)`` returns the matching block of the full convolution `x * h` with no added delay.
///
/// The kernel is cut as ``StreamLayout`` says. Its first taps (level 0) are a uniformly partitioned
/// convolution at the block size, run inline on the audio thread. Each later level k, with partitions
/// of `B·8^k`, is a ``StreamLevel`` with a worker thread of its own, so long kernels cost the audio
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
    /// One path of a graph: input channel `input` through `taps` (times `gain`) into output `output`.
    /// Paths with the same `key` and gain share their spectra, so `key` must identify the taps.
    public struct Path: Sendable {
        public let output: Int
        public let input: Int
        public let key: String
        public let taps: [Float]
        public let gain: Float

        public init(output: Int, input: Int, key: String, taps: [Float], gain: Float) {
            precondition(!taps.isEmpty, "every kernel needs at least one tap")
            self.output = output
            self.input = input
            self.key = key
            self.taps = taps
            self.gain = gain
        }
    }

    /// Input channels, read from `process`'s input.
    public let inputs: Int
    /// Output channels, written to `process`'s output.
    public let outputs: Int
    /// Input channels (one kernel per channel, output c from input c, when made with `kernels:`).
    public var channels: Int { inputs }
    /// Samples per channel consumed and produced by each call to ``process(_:_:)``: the latency.
    public let blockSize: Int
    /// How the longest kernel is cut into levels.
    let layout: StreamLayout

    /// Level 0: every path's first taps at the block size, mixed in the frequency domain (each input
    /// transformed once, each output transformed back once).
    private let first: MixingConvolver
    /// Levels 1 and up, each with its worker running from `init` until `shutdown()`.
    private let levels: [StreamLevel]
    /// Blocks processed so far: tells each level where the current block falls in its period.
    private var calls = 0
    private let underrunCount = Atomic<Int>(0)
    /// True once `shutdown()` has begun; the mutex makes a second caller wait until the workers are
    /// joined, the atomic lets `process` catch a call after shutdown without a lock.
    private let stopped = Mutex(false)
    private let isShutDown = Atomic<Bool>(false)

    /// Prepares a filter of one kernel per channel (output c from input c): transforms every kernel,
    /// allocates all buffers and starts one worker thread per background level. Any thread; may take a
    /// while for long kernels (planning and transforms).
    ///
    /// - Parameters:
    ///   - kernels: one per channel (already chosen), each at least one tap. They may differ in length;
    ///     the longest decides the levels.
    ///   - blockSize: samples per channel per call, at least 1.
    ///   - mode: `.correlate` computes `scipy.signal.correlate` instead of convolution.
    ///   - gains: linear gains, one per channel, folded into the kernel spectra.
    /// - Throws: ``ResourceError`` when memory or a level's thread is refused.
    public convenience init(
        kernels: [[Float]], blockSize: Int, mode: ConvolutionMode = .convolve, gains: [Float]
    ) throws(ResourceError) {
        try self.init(kernels: kernels, blockSize: blockSize, mode: mode, gains: gains, holdingJobs: false)
    }

    /// The same, for tests: `holdingJobs` makes every background job late (see `StreamLevel`).
    convenience init(
        kernels: [[Float]], blockSize: Int, mode: ConvolutionMode, gains: [Float], holdingJobs: Bool
    ) throws(ResourceError) {
        precondition(!kernels.isEmpty, "at least one channel")
        precondition(gains.count == kernels.count, "one gain per channel")
        let paths = kernels.indices.map {
            Path(output: $0, input: $0, key: "channel \($0)", taps: kernels[$0], gain: gains[$0])
        }
        try self.init(
            paths: paths, inputs: kernels.count, outputs: kernels.count, blockSize: blockSize, mode: mode,
            holdingJobs: holdingJobs)
    }

    /// Prepares a graph's filter: output o is the sum of its paths' inputs, each through its kernel.
    /// An input no path reads is ignored; an output no path feeds is silent.
    /// - Throws: ``ResourceError`` when memory or a level's thread is refused.
    public convenience init(
        paths: [Path], inputs: Int, outputs: Int, blockSize: Int, mode: ConvolutionMode = .convolve
    ) throws(ResourceError) {
        try self.init(
            paths: paths, inputs: inputs, outputs: outputs, blockSize: blockSize, mode: mode, holdingJobs: false)
    }

    init(
        paths: [Path], inputs: Int, outputs: Int, blockSize: Int, mode: ConvolutionMode, holdingJobs: Bool
    ) throws(ResourceError) {
        precondition(inputs >= 1 && outputs >= 1, "at least one channel each way")
        precondition(blockSize >= 1, "block size must be positive")
        precondition(paths.allSatisfy { (0..<outputs).contains($0.output) && (0..<inputs).contains($0.input) })
        self.inputs = inputs
        self.outputs = outputs
        self.blockSize = blockSize
        // Levels take stretches of the kernel as it is applied, so correlation reverses it first.
        let paths = mode == .correlate
            ? paths.map { Path(output: $0.output, input: $0.input, key: $0.key, taps: $0.taps.reversed(), gain: $0.gain) }
            : paths
        let layout = StreamLayout(taps: paths.map(\.taps.count).max() ?? 1, blockSize: blockSize)
        self.layout = layout
        let firstEnd = layout.levels[0].end
        first = try StreamLevel.mixer(
            paths: paths, inputs: inputs, outputs: outputs, partition: blockSize, stretch: 0..<firstEnd,
            sumOrder: .chunked)
        var levels: [StreamLevel] = []
        for level in layout.levels.dropFirst() {
            levels.append(try StreamLevel(
                paths: paths, inputs: inputs, outputs: outputs, level: level, blockSize: blockSize,
                holdingJobs: holdingJobs))
        }
        self.levels = levels
        // A refused thread: `deinit`'s shutdown stops the levels already running (and skips the rest).
        for (k, level) in levels.enumerated() {
            try level.start(name: "firpipe-level-\(k + 1)")
        }
    }

    deinit {
        shutdown()
    }

    /// Filters one block of every channel.
    ///
    /// `input` (``inputs`` channels) and `output` (``outputs`` channels) are planar: channel c's
    /// `blockSize` samples at offset `c·blockSize`. They may alias. Output block k is samples `[k·B, (k+1)·B)` of the full convolution. The audio thread, one
    /// call at a time; never after ``shutdown()``.
    public func process(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        // A call after shutdown would wait forever on a stopped worker: a programmer error, so crash.
        precondition(!isShutDown.load(ordering: .relaxed), "StreamConvolver.process after shutdown()")
        let call = calls
        // The levels copy the input before level 0 writes the output, which may be the same memory.
        for level in levels {
            level.write(input, call: call)
        }
        // Every input is transformed before any output is written, so the two may alias.
        for i in 0..<inputs {
            first.forward(input: i, block: call, gathering: input + i * blockSize, stride: 1, count: blockSize)
        }
        for o in 0..<outputs {
            first.output(o, block: call, into: output + o * blockSize, stride: 1)
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

    /// The background levels' worker threads, level 1 first (their deadlines are the tightest). Any
    /// thread, once `init` has returned. As `pthread_t` values.
    public var workerThreads: [UInt] { levels.map { $0.thread.load(ordering: .acquiring) } }

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
