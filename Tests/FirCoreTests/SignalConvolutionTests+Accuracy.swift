import FirCore
import FirTestSupport
import Testing

/// Accuracy with long kernels: the figures the project quotes. Kernels are decaying noise (a room
/// response stand-in, −60 dB at its end); the error is measured against the float64 direct reference,
/// relative to the output peak, over the full convolution. The measured figures are printed.
///
/// The direct reference is O(n·m), so the signals are chosen to keep it to about a second: a dense
/// signal short enough for the kernel length, and for 2^20 taps also a long sparse signal (the
/// reference skips zero input samples) so the engine runs many blocks with a full delay line.
extension SignalConvolutionTests {
    /// Runs the engine at each block size against one reference and returns the worst error in dB.
    @discardableResult
    private static func accuracy(
        _ x: [Float], _ h: [Float], blockSizes: [Int?], threshold: Double, name: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        let reference = DirectConvolution.full(x.doubles, h.doubles)
        var worst = -Double.infinity
        for blockSize in blockSizes {
            let y = SignalConvolution.apply(x, h, blockSize: blockSize)
            let error = Tolerance.maxErrorDB(y, reference: reference)
            let block = blockSize.map(String.init) ?? "auto"
            print("accuracy \(name), block \(block): \(error) dB")
            #expect(y.count == x.count + h.count - 1, "\(name) block \(block)", sourceLocation: sourceLocation)
            #expect(error <= threshold, "\(name) block \(block): \(error) dB", sourceLocation: sourceLocation)
            worst = max(worst, error)
        }
        return worst
    }

    @Test("2^16 taps over 20,000 samples within −120 dB")
    func accuracy64kTaps() {
        let h = Signals.decayingNoise(count: 1 << 16, seed: 31)
        let x = Signals.noise(count: 20_000, seed: 32)
        Self.accuracy(x, h, blockSizes: [nil, 256, 4096], threshold: -120, name: "2^16 taps x 20000 dense")
    }

    @Test("2^16 taps with a sparse signal within −120 dB")
    func accuracy64kTapsSparse() {
        let h = Signals.decayingNoise(count: 1 << 16, seed: 33)
        let x = Signals.sparseImpulses(count: 200_000, impulses: 40, seed: 34)
        Self.accuracy(x, h, blockSizes: [nil, 1024], threshold: -120, name: "2^16 taps x 200000 sparse")
    }

    @Test("2^20 taps over 600 samples within −110 dB")
    func accuracy1MTaps() {
        let h = Signals.decayingNoise(count: 1 << 20, seed: 35)
        let x = Signals.noise(count: 600, seed: 36)
        Self.accuracy(x, h, blockSizes: [nil, 16384], threshold: -110, name: "2^20 taps x 600 dense")
    }

    @Test("2^20 taps with a sparse signal within −110 dB")
    func accuracy1MTapsSparse() {
        let h = Signals.decayingNoise(count: 1 << 20, seed: 37)
        let x = Signals.sparseImpulses(count: 480_000, impulses: 24, seed: 38)
        Self.accuracy(x, h, blockSizes: [nil], threshold: -110, name: "2^20 taps x 480000 sparse")
    }

    @Test("2^16 taps in correlate mode, every output length, within −120 dB")
    func accuracy64kTapsCorrelate() {
        let h = Signals.decayingNoise(count: 1 << 16, seed: 39)
        let x = Signals.sparseImpulses(count: 100_000, impulses: 30, seed: 40)
        let full = DirectConvolution.apply(x.doubles, h.doubles, mode: .correlate, length: .full)
        let scale = Tolerance.peak(full)
        for length in OutputLength.allCases {
            let window = OutputWindow(inputLength: x.count, kernelLength: h.count, length: length)
            let reference = Array(full[window.start..<window.end])
            let y = SignalConvolution.apply(x, h, mode: .correlate, length: length)
            let error = Tolerance.maxErrorDB(y, reference: reference, scale: scale)
            print("accuracy 2^16 taps correlate \(length): \(error) dB")
            #expect(y.count == Self.expectedCount(signal: x.count, kernel: h.count, length: length))
            #expect(error <= -120, "\(length): \(error) dB")
        }
    }
}
