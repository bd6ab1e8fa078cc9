import FirCore
import Dispatch

/// The per-channel convolvers of a job and the worker split that runs them (``WorkSplit``).
///
/// Kernel spectra are shared between channels that use the same kernel channel and gain, and by every
/// worker; so are the FFT plans. Each worker owns its convolver states.
public final class FilterBank: @unchecked Sendable {
    /// Samples per block.
    public let blockSize: Int
    /// Points per transform: `2·blockSize`, or less with a single partition (``PartitionedKernel``).
    public let fftSize: Int
    /// Worker count used by `process`.
    public let workers: Int
    /// How the workers share the blocks.
    public let split: WorkSplit
    /// Partitions of the longest kernel: the blocks of history a convolver's state depends on.
    public let partitions: Int
    /// Whether `process` leaves the output in the block's interleaved frames, ready to write, rather
    /// than in its planar runs for ``AudioBlock/interleave(frames:)``. So it does for mono and stereo
    /// split by channels: each worker scatters its channel straight out of its transform, which spares
    /// the writer a pass over every block. Not for stretches, whose warm-ups read the interleaved
    /// input after the block's owner has filtered it, nor for more channels, which the convolvers
    /// read from the planar runs.
    public let outputIsInterleaved: Bool
    /// For `.channels`, one convolver per channel; for `.stretches`, one set of them per worker.
    let convolverSets: [[PartitionedConvolver]]
    var convolvers: [PartitionedConvolver] { convolverSets[0] }

    /// - Parameters:
    ///   - filters: per channel, the taps and the linear gain.
    ///   - blockSize: samples per block.
    ///   - fftSize: points per transform; `2·blockSize` when nil, else as ``PartitionedKernel`` allows.
    ///   - threads: at most this many workers.
    ///   - split: how workers share the work; by default ``WorkSplit/choose(channels:threads:partitions:blockBytes:budgetBytes:)``.
    ///   - shared: a batch's transforms, made once for all its jobs; nil to make this bank's own.
    /// - Throws: ``ResourceError`` when the memory for the spectra or the convolvers is refused.
    public init(
        filters: [ChannelFilter], blockSize: Int, fftSize: Int? = nil, mode: ConvolutionMode, threads: Int,
        split: WorkSplit? = nil, shared: SharedKernels? = nil
    ) throws(ResourceError) {
        precondition(!filters.isEmpty)
        self.blockSize = blockSize
        let longest = ConvolverLayout(
            taps: filters.map(\.taps.count).max() ?? 1, blockSize: blockSize, fftSize: fftSize)
        let fftSize = longest.fftSize
        self.fftSize = fftSize
        partitions = longest.partitionCount
        let split = split ?? WorkSplit.choose(
            channels: filters.count, threads: threads, partitions: partitions,
            blockBytes: AudioBlock.bytes(capacity: blockSize, channels: filters.count))
        self.split = split
        outputIsInterleaved = split == .channels && !AudioBlock.splitsChannels(filters.count)
        switch split {
        case .channels: workers = max(1, min(threads, filters.count))
        case .stretches: workers = max(1, threads)
        }
        // Transform each distinct filter once, in parallel: a 1M-tap kernel is several large FFTs.
        var distinct: [ChannelFilter] = []
        var index: [ChannelFilter: Int] = [:]
        for f in filters where index[f] == nil {
            index[f] = distinct.count
            distinct.append(f)
        }
        // The convolvers' memory first: faulting it in and zeroing it (6.6 MB for W1) overlaps the
        // planning of the transform, which the job started on another thread (FileFilterJob.planAhead)
        // and which the kernels below wait for.
        let sets = split == .channels ? 1 : workers
        var memory: [[PartitionedConvolver.Memory]] = []
        for _ in 0..<sets {
            var set: [PartitionedConvolver.Memory] = []
            for filter in filters {
                set.append(try PartitionedConvolver.Memory(
                    layout: ConvolverLayout(taps: filter.taps.count, blockSize: blockSize, fftSize: fftSize)))
            }
            memory.append(set)
        }
        let kernels = KernelSlots(count: distinct.count)
        let unique = distinct
        let setupWorkers = min(workers, unique.count)
        NamedThread.perform("firpipe-setup", iterations: setupWorkers) { worker in
            var i = worker
            while i < unique.count {
                do throws(ResourceError) {
                    let filter = unique[i]
                    let made = if let shared {
                        try shared.transform(filter, blockSize: blockSize, fftSize: fftSize, mode: mode)
                    } else {
                        try PartitionedKernel(
                            kernel: filter.taps, blockSize: blockSize, fftSize: fftSize, mode: mode, gain: filter.gain)
                    }
                    kernels.store(made, at: i)
                } catch {
                    kernels.fail(error, at: i)
                }
                i += setupWorkers
            }
        }
        let made = try kernels.all()
        var convolverSets: [[PartitionedConvolver]] = []
        for set in memory {
            var convolvers: [PartitionedConvolver] = []
            for (filter, memory) in zip(filters, set) {
                // Every filter was indexed; the memory is given, so nothing is allocated here.
                convolvers.append(try PartitionedConvolver(kernel: made[index[filter]!], memory: memory))
            }
            convolverSets.append(convolvers)
        }
        self.convolverSets = convolverSets
    }

