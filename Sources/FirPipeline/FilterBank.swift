import FirCore
import Dispatch

/// The per-channel convolvers of a job and the worker split that runs them.
///
/// Kernel spectra are shared between channels that use the same kernel channel and gain. `process`
/// runs on the compute stage's thread and fans out with `concurrentPerform`: each worker owns a fixed
/// set of channels, and all share the immutable kernels and FFT plans.
public final class FilterBank: @unchecked Sendable {
    /// Partition and block size.
    public let blockSize: Int
    /// Worker count used by `process`.
    public let workers: Int
    private let convolvers: [PartitionedConvolver]

    /// - Parameters:
    ///   - filters: per channel, the taps and the linear gain.
    ///   - blockSize: partition size.
    ///   - threads: at most this many workers (capped at the channel count).
    public init(filters: [ChannelFilter], blockSize: Int, mode: ConvolutionMode, threads: Int) {
        precondition(!filters.isEmpty)
        self.blockSize = blockSize
        workers = max(1, min(threads, filters.count))
        // Transform each distinct filter once, in parallel: a 1M-tap kernel is several large FFTs.
        var distinct: [ChannelFilter] = []
        var index: [ChannelFilter: Int] = [:]
        for f in filters where index[f] == nil {
            index[f] = distinct.count
            distinct.append(f)
        }
        let kernels = KernelSlots(count: distinct.count)
        let unique = distinct
        let setupWorkers = min(workers, unique.count)
        DispatchQueue.concurrentPerform(iterations: setupWorkers) { worker in
            var i = worker
            while i < unique.count {
                kernels.store(
                    PartitionedKernel(kernel: unique[i].taps, blockSize: blockSize, mode: mode, gain: unique[i].gain),
                    at: i)
                i += setupWorkers
            }
        }
        let made = kernels.all()
        convolvers = filters.map { PartitionedConvolver(kernel: made[index[$0]!]) }  // every filter was indexed
        kernelBytes = made.reduce(0) { $0 + $1.memoryBytes }
    }

    /// Bytes held by kernel spectra (shared ones counted once).
    public let kernelBytes: Int

    /// Filters worker `worker`'s share of the channels (c ≡ worker mod `workers`) of `block`, from its
    /// interleaved frames (`block.frames` of them, then zeros) into its planar runs. Workers own
    /// disjoint channels, so they run on any threads at once without waiting for each other; each calls
    /// this for every block, in order. Joining the channels back is ``AudioBlock/interleave(frames:)``.
    public func process(_ block: AudioBlock, worker: Int) {
        let n = convolvers.count, frames = block.frames
        if n > 2 {
            // Many channels: split this worker's channels out in one pass, then filter each run in place.
            StridedCopy.deinterleave(
                block.interleaved.pointer, channels: n, first: worker, step: workers, frames: frames,
                into: block.planar.pointer, runStride: block.capacity)
        }
        var c = worker
        while c < n {
            if n > 2 {
                convolvers[c].process(gathering: block.channel(c), stride: 1, count: frames, into: block.channel(c))
            } else {
                // Mono and stereo: gather straight into the transform's frame (vectorised for stereo).
                convolvers[c].process(
                    gathering: block.interleaved.pointer + c, stride: n, count: frames, into: block.channel(c))
            }
            c += workers
        }
    }

    /// Filters every channel of `block` and joins them back into its interleaved frames, with all
    /// workers (`concurrentPerform`). For the benchmark and tests; the job's stages call the per-worker
    /// form on their own threads.
    public func process(_ block: AudioBlock) {
        let w = workers, b = block.capacity
        DispatchQueue.concurrentPerform(iterations: w) { process(block, worker: $0) }
        // Joined by frame ranges: joining by channel would put every worker in every cache line.
        DispatchQueue.concurrentPerform(iterations: w) { worker in
            block.interleave(frames: (b * worker / w)..<(b * (worker + 1) / w))
        }
    }
}

/// Slots the set-up workers fill, one each; read only after `concurrentPerform` returns.
/// Each index is written by exactly one worker, through raw memory (no shared Array to mutate).
private final class KernelSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<PartitionedKernel?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ kernel: PartitionedKernel, at i: Int) { slots[i] = kernel }

    func all() -> [PartitionedKernel] { slots.map { $0! } }  // every slot filled before this is called
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
