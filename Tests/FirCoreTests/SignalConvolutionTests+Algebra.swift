import FirCore
import FirTestSupport
import Testing

/// The algebra of convolution, as properties of the float32 engine on seeded random data.
///
/// Both sides of each identity go through the engine, so they differ only by float32 rounding; each side
/// is within −120 dB of float64, and the identities are asserted at that level relative to the peak of
/// the full result. Where the two sides do the very same arithmetic (scaling by a power of two, a shift
/// by whole blocks) the results must be bit-identical.
extension SignalConvolutionTests {
    /// Seeds and (signal, kernel) lengths the properties are checked on.
    static let algebraSeeds: [UInt64] = [1, 2, 3]
    static let algebraLengths = [(1, 1), (5, 300), (1000, 64), (4097, 1021), (2000, 4096)]

    /// Identities between two engine results, relative to the full output's peak.
    static let identityThresholdDB = -120.0

    /// Difference between `a` and `b` relative to `b`'s peak, after checking the lengths match.
    static func disagreement(_ a: [Float], _ b: [Float], sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        #expect(a.count == b.count, "lengths \(a.count) and \(b.count)", sourceLocation: sourceLocation)
        return Tolerance.maxErrorDB(a, b)
    }

    @Test("f * g = g * f", arguments: algebraSeeds)
    func commutative(seed: UInt64) {
        for (n, m) in Self.algebraLengths {
            let f = Signals.noise(count: n, seed: seed), g = Signals.noise(count: m, seed: seed + 100)
            // "same" keeps the first operand's length, so only "full" and "valid" commute.
            for length in [OutputLength.full, .valid] {
                let error = Self.disagreement(
                    SignalConvolution.apply(f, g, length: length), SignalConvolution.apply(g, f, length: length))
                #expect(error <= Self.identityThresholdDB, "n=\(n) m=\(m) \(length): \(error) dB")
            }
        }
    }

    @Test("(f * g) * h = f * (g * h)", arguments: algebraSeeds)
    func associative(seed: UInt64) {
        for (n, m) in Self.algebraLengths {
            let f = Signals.noise(count: n, seed: seed), g = Signals.noise(count: m, seed: seed + 100)
            let h = Signals.decayingNoise(count: 129, seed: seed + 200)
            let left = SignalConvolution.apply(SignalConvolution.apply(f, g), h)
            let right = SignalConvolution.apply(f, SignalConvolution.apply(g, h))
            let error = Self.disagreement(left, right)
            #expect(error <= Self.identityThresholdDB, "n=\(n) m=\(m): \(error) dB")
        }
    }

    @Test("f * (g + h) = f * g + f * h", arguments: algebraSeeds)
    func distributive(seed: UInt64) {
        for (n, m) in Self.algebraLengths {
            let f = Signals.noise(count: n, seed: seed)
            let g = Signals.noise(count: m, seed: seed + 100), h = Signals.decayingNoise(count: m, seed: seed + 200)
            let sum = zip(g, h).map { $0 + $1 }
            for shape in Self.shapes {
                let left = SignalConvolution.apply(f, sum, mode: shape.mode, length: shape.length)
                let fg = SignalConvolution.apply(f, g, mode: shape.mode, length: shape.length)
                let fh = SignalConvolution.apply(f, h, mode: shape.mode, length: shape.length)
                let right = zip(fg, fh).map { $0 + $1 }
                let scale = Tolerance.peak(SignalConvolution.apply(f, sum, mode: shape.mode).doubles)
                let error = Tolerance.maxErrorDB(left, reference: right.doubles, scale: scale)
                #expect(left.count == right.count)
                #expect(error <= Self.identityThresholdDB, "n=\(n) m=\(m) \(shape.mode) \(shape.length): \(error) dB")
            }
        }
    }

    @Test("α(f * g) = (αf) * g = f * g with gain α", arguments: [Float(-3.7), 1e-3, 17])
    func scaling(alpha: Float) {
        for (n, m) in Self.algebraLengths {
            let f = Signals.noise(count: n, seed: 5), g = Signals.decayingNoise(count: m, seed: 6)
            let scaledOutput = SignalConvolution.apply(f, g).map { alpha * $0 }
            let scaledInput = SignalConvolution.apply(f.map { alpha * $0 }, g)
            let withGain = SignalConvolution.apply(f, g, gain: alpha)
            let e1 = Self.disagreement(scaledInput, scaledOutput), e2 = Self.disagreement(withGain, scaledOutput)
            #expect(e1 <= Self.identityThresholdDB, "(αf)*g, α=\(alpha) n=\(n) m=\(m): \(e1) dB")
            #expect(e2 <= Self.identityThresholdDB, "gain α=\(alpha) n=\(n) m=\(m): \(e2) dB")
        }
    }

    @Test("scaling by a power of two is exact", arguments: [Float(0.25), -8])
    func scalingByPowerOfTwo(alpha: Float) {
        // A power of two scales every rounding step exactly, and the gain is folded into the spectra as
        // gain / FFT size, another power of two: all three results are the same floats.
        let f = Signals.noise(count: 3000, seed: 7), g = Signals.decayingNoise(count: 1021, seed: 8)
        for blockSize in [16, 64, 256] {
            let scaledOutput = SignalConvolution.apply(f, g, blockSize: blockSize).map { alpha * $0 }
            #expect(SignalConvolution.apply(f.map { alpha * $0 }, g, blockSize: blockSize) == scaledOutput)
            #expect(SignalConvolution.apply(f, g, blockSize: blockSize, gain: alpha) == scaledOutput)
        }
    }

