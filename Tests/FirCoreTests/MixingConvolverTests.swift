import Dispatch
import FirCore
import FirTestSupport
import Testing

/// `MixingConvolver` on one channel (``MixingConvolver/init(kernel:)``) and the `PartitionedKernel` it
/// runs, used directly as the pipelines use them: block by block, in place, reset between signals, and
/// one kernel shared by channels on several threads. Many channels and paths:
/// `MixingConvolverTests+Paths.swift`.
@Suite("MixingConvolver")
struct MixingConvolverTests {
    /// Feeds `x`, padded with silence to whole blocks covering the full output, through `convolver` and
    /// returns the first `count` output samples.
    static func stream(
        _ x: [Float], through convolver: MixingConvolver, count: Int, inPlace: Bool = false
    ) -> [Float] {
        let b = convolver.blockSize
        let blocks = (count + b - 1) / b
        var signal = Signals.padded(x, trailing: max(0, blocks * b - x.count))
        var output = [Float](repeating: 0, count: blocks * b)
        signal.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                for k in 0..<blocks {
                    let block = input.baseAddress! + k * b
                    if inPlace {
                        convolver.process(block: k, block, into: block)
                        (output.baseAddress! + k * b).update(from: block, count: b)
                    } else {
                        convolver.process(block: k, block, into: output.baseAddress! + k * b)
                    }
                }
            }
        }
        return Array(output.prefix(count))
    }

    @Test("block k of the output is samples [kB, (k+1)B) of x * h", arguments: [2, 16, 64, 100, 1024])
    func streaming(blockSize: Int) throws {
        let x = Signals.noise(count: 3000, seed: 1), h = Signals.decayingNoise(count: 1021, seed: 2)
        let convolver = try MixingConvolver(kernel: try PartitionedKernel(kernel: h, blockSize: blockSize))
        let y = Self.stream(x, through: convolver, count: x.count + h.count - 1)
        let error = Tolerance.maxErrorDB(y, reference: DirectConvolution.full(x.doubles, h.doubles))
        #expect(error <= SignalConvolutionTests.engineThresholdDB, "block \(blockSize): \(error) dB")
        // The whole-signal path is this loop; same block size, same floats.
        #expect(y == SignalConvolution.apply(x, h, blockSize: blockSize))
    }

    @Test("the first output sample is x[0]·h[0]: no added delay")
    func noLatency() throws {
        let h = Signals.decayingNoise(count: 300, seed: 3)
        let convolver = try MixingConvolver(kernel: try PartitionedKernel(kernel: h, blockSize: 64))
        let y = Self.stream(Signals.impulse(count: 1), through: convolver, count: 300)
        #expect(Tolerance.maxErrorDB(y, reference: h.doubles) <= SignalConvolutionTests.engineThresholdDB)
        #expect(abs(y[0] - h[0]) <= 1e-6 * abs(h[0]))
    }

    @Test("input and output may be the same buffer", arguments: [16, 64, 1000])
    func inPlace(blockSize: Int) throws {
        let x = Signals.noise(count: 2500, seed: 4), h = Signals.decayingNoise(count: 700, seed: 5)
        let kernel = try PartitionedKernel(kernel: h, blockSize: blockSize)
        let separate = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 3199)
        let aliased = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 3199, inPlace: true)
        #expect(aliased == separate)
    }

    @Test("reset forgets the history", arguments: [16, 256])
    func reset(blockSize: Int) throws {
        let h = Signals.decayingNoise(count: 1000, seed: 6)
        let kernel = try PartitionedKernel(kernel: h, blockSize: blockSize)
        let x = Signals.noise(count: 2000, seed: 7)
        let fresh = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 2999)

        let reused = try MixingConvolver(kernel: kernel)
        _ = Self.stream(Signals.noise(count: 1234, seed: 8), through: reused, count: 1234)
        reused.reset()
        #expect(Self.stream(x, through: reused, count: 2999) == fresh)
    }

    @Test("without reset, the tail of one signal runs into the next")
    func noResetKeepsTail() throws {
        let h = Signals.decayingNoise(count: 500, seed: 9)
        let kernel = try PartitionedKernel(kernel: h, blockSize: 64)
        let convolver = try MixingConvolver(kernel: kernel)
        // One block of noise, then silence: the silence must carry the kernel's tail.
        _ = Self.stream(Signals.noise(count: 64, seed: 10), through: convolver, count: 64)
        let tail = Self.stream([Float](repeating: 0, count: 512), through: convolver, count: 512)
        #expect(tail.contains { $0 != 0 })
    }

    @Test("one kernel shared by channels on several threads gives each channel its sequential result")
    func sharedKernelAcrossThreads() throws {
        let h = Signals.decayingNoise(count: 4096, seed: 11)
        let kernel = try PartitionedKernel(kernel: h, blockSize: 256)
        let channels = (0..<8).map { Signals.noise(count: 20_000, seed: 100 + UInt64($0)) }
        let count = 20_000 + 4096 - 1
        let sequential = try channels.map { Self.stream($0, through: try MixingConvolver(kernel: kernel), count: count) }

        let results = ResultSlots(count: channels.count)
        DispatchQueue.concurrentPerform(iterations: channels.count) { c in
            results.store(Self.stream(channels[c], through: try! MixingConvolver(kernel: kernel), count: count), at: c)
        }
        for c in channels.indices { #expect(results.value(at: c) == sequential[c], "channel \(c)") }
    }

    @Test("kernel layout: partitions, transform size, aligned spectra", arguments: [1, 16, 17, 64, 1000, 4096])
    func kernelLayout(blockSize: Int) throws {
        for taps in [1, blockSize, blockSize + 1, 4097] {
            let kernel = try PartitionedKernel(kernel: Signals.noise(count: taps, seed: 12), blockSize: blockSize)
            #expect(kernel.taps == taps && kernel.blockSize == blockSize)
            #expect(kernel.partitionCount == (taps + blockSize - 1) / blockSize)
            #expect(kernel.fft.size == 2 * blockSize && kernel.fft.binCount == blockSize + 1)
            #expect(kernel.spectrumStride % 16 == 0 && kernel.spectrumStride >= 2 * (blockSize + 1))
            #expect(kernel.spectrumStride < 2 * (blockSize + 1) + 16)
            #expect(kernel.memoryBytes == kernel.partitionCount * kernel.spectrumStride * 4)
        }
    }

    @Test("kernels of one block size share one transform")
    func sharedPlans() throws {
        let a = try PartitionedKernel(kernel: [1, 2, 3], blockSize: 128)
        let b = try PartitionedKernel(kernel: Signals.noise(count: 1000, seed: 13), blockSize: 128, mode: .correlate)
        #expect(a.fft === b.fft)
        #expect(try a.fft === FFTPlanner.shared.fft(size: 256))
    }

    @Test("gain and correlation are folded into the kernel")
    func kernelGainAndMode() throws {
        let x = Signals.noise(count: 1500, seed: 14), h = Signals.decayingNoise(count: 300, seed: 15)
        let kernel = try PartitionedKernel(kernel: h, blockSize: 64, mode: .correlate, gain: 0.5)
        let y = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 1799)
        let reference = DirectConvolution.full(x.doubles, h.reversed().map { 0.5 * Double($0) })
        #expect(Tolerance.maxErrorDB(y, reference: reference) <= SignalConvolutionTests.engineThresholdDB)
    }

    @Test("a kernel needs a tap and a positive block size")
    func kernelPreconditions() async throws {
        await #expect(processExitsWith: .failure) {
            _ = try PartitionedKernel(kernel: [], blockSize: 64)
        }
        await #expect(processExitsWith: .failure) {
            _ = try PartitionedKernel(kernel: [1], blockSize: 0)
        }
    }
}

/// One result slot per concurrent iteration. Each iteration writes only its own slot of a fixed buffer
/// and all reads come after `concurrentPerform` returns, so no two threads touch the same memory:
/// hence `@unchecked Sendable`.
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[Float]>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [])
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: [Float], at index: Int) { slots[index] = value }

    func value(at index: Int) -> [Float] { slots[index] }
}
