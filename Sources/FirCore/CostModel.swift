/// Predicts the time of partitioned convolution for each plan, so the engine picks the cheapest one
/// instead of a constant.
///
/// With uniform partitions, per block of B samples (and per channel) the engine runs one forward and
/// one inverse FFT of 2B points and `ceil(taps / B)` complex multiply-adds over B + 1 bins; with the
/// whole kernel in one partition, one FFT pair of N points and one multiply-add over N/2 + 1 bins for
/// a block of N − taps (``bestPlan(taps:outputLength:inputLength:range:maxBlockSize:)``). FFT times are a table measured on a
/// machine (``CostModelCalibration``), one figure per power-of-two size; multiply-adds cost more when
/// the spectra they read (the kernel's and the delay line's) no longer fit in cache, which is what makes
/// a 1M-tap kernel want large partitions even though the transforms then leave the cache too.
public struct CostModel: Sendable, Equatable, Codable {
    /// The smallest and largest tabulated transform sizes, as log2 of the points.
    public static let minLog2 = 5, maxLog2 = 23

    /// Seconds for one forward plus one inverse real FFT of 2^(minLog2 + i) points, at index i.
    public var fftPairSeconds: [Double]
    /// Seconds per complex multiply-add of one bin when the spectra fit in cache.
    public var macCached: Double
    /// Seconds per complex multiply-add of one bin when the spectra stream from memory.
    public var macStreaming: Double
    /// Bytes of spectra (kernel plus delay line, one channel: 16 bytes a tap with uniform partitions, 16
    /// bytes a bin with one) that still count as cached.
    public var cacheBytes: Int

    public init(fftPairSeconds: [Double], macCached: Double, macStreaming: Double, cacheBytes: Int) {
        precondition(fftPairSeconds.count == Self.maxLog2 - Self.minLog2 + 1, "one FFT time per size")
        self.fftPairSeconds = fftPairSeconds
        self.macCached = macCached
        self.macStreaming = macStreaming
        self.cacheBytes = cacheBytes
    }

    /// Figures measured on the project's reference machine (2-core x86-64 with AVX-512, FFTW 3.3.10,
    /// measured plans) by `firpipe bench --calibrate`; `firpipe wisdom` measures the machine it runs on.
    public static let `default` = CostModel(
        fftPairSeconds: [
            0.10e-6, 0.18e-6, 0.31e-6, 0.53e-6, 1.0e-6, 2.2e-6, 5.4e-6, 8.9e-6, 19e-6, 46e-6,  // 2^5 ... 2^14
            108e-6, 210e-6, 490e-6, 1.2e-3, 2.9e-3, 9.2e-3, 17e-3, 43e-3, 110e-3,              // 2^15 ... 2^23
        ],
        macCached: 0.54e-9, macStreaming: 1.1e-9, cacheBytes: 1 << 20)

    /// Seconds for an FFT pair of `n` points; sizes past the table grow as n·log2 n. Between powers of
    /// two, the next power's time for its share of the points: FFTW does the sizes ``oneBlockSize(atLeast:planned:)``
    /// picks as fast a point (measured pairs, 3.0–3.1 ns a point at 163,840 = 5·2^15 and 245,760 =
    /// 15·2^14, 2.9 at 65,536 and 3.7 at 262,144; estimated plans 4.5–5.0 at all four).
    public func fftPair(points n: Int) -> Double {
        if n.nonzeroBitCount != 1 {
            let next = SpectrumTransform.powerOfTwo(atLeast: n)
            return fftPair(points: next) * Double(n) / Double(next)
        }
        let log2n = Swift.max(Self.minLog2, Int.bitWidth - 1 - n.leadingZeroBitCount)
        if log2n <= Self.maxLog2 { return fftPairSeconds[log2n - Self.minLog2] }
        let top = fftPairSeconds[fftPairSeconds.count - 1]
        return top * Double(1 << (log2n - Self.maxLog2)) * Double(log2n) / Double(Self.maxLog2)
    }

    /// Predicted seconds to produce one block of `blockSize` samples of one channel with a kernel of `taps`.
    public func blockSeconds(blockSize b: Int, taps: Int) -> Double {
        let partitions = (taps + b - 1) / b
        let bins = b + 1
        // Kernel and delay-line spectra hold about `taps` complex values each, whatever the partitioning.
        let spectraBytes = 2 * taps * 8
        let mac = spectraBytes <= cacheBytes ? macCached : macStreaming
        return fftPair(points: 2 * b) + Double(partitions * bins) * mac
    }

    /// The cheapest power-of-two partition size for `taps`, over `outputLength` samples of output when
    /// known (short signals favour small blocks), limited to `range`.
    public func bestBlockSize(taps: Int, outputLength: Int? = nil, range: ClosedRange<Int> = 64...(1 << 22)) -> Int {
        precondition(taps >= 1)
        var best = range.lowerBound, bestCost = Double.infinity
        var b = range.lowerBound
        // The whole range: measured FFT times are not n·log n, so no early stop is safe.
        while b <= range.upperBound {
            let cost = Self.cost(blockSeconds(blockSize: b, taps: taps), blockSize: b, outputLength: outputLength)
            if cost < bestCost {
                best = b
                bestCost = cost
            }
            b *= 2
        }
        return best
    }

    /// What the plan choices compare: seconds for the blocks of `blockSize` covering `outputLength`
    /// samples, or per sample when the length is unknown.
    private static func cost(_ blockSeconds: Double, blockSize b: Int, outputLength: Int?) -> Double {
        guard let total = outputLength else { return blockSeconds / Double(b) }
        return Double((Swift.max(total, 1) + b - 1) / b) * blockSeconds
    }

