/// Predicts the time of uniformly partitioned convolution for a partition size, so the engine can pick
/// the cheapest one instead of a constant.
///
/// Per block of B samples the engine runs one forward and one inverse FFT of 2B points and
/// `ceil(taps / B)` complex multiply-adds over B + 1 bins. FFTs whose working set leaves the cache cost
/// more per point; the `outOfCache` factor models that.
public struct CostModel: Sendable, Equatable {
    /// Seconds per `N·log2 N` for one in-cache real FFT of N points.
    public var fftUnit: Double
    /// Seconds per complex multiply-add, one bin.
    public var macPerBin: Double
    /// Transform size (points) above which FFTs run out of cache.
    public var cachePoints: Int
    /// Cost multiplier for out-of-cache transforms.
    public var outOfCache: Double

    /// Constants measured on the project's reference machine (2-core x86-64, FFTW 3.3.10, estimate plans).
    public static let `default` = CostModel(fftUnit: 0.35e-9, macPerBin: 0.9e-9, cachePoints: 1 << 16, outOfCache: 1.8)

    public init(fftUnit: Double, macPerBin: Double, cachePoints: Int, outOfCache: Double) {
        self.fftUnit = fftUnit
        self.macPerBin = macPerBin
        self.cachePoints = cachePoints
        self.outOfCache = outOfCache
    }

    /// Predicted seconds to produce one block of `blockSize` samples with a kernel of `taps`.
    public func blockSeconds(blockSize b: Int, taps: Int) -> Double {
        let n = Double(2 * b)
        let partitions = Double((taps + b - 1) / b)
        var fft = 2 * fftUnit * n * log2(n)
        if 2 * b > cachePoints { fft *= outOfCache }
        return fft + partitions * macPerBin * Double(b + 1)
    }

    /// The cheapest power-of-two partition size for `taps`, over `signalLength` samples of output when
    /// known (short signals favour small blocks), limited to `range`.
    public func bestBlockSize(taps: Int, outputLength: Int? = nil, range: ClosedRange<Int> = 64...(1 << 22)) -> Int {
        precondition(taps >= 1)
        var best = range.lowerBound, bestCost = Double.infinity
        var b = range.lowerBound
        // Beyond the kernel length a larger block only adds FFT work, unless the signal is long enough
        // to amortise it; stop one doubling past both.
        let limit = Swift.min(range.upperBound, 2 * Swift.max(taps, 64))
        while b <= limit {
            let cost: Double
            if let total = outputLength {
                let blocks = Double((Swift.max(total, 1) + b - 1) / b)
                cost = blocks * blockSeconds(blockSize: b, taps: taps)
            } else {
                cost = blockSeconds(blockSize: b, taps: taps) / Double(b)
            }
            if cost < bestCost {
                best = b
                bestCost = cost
            }
            b *= 2
        }
        return best
    }
}

import Foundation
