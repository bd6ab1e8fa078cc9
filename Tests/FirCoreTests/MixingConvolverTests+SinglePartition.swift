import FirCore
import FirTestSupport
import Testing

/// One partition with a transform longer than twice the block (``CostModel/bestPlan``'s batch plan):
/// blocks of `fftSize − partitionLength` samples, and a history of `partitionLength`.
extension MixingConvolverTests {
    /// (taps, block, transform): the history exactly the kernel, longer than it (as for a bank's
    /// shorter kernels), odd block sizes, one tap; and two uniform layouts reached this way.
    static let singlePartitionPlans = [
        (1021, 3075, 4096), (1000, 3096, 4096), (700, 3096, 4096), (300, 724, 1024), (1, 3, 4),
        (1021, 2048, 4096), (700, 700, 1400),
    ]

    @Test("one partition, a longer transform: block k is still samples [kB, (k+1)B) of x * h",
          arguments: singlePartitionPlans)
    func singlePartition(taps: Int, blockSize: Int, fftSize: Int) throws {
        let x = Signals.noise(count: 9000, seed: 21), h = Signals.decayingNoise(count: taps, seed: 22)
        let kernel = try PartitionedKernel(kernel: h, blockSize: blockSize, fftSize: fftSize)
        #expect(kernel.partitionCount == 1 && kernel.partitionLength == fftSize - blockSize)
        #expect(kernel.fft.size == fftSize)
        let count = x.count + taps - 1
        let y = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: count)
        let error = Tolerance.maxErrorDB(y, reference: DirectConvolution.full(x.doubles, h.doubles))
        #expect(error <= SignalConvolutionTests.engineThresholdDB, "\(taps) taps, block \(blockSize): \(error) dB")
        let aliased = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: count, inPlace: true)
        #expect(aliased == y)
    }

    @Test("one partition: correlation and gain, as scipy.signal.correlate scaled")
    func singlePartitionCorrelates() throws {
        let x = Signals.noise(count: 5000, seed: 23), h = Signals.decayingNoise(count: 900, seed: 24)
        let kernel = try PartitionedKernel(kernel: h, blockSize: 3196, fftSize: 4096, mode: .correlate, gain: 0.5)
        let y = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 5899)
        let reference = DirectConvolution.full(x.doubles, h.reversed().map { 0.5 * Double($0) })
        #expect(Tolerance.maxErrorDB(y, reference: reference) <= SignalConvolutionTests.engineThresholdDB)
    }

    /// What a stretch worker does: reset, prime one block without a transform, then filter. It must
    /// produce the bits a run from the start produces from that block on.
    @Test("one partition: priming with the previous block gives the continuous run's bits")
    func singlePartitionPriming() throws {
        let taps = 1021, b = 3075, n = 4096
        let x = Signals.noise(count: 6 * b, seed: 25), h = Signals.decayingNoise(count: taps, seed: 26)
        let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: n)
        let continuous = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 6 * b)

        let late = try MixingConvolver(kernel: kernel)
        _ = Self.stream(Signals.noise(count: b, seed: 27), through: late, count: b)
        late.reset()
        var output = [Float](repeating: 0, count: 3 * b)
        x.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                late.prime(input: 0, block: 2, gathering: input.baseAddress! + 2 * b, stride: 1, count: b, transform: false)
                for k in 0..<3 {
                    late.process(block: 3 + k, input.baseAddress! + (3 + k) * b, into: out.baseAddress! + k * b)
                }
            }
        }
        #expect(output == Array(continuous[(3 * b)...]))
    }

    /// A last, short block: `count` samples and zeros to the block's end, as the job's last block.
    @Test("one partition: a short block is the same block padded with zeros", arguments: [0, 1, 1000, 3074])
    func singlePartitionShortBlock(count: Int) throws {
        let b = 3075, h = Signals.decayingNoise(count: 1021, seed: 28)
        let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: 4096)
        let x = Signals.noise(count: 2 * b, seed: 29)
        let padded = Array(x.prefix(b + count)) + [Float](repeating: 0, count: b - count)
        let expected = Self.stream(padded, through: try MixingConvolver(kernel: kernel), count: 2 * b)
        let convolver = try MixingConvolver(kernel: kernel)
        var output = [Float](repeating: .nan, count: 2 * b)
        x.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                convolver.process(block: 0, input.baseAddress!, into: out.baseAddress!)
                convolver.process(block: 1, input.baseAddress! + b, count: count, into: out.baseAddress! + b)
            }
        }
        #expect(output == expected)
    }

    @Test("a kernel longer than fftSize − blockSize is refused with a longer transform")
    func singlePartitionOnly() async throws {
        await #expect(processExitsWith: .failure) {
            _ = try PartitionedKernel(kernel: [Float](repeating: 1, count: 1001), blockSize: 3096, fftSize: 4096)
        }
        await #expect(processExitsWith: .failure) {
            _ = try PartitionedKernel(kernel: [1], blockSize: 100, fftSize: 300)
        }
        await #expect(processExitsWith: .failure) {
            _ = try PartitionedKernel(kernel: [1], blockSize: 100, fftSize: 151)
        }
    }
}