    /// Does worker `worker`'s share of `block`: with `.channels`, filters channels c ≡ worker (mod
    /// `workers`); with `.stretches`, every channel of the blocks in its stretches, and warms up on the
    /// blocks before them. Input is the block's interleaved frames (`block.frames`, then zeros), output
    /// its interleaved frames when ``outputIsInterleaved``, else its planar runs, which
    /// ``AudioBlock/interleave(frames:)`` joins. Workers write disjoint samples, so they run on any
    /// threads at once without waiting for each other; each calls this for every block, in order.
    public func process(_ block: AudioBlock, worker: Int) {
        if case .stretches(let blocks) = split {
            processStretch(block, worker: worker, stretchBlocks: blocks)
            return
        }
        let n = convolvers.count
        var c = worker
        while c < n {
            filter(block, channel: c, with: convolvers[c])
            c += workers
        }
    }

    /// Channels worker `worker` filters with `.channels`: c = worker, worker + workers, … below the
    /// channel count, as `process` walks them.
    public func channelCount(ofWorker worker: Int) -> Int {
        (convolvers.count - worker + workers - 1) / workers
    }

    /// Filters channel `c` of `block`: from its planar run when the reader split the channels (more
    /// than two), else gathered straight from the interleaved frames (vectorised for stereo); into the
    /// interleaved frames when ``outputIsInterleaved``, else into the planar run.
    @inline(__always)
    func filter(_ block: AudioBlock, channel c: Int, with convolver: PartitionedConvolver) {
        let split = block.channelsAreSplit
        let input = split ? UnsafePointer(block.channel(c)) : UnsafePointer(block.interleaved + c)
        let stride = split ? 1 : block.channels
        if outputIsInterleaved {
            convolver.process(
                gathering: input, stride: stride, count: block.frames, into: block.interleaved + c,
                outputStride: block.channels)
        } else {
            convolver.process(gathering: input, stride: stride, count: block.frames, into: block.channel(c))
        }
    }
}

/// Slots the set-up workers fill, one each; read only after `concurrentPerform` returns.
/// Each index is written by exactly one worker, through raw memory (no shared Array to mutate).
private final class KernelSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<PartitionedKernel, ResourceError>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ kernel: PartitionedKernel, at i: Int) { slots[i] = .success(kernel) }

    /// Records that kernel `i` could not be made.
    func fail(_ error: ResourceError, at i: Int) { slots[i] = .failure(error) }

    /// Every kernel, or the first slot's failure. Every slot is filled before this is called.
    func all() throws(ResourceError) -> [PartitionedKernel] {
        var kernels: [PartitionedKernel] = []
        for slot in slots { kernels.append(try slot!.get()) }
        return kernels
    }
}

/// One channel's filter before transformation: taps and linear gain, and where the taps came from.
///
/// Equality and hashing use `source` and `gain` only, so identical filters share one set of spectra
/// without hashing millions of taps.
public struct ChannelFilter: Hashable, Sendable {
    /// Identifies the taps, e.g. `"room.wav#1"`; equal sources must mean equal taps.
    public var source: String
    public var taps: [Float]
    public var gain: Float

    public init(source: String, taps: [Float], gain: Float) {
        self.source = source
        self.taps = taps
        self.gain = gain
    }

    public static func == (a: ChannelFilter, b: ChannelFilter) -> Bool {
        a.source == b.source && a.gain == b.gain
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(gain)
    }
}
