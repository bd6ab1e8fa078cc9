import FirCore
import FirTestSupport
import Testing

/// The engine against the float64 direct reference over the whole grid of lengths: every signal length
/// with every kernel length (kernel longer than the signal, both of length one, powers of two ±1,
/// primes), in every mode and output length, at every block size of ``blockSizes``.
extension SignalConvolutionTests {
    @Test("matches the direct reference over the length grid", arguments: lengths)
    func referenceGrid(kernelLength m: Int) {
        let h = Signals.noise(count: m, seed: 1000 + UInt64(m))
        var worst = -Double.infinity, worstLabel = ""
        // For information only: the error relative to the kept window's own peak, which tiny windows inflate.
        var worstInWindow = -Double.infinity, worstInWindowLabel = ""
        for n in Self.lengths {
            let x = Signals.noise(count: n, seed: 2000 + UInt64(n))
            for mode in ConvolutionMode.allCases {
                // One float64 reference per mode; the output lengths are windows on it.
                let full = DirectConvolution.apply(x.doubles, h.doubles, mode: mode, length: .full)
                let scale = Tolerance.peak(full)
                for length in OutputLength.allCases {
                    let window = OutputWindow(inputLength: n, kernelLength: m, length: length)
                    let reference = Array(full[window.start..<window.end])
                    let count = Self.expectedCount(signal: n, kernel: m, length: length)
                    #expect(reference.count == count, "reference length n=\(n) m=\(m) \(length)")
                    for blockSize in Self.blockSizes {
                        let y = SignalConvolution.apply(x, h, mode: mode, length: length, blockSize: blockSize)
                        let label = "n=\(n) m=\(m) \(mode) \(length) block=\(blockSize.map(String.init) ?? "auto")"
                        #expect(y.count == count, "output length \(y.count), expected \(count): \(label)")
                        let error = Tolerance.maxErrorDB(y, reference: reference, scale: scale)
                        #expect(error <= Self.engineThresholdDB, "error \(error) dB: \(label)")
                        if error > worst { (worst, worstLabel) = (error, label) }
                        let inWindow = Tolerance.maxErrorDB(y, reference: reference)
                        if inWindow > worstInWindow { (worstInWindow, worstInWindowLabel) = (inWindow, label) }
                    }
                }
            }
        }
        print("grid m=\(m): worst \(worst) dB of the full peak at \(worstLabel); "
            + "worst \(worstInWindow) dB of the window peak at \(worstInWindowLabel)")
    }

    @Test("matches the direct reference with a decaying kernel", arguments: [1, 63, 128, 1021, 4096])
    func referenceDecayingKernel(kernelLength m: Int) {
        let h = Signals.decayingNoise(count: m, seed: 3000 + UInt64(m))
        for n in [1, 65, 1000, 4097] {
            let x = Signals.noise(count: n, seed: 4000 + UInt64(n))
            for shape in Self.shapes {
                for blockSize in Self.blockSizes {
                    Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
                }
            }
        }
    }

    @Test("matches the direct reference for odd block sizes", arguments: [3, 17, 100, 513])
    func referenceOddBlockSizes(blockSize: Int) {
        let cases = [(1, 1), (7, 5), (1021, 255), (255, 1021), (4097, 4095)]
        for (n, m) in cases {
            let x = Signals.noise(count: n, seed: 5000 + UInt64(n)), h = Signals.noise(count: m, seed: 6000 + UInt64(m))
            for shape in Self.shapes {
                Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
            }
        }
    }

    @Test("a loud and a quiet signal have the same relative error")
    func scaleInvariance() {
        let h = Signals.decayingNoise(count: 1000, seed: 23)
        for amplitude: Float in [1e-6, 1, 1e6] {
            let x = Signals.noise(count: 5000, seed: 24, amplitude: amplitude)
            for shape in Self.shapes {
                Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: nil)
            }
        }
    }
}

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
