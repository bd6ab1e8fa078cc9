internal import CLibYAML

/// A composed config document: its root node and where its aliases are.
struct YAMLTree {
    /// The single document, or `nil` when there is none (an empty or comment-only file).
    var root: YAMLNode?
    /// The anchor each alias in the document copies, by the alias's position.
    var aliases: [AliasPlace: AnchorOrigin]
}

/// Turns config text into a `YAMLNode` tree, so every later check can point at a node's position, and
/// turns every libyaml failure into a `ConfigError` with a position.
enum YAMLDocument {
    /// The single document in `yaml` and its aliases.
    ///
    /// Takes time linear in the text plus the nodes that aliases copy, which are bounded by
    /// `YAMLComposer.expandedNodeLimit`.
    ///
    /// - Throws: `ConfigError` with code `.syntax`, `.duplicateKey` or `.tooLarge`.
    static func compose(_ yaml: String, file: String) throws(ConfigError) -> YAMLTree {
        try withComposer(yaml, file: file) { composer throws(ConfigError) in
            YAMLTree(root: try composer.singleDocument(), aliases: composer.aliases)
        }
    }

    /// Every document in `yaml`, for YAML files that are not configs (a Kubernetes manifest of several
    /// documents, in the tests); the same checks and limits as `compose`, aliases not reported.
    static func composeAll(_ yaml: String, file: String) throws(ConfigError) -> [YAMLNode] {
        try withComposer(yaml, file: file) { composer throws(ConfigError) in try composer.allDocuments() }
    }

    /// `body`'s result on a composer of `yaml`, whose text lives as long as `body` runs.
    private static func withComposer<Value>(
        _ yaml: String, file: String, _ body: (YAMLComposer) throws(ConfigError) -> Value
    ) throws(ConfigError) -> Value {
        let substituted = try LineBreaks.substituted(yaml, file: file)
        let bytes = Array((substituted ?? yaml).utf8)
        let composed: Result<Value, ConfigError> = bytes.withUnsafeBufferPointer { buffer in
            let composer = YAMLComposer(bytes: buffer, file: file, restoresLineBreaks: substituted != nil)
            return Result { () throws(ConfigError) in try body(composer) }
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
        let at = SourceLocation(file: file, mark: YAMLMark(position: parser.problem_mark))
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
                let mark = YAMLMark(position: parser.context_mark)
                message += " (\(String(cString: context)) at line \(mark.line), column \(mark.column))"
            }
            return ConfigError(.syntax, at: at, message)
        default:
            return ConfigError(.syntax, at: .start(of: file), "cannot parse the YAML: out of memory")
        }
    }
}

extension SourceLocation {
    /// The position of a node or of libyaml's mark.
    init(file: String, mark: YAMLMark) {
        self.init(file: file, line: mark.line, column: mark.column)
    }
}
