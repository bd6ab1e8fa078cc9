import FirCore
import FirTestSupport
import Testing

/// The block test must agree with `isFinite` on every kind of float, at every position.
@Suite struct NonFiniteScanTests {
    /// Bit patterns at the edges: zeros, subnormals, the largest finite, infinities, quiet and signalling
    /// NaNs, with both signs.
    static let edges: [UInt32] = [
        0, 0x8000_0000, 1, 0x807F_FFFF, 0x0080_0000, 0x3F80_0000, 0x7F7F_FFFF, 0xFF7F_FFFF,
        0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFFFF_FFFF,
    ]

    @Test func agreesWithIsFiniteAtEveryPosition() {
        for bits in Self.edges {
            let value = Float(bitPattern: bits)
            for count in [1, 7, 64, 203] {
                for position in Set([0, count / 2, count - 1]) {
                    var x = Signals.noise(count: count, seed: UInt64(count), amplitude: 1e38)
                    x[position] = value
                    let found = x.withUnsafeBufferPointer { NonFiniteScan.firstIndex($0.baseAddress!, count: count) }
                    #expect(found == (value.isFinite ? nil : position), "bits \(bits) at \(position) of \(count)")
                }
            }
        }
    }

    @Test func zeroReplacesOnlyNonFiniteAndCounts() {
        var x: [Float] = [0.5, .nan, -.infinity, 1e-45, .greatestFiniteMagnitude, .infinity, -0.25]
        let n = x.withUnsafeMutableBufferPointer { NonFiniteScan.zero($0.baseAddress!, count: $0.count) }
        #expect(n == 3)
        #expect(x == [0.5, 0, 0, 1e-45, .greatestFiniteMagnitude, 0, -0.25])
        #expect(NonFiniteScan.describe(.nan) == "NaN" && NonFiniteScan.describe(-.infinity) == "-Inf")
    }
}
