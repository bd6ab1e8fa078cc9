internal import Glibc

/// Decay of a kernel's energy from the Schroeder backward integral (ISO 3382's energy decay curve).
///
/// Stateless; any thread.
public enum SchroederDecay {
    /// The energy still to come after each tap, in dB relative to the whole: 0 dB at tap 0, falling to
    /// −∞ (floored at −400 dB) after the last non-zero tap.
    public static func curveDB(_ taps: [Double]) -> [Double] {
        var remaining = [Double](repeating: 0, count: taps.count)
        var sum = 0.0
        for i in stride(from: taps.count - 1, through: 0, by: -1) {
            sum += taps[i] * taps[i]
            remaining[i] = sum
        }
        guard sum > 0 else { return remaining.map { _ in -400 } }
        return remaining.map { 10 * log10(Swift.max($0 / sum, 1e-40)) }
    }

    /// Taps from `peakIndex` to the first tap where the decay curve is at or below −60 dB, or nil when
    /// the kernel is too short to tell: the curve is still above −60 dB where its last 5 % begins, so the
    /// crossing there would be the kernel's end, not its decay.
    public static func decay60(_ taps: [Double], peakIndex: Int) -> Int? {
        let curve = curveDB(taps)
        guard let crossing = curve.firstIndex(where: { $0 <= -60 }) else { return nil }
        let lastPart = taps.count - Swift.max(1, taps.count / 20)
        if taps.count >= 20, curve[lastPart] > -60 { return nil }
        return Swift.max(0, crossing - peakIndex)
    }
}
