@testable import FirCore
import FirTestSupport
import Foundation
import Testing

/// `StreamConvolver` over a graph's paths: each output the sum of its paths' inputs through their
/// kernels, with kernels long enough to reach background levels, against the float64 reference.
@Suite("StreamConvolver paths")
struct StreamConvolverPathTests {
    /// Feeds `inputs` planar blocks through `convolver` (in a buffer as wide as the wider side), in
    /// place, and returns every output's first `count` samples.
    static func stream(_ x: [[Float]], through convolver: StreamConvolver, count: Int) -> [[Float]] {
        let b = convolver.blockSize, width = max(convolver.inputs, convolver.outputs)
        let blocks = (count + b - 1) / b
        var block = [Float](repeating: 0, count: width * b)
        var outputs = [[Float]](repeating: [], count: convolver.outputs)
        for k in 0..<blocks {
            for c in 0..<convolver.inputs {
                for i in 0..<b { block[c * b + i] = k * b + i < x[c].count ? x[c][k * b + i] : 0 }
            }
            block.withUnsafeMutableBufferPointer { convolver.process($0.baseAddress!, $0.baseAddress!) }
            for o in 0..<convolver.outputs { outputs[o] += block[(o * b)..<((o + 1) * b)] }
        }
        return outputs.map { Array($0.prefix(count)) }
    }

    @Test(arguments: [(32, 3000), (64, 20_000), (256, 5000)])
    func pathsSumIntoTheirOutputs(blockSize: Int, taps: Int) throws {
        // 2 inputs into 3 outputs: true-stereo-like crossing paths, a silent output, a shared kernel.
        let x = (0..<2).map { Signals.noise(count: 6000, seed: 70 + UInt64($0), amplitude: 0.5) }
        let h = (0..<3).map { Signals.decayingNoise(count: taps - 700 * $0, seed: 80 + UInt64($0)).map { $0 * 0.1 } }
        let paths = [
            StreamConvolver.Path(output: 0, input: 0, key: "h0", taps: h[0], gain: 1),
            StreamConvolver.Path(output: 0, input: 1, key: "h1", taps: h[1], gain: 0.5),
            StreamConvolver.Path(output: 1, input: 0, key: "h2", taps: h[2], gain: 1),
            StreamConvolver.Path(output: 1, input: 1, key: "h0", taps: h[0], gain: 1),
        ]
        let convolver = try StreamConvolver(paths: paths, inputs: 2, outputs: 3, blockSize: blockSize)
        defer { convolver.shutdown() }
        #expect(convolver.layout.levels.count > 1, "the kernels reach background levels")
        let count = 6000 + taps - 1
        let y = Self.stream(x, through: convolver, count: count)
        func add(_ a: [Double], _ b: [Double]) -> [Double] {
            (0..<max(a.count, b.count)).map { ($0 < a.count ? a[$0] : 0) + ($0 < b.count ? b[$0] : 0) }
        }
        let r0 = add(DirectConvolution.full(x[0].doubles, h[0].doubles),
                     DirectConvolution.full(x[1].doubles, h[1].doubles).map { $0 * 0.5 })
        let r1 = add(DirectConvolution.full(x[0].doubles, h[2].doubles), DirectConvolution.full(x[1].doubles, h[0].doubles))
        for (o, r) in [r0, r1].enumerated() {
            let e = Tolerance.maxErrorDB(y[o], reference: Array((r + [Double](repeating: 0, count: count)).prefix(count)))
            #expect(e < StreamConvolverTests.thresholdDB, "block \(blockSize), output \(o): \(e) dB")
        }
        #expect(y[2].allSatisfy { $0 == 0 }, "an output no path feeds is silent")
    }
}
