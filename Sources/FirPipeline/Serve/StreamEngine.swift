import Dispatch
import FirAudio
import FirCore
import Logging
import Synchronization
internal import Glibc

/// A running stream: raw PCM from a pipe or an ALSA capture device, through a ``StreamGraph``, to a pipe
/// or an ALSA playback device, block by block. Three threads joined by bounded queues: the reader (waits
/// for input, decodes), the filter (convolves, crossfades on a kernel change, encodes), and the writer.
/// With the jack backend, JACK's ports go through the same filter step in JACK's process callback
/// instead, with no latency of its own (``JackDriver``).
///
/// The output starts with silence, the latency (one block to a pipe, `periods` blocks to a device: its
/// buffer kept full), and then carries the filtered input frame for frame: output frame `n + latency`
/// is frame `n` of the full convolution, and a stream of N input frames gives exactly `N + latency`
/// output frames.
///
/// Public methods may be called from any thread. Nothing on the audio path allocates, locks or logs per
/// block; a kernel change takes a lock once.
public final class StreamEngine: @unchecked Sendable {
    public let settings: StreamSettings
    public let blockSize: Int
    public let counters: StreamCounters
    /// The input's frames.
    let codec: RawPCMCodec
    /// The output's frames: the graph's channel count, in the input's sample format.
    let outputCodec: RawPCMCodec
    let logger: Logger
    /// What a NaN or infinite input sample does, and how many were silenced; a reload sets its mode.
    public let nonFinite: NonFiniteGuard

    /// Blocks in flight: enough to absorb jitter between stages, few enough to bound memory.
    static let poolSize = 4
    let free: BoundedQueue<StreamBlock>
    let toFilter: BoundedQueue<StreamMessage>
    let toWrite: BoundedQueue<StreamMessage>

    /// Set by `stopIntake()`: the reader takes what input is already waiting, then ends the stream.
    let stopping = Atomic<Bool>(false)
    /// The first error any stage hit; later stages then only drain.
    let failure = StageFailure()
    /// Moves while the stream is alive: each block filtered, and each second the reader waits on idle
    /// input. The watchdog pings systemd only while it moves.
    public let heartbeat = Atomic<UInt64>(0)
    /// Wakes the reader from `poll` when intake stops.
    let wake: WakePipe
    /// The ALSA devices in place of the input and output pipes (``StreamBackend/alsa``), opened before
    /// the stream starts.
    let capture: StreamDevice?
    let playback: StreamDevice?
    private let done = DispatchSemaphore(value: 0)
    private let finished = Atomic<Bool>(false)

    /// The filter thread's state; only that thread touches it after `start()`.
    let filter: FilterState
    /// A kernel change waiting for the next block boundary.
    let pendingSwap = Mutex<KernelSwap?>(nil)
    let swapWaiting = Atomic<Bool>(false)
    /// The jack backend's driver; nil with pipes.
    private(set) var jackDriver: JackDriver?

    /// - Parameters:
    ///   - convolver: the filter to start with; its input channel count must match the stream's.
    ///   - ditherSeed: TPDF dither with this seed before s16le and s24le output; nil for none.
    ///   - limitDB: a look-ahead peak limiter's ceiling in dBFS, or nil for none; its look-ahead adds
    ///     to the latency (``latency``).
    ///   - nonFinite: what a NaN or infinite input sample does: end the stream with bad data (the
    ///     default), or become silence and be counted (``nonFinite``).
    /// - Throws: `JobError` (I/O) if the wake-up pipe cannot be made or an ALSA device cannot be opened;
    ///   `.config` naming the key an ALSA device refuses (rate, format, channels, periods, block_size);
    ///   `.osError` if memory is refused.
    public init(
        settings: StreamSettings, convolver: StreamGraph, ditherSeed: UInt64? = nil, limitDB: Double? = nil,
        nonFinite: NonFiniteMode = .error, logger: Logger
    ) throws(JobError) {
        precondition(convolver.inputs == settings.channels, "the graph reads the stream's channels")
        self.settings = settings
        self.blockSize = convolver.blockSize
        self.codec = RawPCMCodec(format: settings.format, channels: settings.channels)
        self.outputCodec = RawPCMCodec(format: settings.format, channels: convolver.outputs)
        counters = StreamCounters(outputChannels: convolver.outputs)
        self.logger = logger
        self.nonFinite = NonFiniteGuard(mode: nonFinite)
        free = BoundedQueue(capacity: Self.poolSize)
        toFilter = BoundedQueue(capacity: Self.poolSize + 1)
        toWrite = BoundedQueue(capacity: Self.poolSize + 1)
        do throws(ResourceError) {
            for _ in 0..<Self.poolSize {
                free.push(try StreamBlock(blockSize: blockSize, codecs: [codec, outputCodec]))
            }
            filter = try FilterState(convolver: convolver, blockSize: blockSize, channels: convolver.outputs)
        } catch {
            throw JobError(error, path: "stream", while: "allocating its blocks")
        }
        if let ditherSeed, let bits = settings.format.ditherBits {
            filter.dither = TPDFDither(bits: bits, seed: ditherSeed)
        }
        if let limitDB {
            filter.startLimiter(
                ceilingDB: limitDB, sampleRate: settings.sampleRate, channels: convolver.outputs, blockSize: blockSize)
        }
        wake = try WakePipe { JobError(.ioError, "cannot make the stream's wake-up pipe: \(errnoText($0))") }
        let periods = settings.alsa?.periods ?? ALSAStreamDevices.defaultPeriods, size = convolver.blockSize
        capture = try settings.alsa?.capture.map { name throws(JobError) in
            try StreamDevice(
                name: name, direction: .capture, settings: settings, channels: settings.channels, blockSize: size,
                periods: periods)
        }
        playback = try settings.alsa?.playback.map { name throws(JobError) in
            try StreamDevice(
                name: name, direction: .playback, settings: settings, channels: convolver.outputs, blockSize: size,
                periods: periods)
        }
        if settings.backend == .jack {
            do throws(ResourceError) {
                jackDriver = try JackDriver(
                    engine: self, settings: settings.jack, clientName: settings.jack.clientName ?? "firpipe",
                    outputs: convolver.outputs)
            } catch {
                throw JobError(error, path: "stream", while: "allocating its JACK buffers")
            }
        }
    }

