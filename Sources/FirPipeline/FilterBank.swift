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
        var shared: [ChannelFilter: PartitionedKernel] = [:]
        convolvers = filters.map { f in
            let kernel = shared[f] ?? PartitionedKernel(kernel: f.taps, blockSize: blockSize, mode: mode, gain: f.gain)
            shared[f] = kernel
            return PartitionedConvolver(kernel: kernel)
        }
        workers = max(1, min(threads, filters.count))
        kernelBytes = shared.values.reduce(0) { $0 + $1.memoryBytes }
    }

    /// Bytes held by kernel spectra (shared ones counted once).
    public let kernelBytes: Int

    /// Filters every channel of `block` in place. Compute stage's thread.
    public func process(_ block: AudioBlock) {
        let n = convolvers.count, w = workers
        if w == 1 {
            for c in 0..<n { convolvers[c].process(block.channel(c), block.channel(c)) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: w) { worker in
            var c = worker
            while c < n {
                convolvers[c].process(block.channel(c), block.channel(c))
                c += w
            }
        }
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
