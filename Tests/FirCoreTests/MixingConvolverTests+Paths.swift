import FirCore
import FirTestSupport
import Testing

/// Many inputs into many outputs, under both ``MixingConvolver/Phases``.
extension MixingConvolverTests {
    /// Runs `x` (planar) through `paths` block by block, every input forwarded before any output, and
    /// returns `count` samples of each output.
    static func mix(
        _ x: [[Float]], paths: [MixingConvolver.Path], outputs: Int, blockSize b: Int, phases: MixingConvolver.Phases,
        count: Int
    ) throws -> [[Float]] {
        let convolver = try MixingConvolver(
            paths: paths, inputs: x.count, outputs: outputs, blockSize: b, fftSize: 2 * b, phases: phases)
        var y = [[Float]](repeating: [Float](repeating: 0, count: (count + b - 1) / b * b), count: outputs)
        for k in 0..<(count + b - 1) / b {
            for (i, signal) in x.enumerated() {
                let n = max(0, min(b, signal.count - k * b))
                signal.withUnsafeBufferPointer { s in
                    convolver.forward(input: i, block: k, gathering: s.baseAddress! + min(k * b, s.count), stride: 1, count: n)
                }
            }
            for o in 0..<outputs {
                y[o].withUnsafeMutableBufferPointer { convolver.output(o, block: k, into: $0.baseAddress! + k * b, stride: 1) }
            }
        }
        return y.map { Array($0.prefix(count)) }
    }

    /// Output 0 from input 0 alone (its sole reader: under `.sameThread` its inverse borrows input 0's
    /// frame), output 1 the sum of inputs 1 and 2, output 2 from input 2 again (shared, so not
    /// borrowed), output 3 silent; kernels of 1, 3 and 6 partitions.
    @Test("paths sum per output, and both phase orders give the same bits", arguments: [16, 64])
    func pathsAndPhases(blockSize b: Int) throws {
        let x = (0..<3).map { Signals.noise(count: 700, seed: 40 + UInt64($0)) }
        let h = [10, 3 * b, 6 * b - 5].enumerated().map { Signals.decayingNoise(count: $0.element, seed: 50 + UInt64($0.offset)) }
        let kernels = try h.map { try PartitionedKernel(kernel: $0, blockSize: b) }
        let routes = [(0, 0, 2), (1, 1, 1), (1, 2, 0), (2, 2, 2)]
        let paths = routes.map { MixingConvolver.Path(output: $0.0, input: $0.1, kernel: kernels[$0.2]) }
        let count = 700 + h[2].count - 1
        let sameThread = try Self.mix(x, paths: paths, outputs: 4, blockSize: b, phases: .sameThread, count: count)
        let barrier = try Self.mix(x, paths: paths, outputs: 4, blockSize: b, phases: .barrier, count: count)
        #expect(sameThread == barrier)
        for o in 0..<3 {
            var reference = [Double](repeating: 0, count: count)
            for (out, input, k) in routes where out == o {
                for (t, v) in DirectConvolution.full(x[input].doubles, h[k].doubles).enumerated() { reference[t] += v }
            }
            let error = Tolerance.maxErrorDB(sameThread[o], reference: reference)
            #expect(error <= SignalConvolutionTests.engineThresholdDB, "output \(o): \(error) dB")
        }
        #expect(sameThread[3].allSatisfy { $0 == 0 })
    }
}
