@testable import FirCore
import FirTestSupport
import Foundation
import Testing

/// ``TPDFDither``: reproducible by seed whatever the block sizes; its own values triangular on (−1, 1)
/// LSB; and what it is for, measured after rounding to 16-bit integers as the writer does: an error of
/// power LSB²/4 and mean 0 whatever the signal.
@Suite("TPDFDither")
struct TPDFDitherTests {
    static let lsb16 = 1.0 / 32768

    /// `samples` dithered in blocks of the given sizes, cycling through them.
    static func dithered(_ samples: [Float], bits: Int, seed: UInt64, blocks: [Int]) -> [Float] {
        var dither = TPDFDither(bits: bits, seed: seed)
        var out = samples
        out.withUnsafeMutableBufferPointer { p in
            var start = 0, k = 0
            while start < p.count {
                let n = min(blocks[k % blocks.count], p.count - start)
                dither.apply(p.baseAddress! + start, count: n)
                start += n
                k += 1
            }
        }
        return out
    }

    /// The 16-bit rounding error of `signal` dithered with `seed`, in LSBs, as libsndfile rounds
    /// (scale by 2^15, nearest, ties to even).
    static func roundingError(_ signal: [Float], seed: UInt64) -> [Double] {
        let y = dithered(signal, bits: 16, seed: seed, blocks: [4096])
        return zip(y, signal).map { y, x in (Double(y) * 32768).rounded(.toNearestOrEven) - Double(x) * 32768 }
    }

    static func power(_ e: [Double]) -> Double { e.reduce(0) { $0 + $1 * $1 } / Double(e.count) }
    static func mean(_ e: [Double]) -> Double { e.reduce(0, +) / Double(e.count) }
    static func decibels(_ power: Double) -> Double { 10 * log10(power) }

    @Test func sameSeedSameOutputWhateverTheBlocks() {
        // Three channels of a sine, so blocks split frames anywhere.
        let x = Signals.sine(count: 30_000, cyclesPerSample: 0.0123, amplitude: 0.3)
        let whole = Self.dithered(x, bits: 16, seed: 7, blocks: [x.count])
        for blocks in [[1], [3], [7, 1000, 2], [4096], [333, 1]] {
            let difference = Tolerance.firstDifference(Self.dithered(x, bits: 16, seed: 7, blocks: blocks), whole)
            #expect(difference == nil, "blocks \(blocks)")
        }
        let other = Self.dithered(x, bits: 16, seed: 8, blocks: [x.count])
        let differing = zip(other, whole).filter { $0 != $1 }.count
        #expect(differing > x.count * 9 / 10, "another seed changed only \(differing) samples")
        #expect(Tolerance.firstDifference(whole, x) != nil)
    }

    @Test(arguments: [16, 24])
    func ditherIsTriangularWithinOneLSB(bits: Int) {
        let n = 400_000
        let d = Self.dithered([Float](repeating: 0, count: n), bits: bits, seed: 1, blocks: [n])
        let lsb = Double(TPDFDither(bits: bits, seed: 0).lsb)
        #expect(lsb == pow(2, Double(1 - bits)))
        let v = d.map { Double($0) / lsb }
        #expect(v.allSatisfy { $0 > -1 && $0 < 1 }, "a dither value reached ±1 LSB")
        #expect(abs(Self.mean(v)) < 0.005)
        // Triangular on (−1, 1): variance 1/6 (a uniform one would have 1/3).
        #expect(abs(Self.power(v) / (1.0 / 6) - 1) < 0.02, "variance \(Self.power(v)) LSB²")
        // 20 bins of 0.1 LSB, each holding ∫(1 − |x|) over it: 1.9 % at the centre, 0.05 % at the ends.
        var counts = [Int](repeating: 0, count: 20)
        for x in v { counts[min(19, Int((x + 1) * 10))] += 1 }
        for (bin, count) in counts.enumerated() {
            let a = Double(bin) / 10 - 1, b = a + 0.1
            let cdf = { (x: Double) in x < 0 ? (1 + x) * (1 + x) / 2 : 1 - (1 - x) * (1 - x) / 2 }
            let expected = (cdf(b) - cdf(a)) * Double(n)
            #expect(abs(Double(count) / expected - 1) < 0.1, "bin \(bin): \(count), triangle says \(Int(expected))")
        }
    }

    @Test func roundingErrorHasTheTheoreticalPower() {
        // A sine of about 33 LSB: far from the grid, and quiet enough that plain rounding would leave
        // distortion rather than noise. 300,000 samples.
        let x = Signals.sine(count: 300_000, cyclesPerSample: 997.0 / 48_000, amplitude: 0.001)
        let e = Self.roundingError(x, seed: 42)
        // Dither LSB²/6 plus rounding LSB²/12: LSB²/4.
        let offset = Self.decibels(Self.power(e) / 0.25)
        #expect(abs(offset) < 1, "error power \(Self.power(e)) LSB², \(offset) dB from LSB²/4")
        #expect(abs(Self.mean(e)) < 0.01, "mean error \(Self.mean(e)) LSB")
    }

    @Test func roundingErrorDoesNotDependOnTheSignal() {
        let n = 300_000
        let quiet = Signals.sine(count: n, cyclesPerSample: 997.0 / 48_000, amplitude: Float(3 * Self.lsb16))
        let loud = Signals.sine(count: n, cyclesPerSample: 997.0 / 48_000, amplitude: 0.5)
        let quietPower = Self.power(Self.roundingError(quiet, seed: 3))
        let loudPower = Self.power(Self.roundingError(loud, seed: 4))
        #expect(abs(Self.decibels(quietPower / loudPower)) < 0.5, "quiet \(quietPower), loud \(loudPower) LSB²")

        // The sharper test: grouped by where the sample sits between two grid points (which alone decides
        // plain rounding's error, from −½ to ½ LSB), the error's mean and power stay the same.
        let x = Signals.noise(count: n, seed: 11, amplitude: 0.25)
        let e = Self.roundingError(x, seed: 5)
        var groups = [[Double]](repeating: [], count: 10)
        for (xi, ei) in zip(x, e) {
            let scaled = Double(xi) * 32768
            groups[min(9, Int((scaled - scaled.rounded(.down)) * 10))].append(ei)
        }
        for (k, g) in groups.enumerated() {
            #expect(abs(Self.mean(g)) < 0.02, "position \(k)/10: mean error \(Self.mean(g)) LSB")
            #expect(abs(Self.decibels(Self.power(g) / 0.25)) < 0.5, "position \(k)/10: power \(Self.power(g)) LSB²")
        }
    }

    @Test func thirtyTwoBitsLeavesTheSamplesAlone() {
        let x = Signals.noise(count: 10_000, seed: 2, amplitude: 0.9)
        #expect(!TPDFDither(bits: 32, seed: 1).isActive)
        #expect(Tolerance.firstDifference(Self.dithered(x, bits: 32, seed: 1, blocks: [100]), x) == nil)
    }

    @Test func generatorIsXoshiro256StarStar() {
        // Blackman and Vigna's reference outputs from the state {1, 2, 3, 4} (as rand_xoshiro's tests)...
        var g = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let reference: [UInt64] = [
            11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
            607_988_272_756_665_600, 16_172_922_978_634_559_625, 8_476_171_486_693_032_832,
        ]
        #expect(reference.map { _ in g.next() } == reference)
        // ... and seeded through splitmix64 from 42, as rand's seed_from_u64 does.
        var seeded = Xoshiro256StarStar(seed: 42)
        let fromSeed: [UInt64] = [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009]
        #expect(fromSeed.map { _ in seeded.next() } == fromSeed)
    }
}
