internal import CFFTW
internal import Dispatch

/// The lower bound `firpipe bench` sets the engine against: the engine's transforms and multiply-adds
/// with nothing around them, run by the same number of workers at once.
///
/// Timing the arithmetic on all workers together, rather than on one core and dividing, charges the
/// bound with what the cores cost each other (shared cache, memory bandwidth, a hypervisor's
/// scheduling): on a shared 2-core VM two cores gave 1.66–1.75× one core's work, and a bound from one
/// core alone then blamed that on the engine.
///
/// Each worker has buffers of the engine's sizes for each of its channels (kernel spectra and a delay
/// line of `partitions` spectra, a frame, an accumulator), so the same memory streams per block; the
/// bound thus holds as much memory again as the engine's spectra and delay lines.
///
/// `@unchecked Sendable`: each worker touches only its own ``Buffers`` while ``run(blocks:)`` runs, and
/// the shared transform plans are made for concurrent use (``RealFFT``).
public final class ArithmeticBound: @unchecked Sendable {
    private let fft: RealFFT
    private let partitions: Int
    private let stride: Int
    private let channelsOfWorker: [Int]
    private let workers: [Buffers]

    /// One worker's buffers.
    private final class Buffers: @unchecked Sendable {
        /// The transform's input, refreshed from `source` before every transform: FFTW's plans may
        /// destroy their input, and the engine fills its frame every block too.
        let frame: AlignedFloats
        let source: AlignedFloats
        let accumulator: AlignedFloats
        /// Per channel: `partitions` kernel spectra, then `partitions` delay-line spectra.
        let spectra: AlignedFloats
        /// Per partition, the offset of its delay-line spectrum; refilled every block, as the engine's.
        let offsets: UnsafeMutablePointer<Int>

        init(fftSize n: Int, stride: Int, partitions: Int, channels: Int) throws(ResourceError) {
            frame = try AlignedFloats(count: n)
            source = try AlignedFloats(count: n)
            accumulator = try AlignedFloats(count: stride)
            spectra = try AlignedFloats(count: Swift.max(channels, 1) * 2 * partitions * stride)
            offsets = .allocate(capacity: partitions)
            for i in 0..<n { source.pointer[i] = Float(i % 17) - 8 }
            for i in 0..<spectra.count { spectra.pointer[i] = 1e-3 }
        }

        deinit { offsets.deallocate() }
    }

    /// `channelsOfWorker[w]`: how many channels worker `w` filters; `partitions` ≥ 1; `fftSize` the
    /// engine's transform size (`2·blockSize` for uniform partitions).
    /// - Throws: ``ResourceError`` when the buffers are refused.
    public init(fftSize n: Int, partitions: Int, channelsOfWorker: [Int]) throws(ResourceError) {
        precondition(n >= 2 && partitions >= 1, "a bound needs a transform and a partition")
        fft = try FFTPlanner.shared.fft(size: n)
        self.partitions = partitions
        let stride = PartitionedKernel.alignedStride(bins: n / 2 + 1)
        self.stride = stride
        self.channelsOfWorker = channelsOfWorker
        var workers: [Buffers] = []
        for channels in channelsOfWorker {
            workers.append(try Buffers(fftSize: n, stride: stride, partitions: partitions, channels: channels))
        }
        self.workers = workers
    }

    /// Wall seconds for every worker at once to do `blocks` blocks of its channels: per channel and
    /// block, the frame refreshed, a forward transform into a delay-line slot, the multiply-adds over
    /// every partition (``ComplexMultiply/sumOfProducts``, as the engine's convolver does them) and a
    /// backward transform. Caller's thread; workers via Dispatch.
    public func run(blocks: Int) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers.count) { w in
            firpipe_flush_denormals()  // as the engine's convolvers do
            let buffers = workers[w], bins = fft.binCount, p = partitions, stride = stride, size = fft.size
            for block in 0..<blocks {
                for c in 0..<channelsOfWorker[w] {
                    let kernel = buffers.spectra.pointer + c * 2 * p * stride
                    let delay = kernel + p * stride
                    let newest = block % p
                    for q in 0..<p { buffers.offsets[q] = ((newest + p - q) % p) * stride }
                    buffers.frame.pointer.update(from: buffers.source.pointer, count: size)
                    fft.forward(buffers.frame.pointer, delay + newest * stride)
                    ComplexMultiply.sumOfProducts(
                        delay, offsets: buffers.offsets, kernel, hStride: stride, parts: p, bins: bins,
                        into: buffers.accumulator.pointer)
                    fft.backward(buffers.accumulator.pointer, buffers.frame.pointer)
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
