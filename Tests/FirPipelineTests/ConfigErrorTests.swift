import FirPipeline
import Foundation
import Testing

/// One config text that `ConfigFile.parse` must reject, and exactly where and why.
struct BadConfig: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    let code: ConfigError.Code
    /// Fragments the message must contain.
    let fragments: [String]

    init(_ name: String, _ yaml: String, _ line: Int, _ column: Int, _ code: ConfigError.Code, _ fragments: String...) {
        self.name = name
        self.yaml = yaml
        self.line = line
        self.column = column
        self.code = code
        self.fragments = fragments
    }

    var testDescription: String { name }
}

/// Configs that are wrong, each reported at its exact line and column.
@Suite struct ConfigErrorTests {
    static let syntaxAndShape: [BadConfig] = [
        BadConfig("indented key", "input: a.wav\n  output: b.wav\n", 2, 9, .syntax,
                  "YAML syntax error: mapping values are not allowed in this context"),
        BadConfig("tab indentation", "channels:\n\t- kernel: a.wav\n", 2, 1, .syntax,
                  "YAML syntax error: found character that cannot start any token"),
        BadConfig("unclosed flow list", "input: a.wav\nchannels: [{kernel: a.wav}\nmode: convolve\n", 3, 1,
                  .syntax, "YAML syntax error", "while parsing a flow sequence at line 2, column 11"),
        BadConfig("two documents", "input: a.wav\n---\ninput: b.wav\n", 2, 1, .syntax,
                  "expected a single document in the stream but found another document"),
        BadConfig("control character", "mode: convolve\ninput: take\u{07}.wav\n", 2, 12, .syntax,
                  "cannot read the YAML text: control characters are not allowed"),
        BadConfig("windows line ends", "input: a.wav\r\nmode: convolve\r\nmode: correlate\r\n", 3, 1, .duplicateKey,
                  "duplicate key 'mode' (first given at line 2, column 1)"),
        BadConfig("undefined alias", "input: *take\n", 1, 8, .syntax, "found undefined alias"),
        BadConfig("empty file", "", 1, 1, .notAMapping, "the config file is empty"),
        BadConfig("only comments", "# nothing yet\n\n", 1, 1, .notAMapping, "the config file is empty"),
        BadConfig("explicit empty document", "---\n", 1, 1, .notAMapping, "the config file is empty"),
        BadConfig("top-level list", "# a list\n- input: a.wav\n", 2, 1, .notAMapping,
                  "the top level must be a mapping", "found a list"),
        BadConfig("top-level text", "take.wav\n", 1, 1, .notAMapping, "found 'take.wav'"),
        BadConfig("list as key", "? [a, b]\n: c\n", 1, 3, .wrongType, "keys must be names", "found a list"),
    ]

    static let keys: [BadConfig] = [
        BadConfig("near miss gain", "input: a.wav\noutput: b.wav\ngain: -3\n", 3, 1, .unknownKey,
                  "unknown key 'gain' (did you mean 'gain_db'?); allowed keys: input, output, kernel, channels, "
                      + "mode, length, gain_db, block_size, threads, format, subtype, resample_kernels, limit_db, "
                      + "dither, dither_seed, non_finite, filters, mixers, pipeline, serve"),
        BadConfig("near miss blocksize", "blocksize: 1024\n", 1, 1, .unknownKey,
                  "unknown key 'blocksize' (did you mean 'block_size'?)"),
        BadConfig("camel case", "mode: convolve\nblockSize: 1024\n", 2, 1, .unknownKey, "did you mean 'block_size'?"),
        BadConfig("typo", "ouptut: b.wav\n", 1, 1, .unknownKey, "did you mean 'output'?"),
        BadConfig("plural", "kernels: a.wav\n", 1, 1, .unknownKey, "did you mean 'kernel'?"),
        BadConfig("far off", "colour: red\n", 1, 1, .unknownKey, "unknown key 'colour'; allowed keys: input,"),
        BadConfig("in a channel entry", "channels:\n  - kernel: a.wav\n    gain: -3\n", 3, 5, .unknownKey,
                  "unknown key 'gain' in channels.0 (did you mean 'gain_db'?); allowed keys: kernel, channel, gain_db"),
        BadConfig("in a flow entry", "channels: [{kernel: a.wav}, {kernel: b.wav, chanel: 1}]\n", 1, 45, .unknownKey,
                  "unknown key 'chanel' in channels.1 (did you mean 'channel'?)"),
        BadConfig("top-level key in an entry", "channels:\n  - kernel: a.wav\n    mode: correlate\n", 3, 5,
                  .unknownKey, "unknown key 'mode' in channels.0; allowed keys: kernel, channel, gain_db"),
        BadConfig("duplicate", "input: a.wav\nmode: convolve\nmode: correlate\n", 3, 1, .duplicateKey,
                  "duplicate key 'mode' (first given at line 2, column 1)"),
        BadConfig("duplicate in an entry", "channels:\n  - kernel: a.wav\n    gain_db: 1\n    kernel: b.wav\n", 4, 5,
                  .duplicateKey, "duplicate key 'kernel' (first given at line 2, column 5)"),
        BadConfig("duplicate quoted", "output: a.wav\n\"output\": b.wav\n", 2, 1, .duplicateKey,
                  "duplicate key 'output' (first given at line 1, column 1)"),
        BadConfig("triplicate", "threads: 1\nthreads: 2\nthreads: 3\n", 2, 1, .duplicateKey,
                  "duplicate key 'threads' (first given at line 1, column 1)"),
        BadConfig("both kernel and channels", "kernel: a.wav\nchannels:\n  - kernel: b.wav\n", 2, 1, .conflict,
                  "'kernel' and 'channels' cannot both be given"),
        BadConfig("mode given a length name", "channels:\n  - kernel: b.wav\nmode: same\n", 3, 7, .invalidValue,
                  "mode must be one of convolve, correlate; found 'same'"),
        BadConfig("channels before kernel", "channels:\n  - kernel: b.wav\ngain_db: 1\nkernel: a.wav\n", 4, 1,
                  .conflict, "'kernel' and 'channels' cannot both be given"),
    ]

