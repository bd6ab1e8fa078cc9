import FirCore

/// Transforms a bank's distinct filters into partitioned spectra, spread over up to `threads` set-up
/// threads: a 1M-tap kernel is several large FFTs, and a true-stereo job has four.
enum KernelTransforms {
    /// One kernel per filter of `distinct`, in order.
    /// - Throws: ``ResourceError`` of the first filter whose memory was refused.
    static func make(
        _ distinct: [ChannelFilter], blockSize: Int, fftSize: Int, mode: ConvolutionMode, threads: Int,
        shared: SharedKernels?
    ) throws(ResourceError) -> [PartitionedKernel] {
        let slots = KernelSlots(count: distinct.count)
        let setupWorkers = Swift.max(1, Swift.min(threads, distinct.count))
        NamedThread.perform("firpipe-setup", iterations: setupWorkers) { worker in
            var i = worker
            while i < distinct.count {
                do throws(ResourceError) {
                    let filter = distinct[i]
                    let made = if let shared {
                        try shared.transform(filter, blockSize: blockSize, fftSize: fftSize, mode: mode)
                    } else {
                        try PartitionedKernel(
                            kernel: filter.taps, blockSize: blockSize, fftSize: fftSize, mode: mode, gain: filter.gain)
                    }
                    slots.store(made, at: i)
                } catch {
                    slots.fail(error, at: i)
                }
                i += setupWorkers
            }
        }
        return try slots.all()
    }
}

/// Slots the set-up workers fill, one each; read only after `perform` returns.
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
