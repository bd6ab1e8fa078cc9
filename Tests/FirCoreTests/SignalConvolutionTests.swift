import FirCore
import FirTestSupport
import Testing

/// `SignalConvolution.apply`, the whole-signal path through the partitioned engine, against the float64
/// direct reference. The suite is split by concern into `SignalConvolutionTests+*.swift`; this file holds
/// the shared grid and helpers, the edge cases of silence and empty input, and block-size independence.
@Suite("SignalConvolution")
struct SignalConvolutionTests {
    /// Signal and kernel lengths: tiny, primes, powers of two and their neighbours, kernel longer than
    /// signal and the reverse.
    static let lengths = [1, 2, 3, 5, 7, 13, 31, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 1021, 4095, 4096, 4097]

    /// Explicit block sizes (1000 is not a power of two) and `nil`, the cost model's choice.
    static let blockSizes: [Int?] = [16, 64, 1000, nil]

    /// Float32 engine against the float64 reference, relative to the peak of the full convolution.
    ///
    /// The full convolution's peak rather than the kept window's: float32 FFT rounding scales with the
    /// whole result, and a "same" or "valid" window can be one sample that cancels to almost zero (with
    /// n = 1 and m = 64, "same" keeps the single product x[0]·h[31]); measured against that, any float32
    /// engine fails. For "full" the two scales are the same.
    static let engineThresholdDB = -120.0

    /// Every mode with every output length.
    static let shapes: [(mode: ConvolutionMode, length: OutputLength)] =
        ConvolutionMode.allCases.flatMap { mode in OutputLength.allCases.map { (mode, $0) } }

    /// The output length numpy/scipy give, written out independently of ``OutputWindow``.
    static func expectedCount(signal n: Int, kernel m: Int, length: OutputLength) -> Int {
        guard n > 0 else { return 0 }
        switch length {
        case .full: return n + m - 1
        case .same: return n
        case .valid: return abs(n - m) + 1
        }
    }

    /// Runs the engine and the reference for one configuration and returns the error in dB; records an
    /// issue, naming the configuration, when the length is wrong or the error above `threshold`.
    @discardableResult
    static func checkAgainstReference(
        _ x: [Float], _ h: [Float], mode: ConvolutionMode, length: OutputLength, blockSize: Int?,
        threshold: Double = engineThresholdDB, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        let y = SignalConvolution.apply(x, h, mode: mode, length: length, blockSize: blockSize)
        let r = DirectConvolution.apply(x.doubles, h.doubles, mode: mode, length: length)
        let scale = Tolerance.peak(DirectConvolution.apply(x.doubles, h.doubles, mode: mode, length: .full))
        let count = expectedCount(signal: x.count, kernel: h.count, length: length)
        let error = Tolerance.maxErrorDB(y, reference: r, scale: scale)
        let label = "n=\(x.count) m=\(h.count) \(mode) \(length) block=\(blockSize.map(String.init) ?? "auto")"
        #expect(y.count == count, "output length, \(label)", sourceLocation: sourceLocation)
        #expect(r.count == count, "reference length, \(label)", sourceLocation: sourceLocation)
        #expect(error <= threshold, "error \(error) dB, \(label)", sourceLocation: sourceLocation)
        return error
    }

    // MARK: - Silence, zero tails and empty input

    @Test("a signal ending in a long run of zeros", arguments: blockSizes)
    func signalWithSilentTail(blockSize: Int?) {
        let x = Signals.padded(Signals.noise(count: 3000, seed: 11), trailing: 5000)
        let h = Signals.decayingNoise(count: 1021, seed: 12)
        for shape in Self.shapes {
            Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
        }
    }

    @Test("a signal starting with a long run of zeros", arguments: blockSizes)
    func signalWithSilentHead(blockSize: Int?) {
        let x = Signals.padded(Signals.noise(count: 2000, seed: 13), leading: 4097)
        let h = Signals.decayingNoise(count: 257, seed: 14)
        for shape in Self.shapes {
            Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
        }
    }

    @Test("a kernel with trailing zeros", arguments: blockSizes)
    func kernelWithTrailingZeros(blockSize: Int?) {
        let x = Signals.noise(count: 4096, seed: 15)
        let h = Signals.padded(Signals.decayingNoise(count: 700, seed: 16), trailing: 1300)
        for shape in Self.shapes {
            Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
        }
    }

    @Test("a kernel with leading zeros is a delay", arguments: blockSizes)
    func kernelWithLeadingZeros(blockSize: Int?) {
        let x = Signals.noise(count: 1000, seed: 17)
        let h = Signals.padded(Signals.decayingNoise(count: 300, seed: 18), leading: 129)
        for shape in Self.shapes {
            Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
        }
    }

