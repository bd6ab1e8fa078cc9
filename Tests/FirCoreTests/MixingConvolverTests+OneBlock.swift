import FirTestSupport
import Testing

@testable import FirCore

/// A whole short signal in block 0 (``MixingConvolver``'s `inputEndsInFirstBlock`, the one-block plan of
/// ``CostModel/bestPlan(taps:outputLength:inputLength:range:maxBlockSize:)``): block 1 is what block 0's
/// transform wrapped around, with no transform of its own, and must still be the full convolution.
extension MixingConvolverTests {
    /// Runs `x` (planar, each at most one block) through `paths` for blocks 0 and 1, block 1's inputs
    /// empty (count 0) as a job's are past the end, and returns the `count` samples of each output.
    static func oneBlock(
        _ x: [[Float]], paths: [MixingConvolver.Path], outputs: Int, blockSize b: Int, fftSize n: Int,
        phases: MixingConvolver.Phases, count: Int, convolver given: MixingConvolver? = nil
    ) throws -> (y: [[Float]], convolver: MixingConvolver) {
        let convolver = try given ?? MixingConvolver(
            routes: paths.map { .init(output: $0.output, input: $0.input, partitions: $0.kernel.partitionCount) },
            inputs: x.count, outputs: outputs, blockSize: b, fftSize: n, phases: phases, inputEndsInFirstBlock: true)
        if given == nil { convolver.attach(paths.map(\.kernel)) }
        var y = [[Float]](repeating: [Float](repeating: .nan, count: 2 * b), count: outputs)
        for k in 0..<2 {
            for (i, signal) in x.enumerated() {
                signal.withUnsafeBufferPointer { s in
                    convolver.forward(input: i, block: k, gathering: s.baseAddress!, stride: 1, count: k == 0 ? s.count : 0)
                }
            }
            for o in 0..<outputs {
                y[o].withUnsafeMutableBufferPointer { convolver.output(o, block: k, into: $0.baseAddress! + k * b, stride: 1) }
            }
        }
        return (y.map { Array($0.prefix(count)) }, convolver)
    }

    /// (signal, taps, transform): the one-block plan's sizes (CostModel.oneBlockSize), a signal that
    /// fills its block, one much shorter, a kernel of one tap.
    static let oneBlockCases = [(3000, 1021, 5120), (4096, 4096, 10_240), (100, 1021, 2560), (5000, 1, 5120)]

    @Test("one block: block 1 from block 0's transform is the rest of x * h", arguments: oneBlockCases)
    func oneBlockTail(signal: Int, taps: Int, fftSize n: Int) throws {
        let b = n - taps
        let x = Signals.noise(count: signal, seed: 60), h = Signals.decayingNoise(count: taps, seed: 61)
        let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: n)
        let count = signal + taps - 1
        for phases in [MixingConvolver.Phases.sameThread, .barrier] {
            let (y, convolver) = try Self.oneBlock(
                [x], paths: [.init(output: 0, input: 0, kernel: kernel)], outputs: 1, blockSize: b, fftSize: n,
                phases: phases, count: count)
            #expect(convolver.keepsTail)
            let error = Tolerance.maxErrorDB(y[0], reference: DirectConvolution.full(x.doubles, h.doubles))
            #expect(error <= SignalConvolutionTests.engineThresholdDB, "\(signal), \(taps) taps, \(phases): \(error) dB")
            // Reset, the next signal: the same bits as a fresh convolver's.
            convolver.reset()
            let again = try Self.oneBlock(
                [x], paths: [.init(output: 0, input: 0, kernel: kernel)], outputs: 1, blockSize: b, fftSize: n,
                phases: phases, count: count, convolver: convolver)
            #expect(again.y == y)
        }
    }

    @Test("one block: outputs that mix inputs get their tails summed")
    func oneBlockMixing() throws {
        let b = 3072, n = 5120, taps = 2048
        let x = (0..<2).map { Signals.noise(count: 2500 + 300 * $0, seed: 62 + UInt64($0)) }
        let h = (0..<3).map { Signals.decayingNoise(count: taps - 100 * $0, seed: 64 + UInt64($0)) }
        let kernels = try h.map { try PartitionedKernel(kernel: $0, blockSize: b, fftSize: n) }
        // Output 0 = x0 * h0 + x1 * h1; output 1 = x1 * h2.
        let paths: [MixingConvolver.Path] = [
            .init(output: 0, input: 0, kernel: kernels[0]), .init(output: 0, input: 1, kernel: kernels[1]),
            .init(output: 1, input: 1, kernel: kernels[2]),
        ]
        let count = 2800 + taps - 1
        let (y, _) = try Self.oneBlock(x, paths: paths, outputs: 2, blockSize: b, fftSize: n, phases: .barrier, count: count)
        var r0 = DirectConvolution.full(x[0].doubles, h[0].doubles) + [Double](repeating: 0, count: count)
        for (t, v) in DirectConvolution.full(x[1].doubles, h[1].doubles).enumerated() { r0[t] += v }
        let r1 = DirectConvolution.full(x[1].doubles, h[2].doubles) + [Double](repeating: 0, count: count)
        for (output, reference) in zip(y, [r0, r1]) {
            let error = Tolerance.maxErrorDB(output, reference: Array(reference.prefix(count)))
            #expect(error <= SignalConvolutionTests.engineThresholdDB, "\(error) dB")
        }
    }

    /// The caller's expectation is only a hint: input in block 1 after all, or more partitions, and the
    /// convolver computes block 1 as usual.
    @Test("one block expected: input in block 1 after all is still filtered, and partitions turn it off")
    func oneBlockExpectedButNot() throws {
        let b = 3072, n = 5120, taps = 2048
        let x = Signals.noise(count: 2 * b, seed: 66), h = Signals.decayingNoise(count: taps, seed: 67)
        let kernel = try PartitionedKernel(kernel: h, blockSize: b, fftSize: n)
        let convolver = try MixingConvolver(
            routes: [.init(output: 0, input: 0, partitions: 1)], inputs: 1, outputs: 1, blockSize: b, fftSize: n,
            phases: .sameThread, inputEndsInFirstBlock: true)
        convolver.attach([kernel])
        #expect(convolver.keepsTail)
        let y = Self.stream(x, through: convolver, count: 2 * b + taps - 1)
        let error = Tolerance.maxErrorDB(y, reference: DirectConvolution.full(x.doubles, h.doubles))
        #expect(error <= SignalConvolutionTests.engineThresholdDB, "\(error) dB")

        let uniform = try MixingConvolver(
            routes: [.init(output: 0, input: 0, partitions: 3)], inputs: 1, outputs: 1, blockSize: 1024, fftSize: 2048,
            phases: .sameThread, inputEndsInFirstBlock: true)
        #expect(!uniform.keepsTail)
    }
}
