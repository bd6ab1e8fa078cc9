import FirCore
import FirTestSupport
import Testing

/// `CostModel`: the block-size choice is a power of two in range, is the cheapest one the model knows,
/// and lands where the project expects for very long and very short kernels.
@Suite("CostModel")
struct CostModelTests {
    static let model = CostModel.default
    static let taps = [1, 2, 63, 64, 65, 1000, 4096, 65_536, 1_000_000, 1 << 20, 1 << 22]
    static let outputLengths: [Int?] = [nil, 1, 100, 48_000, 10_000_000]

    /// Every power of two in `range`.
    static func powersOfTwo(in range: ClosedRange<Int>) -> [Int] {
        var b = range.lowerBound, all: [Int] = []
        while b <= range.upperBound {
            all.append(b)
            b *= 2
        }
        return all
    }

    /// The model's cost of filtering with block size `b`: per sample when the length is unknown, else for
    /// the whole output, as `bestBlockSize` documents.
    static func cost(_ model: CostModel, blockSize b: Int, taps: Int, outputLength: Int?) -> Double {
        let block = model.blockSeconds(blockSize: b, taps: taps)
        guard let total = outputLength else { return block / Double(b) }
        return Double((max(total, 1) + b - 1) / b) * block
    }

    @Test("returns a power of two in the default range", arguments: taps)
    func powerOfTwoInRange(taps: Int) {
        for outputLength in Self.outputLengths {
            let b = Self.model.bestBlockSize(taps: taps, outputLength: outputLength)
            #expect(b.nonzeroBitCount == 1, "taps \(taps), output \(String(describing: outputLength)): \(b)")
            #expect((64...(1 << 22)).contains(b), "taps \(taps): \(b)")
        }
    }

    @Test("keeps to a given range", arguments: [16...1024, 256...256, 1...(1 << 10), 4096...(1 << 20)])
    func customRange(range: ClosedRange<Int>) {
        for taps in Self.taps {
            for outputLength in Self.outputLengths {
                let b = Self.model.bestBlockSize(taps: taps, outputLength: outputLength, range: range)
                #expect(range.contains(b), "taps \(taps), range \(range): \(b)")
                #expect(b.nonzeroBitCount == 1, "taps \(taps), range \(range): \(b)")
            }
        }
    }

