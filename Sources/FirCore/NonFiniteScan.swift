/// Finds and silences NaN and infinite samples: the input side's guard (one NaN fed to an FFT
/// convolution turns a whole kernel length of output, and every sample of its block, into NaN).
///
/// The test for a whole block is a branch-free pass over the floats' bit patterns that the compiler
/// vectorises (an OR of integer lanes, no floating-point reduction to keep in order); the loop that
/// locates the first bad sample runs only when that pass says there is one. Nothing here allocates,
/// locks or logs. Any thread; buffers belong to the caller.
public enum NonFiniteScan {
    /// The index of the first NaN or infinity among `count` floats at `samples`, or nil when every one
    /// is finite.
    @inline(__always)
    public static func firstIndex(_ samples: UnsafePointer<Float>, count: Int) -> Int? {
        guard containsNonFinite(samples, count: count) else { return nil }
        var i = 0
        while i < count && samples[i].isFinite { i += 1 }
        return i < count ? i : nil
    }

    /// Whether any of `count` floats is NaN or infinite. A float is non-finite exactly when its eight
    /// exponent bits are all set; adding one at the exponent's lowest bit then carries into the sign
    /// bit, which no finite float's exponent reaches. ORing those sums over the block keeps any carry.
    @inline(__always)
    public static func containsNonFinite(_ samples: UnsafePointer<Float>, count: Int) -> Bool {
        let bits = UnsafeRawPointer(samples).assumingMemoryBound(to: UInt32.self)
        var carried: UInt32 = 0
        for i in 0..<count {
            carried |= (bits[i] & 0x7F80_0000) &+ 0x0080_0000
        }
        return carried & 0x8000_0000 != 0
    }

    /// Replaces every NaN and infinity among `count` floats with 0 (silence), in place.
    ///
    /// - Returns: how many were replaced.
    @discardableResult
    public static func zero(_ samples: UnsafeMutablePointer<Float>, count: Int) -> Int {
        var replaced = 0
        for i in 0..<count where !samples[i].isFinite {
            samples[i] = 0
            replaced += 1
        }
        return replaced
    }

    /// How a non-finite value reads in a message: `NaN`, `+Inf` or `-Inf`.
    public static func describe(_ value: Float) -> String {
        value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf"
    }
}
