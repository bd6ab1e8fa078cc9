@testable import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``PlatformPath``: bytes to `String` and back without loss, and what a message shows of them.
@Suite("PlatformPath")
struct PlatformPathTests {
    @Test("any bytes survive the round trip, and different bytes give different strings")
    func roundTrip() {
        var rng = SeededGenerator(seed: 14)
        var seen: [String: [UInt8]] = [:]
        for length in 0..<400 {
            // Mostly high bytes, so that invalid, truncated and overlong sequences all occur.
            let high: UInt8 = length % 3 == 0 ? 0x80 : 0
            let bytes = (0..<(length % 12)).map { _ in UInt8.random(in: 0x01...0xFF, using: &rng) | high }
            let path = PlatformPath.string(fromBytes: bytes)
            #expect(PlatformPath.bytes(path) == bytes)
            #expect(PlatformPath.withCString(path) { strlen($0) } == bytes.count)
            if let other = seen[path] { #expect(other == bytes) }
            seen[path] = bytes
        }
    }

    @Test("valid UTF-8 stays as it is, and a valid scalar from the escape range is escaped byte by byte")
    func validText() {
        #expect(PlatformPath.string(fromBytes: Array("Räume/ß.wav".utf8)) == "Räume/ß.wav")
        let reserved = Array("\u{10FFFE}".utf8)
        let path = PlatformPath.string(fromBytes: reserved)
        #expect(path.unicodeScalars.count == 4)
        #expect(PlatformPath.bytes(path) == reserved)
    }

    @Test("messages show escaped bytes and control characters as \\xNN, on one line")
    func displayed() {
        let path = PlatformPath.string(fromBytes: [0xFF, 0xFE] + Array(".wav\n\u{1B}[2J".utf8))
        #expect(PlatformPath.displayed(path) == #"\xff\xfe.wav\x0a\x1b[2J"#)
        #expect(PlatformPath.displayed("a\u{2028}b\u{85}") == #"a\u{2028}b\x85"#)
        #expect(PlatformPath.displayed("plain – ok") == "plain – ok")
    }

    @Test("lengths: a name over 255 bytes or a path over 4095 is refused, counting bytes")
    func lengths() {
        #expect(PlatformPath.lengthProblem(String(repeating: "a", count: 255)) == nil)
        #expect(PlatformPath.lengthProblem("d/" + String(repeating: "a", count: 256))?.contains("256 bytes") == true)
        // 128 two-byte characters: 256 bytes in a name of 128 characters.
        #expect(PlatformPath.lengthProblem(String(repeating: "é", count: 128)) != nil)
        // An escaped byte counts as the one byte it stands for.
        let escaped = PlatformPath.string(fromBytes: [UInt8](repeating: 0xFF, count: 255))
        #expect(PlatformPath.lengthProblem(escaped) == nil)
        #expect(PlatformPath.lengthProblem(String(repeating: "d/", count: 2047) + "a") == nil)
        #expect(PlatformPath.lengthProblem(String(repeating: "d/", count: 2048))?.contains("4096 bytes") == true)
    }

    @Test("a million-character path is measured and shortened in linear time")
    func longPathIsQuick() {
        let path = String(repeating: "n", count: 1_000_000)
        let start = Date()
        #expect(PlatformPath.lengthProblem(path) != nil)
        #expect(PlatformPath.prefix(path, maxBytes: 180).utf8.count == 180)
        #expect(PlatformPath.abbreviated(path).unicodeScalars.count < 500)
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test("a prefix ends on a whole scalar")
    func prefix() {
        #expect(PlatformPath.prefix("aéb", maxBytes: 2) == "a")
        #expect(PlatformPath.prefix("aéb", maxBytes: 3) == "aé")
    }
}
