import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// YAML aliases, huge mappings and the characters libyaml reads as line breaks: bounded time, and
/// positions an editor shows.
@Suite struct ConfigAliasTests {
    /// Depth 8 took 61 s and depth 9 538 s when a duplicate key followed: the error path walked the
    /// expanded tree. Now the alias that passes the limit is refused, on line 5 (10^5 values).
    @Test(arguments: [9, 20]) func aliasBombIsRefusedAtTheAliasQuickly(depth: Int) throws {
        let yaml = YAMLFixtures.aliasBomb(depth: depth, tail: YAMLFixtures.duplicateInFirstChannel)
        let start = ContinuousClock.now
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "bomb.yaml") }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(error?.code == .tooLarge, "\(String(describing: error))")
        // Line 5 holds `n4: &n4 [*n3, …]`; its eighth alias takes the count past 100,000.
        #expect(error?.location == FirPipeline.SourceLocation(file: "bomb.yaml", line: 5, column: 45))
        #expect(error?.message.contains("'*n3'") == true, "\(String(describing: error))")
    }

    /// A composer that hashes every key to find duplicates pays 10^depth steps for a key that is a deep
    /// alias, even without a duplicate (depth 7 took 32 s).
    @Test func aliasBombAsAKeyIsRefusedQuickly() throws {
        let yaml = YAMLFixtures.aliasBomb(depth: 9, tail: "? *n8\n: 1")
        let start = ContinuousClock.now
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "bomb.yaml") }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(error?.code == .tooLarge, "\(String(describing: error))")
    }

    /// Finding the duplicate in 50,000 filters took 12 s (`check`): the error path composed the text again
    /// and every key was hashed through a regular-expression tag resolver.
    @Test func duplicateKeyInAHugeMappingIsFoundQuickly() throws {
        let entries = (0..<50_000).map { "  f\($0): {type: gain, gain_db: 0}" }
        let yaml = (["filters:"] + entries + ["  f5: {type: gain}"]).joined(separator: "\n") + "\n"
        let start = ContinuousClock.now
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "big.yaml") }
        #expect(ContinuousClock.now - start < .seconds(3))  // 0.7 s here; about 6 s before
        #expect(error?.location == FirPipeline.SourceLocation(file: "big.yaml", line: 50_002, column: 3))
        #expect(error?.message == "duplicate key 'f5' (first given at line 7, column 3)")
    }

    @Test func aliasesWithinTheLimitAreCopies() throws {
        let yaml = """
            input: a.wav
            output: b.wav
            channels:
              - &left {kernel: room.wav, gain_db: -3}
              - *left
            """
        let config = try ConfigFile.parse(yaml: yaml, path: "/jobs/room.yaml")
        guard case .perChannel(let assignments) = config.kernels else {
            Issue.record("expected per-channel kernels, got \(String(describing: config.kernels))")
            return
        }
        #expect(assignments.map(\.gainDB) == [-3, -3])
        #expect(assignments.map(\.path) == ["/jobs/room.wav", "/jobs/room.wav"])
        let alias = FirPipeline.SourceLocation(file: "/jobs/room.yaml", line: 5, column: 5)
        #expect(config.location(of: "channels.1") == alias.withAnchor(AnchorOrigin(name: "left", line: 4, column: 5)))
    }

    @Test func scalarValueFromAnAliasIsReportedWhereTheAliasIs() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigFile.parse(yaml: "mode: &m convolve\nlength: *m\n", path: "room.yaml")
        }
        #expect(error?.location?.line == 2 && error?.location?.column == 9, "\(String(describing: error))")
        #expect(error?.location?.anchor == AnchorOrigin(name: "m", line: 1, column: 7))
        #expect(error?.description == "room.yaml:2:9: length must be one of full, same, valid; found 'convolve' "
            + "(value from anchor &m at line 1, column 7)")
    }

    @Test func mappingFromAnAliasIsReportedWhereTheAliasIs() throws {
        let yaml = "input: a.wav\nchannels:\n  - &entry {kernel: a.wav}\noutput: *entry\n"
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "room.yaml") }
        #expect(error?.description == "room.yaml:4:9: output must be a file path, found a mapping "
            + "(value from anchor &entry at line 3, column 5)")
    }

    /// libyaml breaks lines at U+0085, U+2028 and U+2029; YAML 1.2 and editors do not.
    @Test(arguments: ["\u{85}", "\u{2028}", "\u{2029}"])
    func separatorInACommentKeepsLinesAsAnEditorShowsThem(separator: String) throws {
        let yaml = "# tuned in the studio\(separator) see notes: here\ninput: a.wav\nmode: bogus\n"
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "room.yaml") }
        #expect(error?.location == FirPipeline.SourceLocation(file: "room.yaml", line: 3, column: 7),
                "\(String(describing: error))")
        #expect(error?.message.contains("mode must be one of") == true, "\(String(describing: error))")
    }

    @Test func separatorInAValueIsKept() throws {
        let yaml = "input: a.wav\noutput: side\u{2028}note\u{85}.wav\nkernel: k.wav\n"
        let config = try ConfigFile.parse(yaml: yaml, path: "/jobs/room.yaml")
        #expect(config.output == "/jobs/side\u{2028}note\u{85}.wav")
        #expect(config.location(of: "kernel").line == 3)
    }

    @Test func standInCharacterIsRefusedBesideASeparator() throws {
        let standIn = String(Character(try #require(Unicode.Scalar(0xFDD0 as UInt32))))
        let yaml = "# a\u{2028}b\ninput: a\(standIn).wav\n"
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "room.yaml") }
        #expect(error?.location == FirPipeline.SourceLocation(file: "room.yaml", line: 2, column: 9))
        #expect(error?.code == .syntax)
    }

    @Test func readerErrorAfterCarriageReturnsIsPlacedAsAnEditorShowsIt() throws {
        let yaml = "mode: convolve\rlength: full\r\ninput: take\u{07}.wav\n"
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: yaml, path: "room.yaml") }
        #expect(error?.location == FirPipeline.SourceLocation(file: "room.yaml", line: 3, column: 12),
                "\(String(describing: error))")
    }
}

extension FirPipeline.SourceLocation {
    func withAnchor(_ anchor: AnchorOrigin) -> Self {
        var copy = self
        copy.anchor = anchor
        return copy
    }
}
