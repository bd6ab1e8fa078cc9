import FirTestSupport
import Foundation
import Testing

/// Every config error, from `check` and `process`, is one stderr line `firpipe: FILE:LINE:COLUMN: …` and
/// exit 78, however late it is found and however hostile the file.
@Suite struct ConfigErrorLineTests {
    /// A directory with a stereo in.wav, a stereo room.wav and `body` as job.yaml.
    func setUp(_ body: String) throws -> Fixtures {
        let f = try Fixtures()
        try f.audio("in.wav", [[Float](repeating: 0.25, count: 2000), [Float](repeating: -0.25, count: 2000)])
        try f.audio("room.wav", [[1, 0.5, 0.25], [0.5, 0.25, 0]])
        try f.text("job.yaml", body)
        return f
    }

    /// Expects one line, `firpipe: <dir>/job.yaml:LINE:COLUMN: …`, and 78.
    func expectConfigErrorLine(
        _ r: FirpipeBinary.Result, _ f: Fixtures, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        #expect(r.status == 78, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.errorLines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        let line = r.errorLines.first ?? ""
        let prefix = "firpipe: \(f.dir.path("job.yaml")):"
        let position = line.dropFirst(prefix.count).prefix { $0 != " " }
        #expect(line.hasPrefix(prefix), "\(r.stderr)", sourceLocation: sourceLocation)
        let positioned = position.wholeMatch(of: /[1-9][0-9]*:[1-9][0-9]*:/) != nil
        #expect(positioned, "\(r.stderr)", sourceLocation: sourceLocation)
    }

    static let head = "input: in.wav\noutput: out.wav\n"

    /// Errors found at every stage: YAML, keys, values, files, and kernels checked against the input.
    static let badConfigs: [String] = [
        head + "channels:\n  - kernel: room.wav\n    channel: 5\n  - kernel: room.wav\n",  // no channel 5
        head + "channels:\n  - kernel: room.wav\n  - kernel: room.wav\n  - kernel: room.wav\n",  // 3 for 2
        head + "kernel: room.wav\nblocksize: 512\n",
        head + "kernel: room.wav\nmode: sideways\n",
        head + "kernel: gone.wav\n",
        head + "channels:\n  - kernel: room.wav\n    kernel: room.wav\n",
        head + "kernel: room.wav\ninput: [a\n",
        head + "kernel: room.wav\nlength: *nowhere\n",
        YAMLFixtures.aliasBomb(depth: 6, tail: YAMLFixtures.duplicateInFirstChannel),  // 1.5 s before the fix
    ]

    @Test(arguments: badConfigs) func configErrorIsOnePrefixedLineWithAPosition(_ body: String) throws {
        let f = try setUp(body)
        defer { f.dir.remove() }
        for command in ["check", "process"] {
            let r = try firpipe(command, "--config", f.dir.path("job.yaml"))
            expectConfigErrorLine(r, f)
            #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
        }
    }

    /// A daemon's config is loaded by `ServeConfig`, whose errors `check` and `serve` printed bare.
    @Test func serveConfigErrorIsPrefixed() throws {
        let f = try setUp(
            "kernel: room.wav\nserve:\n  stream: {input: gone.raw, output: \"-\", format: s16le, channels: 2, "
                + "rate: 48000}\n")
        defer { f.dir.remove() }
        for command in ["check", "serve"] {
            expectConfigErrorLine(try firpipe(command, "--config", f.dir.path("job.yaml")), f)
        }
    }

    /// Depth 9 used to take 538 s; each run must now end well inside a generous bound.
    @Test(arguments: [9, 20]) func aliasBombIsRefusedQuickly(depth: Int) throws {
        let f = try setUp(YAMLFixtures.aliasBomb(depth: depth, tail: YAMLFixtures.duplicateInFirstChannel))
        defer { f.dir.remove() }
        for command in ["check", "process"] {
            let start = ContinuousClock.now
            let r = try firpipe(command, "--config", f.dir.path("job.yaml"))
            #expect(ContinuousClock.now - start < .seconds(2), "\(command) took \(ContinuousClock.now - start)")
            expectConfigErrorLine(r, f)
            #expect(r.stderr.contains("job.yaml:5:45: the alias '*n3' expands"), "\(r.stderr)")
        }
    }

    /// libyaml counted U+2028 in a comment as a line break and read the rest of the comment as YAML.
    @Test func separatorInACommentDoesNotMoveTheReportedLine() throws {
        let comment = "# measured in room 2\u{2028} see: notes\n"
        let f = try setUp(comment + Self.head + "kernel: room.wav\nmode: sideways\n")
        defer { f.dir.remove() }
        let r = try firpipe("check", "--config", f.dir.path("job.yaml"))
        expectConfigErrorLine(r, f)
        #expect(r.stderr.contains("job.yaml:5:7: mode must be one of"), "\(r.stderr)")
    }

    @Test func valueFromAnAliasIsReportedAtTheAliasAndNamesTheAnchor() throws {
        let f = try setUp(Self.head + "kernel: room.wav\nmode: &m convolve\nlength: *m\n")
        defer { f.dir.remove() }
        let r = try firpipe("check", "--config", f.dir.path("job.yaml"))
        expectConfigErrorLine(r, f)
        #expect(r.stderr.contains("job.yaml:5:9: length must be one of full, same, valid; found 'convolve' "
            + "(value from anchor &m at line 4, column 7)"), "\(r.stderr)")
    }
}
