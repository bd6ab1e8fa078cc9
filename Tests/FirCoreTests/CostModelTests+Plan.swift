import FirCore
import Testing

/// `CostModel.bestPlan`: uniform partitions or one partition with a longer transform, whichever the
/// model predicts cheaper, within the block limits it is given.
extension CostModelTests {
    /// The model's cost of `plan`, as `bestPlan` documents.
    static func cost(_ model: CostModel, plan: BlockPlan, taps: Int, outputLength: Int?) -> Double {
        let b = plan.blockSize
        let block = plan.fftSize == 2 * b
            ? model.blockSeconds(blockSize: b, taps: taps)
            : model.singlePartitionBlockSeconds(fftSize: plan.fftSize)
        guard let total = outputLength else { return block / Double(b) }
        return Double((max(total, 1) + b - 1) / b) * block
    }

    @Test("a plan is uniform, or one partition whose history holds the kernel", arguments: taps)
    func planShape(taps: Int) {
        for outputLength in Self.outputLengths {
            for maxBlock in [1 << 22, 1 << 16, 4096] {
                let plan = Self.model.bestPlan(taps: taps, outputLength: outputLength, maxBlockSize: maxBlock)
                let context = "taps \(taps), output \(String(describing: outputLength)), max \(maxBlock): \(plan)"
                #expect(plan.fftSize.nonzeroBitCount == 1, "\(context)")
                #expect(plan.blockSize >= 64, "\(context)")
                if plan.fftSize != 2 * plan.blockSize {
                    #expect(plan.fftSize - plan.blockSize == taps, "\(context)")
                    #expect(plan.blockSize >= 3 * taps && plan.blockSize <= maxBlock, "\(context)")
                    #expect(plan.fftSize <= CostModel.maxSinglePartitionFFT, "\(context)")
                } else {
                    #expect(plan.blockSize == Self.model.bestBlockSize(taps: taps, outputLength: outputLength))
                }
            }
        }
    }

    @Test("no single-partition plan within the limits is cheaper than the one chosen", arguments: taps)
    func planCheapest(taps: Int) {
        for outputLength in Self.outputLengths {
            let plan = Self.model.bestPlan(taps: taps, outputLength: outputLength, maxBlockSize: 1 << 20)
            let chosen = Self.cost(Self.model, plan: plan, taps: taps, outputLength: outputLength)
            var n = 4
            while n <= CostModel.maxSinglePartitionFFT && n - taps <= 1 << 20 {
                if n >= 4 * taps && n - taps >= 64 {
                    let other = BlockPlan(blockSize: n - taps, fftSize: n)
                    let alternative = Self.cost(Self.model, plan: other, taps: taps, outputLength: outputLength)
                    #expect(chosen <= alternative * (1 + 1e-12), "taps \(taps): \(plan) costs more than \(other)")
                }
                n *= 2
            }
        }
    }

    @Test("keeps single-partition blocks to a given range", arguments: [256...4096, 1000...1 << 16, 64...64])
    func planRange(range: ClosedRange<Int>) {
        for taps in Self.taps {
            for outputLength in Self.outputLengths {
                let plan = Self.model.bestPlan(taps: taps, outputLength: outputLength, range: range)
                if plan.fftSize != 2 * plan.blockSize {
                    #expect(range.contains(plan.blockSize), "taps \(taps), range \(range): \(plan)")
                }
            }
        }
    }

    @Test("16,384 taps over a minute take one partition; 65,536 and a million taps stay uniform")
    func planForTheBenchmarks() {
        let w3 = Self.model.bestPlan(taps: 16_384, outputLength: 48_000 * 60 + 16_383, maxBlockSize: 1 << 16)
        #expect(w3.fftSize != 2 * w3.blockSize && w3.fftSize - w3.blockSize == 16_384, "\(w3)")
        // One partition would need 4 · 65,536 points, past the largest single-partition transform.
        let w1 = Self.model.bestPlan(taps: 65_536, outputLength: 48_000 * 120 + 65_535, maxBlockSize: 1 << 18)
        #expect(w1.fftSize == 2 * w1.blockSize, "\(w1)")
        let w2 = Self.model.bestPlan(taps: 1 << 20, outputLength: 48_000 * 120 + (1 << 20), maxBlockSize: 1 << 18)
        #expect(w2.fftSize == 2 * w2.blockSize, "\(w2)")
        // Too short a signal for long blocks.
        let short = Self.model.bestPlan(taps: 65_536, outputLength: 65_536 + 100, maxBlockSize: 1 << 18)
        #expect(short.fftSize == 2 * short.blockSize, "\(short)")
    }
}

/// The one-block plan: a short input known in advance goes whole into block 0.
extension CostModelTests {
    @Test("one-block sizes: the least power of two times 1, 5 or 15 at or above n")
    func oneBlockSizes() {
        for n in [2, 3, 5, 100, 4097, 161_536, 227_071, 1 << 20] {
            let size = CostModel.oneBlockSize(atLeast: n)
            var odd = size
            while odd % 2 == 0 { odd /= 2 }
            #expect(size >= n && size % 2 == 0 && [1, 5, 15].contains(odd), "\(n) → \(size)")
            // No smaller size of the three kinds reaches n.
            for factor in [1, 5, 15] {
                var smaller = factor * 2
                while smaller < n { smaller *= 2 }
                #expect(smaller >= size, "\(n): \(smaller) is smaller than \(size)")
            }
        }
        #expect(CostModel.oneBlockSize(atLeast: 161_536) == 163_840)
    }

    @Test("a short input known in advance takes one block: one transform pair a channel", arguments: taps)
    func oneBlockPlan(taps: Int) {
        for input in [1, 1000, 48_000, 96_000] {
            let plan = Self.model.bestPlan(
                taps: taps, outputLength: input + taps - 1, inputLength: input, maxBlockSize: 1 << 18)
            // Chosen exactly when cheaper than the plan without it (within its block limit).
            let without = Self.model.bestPlan(taps: taps, outputLength: input + taps - 1, maxBlockSize: 1 << 18)
            let costWithout = Self.cost(Self.model, plan: without, taps: taps, outputLength: input + taps - 1)
            let n = CostModel.oneBlockSize(atLeast: max(input + taps, 2 * taps))
            let fits = n - taps <= 1 << 18 && n - taps >= 64
            if fits && Self.model.singlePartitionBlockSeconds(fftSize: n) < costWithout {
                #expect(plan == BlockPlan(blockSize: n - taps, fftSize: n), "\(input), \(taps): \(plan)")
            } else {
                #expect(plan == without, "\(input), \(taps): \(plan) against \(without)")
            }
        }
        // The W4 clip: 2 s at 48 kHz through 65,536 taps is one transform of 163,840 points when that
        // size has a measured plan; without one, only powers of two.
        let w4 = Self.model.bestPlan(taps: 65_536, outputLength: 96_000 + 65_535, inputLength: 96_000, maxBlockSize: 1 << 18)
        #expect(w4 == BlockPlan(blockSize: 98_304, fftSize: 163_840))
        for input in [1000, 48_000, 96_000] {
            let unplanned = Self.model.bestPlan(
                taps: taps, outputLength: input + taps - 1, inputLength: input, maxBlockSize: 1 << 18,
                planned: { _ in false })
            #expect(unplanned.fftSize.nonzeroBitCount == 1, "\(input), \(taps): \(unplanned)")
        }
        #expect(CostModel.oneBlockSize(atLeast: 161_536, planned: { $0 != 163_840 }) == 245_760)
        #expect(CostModel.oneBlockSize(atLeast: 161_536, planned: { _ in false }) == 262_144)
    }
}
