import FirAudio
import FirCore
import Synchronization

/// Kernels and their transforms shared by every job of a batch, so that each distinct kernel file is
/// loaded once and each distinct (kernel, gain, plan) transformed once, however many files use it.
///
/// Jobs whose files differ in length may get different block plans from the cost model (as `process`
/// gives them, so the outputs stay identical to its); each plan has its own transform. Loading and
/// transforming happen under one lock: the first job to need a kernel makes it while any other job
/// needing one waits, which is what sharing asks for and costs nothing once all are made.
///
/// Threads: any; every method locks.
public final class SharedKernels: Sendable {
    /// What identifies a transform: the filter (source and gain), its taps' count, the plan and the mode.
    /// The taps themselves are compared on a hit, so two kernels with one source (a kernel resampled to
    /// two rates) never share a transform.
    struct TransformKey: Hashable {
        var source: String
        var gain: Float
        var taps: Int
        var blockSize: Int
        var fftSize: Int
        var mode: ConvolutionMode
    }

    private struct Transform {
        var taps: [Float]
        var kernel: PartitionedKernel
    }

    private struct State {
        var kernels: [String: Kernel] = [:]
        var transforms: [TransformKey: [Transform]] = [:]
        var transformed = 0
        var loaded = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Kernel files loaded and transforms made so far (for the summary and the tests).
    public var counts: (loaded: Int, transformed: Int) {
        state.withLock { ($0.loaded, $0.transformed) }
    }

    /// The kernel stored under `id`, made by `make` the first time. A failure is not stored: the next
    /// job asking meets it again and reports it for its own file.
    func kernel<E: Error>(_ id: String, make: () throws(E) -> Kernel) throws(E) -> Kernel {
        try state.withLock { (state: inout State) throws(E) -> Kernel in
            if let kernel = state.kernels[id] { return kernel }
            let kernel = try make()
            state.kernels[id] = kernel
            state.loaded += 1
            return kernel
        }
    }

    /// The transform of `filter` for the plan, made the first time it is asked for.
    func transform(
        _ filter: ChannelFilter, blockSize: Int, fftSize: Int, mode: ConvolutionMode
    ) throws(ResourceError) -> PartitionedKernel {
        let key = TransformKey(
            source: filter.source, gain: filter.gain, taps: filter.taps.count, blockSize: blockSize,
            fftSize: fftSize, mode: mode)
        return try state.withLock { (state: inout State) throws(ResourceError) -> PartitionedKernel in
            if let made = state.transforms[key]?.first(where: { $0.taps == filter.taps }) { return made.kernel }
            let kernel = try PartitionedKernel(
                kernel: filter.taps, blockSize: blockSize, fftSize: fftSize, mode: mode, gain: filter.gain)
            state.transforms[key, default: []].append(Transform(taps: filter.taps, kernel: kernel))
            state.transformed += 1
            return kernel
        }
    }
}
