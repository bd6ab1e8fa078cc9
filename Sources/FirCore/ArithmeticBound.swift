internal import CFFTW
import Dispatch

/// The lower bound `firpipe bench` sets the engine against: the engine's transforms and multiply-adds
/// with nothing around them, run by the same number of workers at once.
///
/// Timing the arithmetic on all workers together, rather than on one core and dividing, charges the
/// bound with what the cores cost each other (shared cache, memory bandwidth, a hypervisor's
/// scheduling): on a shared 2-core VM two cores gave 1.66–1.75× one core's work, and a bound from one
/// core alone then blamed that on the engine.
///
/// Each worker has buffers of the engine's sizes for each of its channels (kernel spectra and a delay
/// line of `partitions` spectra, a frame, an accumulator), so the same memory streams per block.
public final class ArithmeticBound: @unchecked Sendable {
    private let fft: RealFFT
    private let partitions: Int
    private let stride: Int
    private let channelsOfWorker: [Int]
    private let workers: [Buffers]

    /// Buffers of one worker; touched by that worker only, while ``run(blocks:)`` runs.
    private final class Buffers: @unchecked Sendable {
        let frame: AlignedFloats
        let output: AlignedFloats
        let accumulator: AlignedFloats
        /// Per channel: `partitions` kernel spectra, then `partitions` delay-line spectra.
        let spectra: AlignedFloats

        init(blockSize b: Int, stride: Int, partitions: Int, channels: Int) {
            frame = AlignedFloats(count: 2 * b)
            output = AlignedFloats(count: 2 * b)
            accumulator = AlignedFloats(count: stride)
            spectra = AlignedFloats(count: Swift.max(channels, 1) * 2 * partitions * stride)
            for i in 0..<b { frame.pointer[i] = Float(i % 17) - 8 }
            for i in 0..<spectra.count { spectra.pointer[i] = 1e-3 }
        }
    }

    /// `channelsOfWorker[w]`: how many channels worker `w` filters.
    public init(blockSize b: Int, partitions: Int, channelsOfWorker: [Int]) {
        fft = FFTPlanner.shared.fft(size: 2 * b)
        self.partitions = partitions
        let stride = PartitionedKernel.alignedStride(bins: b + 1)
        self.stride = stride
        self.channelsOfWorker = channelsOfWorker
        workers = channelsOfWorker.map { Buffers(blockSize: b, stride: stride, partitions: partitions, channels: $0) }
    }

    /// Wall seconds for every worker at once to do `blocks` blocks of its channels: per channel and
    /// block, a forward transform into a delay-line slot, the multiply-adds over every partition and a
    /// backward transform, as the engine's convolver does. Caller's thread; workers via Dispatch.
    public func run(blocks: Int) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers.count) { w in
            firpipe_flush_denormals()  // as the engine's convolvers do
            let buffers = workers[w], bins = fft.binCount, p = partitions, stride = stride
            for block in 0..<blocks {
                for c in 0..<channelsOfWorker[w] {
                    let kernel = buffers.spectra.pointer + c * 2 * p * stride
                    let delay = kernel + p * stride
                    let slot = block % p, accumulator = buffers.accumulator.pointer
                    fft.forward(buffers.frame.pointer, delay + slot * stride)
                    ComplexMultiply.product(delay + slot * stride, kernel, into: accumulator, bins: bins)
                    for q in 1..<p {
                        ComplexMultiply.accumulate(
                            delay + ((slot + p - q) % p) * stride, kernel + q * stride, into: accumulator, bins: bins)
                    }
                    fft.backward(accumulator, buffers.output.pointer)
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
