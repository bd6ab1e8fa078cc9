import FirCore
import FirTestSupport
import Testing

/// Memory made from the routes alone, the kernels attached later, as a job's bank makes it.
extension MixingConvolverTests {
    @Test("memory made from the routes alone gives the same bits as a convolver made with its kernels")
    func memoryFromTheRoutes() throws {
        let h = Signals.decayingNoise(count: 1021, seed: 30), x = Signals.noise(count: 9000, seed: 31)
        for (b, n) in [(3075, 4096), (256, 512), (2048, 4096)] {
            let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: n)
            let layout = ConvolverLayout(taps: h.count, blockSize: b, fftSize: n)
            #expect(layout == kernel.layout)
            let own = Self.stream(x, through: try MixingConvolver(kernel: kernel), count: 10_020)
            let apart = try MixingConvolver(
                routes: [.init(output: 0, input: 0, partitions: layout.partitionCount)], inputs: 1, outputs: 1,
                blockSize: b, fftSize: n, phases: .sameThread)
            apart.attach([kernel])
            #expect(Self.stream(x, through: apart, count: 10_020) == own, "block \(b)")
        }
    }

    @Test("a kernel of another layout than its route is refused")
    func kernelOfAnotherLayout() async throws {
        await #expect(processExitsWith: .failure) {
            let kernel = try PartitionedKernel(kernel: [1, 2, 3], blockSize: 64)
            let convolver = try MixingConvolver(
                routes: [.init(output: 0, input: 0, partitions: 2)], inputs: 1, outputs: 1, blockSize: 64,
                fftSize: 128, phases: .sameThread)
            convolver.attach([kernel])
        }
        await #expect(processExitsWith: .failure) {
            let kernel = try PartitionedKernel(kernel: [1, 2, 3], blockSize: 64)
            let convolver = try MixingConvolver(
                routes: [.init(output: 0, input: 0, partitions: 1)], inputs: 1, outputs: 1, blockSize: 64,
                fftSize: 128, phases: .sameThread)
            convolver.attach([kernel, kernel])
        }
    }
}