    /// Predicted seconds for one block of one channel with the whole kernel in one partition and an
    /// `n`-point transform: one transform pair, one multiply-add per bin.
    public func singlePartitionBlockSeconds(fftSize n: Int) -> Double {
        let bins = n / 2 + 1
        // The kernel's spectrum and the block's, as in blockSeconds.
        let mac = 2 * bins * 8 <= cacheBytes ? macCached : macStreaming
        return fftPair(points: n) + Double(bins) * mac
    }

    /// The smallest even transform size of at least `n` points that is a power of two times 1, 5 or 15:
    /// sizes FFTW transforms as fast a point as powers of two (``fftPair(points:)``), which come closer to
    /// a signal's length (163,840 points, not 262,144, for a 2 s clip and 65,536 taps). Sizes other than
    /// powers of two only where `planned` says so: measured, they are as fast, but without wisdom each
    /// run plans them again (a time-limited measure is kept as an estimate's wisdom), which cost a 1 s
    /// file's `process` more than the smaller transform saved.
    public static func oneBlockSize(atLeast n: Int, planned: (Int) -> Bool = { _ in true }) -> Int {
        var best = Int.max
        for factor in [1, 5, 15] {
            let size = factor * SpectrumTransform.powerOfTwo(atLeast: (n + factor - 1) / factor)
            if size < best && (factor == 1 || planned(size)) { best = size }
        }
        return best
    }

    /// The largest transform a single-partition plan may take. The table is measured in a tight loop,
    /// with the transform's buffers in cache; in a job the frame, spectra and accumulator (16 bytes a
    /// point) share the cache with the reader's and writer's traffic, so transforms whose working set
    /// leaves the cache cost more than the table says. 524,288 points were no faster than 262,144 there,
    /// where the table says 10% faster (W1 at 2 threads 112.0 against 111.3 ms, 30 alternated runs). And
    /// 262,144 points with a 65,536-tap kernel in one partition, which the table puts level with uniform
    /// partitions of 32,768 (13.2 against 13.3 ns a sample), only tied with them in a job while taking
    /// 35–45% more memory: 9 alternated pairs in each order, wall medians uniform over single 1.01 and
    /// 1.00 on W1, 1.07 and 0.93 on true stereo, 0.91 and 0.95 on W1's mono channel; and on the 2 → 4
    /// crossover, whose four inverse transforms leave the cache, 0.86 and 0.79.
    public static let maxSinglePartitionFFT = 1 << 17

    /// The cheapest plan for `taps` over `outputLength` samples (per sample when unknown): uniform
    /// partitions (``bestBlockSize(taps:outputLength:range:)``), or one partition with a power-of-two
    /// transform of 4·taps or more (up to ``maxSinglePartitionFFT``) and blocks of the rest,
    /// `fftSize − taps`. The second is the classic batch choice, fewer transform points per output
    /// sample once the transform dwarfs the kernel; its blocks are longer, so `maxBlockSize` limits
    /// them to what the caller's buffers allow (uniform blocks keep to `range` alone). With
    /// `inputLength` known, also the whole input in one block (``oneBlockSize(atLeast:planned:)`` points,
    /// `planned` as there), one transform pair however long the output: a short file's plan, past
    /// ``maxSinglePartitionFFT``.
    public func bestPlan(
        taps: Int, outputLength: Int? = nil, inputLength: Int? = nil, range: ClosedRange<Int> = 64...(1 << 22),
        maxBlockSize: Int = 1 << 22, planned: (Int) -> Bool = { _ in true }
    ) -> BlockPlan {
        precondition(taps >= 1)
        let uniform = bestBlockSize(taps: taps, outputLength: outputLength, range: range)
        var best = BlockPlan.uniform(uniform)
        var bestCost = Self.cost(blockSeconds(blockSize: uniform, taps: taps), blockSize: uniform, outputLength: outputLength)
        // Compared with total costs, so only with the output's length known; and only for an input that
        // fits a block at all (a header may claim any length).
        if let input = inputLength, outputLength != nil, input <= Swift.min(range.upperBound, maxBlockSize) {
            let n = Self.oneBlockSize(atLeast: Swift.max(input + taps, 2 * taps), planned: planned)
            // The whole input in one block, block 1 from block 0's transform (MixingConvolver's
            // inputEndsInFirstBlock): one transform pair a channel, whatever the output length.
            let b = n - taps, c = singlePartitionBlockSeconds(fftSize: n)
            if range.contains(b) && b <= maxBlockSize && c < bestCost {
                best = BlockPlan(blockSize: b, fftSize: n)
                bestCost = c
            }
        }
        guard taps <= Self.maxSinglePartitionFFT / 4 else { return best }
        var n = 1 << (Int.bitWidth - (4 * taps - 1).leadingZeroBitCount)  // the power of two ≥ 4·taps
        while n <= Self.maxSinglePartitionFFT && n - taps <= Swift.min(range.upperBound, maxBlockSize) {
            let b = n - taps
            let c = Self.cost(singlePartitionBlockSeconds(fftSize: n), blockSize: b, outputLength: outputLength)
            if b >= range.lowerBound && c < bestCost {
                best = BlockPlan(blockSize: b, fftSize: n)
                bestCost = c
            }
            n *= 2
        }
        return best
    }
}

