import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``KernelLoader``: text kernels as SoX's `fir` reads them, and audio kernels through libsndfile.
@Suite("KernelLoader")
final class KernelLoaderTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("text: comments, blank lines, several numbers a line, CRLF, scientific notation")
    func text() throws {
        let text = "# designed with scipy.signal.firwin\r\n\r\n0.5 -0.25\t1e-3 # trailing comment\r\n"
            + "   \r\n-.5E+1 +2 0x1p-3\r\n# the end, no newline after the last number\r\n7"
        let path = try directory.write("lowpass.txt", text)
        let kernel = try KernelLoader.load(path: path)
        #expect(kernel == Kernel(path: path, channels: [[0.5, -0.25, 0.001, -5, 2, 0.125, 7]], sampleRate: nil))
        #expect(kernel.taps == 7)
    }

    @Test("every text extension, in any letter case", arguments: ["txt", "dat", "csv", "coef", "coeffs", "fir", "TXT", "Fir"])
    func extensions(ext: String) throws {
        let path = try directory.write("k.\(ext)", "1\n2\n")
        #expect(try KernelLoader.load(path: path).channels == [[1, 2]])
    }

    @Test("commas separate numbers in .csv only")
    func commas() throws {
        let csv = try directory.write("k.csv", "1, 2,3\n4 ,5\n")
        #expect(try KernelLoader.load(path: csv).channels == [[1, 2, 3, 4, 5]])
        let txt = try directory.write("k.txt", "1\n2,3\n")
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: txt) }
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("'2,3' is not a number (commas separate numbers only in .csv files)") == true)
    }

    @Test("a word among the numbers names the file, the line and the word")
    func notANumber() throws {
        let path = try directory.write("k.txt", "# taps\n0.1 0.2\n0.3 abc 0.4\n")
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("\(path):3: 'abc' is not a number; ") == true)
    }

    /// Issue 14, item 13: a token is quoted in the message, and a terminal must not get the file's
    /// control bytes (ESC starts a terminal command, NUL ends a C string) or invalid UTF-8 from it.
    @Test("control bytes and invalid UTF-8 in a bad token are shown escaped")
    func controlBytesEscaped() throws {
        let bytes: [UInt8] = Array("0.5\n1 ".utf8) + [0x1B] + Array("[2J".utf8) + [0x00, 0x78, 0xFF, 0x07]
            + Array(" 2\n".utf8)
        let path = try directory.write("k.txt", bytes)
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        let text = error?.description ?? ""
        #expect(error?.line == 2)
        #expect(text.contains("'\\x1b[2J\\x00x\\xff\\x07' is not a number"), "\(text)")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{FFFD}" }, "\(text)")
    }

    @Test("nan, inf and values beyond Float are refused", arguments: ["nan", "inf", "-Infinity", "1e39", "NaN"])
    func nonFinite(token: String) throws {
        let path = try directory.write("k.dat", "0.5\n0.25 \(token)\n")
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.line == 2)
        #expect(error?.message.contains("'\(token)' is not a finite") == true)
    }

    @Test("a text kernel with no numbers is an empty kernel", arguments: ["", "# only\n# comments\n\n", "\r\n  \t\r\n"])
    func emptyText(contents: String) throws {
        let path = try directory.write("k.txt", contents)
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.message.hasPrefix("empty kernel") == true)
    }

    @Test("a UTF-8 byte-order mark before the first number is skipped")
    func byteOrderMark() throws {
        let path = try directory.write("k.txt", [0xEF, 0xBB, 0xBF] + Array("0.5 0.5\r\n".utf8))
        #expect(try KernelLoader.load(path: path).channels == [[0.5, 0.5]])
    }

    @Test("audio kernels: mono and stereo, every channel, with the rate", arguments: [1, 2])
    func audio(channels: Int) throws {
        let frames = 300
        let taps = TestAudio.interleaved(frames: frames, channels: channels, seed: 5)
        let path = directory.path("ir.wav")
        try AudioFixture.write(
            interleaved: taps, to: path, format: AudioFormat(container: .wav, sampleFormat: .float), channels: channels,
            sampleRate: 96_000)
        let kernel = try KernelLoader.load(path: path)
        let expected = (0..<channels).map { c in stride(from: c, to: taps.count, by: channels).map { taps[$0] } }
        #expect(kernel == Kernel(path: path, channels: expected, sampleRate: 96_000))
        #expect(kernel.taps == frames)
    }

    @Test("an audio kernel with no frames is refused")
    func emptyAudio() throws {
        let path = directory.path("empty.wav")
        try AudioFixture.write(
            interleaved: [], to: path, format: AudioFormat(container: .wav, sampleFormat: .pcm16), channels: 1)
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.message.hasPrefix("empty kernel") == true)
    }

    @Test("an audio kernel with a NaN sample is refused")
    func nonFiniteAudio() throws {
        let path = directory.path("bad.caf")
        try AudioFixture.write(
            interleaved: [0.5, 0.25, .nan, 0.1], to: path, format: AudioFormat(container: .caf, sampleFormat: .float),
            channels: 2)
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: path) }
        #expect(error?.kind == .badData)
        #expect(error?.message.hasPrefix("tap 1 of channel 0 is NaN, not a finite number") == true)
    }

    @Test("missing kernels are .missing, text or audio", arguments: ["gone.txt", "gone.wav"])
    func missing(name: String) {
        let error = #expect(throws: AudioError.self) { try KernelLoader.load(path: self.directory.path(name)) }
        #expect(error?.kind == .missing)
    }
}
