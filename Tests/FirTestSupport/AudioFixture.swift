import FirAudio

/// Writes test audio files through FirAudio: the one writer of the tests' audio fixtures.
public enum AudioFixture {
    /// Writes planar `channels` (all the same length) to `path` and returns the path.
    @discardableResult
    public static func write(
        _ channels: [[Float]], to path: String, rate: Int = 48000,
        format: AudioFormat = .init(container: .wav, sampleFormat: .float)
    ) throws -> String {
        let c = channels.count, frames = channels[0].count
        var interleaved = [Float](repeating: 0, count: frames * c)
        for ch in 0..<c { for i in 0..<frames { interleaved[i * c + ch] = channels[ch][i] } }
        try write(interleaved: interleaved, to: path, format: format, channels: c, sampleRate: rate)
        return path
    }

    /// Writes interleaved `samples` to `path` in blocks of `blockFrames`, finishes the file and returns
    /// the writer (for its counts).
    @discardableResult
    public static func write(
        interleaved samples: [Float], to path: String, format: AudioFormat, channels: Int, sampleRate: Int = 44_100,
        blockFrames: Int = 4096
    ) throws -> AudioFileWriter {
        let writer = try AudioFileWriter(path: path, format: format, channels: channels, sampleRate: sampleRate)
        let frames = samples.count / channels
        try samples.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < frames {
                let n = min(blockFrames, frames - done)
                try writer.write(from: base + done * channels, frames: n)
                done += n
            }
        }
        try writer.finish()
        return writer
    }
}
