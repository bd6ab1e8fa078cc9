/// Triangular (TPDF) dither for float samples about to be rounded to `bits`-bit integers: adds to each
/// sample the sum of two independent uniform values in (−½, ½) LSB, noise on (−1, 1) LSB whose
/// triangular shape makes the rounding error's mean and power independent of the signal (its power is
/// LSB²/4: the dither's LSB²/6 plus the rounding's LSB²/12, a noise floor 4.8 dB above plain rounding,
/// without the distortion plain rounding leaves on quiet signals).
///
/// Full scale is ±1.0 and the LSB is 2^−(bits−1), as libsndfile scales floats for integer files when
/// clipping is on (the writer turns it on) and as FirAudio's `RawPCMCodec` does for the stream.
///
/// Reproducible: the generator advances once per sample in the order the samples are given, so a seed
/// gives the same output whether the interleaved frames arrive in one block or many, split anywhere.
///
/// At 32 bits it does nothing. A float's 24-bit significand puts every sample of magnitude 2^−8
/// (−48 dBFS) or more exactly on the 32-bit grid, so there is no rounding error to decorrelate, and the
/// error of quieter samples is below 2^−32 of full scale: dither there would only add noise. At 24 bits
/// it works, though a sample above ½ full scale has a float resolution of ½ LSB, so the sum of sample
/// and dither lands on half-LSB steps: coarser dither. Measured on 300,000 samples of a sine rounded to
/// 24 bits, the error's power is LSB²/4 within 0.03 dB up to ½ full scale, 0.18 dB over at ½ and 0.7 dB
/// over at 0.9 (its mean stays 0); at 16 bits it is within 0.03 dB at every level.
///
/// Runs on the writer's thread just before the samples are converted; ``apply(_:count:)`` does not
/// allocate, lock or log. A value type: each output stream keeps its own.
public struct TPDFDither: Sendable {
    /// The integer width the samples will be rounded to: 16, 24 or 32.
    public let bits: Int
    /// One step of the integer grid in float full scale, 2^−(bits−1).
    public let lsb: Float
    /// False at 32 bits, where ``apply(_:count:)`` leaves the samples alone (see the type's notes).
    public let isActive: Bool

    /// The sum of two uniform draws is an integer k in (−2^25, 2^25); `scale` = LSB · 2^−25 turns it
    /// into LSBs. A power of two, so the product is exact.
    private let scale: Float
    private var generator: Xoshiro256StarStar

    /// Makes the dither for `bits`-bit output (16, 24 or 32), its noise determined by `seed`. Any
    /// thread.
    public init(bits: Int, seed: UInt64) {
        precondition(bits == 16 || bits == 24 || bits == 32, "TPDF dither is for 16-, 24- or 32-bit output")
        self.bits = bits
        self.lsb = Float(sign: .plus, exponent: -(bits - 1), significand: 1)
        self.scale = Float(sign: .plus, exponent: -(bits - 1) - 25, significand: 1)
        self.isActive = bits < 32
        self.generator = Xoshiro256StarStar(seed: seed)
    }

    /// Adds the next `count` dither values to `samples`, in place: interleaved frames in file order,
    /// any number of whole or partial frames. Does nothing at 32 bits. Writer's thread.
    public mutating func apply(_ samples: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count >= 0)
        guard isActive else { return }
        // The state in locals: the loop then keeps it in registers instead of storing it every sample.
        var generator = self.generator
        let scale = self.scale
        for i in 0..<count {
            let r = generator.next()
            // Two 24-bit uniforms from the high 48 bits (xoshiro's best), each mapped to an odd integer
            // 2u + 1 − 2^24 in (−2^24, 2^24): symmetric, mean exactly 0, never reaching ±½ LSB.
            let a = Int32(truncatingIfNeeded: (r >> 40) << 1) &+ (1 - (1 << 24))
            let b = Int32(truncatingIfNeeded: ((r >> 16) & 0xFF_FFFF) << 1) &+ (1 - (1 << 24))
            // |a + b| < 2^25 and even: exactly representable in a float.
            samples[i] += Float(a &+ b) * scale
        }
        self.generator = generator
    }
}

/// xoshiro256** (Blackman and Vigna, 2018), seeded with four outputs of splitmix64 as its authors
/// recommend: 256 bits of state, period 2^256 − 1, passes BigCrush; a few shifts, rotations and two
/// multiplies a draw, with no table and no allocation. Its high bits are its strongest, which is where
/// ``TPDFDither`` takes its two uniforms from.
struct Xoshiro256StarStar: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The state from `seed` through splitmix64. splitmix64 is a bijection of its counter, so its four
    /// outputs are never all zero, the one state xoshiro must not have.
    init(seed: UInt64) {
        var x = seed
        func splitmix64() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix64()
        s1 = splitmix64()
        s2 = splitmix64()
        s3 = splitmix64()
    }

    /// A given state, for checking against the published reference outputs.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro's state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    @inline(__always)
    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
