import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``AudioFileReader`` on inputs that are wrong in every way a user can make them wrong.
@Suite("AudioFileReader")
final class AudioFileReaderTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("a missing file is .missing and the message names it")
    func missing() {
        let path = directory.path("take.wav")
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .missing)
        #expect(error?.description.hasPrefix("\(path): no such file; ") == true)
    }

    @Test("a directory is .unreadable and says it is a directory")
    func directoryPath() {
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: self.directory.path) }
        #expect(error?.kind == .unreadable)
        #expect(error?.message.contains("directory") == true)
    }

    @Test("a file without read permission is .unreadable")
    func noPermission() throws {
        // Root reads through permission bits: as root, the test runs again as nobody.
        if let failure = try AsNobody.rerunTest("AudioFileReaderTests/noPermission") {
            #expect(failure.isEmpty, "\(failure)")
            return
        }
        let path = try TestAudio.writeWAV(directory.path("locked.wav"), frames: 100)
        chmod(path, 0)
        defer { chmod(path, 0o644) }
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .unreadable)
        #expect(error?.message.contains("permission denied") == true)
    }

    @Test("random bytes named .wav are .badData, with libsndfile's reason and what to do")
    func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try directory.write("noise.wav", bytes)
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.description.contains("not a readable audio file (libsndfile: ") == true)
        #expect(error?.description.contains("; check the file is a complete WAV/FLAC/AIFF/W64/RF64/CAF file") == true)
    }

    @Test("an empty file is .badData")
    func empty() throws {
        let path = try directory.write("empty.wav", [])
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .badData)
    }

    /// libsndfile 1.2.0 opens a RIFF-family or AIFF file cut short *without* an error: it shrinks the frame
    /// count to what is there and notes the difference only in its log. The reader reads that log and
    /// refuses the file at open. A truncated CAF is refused by libsndfile itself ("malformed").
    @Test("a file cut to half its length is .badData at open",
          arguments: [AudioContainer.wav, .wavex, .aiff, .w64, .rf64, .caf])
    func truncatedAtOpen(container: AudioContainer) throws {
        for sampleFormat in [SampleFormat.pcm16, .float] {
            let path = try truncatedFile(AudioFormat(container: container, sampleFormat: sampleFormat))
            let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
            #expect(error?.kind == .badData, "\(sampleFormat)")
            if container != .caf { #expect(error?.message.hasPrefix("is truncated: its header") == true) }
        }
    }

    /// A FLAC header (STREAMINFO) keeps its frame count, so the file opens with the full count; the
    /// decoder then loses sync at the cut, which libsndfile reports and the reader turns into .badData.
    /// The frames that exist are delivered before that.
    @Test("a truncated FLAC opens, then reading it throws .badData")
    func truncatedFLAC() throws {
        let path = try truncatedFile(AudioFormat(container: .flac, sampleFormat: .pcm16))
        let reader = try AudioFileReader(path: path)
        #expect(reader.info.frames == 10_000)
        var delivered = 0
        let error = #expect(throws: AudioError.self) {
            var block = [Float](repeating: 0, count: 1000 * 3)
            while true {
                let n = try block.withUnsafeMutableBufferPointer { try reader.read(into: $0.baseAddress!, frames: 1000) }
                if n == 0 { break }
                delivered += n
            }
        }
        #expect(error?.kind == .badData)
        #expect(delivered < 10_000)
    }

    @Test("a WAV whose sizes are streaming placeholders (0xFFFFFFFF) is not called truncated")
    func streamedWAV() throws {
        let samples = (0..<1000).map { Int16(truncatingIfNeeded: $0 * 31) }
        let path = try directory.write("streamed.wav", HandmadeWAV.pcm16(samples, sizeFields: 0xFFFF_FFFF))
        let reader = try AudioFileReader(path: path)
        #expect(reader.info.frames == 1000)
        let back = try TestAudio.read(reader, blockFrames: 300)
        #expect(back == samples.map { Float($0) / 32768 })
    }

    @Test("formats outside the lists read, with container or sample format nil")
    func unlistedSampleFormat() throws {
        let path = try directory.write("eight.wav", HandmadeWAV.pcm8([0, 64, 128, 192, 255]))
        let reader = try AudioFileReader(path: path)
        #expect(reader.info == AudioFileInfo(frames: 5, channels: 1, sampleRate: 8000, container: .wav, sampleFormat: nil))
        #expect(try TestAudio.read(reader, blockFrames: 2) == [-1, -0.5, 0, 0.5, 127.0 / 128])
    }

    @Test("read with 0 frames returns 0 without reaching the end")
    func zeroFrames() throws {
        let path = try TestAudio.writeWAV(directory.path("short.wav"), frames: 10)
        let reader = try AudioFileReader(path: path)
        var scratch: Float = 0
        #expect(try reader.read(into: &scratch, frames: 0) == 0)
        #expect(try TestAudio.read(reader, blockFrames: 4).count == 10)
    }

    /// Writes 3 channels × 10,000 frames in `format` and cuts the file to half its length.
    private func truncatedFile(_ format: AudioFormat) throws -> String {
        let path = directory.path("cut-\(format.sampleFormat.rawValue).\(format.container.rawValue)")
        try AudioFixture.write(
            interleaved: TestAudio.interleaved(frames: 10_000, channels: 3), to: path, format: format, channels: 3)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 2)) == 0)
        return path
    }
}

/// WAV files built byte by byte, for headers libsndfile would never write.
enum HandmadeWAV {
    static func pcm16(_ samples: [Int16], sizeFields: UInt32? = nil) -> [UInt8] {
        let data = samples.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        return file(bits: 16, rate: 44_100, data: data, sizeFields: sizeFields)
    }

    static func pcm8(_ samples: [UInt8]) -> [UInt8] {
        file(bits: 8, rate: 8000, data: samples + (samples.count % 2 == 1 ? [0] : []), dataSize: samples.count)
    }

    /// Mono PCM. `sizeFields` replaces both the RIFF and the data size, as a streaming writer leaves them.
    private static func file(bits: Int, rate: Int, data: [UInt8], dataSize: Int? = nil, sizeFields: UInt32? = nil) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        let blockAlign = bits / 8
        let riffSize = sizeFields.map { Int($0) } ?? 36 + data.count
        let dataField = sizeFields.map { Int($0) } ?? dataSize ?? data.count
        return Array("RIFF".utf8) + u32(riffSize) + Array("WAVEfmt ".utf8) + u32(16) + u16(1) + u16(1)
            + u32(rate) + u32(rate * blockAlign) + u16(blockAlign) + u16(bits)
            + Array("data".utf8) + u32(dataField) + data
    }
}
