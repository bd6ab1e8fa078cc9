@testable import FirPipeline
import Testing

/// The node tree libyaml's events are composed into: which plain scalars resolve to null, bool, int and
/// float (YAML 1.1's forms, as the reader's regular-expression resolver accepted them before), which keys
/// are the same key, and marks.
@Suite struct YAMLNodeTests {
    /// Plain texts and the tag each resolves to; each tag's near misses resolve to str.
    static let resolutions: [(String, String)] = [
        ("", YAMLTag.null), ("~", YAMLTag.null), ("null", YAMLTag.null), ("Null", YAMLTag.null),
        ("NULL", YAMLTag.null), ("nULL", YAMLTag.str), ("nil", YAMLTag.str), ("~~", YAMLTag.str),
        ("true", YAMLTag.bool), ("False", YAMLTag.bool), ("yes", YAMLTag.bool), ("OFF", YAMLTag.bool),
        ("tRUE", YAMLTag.str), ("y", YAMLTag.str), ("n", YAMLTag.str), ("oN", YAMLTag.str),
        ("0", YAMLTag.int), ("-17", YAMLTag.int), ("+1_000", YAMLTag.int), ("0b1010", YAMLTag.int),
        ("017", YAMLTag.int), ("0o17", YAMLTag.int), ("0x1F_ff", YAMLTag.int), ("1:30:05", YAMLTag.int),
        ("0o", YAMLTag.str), ("0b2", YAMLTag.str), ("0x", YAMLTag.str), ("0X1F", YAMLTag.str), ("1:60", YAMLTag.str),
        ("0:30", YAMLTag.str), ("1:", YAMLTag.str), ("_1", YAMLTag.str), ("1 000", YAMLTag.str),
        ("1.5", YAMLTag.float), ("-1.", YAMLTag.float), ("1e3", YAMLTag.float), ("1_0.0_1E-3", YAMLTag.float),
        ("018", YAMLTag.float), (".5", YAMLTag.float), (".5e+3", YAMLTag.float), ("1:30.5", YAMLTag.float),
        (".inf", YAMLTag.float), ("-.Inf", YAMLTag.float), ("+.INF", YAMLTag.float), (".NaN", YAMLTag.float),
        (".5e3", YAMLTag.str), ("+.5", YAMLTag.str), ("1e", YAMLTag.str), ("1.5.5", YAMLTag.str),
        ("-.nan", YAMLTag.str), ("inf", YAMLTag.str), (".iNF", YAMLTag.str), ("1:30.5e3", YAMLTag.str),
        ("<<", YAMLTag.merge), ("=", YAMLTag.value), ("==", YAMLTag.str),
        ("2024-01-31", YAMLTag.timestamp), ("2024-1-31 1:02:03.5 +1:00", YAMLTag.timestamp),
        ("2024-01-31t12:00:00Z", YAMLTag.timestamp), ("2024-1-31", YAMLTag.str), ("2024-01-31T12:00", YAMLTag.str),
        ("2024-01-31 12:00:00 z", YAMLTag.str),
        // The regular expressions used before let `$` match before a final line break, so `null` then
        // U+2028 (which `LineBreaks` keeps in a value) was null; YAML 1.2 and the README make it an
        // ordinary character, so the text is a string now.
        ("null\u{2028}", YAMLTag.str), ("1\u{85}", YAMLTag.str),
    ]

    @Test(arguments: resolutions) func plainScalarResolution(text: String, tag: String) {
        #expect(YAMLTag.resolved(plain: text) == tag)
        #expect(YAMLTag.isNull(plain: text) == (tag == YAMLTag.null))
    }

