import FirAudio
import FirTestSupport
import Foundation
import Testing

/// A directory of its own for one test, removed when the test's suite instance goes away.
/// Swift Testing makes a fresh suite instance for every test, so each test gets a fresh directory.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("firaudio-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        // Make anything a test locked up (chmod 000) removable again, then remove the lot.
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `contents` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        try write(name, Array(contents.utf8))
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The names of the entries, hidden ones included, sorted.
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

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

    /// Writes interleaved `samples` to `path` in blocks of `blockFrames` and finishes the file.
    @discardableResult
    static func write(
        _ samples: [Float], to path: String, format: AudioFormat, channels: Int, sampleRate: Int = 44_100,
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
        try write(
            interleaved(frames: frames, channels: channels), to: path,
            format: AudioFormat(container: .wav, sampleFormat: format), channels: channels)
        return path
    }
}

extension AudioFormat: CustomTestStringConvertible {
    public var testDescription: String { "\(container.rawValue)/\(sampleFormat.rawValue)" }
}