    /// Starts the three stage threads, named for top -H and the soak script. The reader and writer open
    /// their pipes themselves, since opening a named pipe waits for the other end.
    ///
    /// Consumers before their producer: when the system refuses a thread, the stages already running
    /// get the end of the stream from here, the writer finishes and ``wait()`` returns the failure.
    /// - Throws: `.osError` when a thread is refused.
    public func start(startThread: ThreadStarter = NamedThread.start) throws(JobError) {
        if let jackDriver {
            try jackDriver.start(startThread: startThread)
            return
        }
        var running = 0
        do throws(ResourceError) {
            try startThread("firpipe-writer") { self.runWriter() }
            running += 1
            try startThread("firpipe-filter") { self.runFilter() }
            running += 1
            try startThread("firpipe-reader") { self.runReader() }
        } catch {
            let refused = JobError(error, path: "stream", while: "starting the stream's stages")
            fail(refused)
            switch running {
            case 0: finish()
            case 1: toWrite.push(.end)
            default: toFilter.push(.end)
            }
            throw refused
        }
    }

    /// Stops taking input: the reader takes what is already waiting in the pipe, the stream drains and
    /// the output is flushed. Any thread; idempotent.
    public func stopIntake() {
        if !stopping.exchange(true, ordering: .acquiringAndReleasing) {
            wake.wake()
            jackDriver?.wake.signal()
        }
    }

    /// Hands the filter a new convolver; it takes over at the next block boundary, crossfading from the
    /// old one over `crossfadeFrames` frames (0: at once). A change still fading is finished first; of
    /// several changes arriving meanwhile, the last is taken.
    /// Any thread; the ramp is made here so the audio thread does not allocate.
    public func replace(with convolver: StreamGraph, crossfadeFrames: Int) {
        precondition(convolver.inputs == settings.channels && convolver.outputs == outputChannels)
        precondition(convolver.blockSize == blockSize)
        jackDriver?.promoteWorkers(of: convolver)
        let swap = KernelSwap(convolver: convolver, crossfadeFrames: crossfadeFrames)
        // A change not yet taken is replaced; it is released outside the lock, since freeing a
        // convolver joins its worker threads and the filter thread takes this lock.
        let replaced = pendingSwap.withLock { pending -> KernelSwap? in
            defer { pending = swap }
            return pending
        }
        swapWaiting.store(true, ordering: .releasing)
        replaced?.convolver.shutdown()
    }

    /// Waits until the output is flushed (or a stage failed). Returns the first error, if any.
    /// Blocks the calling thread: the daemon shell calls it from a thread of its own (`firpipe-waiter`).
    public func wait() -> JobError? {
        done.wait()
        done.signal()
        return failure.error
    }

    /// Frames from an input frame to its output: the silence the writer starts with (one block to a
    /// pipe, a device's whole buffer; none with JACK, whose callback filters each period as it comes),
    /// plus the limiter's look-ahead.
    public var latency: Int { (jackDriver == nil ? blockSize * primingBlocks : 0) + (filter.limiter?.latency ?? 0) }

    /// Blocks of silence the writer starts with (``StreamSettings/primingBlocks``).
    var primingBlocks: Int { settings.primingBlocks }

    /// Channels the stream writes: the graph's outputs, fixed for the stream's life.
    public var outputChannels: Int { outputCodec.channels }

    /// Whether the writer has finished.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    // MARK: - For the stages

    /// Records the first failure and makes every stage wind down.
    func fail(_ error: JobError) {
        if failure.record(error) { logger.error("\(error.message)") }
        stopIntake()
    }

    /// Called once by the writer when the stream is over.
    func finish() {
        finished.store(true, ordering: .releasing)
        done.signal()
    }
}

/// A new convolver and the crossfade ramp to bring it in, prepared off the audio thread.
struct KernelSwap: @unchecked Sendable {
    let convolver: StreamGraph
    /// Weights of the new convolver's output, rising from 0 towards 1 (raised cosine: the two gains
    /// sum to one at every sample, so a signal the two filters treat alike passes unchanged).
    let ramp: [Float]

    init(convolver: StreamGraph, crossfadeFrames: Int) {
        self.convolver = convolver
        let n = max(0, crossfadeFrames)
        ramp = (0..<n).map { i in
            let s = sin(Double.pi / 2 * (Double(i) + 0.5) / Double(n))
            return Float(s * s)
        }
    }
}

extension RawSampleFormat {
    /// Bits of the integer formats dither is for (16 and 24); nil for s32le (a float is already on its
    /// grid) and f32le.
    var ditherBits: Int? {
        switch self {
        case .s16le: return 16
        case .s24le: return 24
        default: return nil
        }
    }
}
