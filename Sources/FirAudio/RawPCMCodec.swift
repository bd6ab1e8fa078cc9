/// Converts raw interleaved little-endian PCM to planar floats and back, the way libsndfile scales
/// integer samples with clipping on: full scale is 2^(bits−1) both ways, so a value read and written
/// again is unchanged, and values at or beyond ±1 clip to the largest code instead of wrapping.
///
/// Stateless; buffers belong to the caller. Any thread.
public struct RawPCMCodec: Sendable {
    public let format: RawSampleFormat
    public let channels: Int

    public init(format: RawSampleFormat, channels: Int) {
        precondition(channels >= 1)
        self.format = format
        self.channels = channels
    }

    /// Bytes in one frame (one sample of every channel).
    public var bytesPerFrame: Int { format.bytesPerSample * channels }

    /// Reads `frames` interleaved frames from `bytes` into `planar`, channel c at `c * stride`. Float
    /// samples are taken as they are, NaN and infinities too: the stream's reader screens them
    /// (FirPipeline's `NonFiniteGuard`), so they stop the stream or are counted, never silently lost.
    public func decode(
        _ bytes: UnsafeRawPointer, frames: Int, into planar: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let channels = self.channels, size = format.bytesPerSample
        for c in 0..<channels {
            let out = planar + c * stride
            var p = bytes + c * size
            let step = channels * size
            switch format {
            case .s16le:
                for i in 0..<frames {
                    out[i] = Float(Int16(littleEndian: p.loadUnaligned(as: Int16.self))) * (1 / 32768)
                    p += step
                }
            case .s24le:
                for i in 0..<frames {
                    let b = p.assumingMemoryBound(to: UInt8.self)
                    // Sign-extend by placing the 24 bits at the top of an Int32 and shifting back.
                    let word = Int32(bitPattern: UInt32(b[0]) << 8 | UInt32(b[1]) << 16 | UInt32(b[2]) << 24) >> 8
                    out[i] = Float(word) * (1 / 8_388_608)
                    p += step
                }
            case .s32le:
                for i in 0..<frames {
                    out[i] = Float(Int32(littleEndian: p.loadUnaligned(as: Int32.self))) * (1 / 2_147_483_648)
                    p += step
                }
            case .f32le:
                for i in 0..<frames {
                    out[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                    p += step
                }
            }
        }
    }

    /// Writes `frames` frames from `planar` (channel c at `c * stride`) to `bytes`, interleaved.
    ///
    /// - Parameter perChannel: if given, room for `channels` counts, each increased by its channel's
    ///   clipped samples.
    /// - Returns: how many samples clipped (integer formats only; floats are written as they are).
    @discardableResult
    public func encode(
        _ planar: UnsafePointer<Float>, stride: Int, frames: Int, into bytes: UnsafeMutableRawPointer,
        clippedPerChannel perChannel: UnsafeMutablePointer<Int>? = nil
    ) -> Int {
        let channels = self.channels, size = format.bytesPerSample
        var total = 0
        for c in 0..<channels {
            var clipped = 0
            defer {
                total &+= clipped
                perChannel?[c] &+= clipped
            }
            let src = planar + c * stride
            var p = bytes + c * size
            let step = channels * size
            switch format {
            case .s16le:
                for i in 0..<frames {
                    let (code, over) = Self.quantize(src[i], scale: 32768, max: 32767)
                    clipped &+= over
                    p.storeBytes(of: Int16(truncatingIfNeeded: code).littleEndian, as: Int16.self)
                    p += step
                }
            case .s24le:
                for i in 0..<frames {
                    let (code, over) = Self.quantize(src[i], scale: 8_388_608, max: 8_388_607)
                    clipped &+= over
                    let word = UInt32(bitPattern: Int32(truncatingIfNeeded: code))
                    p.storeBytes(of: UInt8(truncatingIfNeeded: word), as: UInt8.self)
                    (p + 1).storeBytes(of: UInt8(truncatingIfNeeded: word >> 8), as: UInt8.self)
                    (p + 2).storeBytes(of: UInt8(truncatingIfNeeded: word >> 16), as: UInt8.self)
                    p += step
                }
            case .s32le:
                for i in 0..<frames {
                    let (code, over) = Self.quantize(src[i], scale: 2_147_483_648, max: 2_147_483_647)
                    clipped &+= over
                    p.storeBytes(of: Int32(truncatingIfNeeded: code).littleEndian, as: Int32.self)
                    p += step
                }
            case .f32le:
                for i in 0..<frames {
                    p.storeBytes(of: src[i].bitPattern.littleEndian, as: UInt32.self)
                    p += step
                }
            }
        }
        return total
    }

    /// `x · scale` rounded to nearest (ties to even, as `lrintf`), clipped to `[-scale, max]` (±infinity
    /// too); NaN becomes 0, never a full-scale click. Returns the code and 1 if it clipped or was NaN
    /// (counted with the clips: after the reader's screening only an overflow makes one).
    @inline(__always)
    static func quantize(_ x: Float, scale: Double, max: Double) -> (Int64, Int) {
        // Double: a Float cannot hold 2^31 − 1 exactly, and the product must not round before the clip.
        let v = (Double(x) * scale).rounded(.toNearestOrEven)
        if v > max { return (Int64(max), 1) }
        if v < -scale { return (Int64(-scale), 1) }
        if v.isNaN { return (0, 1) }
        return (Int64(v), 0)
    }
}
