/// One path's filter before transformation: taps and linear gain, and where the taps came from.
///
/// Equality and hashing use `source` and `gain` only, so identical filters share one set of spectra
/// without hashing millions of taps.
public struct ChannelFilter: Hashable, Sendable {
    /// Identifies the taps, e.g. `"room.wav#1"`; equal sources must mean equal taps.
    public var source: String
    public var taps: [Float]
    public var gain: Float

    public init(source: String, taps: [Float], gain: Float) {
        self.source = source
        self.taps = taps
        self.gain = gain
    }

    public static func == (a: ChannelFilter, b: ChannelFilter) -> Bool {
        a.source == b.source && a.gain == b.gain
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(gain)
    }
}
