internal import Dispatch

/// Measures this machine for ``CostModel``: FFT pairs at every power-of-two size, and the multiply-add
/// loop with its spectra in cache and streaming from memory. Takes a fraction of a second plus any
/// planning the planner's policy allows; meant for `firpipe wisdom` and `firpipe bench`, not every run.
public enum CostModelCalibration {
    /// Measures transforms from 2^`CostModel.minLog2` to 2^`maxLog2` points and the multiply-add costs.
    /// Caller's thread; single-threaded, so each figure is per core.
    /// - Throws: ``ResourceError`` when the buffers are refused.
    public static func measure(maxLog2: Int = CostModel.maxLog2) throws(ResourceError) -> CostModel {
        var pairs: [Double] = []
        for log2n in CostModel.minLog2...maxLog2 {
            pairs.append(try fftPairSeconds(size: 1 << log2n))
        }
        let cached = try macSecondsPerBin(bins: 4097, partitions: 4)           // 256 KiB of spectra
        let streaming = try macSecondsPerBin(bins: 65_537, partitions: 64)     // 64 MiB of spectra
        return CostModel(fftPairSeconds: pairs, macCached: cached, macStreaming: streaming,
                         cacheBytes: CostModel.default.cacheBytes)
    }

    /// Seconds for one forward and one inverse transform of `size` points.
    public static func fftPairSeconds(size: Int) throws(ResourceError) -> Double {
        let fft = try FFTPlanner.shared.fft(size: size)
        let real = try AlignedFloats(count: size), complex = try AlignedFloats(count: 2 * (size / 2 + 1))
        for i in 0..<size { real.pointer[i] = Float(i % 17) - 8 }
        return bestTime {
            fft.forward(real.pointer, complex.pointer)
            fft.backward(complex.pointer, real.pointer)
        }
    }

    /// Seconds per complex bin of `ComplexMultiply.accumulate` over `partitions` spectra of `bins` bins.
    public static func macSecondsPerBin(bins: Int, partitions: Int) throws(ResourceError) -> Double {
        let stride = PartitionedKernel.alignedStride(bins: bins)
        let x = try AlignedFloats(count: stride * partitions), h = try AlignedFloats(count: stride * partitions)
        let acc = try AlignedFloats(count: stride)
        for i in 0..<x.count { x.pointer[i] = 1e-3; h.pointer[i] = 1e-3 }
        let seconds = bestTime {
            for p in 0..<partitions {
                ComplexMultiply.accumulate(
                    x.pointer + p * stride, h.pointer + p * stride, into: acc.pointer, bins: bins)
            }
        }
        return seconds / Double(bins * partitions)
    }

    /// The best of three timings, each repeating `body` for at least 20 ms.
    static func bestTime(_ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<3 {
            var runs = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed: UInt64 = 0
            repeat {
                body()
                runs += 1
                elapsed = DispatchTime.now().uptimeNanoseconds - start
            } while elapsed < 20_000_000
            best = Swift.min(best, Double(elapsed) / 1e9 / Double(runs))
        }
        return best
    }
}