    @Test("an all-zero signal gives exactly zero", arguments: blockSizes)
    func silentSignal(blockSize: Int?) {
        let h = Signals.decayingNoise(count: 1000, seed: 19)
        for n in [1, 64, 1021, 5000] {
            let x = [Float](repeating: 0, count: n)
            for shape in Self.shapes {
                let y = SignalConvolution.apply(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
                #expect(y.count == Self.expectedCount(signal: n, kernel: h.count, length: shape.length))
                #expect(y.allSatisfy { $0 == 0 }, "n=\(n) \(shape.mode) \(shape.length)")
            }
        }
    }

    @Test("an all-zero kernel gives exactly zero", arguments: blockSizes)
    func silentKernel(blockSize: Int?) {
        let x = Signals.noise(count: 3000, seed: 20)
        let h = [Float](repeating: 0, count: 257)
        for shape in Self.shapes {
            let y = SignalConvolution.apply(x, h, mode: shape.mode, length: shape.length, blockSize: blockSize)
            #expect(y.count == Self.expectedCount(signal: x.count, kernel: h.count, length: shape.length))
            #expect(y.allSatisfy { $0 == 0 }, "\(shape.mode) \(shape.length)")
        }
    }

    @Test("an empty signal gives an empty output", arguments: blockSizes)
    func emptySignal(blockSize: Int?) {
        for m in [1, 2, 64, 1000, 4097] {
            let h = Signals.noise(count: m, seed: UInt64(m))
            for shape in Self.shapes {
                let y = SignalConvolution.apply([], h, mode: shape.mode, length: shape.length, blockSize: blockSize)
                #expect(y.isEmpty)
                #expect(DirectConvolution.apply([], h.doubles, mode: shape.mode, length: shape.length).isEmpty)
            }
        }
    }

    @Test("block size one, the smallest transform")
    func blockSizeOne() {
        let x = Signals.noise(count: 300, seed: 21), h = Signals.decayingNoise(count: 65, seed: 22)
        for shape in Self.shapes {
            Self.checkAgainstReference(x, h, mode: shape.mode, length: shape.length, blockSize: 1)
        }
    }

    @Test("an empty kernel is a programming error")
    func emptyKernelTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = SignalConvolution.apply([1, 2, 3], [])
        }
    }
}

/// The result must not depend on the partition size: only the order of float32 rounding changes.
///
/// How close two block sizes can agree is set by float32 itself. One ulp at the output peak is
/// 2^−23 ≈ −138.5 dB of the peak, so "within −140 dB" would demand bit-identical results, which
/// different FFT sizes cannot give (even a one-tap kernel and a one-sample signal differ by −136 dB
/// between block sizes 16 and 17). Each run is within −120 dB of float64 (measured: −123 to −137 dB),
/// so two runs differ by at most about twice that; the measured worst is −124 dB (4097 × 4096). The
/// threshold is −120 dB: a real block-boundary bug (a dropped, repeated or misplaced block) shows at
/// 0 dB to −60 dB, far above it.
extension SignalConvolutionTests {
    /// Block sizes compared with each other: small, odd, typical, larger than the kernel, the cost model.
    static let independenceBlockSizes: [Int?] = [16, 17, 64, 256, 4096, nil]

    /// Largest difference between two block sizes, relative to the full output's peak.
    static let blockSizeAgreementDB = -120.0

    /// Runs every block size of ``independenceBlockSizes`` and compares each with the first; returns the
    /// worst disagreement in dB.
    @discardableResult
    static func checkBlockSizeIndependence(
        _ x: [Float], _ h: [Float], mode: ConvolutionMode, length: OutputLength,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        let first = SignalConvolution.apply(x, h, mode: mode, length: length, blockSize: independenceBlockSizes[0])
        let scale = Tolerance.peak(SignalConvolution.apply(x, h, mode: mode, length: .full, blockSize: 64).doubles)
        var worst = -Double.infinity
        for blockSize in independenceBlockSizes.dropFirst() {
            let y = SignalConvolution.apply(x, h, mode: mode, length: length, blockSize: blockSize)
            let block = blockSize.map(String.init) ?? "auto"
            let label = "n=\(x.count) m=\(h.count) \(mode) \(length) block \(block) vs 16"
            #expect(y.count == first.count, "\(label)", sourceLocation: sourceLocation)
            let difference = Tolerance.maxErrorDB(y, reference: first.doubles, scale: scale)
            #expect(difference <= blockSizeAgreementDB, "\(label): \(difference) dB", sourceLocation: sourceLocation)
            worst = max(worst, difference)
        }
        return worst
    }

    @Test("the result does not depend on the block size", arguments: [(5000, 1021), (4097, 4096), (300, 2000), (1, 1)])
    func blockSizeIndependence(n: Int, m: Int) {
        let x = Signals.noise(count: n, seed: 50 + UInt64(n)), h = Signals.decayingNoise(count: m, seed: 60 + UInt64(m))
        var worst = -Double.infinity
        for shape in Self.shapes {
            worst = max(worst, Self.checkBlockSizeIndependence(x, h, mode: shape.mode, length: shape.length))
        }
        print("block-size independence n=\(n) m=\(m): worst \(worst) dB")
    }

    @Test("an impulse response does not depend on the block size")
    func blockSizeIndependenceImpulse() {
        let x = Signals.padded(Signals.impulse(count: 1), leading: 777, trailing: 3000)
        let h = Signals.decayingNoise(count: 3333, seed: 70)
        let worst = Self.checkBlockSizeIndependence(x, h, mode: .convolve, length: .full)
        print("block-size independence, impulse: worst \(worst) dB")
    }

    @Test("the cost model's block size gives the reference result for long kernels", arguments: [8192, 30_000])
    func costModelBlockSize(m: Int) {
        let x = Signals.sparseImpulses(count: 40_000, impulses: 50, seed: 71)
        let h = Signals.decayingNoise(count: m, seed: 72)
        Self.checkAgainstReference(x, h, mode: .convolve, length: .full, blockSize: nil)
        Self.checkAgainstReference(x, h, mode: .correlate, length: .valid, blockSize: nil)
    }
}
