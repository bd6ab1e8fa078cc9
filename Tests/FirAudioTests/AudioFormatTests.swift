import FirAudio
import Testing

/// ``AudioContainer``, ``SampleFormat`` and ``AudioFormat``: names, extensions and what libsndfile accepts.
@Suite("AudioFormat")
struct AudioFormatTests {
    @Test("containers from file extensions, in any letter case", arguments: [
        ("take.wav", AudioContainer.wav), ("TAKE.WAV", .wav), ("a/b.c/x.flac", .flac), ("x.aif", .aiff),
        ("x.AIFF", .aiff), ("x.aifc", .aiff), ("x.w64", .w64), ("x.rf64", .rf64), ("x.Caf", .caf),
    ])
    func fromExtension(path: String, container: AudioContainer) {
        #expect(AudioContainer.fromExtension(ofPath: path) == container)
    }

    @Test("no container for other or missing extensions", arguments: [
        "x.ogg", "x.mp3", "noext", "dir.wav/file", "x.", ".wav", "x.wavex", "",
    ])
    func noContainer(path: String) {
        #expect(AudioContainer.fromExtension(ofPath: path) == nil)
    }

    @Test("only float and double are float formats")
    func isFloat() {
        #expect(SampleFormat.allCases.filter(\.isFloat) == [.float, .double])
    }

    @Test("raw values are the names the command line and config use")
    func names() {
        #expect(AudioContainer.allCases.map(\.rawValue) == ["wav", "wavex", "flac", "aiff", "w64", "rf64", "caf"])
        #expect(SampleFormat.allCases.map(\.rawValue) == ["pcm16", "pcm24", "pcm32", "float", "double"])
    }

    @Test("FLAC takes 16- and 24-bit integers only")
    func flac() {
        let flac = SampleFormat.allCases.filter { AudioFormat(container: .flac, sampleFormat: $0).isSupported }
        #expect(flac == [.pcm16, .pcm24])
    }
}

/// ``AudioError``: one line, the file first.
@Suite("AudioError")
struct AudioErrorTests {
    @Test("description is '<path>: <message>', with the line for text kernels")
    func description() {
        let error = AudioError(.badData, path: "take.wav", message: "not audio; check it")
        #expect(error.description == "take.wav: not audio; check it")
        let located = AudioError(.badData, path: "k.txt", message: "'abc' is not a number; fix it", line: 12)
        #expect(located.description == "k.txt:12: 'abc' is not a number; fix it")
    }

    @Test("line breaks from a C library's reason are flattened to one line")
    func oneLine() {
        let error = AudioError(.ioError, path: "out.wav", message: "write failed (first\n  second\r\nthird); retry")
        #expect(error.description == "out.wav: write failed (first second third); retry")
    }

    @Test("kinds are distinct values with stable names")
    func kinds() {
        let kinds: [AudioError.Kind] = [.missing, .unreadable, .badData, .unsupported, .cannotCreate, .ioError]
        #expect(Set(kinds).count == kinds.count)
        #expect(kinds.map(\.description) == ["missing", "unreadable", "badData", "unsupported", "cannotCreate", "ioError"])
    }
}
