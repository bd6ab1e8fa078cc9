import FirCore
import FirTestSupport
import Testing

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
            let label = "n=\(x.count) m=\(h.count) \(mode) \(length) block \(blockSize.map(String.init) ?? "auto") vs 16"
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