    @Test("picks the cheapest block size the model predicts", arguments: taps)
    func cheapest(taps: Int) {
        // The search stops early past the kernel length; no block size beyond that may be cheaper.
        for outputLength in Self.outputLengths {
            let b = Self.model.bestBlockSize(taps: taps, outputLength: outputLength)
            let chosen = Self.cost(Self.model, blockSize: b, taps: taps, outputLength: outputLength)
            for other in Self.powersOfTwo(in: 64...(1 << 22)) {
                let alternative = Self.cost(Self.model, blockSize: other, taps: taps, outputLength: outputLength)
                #expect(chosen <= alternative * (1 + 1e-12),
                        "taps \(taps), output \(String(describing: outputLength)): \(b) costs more than \(other)")
            }
        }
    }

    @Test("a million-tap kernel gets neither many small partitions nor one huge one", arguments: [1_000_000, 1 << 20])
    func millionTaps(taps: Int) {
        for outputLength in [nil, taps + 600, taps + 480_000, 48_000 * 600] {
            let b = Self.model.bestBlockSize(taps: taps, outputLength: outputLength)
            let partitions = (taps + b - 1) / b
            let output = outputLength.map(String.init) ?? "unknown"
            print("cost model: \(taps) taps, output \(output): block \(b), \(partitions) partitions")
            // 64 partitions of 16384 spends most of the time in multiply-adds; one partition of 2^20
            // runs 2^21-point transforms far out of cache.
            #expect(b != 16_384 && b < taps, "block \(b)")
            #expect((2..<64).contains(partitions), "block \(b), \(partitions) partitions")
        }
    }

    @Test("a short signal with a short kernel gets a small block")
    func shortSignal() {
        // 100 samples through 64 taps: 163 samples of full output.
        let b = Self.model.bestBlockSize(taps: 64, outputLength: 100 + 64 - 1)
        #expect(b <= 128, "block \(b)")
        #expect(Self.model.bestBlockSize(taps: 64) <= 256)
    }

    @Test("longer kernels never get smaller blocks")
    func monotoneInTaps() {
        var previous = 0
        var taps = 1
        while taps <= 1 << 22 {
            let b = Self.model.bestBlockSize(taps: taps)
            #expect(b >= previous, "taps \(taps): \(b) after \(previous)")
            previous = b
            taps = taps * 5 / 4 + 1
        }
    }

    /// A model whose FFT pair costs `unit · n log2 n` at every tabulated size.
    static func nLogN(_ unit: Double, mac: Double, streaming: Double? = nil, cacheBytes: Int = 1 << 20) -> CostModel {
        let pairs = (CostModel.minLog2...CostModel.maxLog2).map { unit * Double(1 << $0) * Double($0) }
        return CostModel(fftPairSeconds: pairs, macCached: mac, macStreaming: streaming ?? mac, cacheBytes: cacheBytes)
    }

    @Test("free transforms favour one partition; free multiply-adds favour the smallest block")
    func extremes() {
        let freeFFT = Self.nLogN(0, mac: 1e-9)
        let freeMAC = Self.nLogN(1e-9, mac: 0)
        for taps in [100, 1000, 4096, 100_000] {
            #expect(freeFFT.bestBlockSize(taps: taps) >= taps, "free FFTs, taps \(taps)")
            #expect(freeMAC.bestBlockSize(taps: taps) == 64, "free multiply-adds, taps \(taps)")
            #expect(freeMAC.bestBlockSize(taps: taps, range: 16...4096) == 16, "free multiply-adds, taps \(taps)")
        }
    }

    @Test("block cost: one FFT pair from the table plus one multiply-add pass per partition")
    func blockSeconds() {
        let fftOnly = Self.nLogN(1e-9, mac: 0)
        let macOnly = Self.nLogN(0, mac: 1e-9, streaming: 3e-9, cacheBytes: 64 * 1024)
        // One pair of 2B-point transforms, looked up in the table.
        #expect(abs(fftOnly.blockSeconds(blockSize: 512, taps: 1) - 1e-9 * 1024 * 10) < 1e-15)
        #expect(abs(fftOnly.blockSeconds(blockSize: 1 << 15, taps: 1) - 1e-9 * 65_536 * 16) < 1e-12)
        // Past the table, n log2 n growth from its last entry.
        let top = fftOnly.fftPair(points: 1 << CostModel.maxLog2)
        #expect(abs(fftOnly.fftPair(points: 1 << (CostModel.maxLog2 + 1)) - top * 2 * 24 / 23) < 1e-12)
        // ceil(taps / B) partitions of B + 1 bins, at the cached rate while 16 bytes a tap fit.
        #expect(abs(macOnly.blockSeconds(blockSize: 64, taps: 64) - 65e-9) < 1e-18)
        #expect(abs(macOnly.blockSeconds(blockSize: 64, taps: 65) - 130e-9) < 1e-18)
        #expect(abs(macOnly.blockSeconds(blockSize: 64, taps: 1000) - 16 * 65e-9) < 1e-18)
        // 4,096 taps are 65,536 bytes of spectra: still cached; one more tap streams.
        #expect(abs(macOnly.blockSeconds(blockSize: 64, taps: 64 * 64) - 64 * 65 * 1e-9) < 1e-15)
        #expect(abs(macOnly.blockSeconds(blockSize: 64, taps: 64 * 64 + 1) - 65 * 65 * 3e-9) < 1e-15)
    }

    @Test("block cost grows with the kernel", arguments: [64, 1024, 32_768])
    func blockSecondsMonotone(blockSize: Int) {
        var previous = 0.0
        for taps in [1, 64, 65, 1000, 65_536, 1 << 20] {
            let seconds = Self.model.blockSeconds(blockSize: blockSize, taps: taps)
            #expect(seconds > 0 && seconds >= previous, "block \(blockSize), taps \(taps)")
            previous = seconds
        }
    }

    @Test("a kernel of no taps is a programming error")
    func zeroTapsTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = CostModel.default.bestBlockSize(taps: 0)
        }
    }
}
