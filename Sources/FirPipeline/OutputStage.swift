import FirAudio
import FirCore

/// What the writer does to filtered frames before they reach the file: the optional look-ahead peak
/// limiter, then the optional TPDF dither for integer output, then the file. The limiter hides its
/// look-ahead (``PeakLimiter``): frames come out in order and as many as went in, so the file keeps
/// its alignment and length.
///
/// The writer's thread only; nothing here allocates per block.
final class OutputStage {
    let writer: AudioFileWriter
    private var dither: TPDFDither?
    let limiter: PeakLimiter?
    /// Room for the frames the limiter still holds at the end.
    private let tail: AlignedFloats

    /// - Parameters:
    ///   - limitDB: the limiter's ceiling in dBFS, or nil for no limiter.
    ///   - ditherSeed: TPDF dither with this seed, for integer output; nil for none.
    /// - Throws: ``ResourceError`` when the memory is refused.
    init(writer: AudioFileWriter, sampleRate: Int, limitDB: Double?, ditherSeed: UInt64?) throws(ResourceError) {
        self.writer = writer
        limiter = limitDB.map { PeakLimiter.output(channels: writer.channels, ceilingDB: $0, sampleRate: sampleRate) }
        if let ditherSeed, let bits = writer.format.sampleFormat.integerBits {
            dither = TPDFDither(bits: bits, seed: ditherSeed)
        }
        tail = try AlignedFloats(count: Swift.max(1, (limiter?.latency ?? 0) * writer.channels))
    }

    /// Limits, dithers and writes `frames` interleaved frames, changing them in place.
    func write(_ frames: UnsafeMutablePointer<Float>, count: Int) throws(AudioError) {
        var n = count
        if let limiter { n = limiter.process(frames, frames: count) }
        dither?.apply(frames, count: n * writer.channels)
        try writer.write(from: frames, frames: n)
    }

    /// Writes what the limiter still holds; call once, after the last ``write(_:count:)``.
    func flush() throws(AudioError) {
        guard let limiter else { return }
        while true {
            let n = limiter.flush(into: tail.pointer, frames: limiter.latency)
            if n == 0 { return }
            dither?.apply(tail.pointer, count: n * writer.channels)
            try writer.write(from: tail.pointer, frames: n)
        }
    }

    /// Frames the limiter turned down.
    var limitedFrames: Int { limiter?.limitedFrames ?? 0 }
}

extension PeakLimiter {
    /// Look-ahead of `limit_db`'s limiter: 5 ms, long enough for a gain curve without audible clicks on a
    /// single-sample peak, short enough that a transient's attack is not ducked audibly early.
    static let outputLookAheadSeconds = 0.005
    /// Its release time constant: 50 ms, the usual mastering-limiter setting.
    static let outputReleaseSeconds = 0.05

    /// The limiter `limit_db` asks for, in files and in streams alike.
    static func output(channels: Int, ceilingDB: Double, sampleRate: Int) -> PeakLimiter {
        PeakLimiter(
            channels: channels, ceiling: Float(GraphMath.linear(dB: ceilingDB)),
            lookAhead: Int((outputLookAheadSeconds * Double(sampleRate)).rounded()),
            releaseSamples: Int((outputReleaseSeconds * Double(sampleRate)).rounded()))
    }
}

extension SampleFormat {
    /// Bits of an integer sample format; nil for float ones.
    var integerBits: Int? {
        switch self {
        case .pcm16: return 16
        case .pcm24: return 24
        case .pcm32: return 32
        default: return nil
        }
    }
}