    @Test func onlyPlainScalarsAreResolvedAndWrittenTagsWin() throws {
        let tree = try YAMLDocument.compose(
            "a: null\nb: 'null'\nc: \"\"\nd:\ne: !!null x\nf: !!str ~\ng: |\n  ~\nh: ! ~\n", file: "t.yaml")
        let values = try #require(tree.root.flatMap(Self.mapping)).map(\.value)
        #expect(values.map(\.isNull) == [true, false, false, true, true, false, false, false])
        #expect(values.map { $0.scalar?.style } == [.plain, .singleQuoted, .doubleQuoted, .plain, .plain, .plain,
                                                   .literal, .plain])
        #expect(values[6].scalar?.string == "~\n")
        #expect(values[7].scalar?.resolvedTag == "!")
    }

    @Test func keysAreTheSameWhenTextAndResolvedTagAre() throws {
        // The int 1 and the string "1" are different keys; the int 1 tagged or not is one key.
        _ = try YAMLDocument.compose("1: a\n\"1\": b\n'1 ': c\n", file: "t.yaml")
        let error = #expect(throws: ConfigError.self) {
            try YAMLDocument.compose("1: a\n\"1\": b\n!!int 1: c\n", file: "t.yaml")
        }
        #expect(error?.code == .duplicateKey)
        #expect(error?.location == SourceLocation(file: "t.yaml", line: 3, column: 1))
        #expect(error?.message == "duplicate key '1' (first given at line 1, column 1)")
        // Lists as keys compare item by item.
        #expect(throws: ConfigError.self) { try YAMLDocument.compose("? [1, a]\n: x\n? [1, a]\n: y\n", file: "t.yaml") }
        _ = try YAMLDocument.compose("? [1, a]\n: x\n? [1, 'a ']\n: y\n? [\"1\", a]\n: z\n", file: "t.yaml")
    }

    @Test func mappingLookupByStringFindsStringKeysOnly() throws {
        let tree = try YAMLDocument.compose("type: a\n'kind': b\n!!int 3: c\n", file: "t.yaml")
        let mapping = try #require(tree.root.flatMap(Self.mapping))
        #expect(mapping["type"]?.scalar?.string == "a")
        #expect(mapping["kind"]?.scalar?.string == "b")
        #expect(mapping["3"] == nil)
        #expect(mapping["absent"] == nil)
    }

    @Test func marksAreOneBasedAndCountUnicodeScalars() throws {
        let tree = try YAMLDocument.compose(
            "input: a.wav\nlist:\n  - x\n  - {k: v}\nnäme: [ä, b]\n", file: "t.yaml")
        let pairs = try #require(tree.root.flatMap(Self.mapping)).pairs
        #expect(pairs.map { [$0.key.mark.line, $0.key.mark.column, $0.value.mark.line, $0.value.mark.column] }
                == [[1, 1, 1, 8], [2, 1, 3, 3], [5, 1, 5, 7]])
        guard case .sequence(let list) = pairs[1].value, case .mapping(let entry) = list[1],
              case .sequence(let names) = pairs[2].value
        else { Issue.record("unexpected shapes"); return }
        #expect(list.map(\.mark) == [YAMLMark(line: 3, column: 5), YAMLMark(line: 4, column: 5)])
        #expect(entry.pairs.map(\.value.mark) == [YAMLMark(line: 4, column: 9)])
        #expect(names.map(\.mark) == [YAMLMark(line: 5, column: 8), YAMLMark(line: 5, column: 11)])
    }

    @Test func anAliasCopyCarriesTheAliasMark() throws {
        let tree = try YAMLDocument.compose("a: &x {k: [1]}\nb: *x\n", file: "t.yaml")
        let pairs = try #require(tree.root.flatMap(Self.mapping)).pairs
        #expect(pairs[0].value == pairs[1].value)
        guard case .mapping(let copy) = pairs[1].value, case .sequence(let items) = copy.pairs[0].value else {
            Issue.record("unexpected shape \(pairs[1].value)")
            return
        }
        let alias = YAMLMark(line: 2, column: 4)
        #expect([copy.mark, copy.pairs[0].key.mark, items.mark, items[0].mark] == [alias, alias, alias, alias])
        #expect(tree.aliases[AliasPlace(alias)] == AnchorOrigin(name: "x", line: 1, column: 4))
    }

    @Test func everyDocumentOfAStreamWithItsOwnAnchors() throws {
        let documents = try YAMLDocument.composeAll("a: &x 1\nb: *x\n---\n- 2\n--- ~\n", file: "t.yaml")
        #expect(documents.count == 3)
        guard case .sequence(let list) = documents[1] else {
            Issue.record("expected a list, got \(documents[1])")
            return
        }
        #expect(list.map { $0.scalar?.string } == ["2"])
        #expect([list.mark, list[0].mark] == [YAMLMark(line: 4, column: 1), YAMLMark(line: 4, column: 3)])
        #expect(documents[2].isNull)
        #expect(throws: ConfigError.self) { try YAMLDocument.composeAll("a: &x 1\n---\nb: *x\n", file: "t.yaml") }
    }

    private static func mapping(_ node: YAMLNode) -> YAMLNode.Mapping? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping
    }
}
