@testable import FirAudio
import FirTestSupport
import Foundation
import Synchronization
import Testing

/// ``SndFile``: who owns a descriptor when libsndfile refuses a file, and how a refusal is classified.
@Suite("SndFile", .serialized)
final class SndFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// libsndfile 1.2.0 closes the descriptor it was lent when it refuses the file, although it was told
    /// not to; closing it again afterwards closed whatever another thread had opened under that number
    /// meanwhile (issue 14, defect 12: a healthy kernel "could not be read (Resource temporarily
    /// unavailable)", its descriptor number taken over by a Dispatch signalfd). The hook opens a file at
    /// exactly that moment; it must still be open, and still be that file, once the refusal is reported.
    @Test("a refused open closes no descriptor but its own")
    func refusedOpenLeavesOtherDescriptorsAlone() throws {
        let refused = try directory.write("k_1tap.txt", "1\n")  // text, so libsndfile refuses it
        let other = try directory.write("other.bin", "another thread's file")
        let grabbed = Mutex<Int32>(-1)
        SndFile.afterRefusedOpen.withLock { hook in
            hook = { path in
                guard path == refused else { return }
                grabbed.withLock { if $0 < 0 { $0 = open(other, O_RDONLY | O_CLOEXEC) } }
            }
        }
        defer { SndFile.afterRefusedOpen.withLock { $0 = nil } }

        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: refused) }
        #expect(error?.kind == .badData)
        let fd = grabbed.withLock { $0 }
        try #require(fd >= 0)
        defer { close(fd) }
        var held = stat(), expected = stat()
        #expect(fstat(fd, &held) == 0, "descriptor \(fd) was closed by the refused open: \(errnoText(errno))")
        #expect(stat(other, &expected) == 0)
        #expect(held.st_ino == expected.st_ino && held.st_dev == expected.st_dev)
    }

    // MARK: CAF headers

    /// A valid 2-channel pcm16 CAF, as libsndfile writes it.
    func validCAF(_ name: String) throws -> [UInt8] {
        let path = directory.path(name)
        try AudioFixture.write(interleaved: 
            TestAudio.interleaved(frames: 256, channels: 2), to: path,
            format: AudioFormat(container: .caf, sampleFormat: .pcm16), channels: 2)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The 'desc' chunk's fields, as offsets into the file: format id at 28, then flags, bytes per
    /// packet, frames per packet, channels per frame and bits per channel, 4 bytes each, big-endian.
    static func setField(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
    }

    /// Issue 14, item 13: libsndfile says "unsupported encoding" for any 'desc' chunk whose fields do
    /// not fit together, which is damage, not an encoding to convert.
    @Test("a CAF whose 'desc' chunk is damaged is .badData, not .unsupported", arguments: [
        ("bits per channel 17", 48, UInt32(17)),
        ("bytes per packet 7", 36, UInt32(7)),
        ("format id of random bytes", 28, UInt32(0x9A13_7F02)),
        ("alac with flags 0", 28, UInt32(0x616C_6163)),  // flags 1...4 give ALAC's bit depth
        ("ulaw with 16 bits", 28, UInt32(0x756C_6177)),
        // Found by the audio fuzzer: bits + 7 overflowed 32 bits and trapped (SIGILL).
        ("bits per channel 2^32 - 1", 48, UInt32.max),
    ])
    func damagedDescription(name: String, offset: Int, value: UInt32) throws {
        var bytes = try validCAF("valid.caf")
        Self.setField(&bytes, at: offset, value)
        let path = try directory.write("damaged.caf", bytes)
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .badData, "\(name): \(error?.description ?? "")")
        #expect(error?.message.contains("damaged") == true, "\(name): \(error?.description ?? "")")
    }

    @Test("a well-formed CAF in an encoding libsndfile cannot decode is .unsupported", arguments: [
        ("aac ", UInt32(0x6161_6320), UInt32(0), UInt32(1024), UInt32(0)),
        ("lpcm 12-bit", UInt32(0x6C70_636D), UInt32(4), UInt32(1), UInt32(12)),
    ])
    func unsupportedEncoding(name: String, id: UInt32, packetBytes: UInt32, packetFrames: UInt32, bits: UInt32) throws {
        var bytes = try validCAF("valid.caf")
        Self.setField(&bytes, at: 28, id)
        Self.setField(&bytes, at: 32, 0)
        Self.setField(&bytes, at: 36, packetBytes)
        Self.setField(&bytes, at: 40, packetFrames)
        Self.setField(&bytes, at: 48, bits)
        let path = try directory.write("other.caf", bytes)
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .unsupported, "\(name): \(error?.description ?? "")")
    }

    @Test("truncated CAF headers are .badData", arguments: [8, 20, 30, 40, 52, 60])
    func truncatedHeader(length: Int) throws {
        let bytes = try validCAF("valid.caf")
        let path = try directory.write("cut.caf", Array(bytes.prefix(length)))
        let error = #expect(throws: AudioError.self) { try AudioFileReader(path: path) }
        #expect(error?.kind == .badData, "\(length) bytes: \(error?.description ?? "")")
    }
}
