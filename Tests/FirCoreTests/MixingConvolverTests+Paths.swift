import FirCore
import FirTestSupport
import Testing

/// Many inputs into many outputs, under both ``MixingConvolver/Phases``.
extension MixingConvolverTests {
    /// Runs `x` (planar) through `paths` block by block, every input forwarded before any output, and
    /// returns `count` samples of each output.
    static func mix(
        _ x: [[Float]], paths: [MixingConvolver.Path], outputs: Int, blockSize b: Int, phases: MixingConvolver.Phases,
        sumOrder: MixingConvolver.SumOrder = .chunked, count: Int
    ) throws -> [[Float]] {
        let convolver = try MixingConvolver(
            paths: paths, inputs: x.count, outputs: outputs, blockSize: b, fftSize: 2 * b, phases: phases,
            sumOrder: sumOrder)
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

    /// 1,000-sample blocks make 1,001 bins, two chunks and a part; output 0 sums two paths (the second
    /// added to the first's sum), output 1 has one path of 5 partitions.
    @Test("the sum partition by partition gives the chunked sum's bits")
    func sumOrders() throws {
        let b = 1000
        let x = (0..<2).map { Signals.noise(count: 6000, seed: 60 + UInt64($0)) }
        let h = [4 * b + 7, 5 * b].enumerated().map { Signals.decayingNoise(count: $0.element, seed: 70 + UInt64($0.offset)) }
        let kernels = try h.map { try PartitionedKernel(kernel: $0, blockSize: b) }
        let paths = [(0, 0, 0), (0, 1, 1), (1, 1, 1)].map {
            MixingConvolver.Path(output: $0.0, input: $0.1, kernel: kernels[$0.2])
        }
        let count = 6000 + 5 * b - 1
        let chunked = try Self.mix(x, paths: paths, outputs: 2, blockSize: b, phases: .sameThread, count: count)
        let whole = try Self.mix(
            x, paths: paths, outputs: 2, blockSize: b, phases: .sameThread, sumOrder: .partitionMajor, count: count)
        #expect(whole == chunked)
        var reference = [Double](repeating: 0, count: count)
        for (input, k) in [(0, 0), (1, 1)] {
            for (t, v) in DirectConvolution.full(x[input].doubles, h[k].doubles).enumerated() { reference[t] += v }
        }
        #expect(Tolerance.maxErrorDB(whole[0], reference: reference) <= SignalConvolutionTests.engineThresholdDB)
    }
}
