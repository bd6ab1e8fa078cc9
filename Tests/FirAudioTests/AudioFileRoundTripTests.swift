import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Writing with ``AudioFileWriter`` and reading back with ``AudioFileReader``, for every container and
/// sample format the container supports.
@Suite("Audio file round trips")
final class AudioFileRoundTripTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// Every combination libsndfile can write; FLAC only takes 16- and 24-bit integers.
    static let supported: [AudioFormat] = AudioContainer.allCases.flatMap { container in
        SampleFormat.allCases
            .filter { container != .flac || $0 == .pcm16 || $0 == .pcm24 }
            .map { AudioFormat(container: container, sampleFormat: $0) }
    }

    /// (write block, read block) in frames: one block for everything, and blocks that do not divide the
    /// 10,000-frame length, so the last block of each pass is short.
    static let blockSizes = [(10_000, 10_000), (4096, 999), (333, 4096)]

    /// The largest error a sample may pick up: none for float formats; for pcmN one LSB (2^-(N-1)) of
    /// rounding plus libsndfile's scaling (it writes with 2^(N-1)-1 and reads with 2^(N-1)), plus the
    /// rounding of a 32-bit int back to a float.
    static func tolerance(_ x: Float, _ format: SampleFormat) -> Float {
        let bits: Int
        switch format {
        case .float, .double: return 0
        case .pcm16: bits = 16
        case .pcm24: bits = 24
        case .pcm32: bits = 32
        }
        let lsb = Float(sign: .plus, exponent: -(bits - 1), significand: 1)
        return lsb + abs(x) * lsb + x.ulp
    }

    /// 3 channels × 10,000 frames, made once: generating it is most of a debug build's test time.
    static let signal = TestAudio.interleaved(frames: 10_000, channels: 3)

    /// The index of the first sample read back outside tolerance, or nil.
    static func firstMismatch(_ written: [Float], _ read: [Float], _ format: SampleFormat) -> Int? {
        for i in written.indices where abs(written[i] - read[i]) > tolerance(written[i], format) { return i }
        return nil
    }

    @Test("written and read back block by block", arguments: supported)
    func roundTrip(format: AudioFormat) throws {
        let channels = 3, frames = 10_000, rate = 48_000
        let signal = Self.signal
        for (writeBlock, readBlock) in Self.blockSizes {
            let path = directory.path("round.\(format.container.rawValue)")
            let writer = try AudioFixture.write(interleaved: 
                signal, to: path, format: format, channels: channels, sampleRate: rate, blockFrames: writeBlock)
            #expect(writer.framesWritten == frames)
            #expect(writer.clippedSamples == 0)

            let reader = try AudioFileReader(path: path)
            #expect(reader.info == AudioFileInfo(
                frames: frames, channels: channels, sampleRate: rate,
                container: format.container, sampleFormat: format.sampleFormat))
            let back = try TestAudio.read(reader, blockFrames: readBlock)
            try #require(back.count == signal.count)
            let bad = Self.firstMismatch(signal, back, format.sampleFormat)
            #expect(bad == nil, "sample \(bad ?? 0): wrote \(signal[bad ?? 0]), read \(back[bad ?? 0]) (blocks \(writeBlock)/\(readBlock))")
            // After the end, read keeps returning 0 rather than failing.
            var spare = [Float](repeating: 0, count: channels)
            #expect(try spare.withUnsafeMutableBufferPointer { try reader.read(into: $0.baseAddress!, frames: 1) } == 0)
            reader.close()
            reader.close()
        }
    }

    @Test("readAllChannels deinterleaves the whole file, even after block reads", arguments: [
        AudioFormat(container: .wav, sampleFormat: .float), AudioFormat(container: .flac, sampleFormat: .pcm24),
    ])
    func readAllChannels(format: AudioFormat) throws {
        let channels = 2, frames = 5000
        let signal = TestAudio.interleaved(frames: frames, channels: channels, seed: 3)
        let path = directory.path("all.\(format.container.rawValue)")
        try AudioFixture.write(interleaved: signal, to: path, format: format, channels: channels)
        let reader = try AudioFileReader(path: path)
        var block = [Float](repeating: 0, count: 100 * channels)
        _ = try block.withUnsafeMutableBufferPointer { try reader.read(into: $0.baseAddress!, frames: 100) }

        let all = try reader.readAllChannels()
        try #require(all.count == channels)
        for c in 0..<channels {
            #expect(all[c].count == frames)
            let expected = stride(from: c, to: signal.count, by: channels).map { signal[$0] }
            #expect(Self.firstMismatch(expected, all[c], format.sampleFormat) == nil, "channel \(c)")
        }
    }

    @Test("the supported formats are exactly the expected ones")
    func supportMatrix() {
        for container in AudioContainer.allCases {
            for sampleFormat in SampleFormat.allCases {
                let format = AudioFormat(container: container, sampleFormat: sampleFormat)
                #expect(format.isSupported == Self.supported.contains(format), "\(format.testDescription)")
            }
        }
        #expect(!AudioFormat(container: .flac, sampleFormat: .float).isSupported)
    }
}
