internal import CYaml
internal import Yams

/// A composed config document: its root node and where its aliases are.
struct YAMLTree {
    /// The single document, or `nil` when there is none (an empty or comment-only file).
    var root: Node?
    /// The anchor each alias in the document copies, by the alias's position.
    var aliases: [AliasPlace: AnchorOrigin]
}

/// Turns config text into a Yams node tree, so every later check can point at a node's position, and
/// turns every libyaml failure into a `ConfigError` with a position.
enum YAMLDocument {
    /// The single document in `yaml` and its aliases.
    ///
    /// Takes time linear in the text plus the nodes that aliases copy, which are bounded by
    /// `YAMLComposer.expandedNodeLimit`.
    ///
    /// - Throws: `ConfigError` with code `.syntax`, `.duplicateKey` or `.tooLarge`.
    static func compose(_ yaml: String, file: String) throws(ConfigError) -> YAMLTree {
        let substituted = try LineBreaks.substituted(yaml, file: file)
        let bytes = Array((substituted ?? yaml).utf8)
        let composed: Result<YAMLTree, ConfigError> = bytes.withUnsafeBufferPointer { buffer in
            let composer = YAMLComposer(bytes: buffer, file: file, restoresLineBreaks: substituted != nil)
            return Result { () throws(ConfigError) in
                YAMLTree(root: try composer.singleDocument(), aliases: composer.aliases)
            }
        }
        return try composed.get()
    }
}

/// Turns the error state of a failed `yaml_parser_parse` into a `ConfigError`.
enum YAMLParseFailure {
    /// `text` is the parser's input, for the reader's byte offsets.
    static func configError(
        for parser: yaml_parser_t, text: UnsafeBufferPointer<UInt8>, file: String
    ) -> ConfigError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let at = SourceLocation(file: file, mark: Mark(position: parser.problem_mark))
        switch parser.error {
        case YAML_READER_ERROR:
            // The reader reports a byte offset rather than a mark; the text before it is valid UTF-8.
            let before = UnsafeBufferPointer(rebasing: text.prefix(parser.problem_offset))
            var position = TextPosition()
            String(decoding: before, as: UTF8.self).unicodeScalars.forEach { position.advance(past: $0) }
            return ConfigError(
                .syntax, at: SourceLocation(file: file, line: position.line, column: position.column),
                "cannot read the YAML text: \(problem)")
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_COMPOSER_ERROR:
            var message = "YAML syntax error: \(problem)"
            if let context = parser.context {
                let mark = Mark(position: parser.context_mark)
                message += " (\(String(cString: context)) at line \(mark.line), column \(mark.column))"
            }
            return ConfigError(.syntax, at: at, message)
        default:
            return ConfigError(.syntax, at: .start(of: file), "cannot parse the YAML: out of memory")
        }
    }
}

extension SourceLocation {
    /// The position of a Yams node; line 1 column 1 for nodes Yams made without one.
    init(file: String, mark: Mark?) {
        self.init(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}

extension Node {
    /// What a user sees in their file, for "found …" in messages.
    var foundDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: return "the quoted string '\(scalar.string)'"
            default: return "'\(scalar.string)'"
            }
        }
    }

    /// An empty value, `~` or `null`, written without quotes.
    var isNull: Bool {
        guard case .scalar = self else { return false }
        // `Tag.name` is internal to Yams; its description is the resolved name.
        return tag.description == Tag.Name.null.rawValue
    }
}
