import Foundation

/// A small seeded generator (SplitMix64) so every test signal is reproducible from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Test signals, all deterministic.
public enum Signals {
    /// Uniform noise in [-amplitude, amplitude).
    public static func noise(count: Int, seed: UInt64, amplitude: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -amplitude..<amplitude, using: &rng) }
    }

    /// Noise decaying exponentially to about −60 dB at the end: a stand-in for a room impulse response.
    public static func decayingNoise(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let rate = count > 1 ? log(1000.0) / Double(count - 1) : 0
        return (0..<count).map { i in Float(exp(-rate * Double(i))) * Float.random(in: -1..<1, using: &rng) }
    }

    /// A unit impulse at `position`.
    public static func impulse(count: Int, at position: Int = 0) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        if position < count { x[position] = 1 }
        return x
    }

    /// A sine of `cycles` cycles per `count` samples.
    public static func sine(count: Int, cyclesPerSample: Double, amplitude: Float = 0.5) -> [Float] {
        (0..<count).map { i in amplitude * Float(sin(2 * Double.pi * cyclesPerSample * Double(i))) }
    }

    /// Silence with `impulses` impulses at distinct random positions, each with a random amplitude of
    /// magnitude in [0.1, 1) and random sign. Cheap to filter with the direct reference, which skips
    /// zero input samples.
    public static func sparseImpulses(count: Int, impulses: Int, seed: UInt64) -> [Float] {
        precondition(impulses <= count, "more impulses than samples")
        var rng = SeededGenerator(seed: seed)
        var x = [Float](repeating: 0, count: count)
        var placed = 0
        while placed < impulses {
            let position = Int.random(in: 0..<count, using: &rng)
            guard x[position] == 0 else { continue }
            let sign: Float = Bool.random(using: &rng) ? 1 : -1
            x[position] = sign * Float.random(in: 0.1..<1, using: &rng)
            placed += 1
        }
        return x
    }

    /// `x` preceded by `leading` and followed by `trailing` zeros.
    public static func padded(_ x: [Float], leading: Int = 0, trailing: Int = 0) -> [Float] {
        [Float](repeating: 0, count: leading) + x + [Float](repeating: 0, count: trailing)
    }
}
