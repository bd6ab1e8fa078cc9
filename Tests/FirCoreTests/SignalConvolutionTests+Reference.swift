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