    /// A unit delta cannot come back bit-exact through a float32 FFT round trip (measured −126 to −138 dB
    /// of the peak over these lengths and block sizes); −140 dB is below one float32 ulp at the peak
    /// (−138.5 dB), so these use the identity threshold like every other engine-vs-engine comparison.
    @Test("δ * f = f", arguments: algebraSeeds)
    func deltaIsIdentity(seed: UInt64) {
        for n in [1, 64, 1000, 4097] {
            let f = Signals.noise(count: n, seed: seed)
            for blockSize in Self.blockSizes {
                let y = SignalConvolution.apply(f, [1], blockSize: blockSize)
                let error = Self.disagreement(y, f)
                let block = blockSize.map(String.init) ?? "auto"
                #expect(error <= Self.identityThresholdDB, "n=\(n) block \(block): \(error) dB")
            }
            // The impulse as the signal returns the kernel: the impulse response.
            let response = SignalConvolution.apply(Signals.impulse(count: 1), f)
            #expect(Self.disagreement(response, f) <= Self.identityThresholdDB, "impulse response, m=\(n)")
        }
    }

    @Test("a delayed delta delays the signal", arguments: [1, 17, 1000])
    func delayedDelta(delay: Int) {
        let f = Signals.noise(count: 3000, seed: 9)
        let y = SignalConvolution.apply(f, Signals.impulse(count: delay + 5, at: delay))
        let expected = Signals.padded(f, leading: delay, trailing: 4)
        #expect(Self.disagreement(y, expected) <= Self.identityThresholdDB)
    }

    @Test("shifting the input shifts the output", arguments: [1, 17, 64, 1000])
    func shiftInvariance(shift: Int) {
        let f = Signals.noise(count: 2000, seed: 10), h = Signals.decayingNoise(count: 511, seed: 11)
        for blockSize in Self.blockSizes {
            let y = SignalConvolution.apply(f, h, blockSize: blockSize)
            let shifted = SignalConvolution.apply(Signals.padded(f, leading: shift), h, blockSize: blockSize)
            let error = Self.disagreement(shifted, Signals.padded(y, leading: shift))
            #expect(error <= Self.identityThresholdDB, "shift \(shift): \(error) dB")
        }
    }

    @Test("a shift by whole blocks is exact", arguments: [1, 3])
    func shiftByBlocks(blocks: Int) {
        // Leading silent blocks give exactly zero spectra and outputs, and the engine then sees the same
        // frames in the same order.
        let f = Signals.noise(count: 2000, seed: 12), h = Signals.decayingNoise(count: 511, seed: 13)
        for blockSize in [16, 64, 1000] {
            let y = SignalConvolution.apply(f, h, blockSize: blockSize)
            let shift = blocks * blockSize
            let shifted = SignalConvolution.apply(Signals.padded(f, leading: shift), h, blockSize: blockSize)
            #expect(shifted == Signals.padded(y, leading: shift), "block \(blockSize), shift \(shift)")
        }
    }

    @Test("correlate(f, g) = convolve(f, reversed g)", arguments: algebraSeeds)
    func correlationIsReversedConvolution(seed: UInt64) {
        for (n, m) in Self.algebraLengths {
            let f = Signals.noise(count: n, seed: seed), g = Signals.noise(count: m, seed: seed + 100)
            for length in OutputLength.allCases {
                for blockSize in Self.blockSizes {
                    let correlation = SignalConvolution.apply(
                        f, g, mode: .correlate, length: length, blockSize: blockSize)
                    let convolution = SignalConvolution.apply(f, g.reversed(), length: length, blockSize: blockSize)
                    // Both build the same reversed taps, so this is near-exact, not just within float32 noise.
                    let error = Self.disagreement(correlation, convolution)
                    #expect(error <= -140, "n=\(n) m=\(m) \(length): \(error) dB")
                }
            }
        }
    }

    @Test("a template hidden in noise peaks at its offset", arguments: [0, 7321, 19_500])
    func templateMatching(offset: Int) {
        let n = 20_000, m = 500
        let template = Signals.noise(count: m, seed: 14)
        var x = Signals.noise(count: n, seed: 15, amplitude: 0.25)
        for j in 0..<m { x[offset + j] += template[j] }

        // Index i of "valid" correlation is lag i: Σ_j x[i + j]·t[j]. "full" starts m − 1 lags earlier and
        // "same" starts (m − 1) / 2 into "full".
        let expected: [(OutputLength, Int)] = [
            (.valid, offset), (.full, offset + m - 1), (.same, offset + m - 1 - (m - 1) / 2),
        ]
        for (length, index) in expected {
            let y = SignalConvolution.apply(x, template, mode: .correlate, length: length)
            let peak = y.indices.max { y[$0] < y[$1] }
            #expect(peak == index, "\(length): peak at \(String(describing: peak)), template at \(index)")
        }
    }
}
