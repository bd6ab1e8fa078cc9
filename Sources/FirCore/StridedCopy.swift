/// Copies between interleaved frames (as audio files store them) and one run of samples per channel
/// (as the convolvers work), vectorised for stereo and for 4 and 8 channels.
///
/// A scalar strided copy cost as much CPU as a tenth of a stereo run's FFTs. Other channel counts take
/// plain loops, written so each pass stays within a few cache lines.
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
        if first == 0 && step == 1 && (channels == 4 || channels == 8) {
            i = frames / 8 * 8
            transposeTiles(frames: 0..<i, channels: channels, interleaved: UnsafeMutablePointer(mutating: src),
                           planar: planar, runStride: runStride, toPlanar: true)
        }
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
        if channels == 4 || channels == 8 {
            let end = i + range.count / 8 * 8
            transposeTiles(frames: i..<end, channels: channels, interleaved: dst,
                           planar: UnsafeMutablePointer(mutating: planar), runStride: runStride, toPlanar: false)
            i = end
        }
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

    /// Copies `frames` (a multiple of 8 long) between interleaved frames of 4 or 8 channels and their
    /// runs, 8 frames at a time as one tile of 8 vectors (one per frame with 8 channels, two frames per
    /// vector with 4). Splitting a tile's floats into even and odd positions moves float k to k / 2 or
    /// to half the tile plus k / 2: it rotates the bits of k right by one. Frame f, channel c sits at
    /// f · C + c interleaved and at c · 8 + f in the runs, so log2(C) rounds turn frames into runs, and
    /// 3 rounds (a rotation by the other bits' width) turn runs back into frames. On the 8-channel
    /// benchmark (W3) the reader's split and the writer's join went from 8.8% of the job's CPU to 6.8%
    /// (about 39 to 30 ms): what is left is memory traffic more than shuffles.
    @inline(__always)
    private static func transposeTiles(
        frames: Range<Int>, channels: Int, interleaved: UnsafeMutablePointer<Float>,
        planar: UnsafeMutablePointer<Float>, runStride: Int, toPlanar: Bool
    ) {
        precondition(channels == 4 || channels == 8)
        // Each call names its channel count as a literal, so the inlined loops unroll into registers.
        if channels == 8 {
            tiles(frames, 8, interleaved, planar, runStride, rounds: 3)
        } else {
            tiles(frames, 4, interleaved, planar, runStride, rounds: toPlanar ? 2 : 3)
        }
        // log2(channels) rounds to runs, 3 back to frames; `toPlanar` picks where loads and stores go.
        @inline(__always)
        func tiles(
            _ frames: Range<Int>, _ channels: Int, _ interleaved: UnsafeMutablePointer<Float>,
            _ planar: UnsafeMutablePointer<Float>, _ runStride: Int, rounds: Int
        ) {
            var f = frames.lowerBound
            while f < frames.upperBound {
                // Channels · 8 floats of frames are `channels` vectors, as are 8 floats of each run.
                var tile = TransposeTile(count: channels)
                let frameBase = interleaved + f &* channels
                for k in 0..<channels {
                    tile[k] = load(toPlanar ? frameBase + 8 &* k : planar + k &* runStride + f)
                }
                for _ in 0..<rounds { tile.unzip() }
                for k in 0..<channels {
                    store(tile[k], toPlanar ? planar + k &* runStride + f : frameBase + 8 &* k)
                }
                f &+= 8
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}

/// Up to 8 vectors of 8 floats held in registers: one tile of ``StridedCopy``'s transposes.
private struct TransposeTile {
    private var v0 = SIMD8<Float>(), v1 = SIMD8<Float>(), v2 = SIMD8<Float>(), v3 = SIMD8<Float>()
    private var v4 = SIMD8<Float>(), v5 = SIMD8<Float>(), v6 = SIMD8<Float>(), v7 = SIMD8<Float>()
    /// 4 or 8.
    let count: Int

    @inline(__always)
    init(count: Int) { self.count = count }

    @inline(__always)
    subscript(k: Int) -> SIMD8<Float> {
        get {
            switch k {
            case 0: v0
            case 1: v1
            case 2: v2
            case 3: v3
            case 4: v4
            case 5: v5
            case 6: v6
            default: v7
            }
        }
        set {
            switch k {
            case 0: v0 = newValue
            case 1: v1 = newValue
            case 2: v2 = newValue
            case 3: v3 = newValue
            case 4: v4 = newValue
            case 5: v5 = newValue
            case 6: v6 = newValue
            default: v7 = newValue
            }
        }
    }

    /// The even-position floats of the whole tile, then the odd ones.
    @inline(__always)
    mutating func unzip() {
        if count == 8 {
            let (e0, o0) = Self.split(v0, v1), (e1, o1) = Self.split(v2, v3)
            let (e2, o2) = Self.split(v4, v5), (e3, o3) = Self.split(v6, v7)
            (v0, v1, v2, v3, v4, v5, v6, v7) = (e0, e1, e2, e3, o0, o1, o2, o3)
        } else {
            let (e0, o0) = Self.split(v0, v1), (e1, o1) = Self.split(v2, v3)
            (v0, v1, v2, v3) = (e0, e1, o0, o1)
        }
    }

    @inline(__always)
    private static func split(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        let both = SIMD16(lowHalf: a, highHalf: b)
        return (both.evenHalf, both.oddHalf)
    }
}