    static let values: [BadConfig] = [
        BadConfig("block size text", "block_size: big\n", 1, 13, .wrongType,
                  "block_size must be an integer, found 'big'"),
        BadConfig("threads fraction", "input: a.wav\nthreads: 1.5\n", 2, 10, .wrongType,
                  "threads must be an integer, found '1.5'"),
        BadConfig("quoted integer", "block_size: \"1024\"\n", 1, 13, .wrongType,
                  "block_size must be an integer, found the quoted string '1024'"),
        BadConfig("empty integer", "threads:\nmode: convolve\n", 1, 9, .wrongType,
                  "threads must be an integer, found nothing (null)"),
        BadConfig("channels text", "channels: foo\n", 1, 11, .wrongType,
                  "channels must be a list of entries such as '- kernel: left.wav', found 'foo'"),
        BadConfig("channels mapping", "channels:\n  kernel: a.wav\n", 2, 3, .wrongType, "found a mapping"),
        BadConfig("channels empty", "channels: []\n", 1, 11, .invalidValue, "channels must list at least one entry"),
        BadConfig("channel entry text", "channels:\n  - a.wav\n", 2, 5, .wrongType,
                  "channels.0 must be a mapping such as 'kernel: left.wav', found 'a.wav'"),
        BadConfig("channel entry without kernel", "channels:\n  - kernel: a.wav\n  - gain_db: -3\n", 3, 5,
                  .missingValue, "channels.1 has no kernel; add 'kernel: FILE'"),
        BadConfig("input list", "input: [a.wav, b.wav]\n", 1, 8, .wrongType, "input must be a file path, found a list"),
        BadConfig("kernel null", "kernel: ~\n", 1, 9, .wrongType, "kernel must be a file path, found nothing (null)"),
        BadConfig("output empty string", "output: ''\n", 1, 9, .invalidValue, "output must be a file path, found ''"),
        BadConfig("mode unknown", "mode: convolution\n", 1, 7, .invalidValue,
                  "mode must be one of convolve, correlate; found 'convolution'"),
        BadConfig("length near miss", "length: ful\n", 1, 9, .invalidValue,
                  "length must be one of full, same, valid; found 'ful' (did you mean 'full'?)"),
        BadConfig("format unknown", "format: mp3\n", 1, 9, .invalidValue,
                  "format must be one of wav, wavex, flac, aiff, w64, rf64, caf; found 'mp3'"),
        BadConfig("subtype near miss", "subtype: float32\n", 1, 10, .invalidValue, "(did you mean 'float'?)"),
        BadConfig("mode list", "mode: [convolve]\n", 1, 7, .wrongType, "found a list"),
        BadConfig("block size small", "block_size: 8\n", 1, 13, .invalidValue,
                  "block_size must be between 16 and 4194304, found 8"),
        BadConfig("block size large", "block_size: 8388608\n", 1, 13, .invalidValue, "between 16 and 4194304"),
        BadConfig("threads zero", "threads: 0\n", 1, 10, .invalidValue, "threads must be between 1 and 256, found 0"),
        BadConfig("threads many", "threads: 1000\n", 1, 10, .invalidValue, "found 1000"),
        BadConfig("negative channel", "channels:\n  - kernel: a.wav\n    channel: -1\n", 3, 14, .invalidValue,
                  "channels.0.channel must be 0 or more, found -1"),
        BadConfig("gain text", "gain_db: loud\n", 1, 10, .wrongType, "gain_db must be a number of dB, found 'loud'"),
        BadConfig("gain infinite", "gain_db: .inf\n", 1, 10, .invalidValue, "gain_db must be a finite number of dB"),
        BadConfig("gain nan", "gain_db: .nan\n", 1, 10, .invalidValue, "must be a finite number of dB, found .nan"),
        BadConfig("gain huge", "gain_db: 300\n", 1, 10, .invalidValue,
                  "gain_db must be between -200 and 200 dB, found 300"),
        BadConfig("channel gain tiny", "channels:\n  - kernel: a.wav\n  - kernel: b.wav\n    gain_db: -250\n", 4, 14,
                  .invalidValue, "channels.1.gain_db must be between -200 and 200 dB, found -250"),
    ]

    @Test(arguments: syntaxAndShape) func rejectsSyntaxAndShape(_ bad: BadConfig) {
        bad.expectRejected()
    }

    @Test(arguments: keys) func rejectsBadKeys(_ bad: BadConfig) {
        bad.expectRejected()
    }

    @Test(arguments: values) func rejectsBadValues(_ bad: BadConfig) {
        bad.expectRejected()
    }
}

extension BadConfig {
    /// Parses the text as `room.yaml` and expects exactly this error: code, position and message fragments.
    func expectRejected() {
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "room.yaml") }
        guard let error else { return }
        #expect(error.location == FirPipeline.SourceLocation(file: "room.yaml", line: line, column: column), "\(error)")
        #expect(error.code == code, "\(error)")
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(error)")
        }
        #expect(error.description == "room.yaml:\(line):\(column): \(error.message)")
        #expect(!error.description.contains("\n"))
    }
}
