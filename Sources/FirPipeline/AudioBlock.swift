import FirCore

/// One block of multichannel audio travelling through the stages, recycled through a pool so the
/// steady state allocates nothing.
///
/// Owned by exactly one stage at a time (the queues hand it over), which is why the
/// `@unchecked Sendable` is safe.
public final class AudioBlock: @unchecked Sendable {
    /// Frames the block can hold.
    public let capacity: Int
    /// Channels.
    public let channels: Int
    /// Interleaved frames as files store them; used by the reader and the writer.
    public let interleaved: AlignedFloats
    /// One run of `capacity` samples per channel, channel c at `c·capacity`; the convolvers work here.
    public let planar: AlignedFloats
    /// Position of the block's first frame in the stream (the full convolution output's index).
    public var position = 0
    /// Valid input frames read into the block; the rest is zero padding (past the end of the input).
    public var frames = 0

    public init(capacity: Int, channels: Int) {
        self.capacity = capacity
        self.channels = channels
        interleaved = AlignedFloats(count: capacity * channels)
        planar = AlignedFloats(count: capacity * channels)
    }

    /// Channel `c` of the planar buffer.
    @inline(__always)
    public func channel(_ c: Int) -> UnsafeMutablePointer<Float> {
        planar.pointer + c * capacity
    }

    /// Splits the first `frames` interleaved frames into the planar runs and zeroes the rest.
    public func deinterleave(frames: Int) {
        let src = interleaved.pointer
        for c in 0..<channels {
            let dst = channel(c)
            for i in 0..<frames { dst[i] = src[i * channels + c] }
            if frames < capacity { (dst + frames).update(repeating: 0, count: capacity - frames) }
        }
    }

    /// Interleaves planar frames `range` to the start of the interleaved buffer.
    public func interleave(_ range: Range<Int>) {
        let dst = interleaved.pointer
        for c in 0..<channels {
            let src = channel(c)
            for (j, i) in range.enumerated() { dst[j * channels + c] = src[i] }
        }
    }
}

/// What flows between stages: a block, or the end of the stream (normal or after a failure upstream).
public enum StageMessage: Sendable {
    case block(AudioBlock)
    case end
}
