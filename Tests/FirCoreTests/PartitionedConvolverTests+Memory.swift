import FirCore
import FirTestSupport
import Testing

/// ``PartitionedConvolver/Memory`` made apart from the kernel, as a job's filter bank makes it.
extension PartitionedConvolverTests {
    @Test("memory made from the layout alone gives the same bits as the convolver's own")
    func memoryFromTheLayout() throws {
        let h = Signals.decayingNoise(count: 1021, seed: 30), x = Signals.noise(count: 9000, seed: 31)
        for (b, n) in [(3075, 4096), (256, 512), (2048, 4096)] {
            let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: n)
            let layout = ConvolverLayout(taps: h.count, blockSize: b, fftSize: n)
            #expect(layout == kernel.layout)
            let own = Self.stream(x, through: try PartitionedConvolver(kernel: kernel), count: 10_020)
            let apart = try PartitionedConvolver(kernel: kernel, memory: PartitionedConvolver.Memory(layout: layout))
            #expect(Self.stream(x, through: apart, count: 10_020) == own, "block \(b)")
        }
    }

    @Test("memory of another layout is refused")
    func memoryOfAnotherLayout() async throws {
        await #expect(processExitsWith: .failure) {
            let kernel = try PartitionedKernel(kernel: [1, 2, 3], blockSize: 64)
            _ = try PartitionedConvolver(
                kernel: kernel, memory: try PartitionedConvolver.Memory(layout: ConvolverLayout(taps: 100, blockSize: 64)))
        }
    }
}
