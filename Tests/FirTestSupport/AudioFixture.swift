import FirAudio

/// Writes test audio files through FirAudio, from planar channels.
public enum AudioFixture {
    /// Writes `channels` (all the same length) to `path` and returns the path.
    @discardableResult
    public static func write(
        _ channels: [[Float]], to path: String, rate: Int = 48000,
        format: AudioFormat = .init(container: .wav, sampleFormat: .float)
    ) throws -> String {
        let c = channels.count, frames = channels[0].count
        var interleaved = [Float](repeating: 0, count: max(1, frames * c))
        for ch in 0..<c { for i in 0..<frames { interleaved[i * c + ch] = channels[ch][i] } }
        let writer = try AudioFileWriter(path: path, format: format, channels: c, sampleRate: rate)
        try interleaved.withUnsafeBufferPointer { try writer.write(from: $0.baseAddress!, frames: frames) }
        try writer.finish()
        return path
    }
}
