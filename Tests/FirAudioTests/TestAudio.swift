import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Deterministic interleaved test audio.
enum TestAudio {
    /// `channels` × `frames` interleaved: a different sine per channel plus noise, peaking at most at 0.9.
    static func interleaved(frames: Int, channels: Int, seed: UInt64 = 7) -> [Float] {
        var out = [Float](repeating: 0, count: frames * channels)
        for c in 0..<channels {
            let sine = Signals.sine(count: frames, cyclesPerSample: 0.01 * Double(c + 1) + 0.003, amplitude: 0.6)
            let noise = Signals.noise(count: frames, seed: seed + UInt64(c), amplitude: 0.3)
            for f in 0..<frames { out[f * channels + c] = sine[f] + noise[f] }
        }
        return out
    }

    /// Reads the whole file in blocks of `blockFrames`, interleaved.
    static func read(_ reader: AudioFileReader, blockFrames: Int) throws -> [Float] {
        let channels = reader.info.channels
        var block = [Float](repeating: 0, count: blockFrames * channels)
        var out: [Float] = []
        while true {
            let n = try block.withUnsafeMutableBufferPointer { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return try reader.read(into: base, frames: blockFrames)
            }
            if n == 0 { return out }
            out.append(contentsOf: block[0..<(n * channels)])
        }
    }

    /// Writes a mono pcm16 WAV of `frames` frames of noise and returns its path.
    @discardableResult
    static func writeWAV(_ path: String, frames: Int, channels: Int = 1, format: SampleFormat = .pcm16) throws -> String {
        try AudioFixture.write(interleaved:
            interleaved(frames: frames, channels: channels), to: path,
            format: AudioFormat(container: .wav, sampleFormat: format), channels: channels)
        return path
    }
}

extension AudioFormat: CustomTestStringConvertible {
    public var testDescription: String { "\(container.rawValue)/\(sampleFormat.rawValue)" }
}
