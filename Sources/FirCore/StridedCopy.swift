/// Copies between interleaved frames (as audio files store them) and one run of samples per channel
/// (as the convolvers work), vectorised for the common stereo case.
///
/// Stereo is the case worth the shuffles: a scalar strided copy cost as much CPU as a tenth of a stereo
/// run's FFTs. Other channel counts take plain loops, written so each pass stays within a few cache lines.
public enum StridedCopy {
    /// `dst[i] = src[i · stride]` for `i < count`: one channel out of interleaved frames.
    public static func gather(
        _ src: UnsafePointer<Float>, stride: Int, into dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        precondition(stride >= 1 && count >= 0)
        if stride == 1 {
            dst.update(from: src, count: count)
            return
        }
        var i = 0
        if stride == 2 {
            // Each vector reads 16 floats for 8 frames; strictly below `count` so the last one read is
            // this channel's last sample, not the float after it (past the end for the second channel).
            while i + 8 < count {
                let pair = UnsafeRawPointer(src + 2 * i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(dst + i).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
                i += 8
            }
        }
        while i < count {
            dst[i] = src[i &* stride]
            i &+= 1
        }
    }

    /// `dst[i · stride] = src[i]` for `i < count`: one channel into interleaved frames, leaving the
    /// other channels' samples untouched, so workers filling different channels of one buffer never
    /// write the same float. Scalar on purpose, stereo too: a vector store would write the other
    /// channel's floats back, over whatever its worker wrote meanwhile.
    ///
    /// The stereo ``gather(_:stride:into:count:)`` of another worker may load this channel's floats
    /// while they are written here, as part of the vectors it splits. It keeps only its own channel's
    /// lanes, which nobody else writes, so what it keeps is exact: a race a thread sanitizer would
    /// report, on floats that are thrown away.
    public static func scatter(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, stride: Int, count: Int
    ) {
        precondition(stride >= 1 && count >= 0)
        if stride == 1 {
            dst.update(from: src, count: count)
            return
        }
        var i = 0
        while i < count {
            dst[i &* stride] = src[i]
            i &+= 1
        }
    }

    /// Copies channels `first`, `first + step`, … (below `channels`) of `frames` interleaved frames at
    /// `src` into their runs, run c at `planar + c · runStride`, in one pass over the frames: with many
    /// channels, one strided pass per channel would read every cache line once per channel.
    public static func deinterleave(
        _ src: UnsafePointer<Float>, channels: Int, first: Int, step: Int, frames: Int,
        into planar: UnsafeMutablePointer<Float>, runStride: Int
    ) {
        precondition(channels >= 1 && first >= 0 && step >= 1 && frames >= 0)
        var i = 0
        // Tiles of 64 frames stay in L1 while each channel's pass picks out its samples.
        while i < frames {
            let end = Swift.min(i &+ 64, frames)
            var c = first
            while c < channels {
                let run = planar + c &* runStride
                for j in i..<end { run[j] = src[j &* channels &+ c] }
                c &+= step
            }
            i = end
        }
    }

    /// Interleaves frames `range` of `channels` runs, run c starting at `planar + c · runStride`, into
    /// `dst` (frame i at `dst + i · channels`).
    public static func interleave(
        _ planar: UnsafePointer<Float>, runStride: Int, channels: Int, frames range: Range<Int>,
        into dst: UnsafeMutablePointer<Float>
    ) {
        precondition(channels >= 1)
        if channels == 1 {
            (dst + range.lowerBound).update(from: planar + range.lowerBound, count: range.count)
            return
        }
        var i = range.lowerBound
        if channels == 2 {
            let left = planar, right = planar + runStride
            while i + 8 <= range.upperBound {
                var pair = SIMD16<Float>()
                pair.evenHalf = UnsafeRawPointer(left + i).loadUnaligned(as: SIMD8<Float>.self)
                pair.oddHalf = UnsafeRawPointer(right + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(dst + 2 * i).storeBytes(of: pair, as: SIMD16<Float>.self)
                i += 8
            }
        }
        // Tiles of 16 frames: every channel's pass writes into the same few cache lines.
        while i < range.upperBound {
            let end = Swift.min(i + 16, range.upperBound)
            for c in 0..<channels {
                let run = planar + c &* runStride
                for j in i..<end { dst[j &* channels &+ c] = run[j] }
            }
            i = end
        }
    }
}
