internal import CLibYAML

/// Builds a `YAMLNode` tree from libyaml's events, in one pass whose cost is bounded by the size of the
/// document after alias expansion.
///
/// Every node, and every node an alias copies, is counted as it is made; past `expandedNodeLimit` the
/// document is refused at the alias, so a key that is an alias of nested aliases (`? *i`) cannot cost
/// 10^9 steps at depth 9. Duplicate keys are found by `KeySet` in time linear in the keys.
///
/// An alias's copy of its anchor's node carries the alias's mark, not the anchor's, so a value that is
/// wrong is reported where the user used it; `aliases` says which anchor each such place copies.
///
/// Used by one thread at a time (`YAMLDocument.compose` makes one per document).
final class YAMLComposer {
    /// How many nodes a document may hold once every alias is expanded. A real config has a few hundred;
    /// this leaves room for large graphs while a document that needs more is an alias bomb.
    static let expandedNodeLimit = 100_000

    /// Where each alias of the document is, and the anchor it copies.
    private(set) var aliases: [AliasPlace: AnchorOrigin] = [:]

    private let file: String
    /// Whether the text had U+0085, U+2028 or U+2029 replaced (see `LineBreaks`), to be put back in values.
    private let restoresLineBreaks: Bool
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let bytes: UnsafeBufferPointer<UInt8>
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    /// Nodes made so far, counting every node an alias copies.
    private var expanded = 0

    /// Starts parsing `bytes`, which must stay valid and unchanged until the composer is released.
    init(bytes: UnsafeBufferPointer<UInt8>, file: String, restoresLineBreaks: Bool) {
        self.file = file
        self.restoresLineBreaks = restoresLineBreaks
        self.bytes = bytes
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The single document, or `nil` for a stream with none (empty or comments only).
    func singleDocument() throws(ConfigError) -> YAMLNode? {
        _ = try next()  // stream start
        guard let root = try nextDocument() else { return nil }
        let end = try next()
        guard end.type == YAML_STREAM_END_EVENT else {
            throw ConfigError(
                .syntax, at: location(end.startMark),
                "YAML error: expected a single document in the stream but found another document")
        }
        return root
    }

    /// Every document of a stream (`---` between them), each with its own anchors.
    func allDocuments() throws(ConfigError) -> [YAMLNode] {
        _ = try next()  // stream start
        var documents: [YAMLNode] = []
        while let document = try nextDocument() {
            documents.append(document)
            anchors = [:]
        }
        return documents
    }

    /// The document that starts with the next event, or `nil` at the end of the stream.
    private func nextDocument() throws(ConfigError) -> YAMLNode? {
        let start = try next()
        guard start.type == YAML_DOCUMENT_START_EVENT else { return nil }
        let root = try node(from: try next())
        _ = try next()  // document end
        return root
    }

    /// The node that starts with `event`, up to its end event; an anchored node is remembered with its size.
    private func node(from event: YAMLEvent) throws(ConfigError) -> YAMLNode {
        let mark = event.startMark
        if event.type == YAML_ALIAS_EVENT {
            return try alias(event.string(event.raw.data.alias.anchor) ?? "", at: mark)
        }
        let start = expanded
        expanded += 1
        let node: YAMLNode
        let anchor: String?
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.raw.data.scalar
            anchor = event.string(scalar.anchor)
            var value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            if restoresLineBreaks {
                value = LineBreaks.restoring(value)
            }
            // A scalar without a tag is resolved by its text only when plain (`YAMLNode.Scalar.resolvedTag`).
            node = .scalar(
                .init(string: value, style: Self.style(scalar.style), tag: event.string(scalar.tag), mark: mark))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.raw.data.sequence_start
            anchor = event.string(start.anchor)
            var children: [YAMLNode] = []
            var child = try next()
            while child.type != YAML_SEQUENCE_END_EVENT {
                children.append(try self.node(from: child))
                child = try next()
            }
            let tag = start.implicit != 0 ? nil : event.string(start.tag)
            node = .sequence(.init(items: children, tag: tag, mark: mark))
        case YAML_MAPPING_START_EVENT:
            let start = event.raw.data.mapping_start
            anchor = event.string(start.anchor)
            let pairs = try pairs()
            let tag = start.implicit != 0 ? nil : event.string(start.tag)
            node = .mapping(.init(pairs: pairs, tag: tag, mark: mark))
        default:
            preconditionFailure("libyaml gave event \(event.type.rawValue) where a node belongs")
        }
        if let anchor {
            anchors[anchor] = (node, expanded - start)
        }
        return node
    }

    /// The entries of a mapping, up to its end event; a key given twice is reported at its second place.
    private func pairs() throws(ConfigError) -> [(key: YAMLNode, value: YAMLNode)] {
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var keys = KeySet()
        var event = try next()
        while event.type != YAML_MAPPING_END_EVENT {
            let key = try node(from: event)
            if let first = keys.insert(key) {
                let name = key.scalar.map { "'\($0.string)'" } ?? key.foundDescription
                throw ConfigError(
                    .duplicateKey, at: location(event.startMark),
                    "duplicate key \(name) (first given at line \(first.mark.line), column \(first.mark.column))")
            }
            pairs.append((key, try node(from: try next())))
            event = try next()
        }
        return pairs
    }

    /// A copy of the anchored node, counted in full, with the alias's mark on every node of the copy.
    private func alias(_ name: String, at mark: YAMLMark) throws(ConfigError) -> YAMLNode {
        guard let anchor = anchors[name] else {
            throw ConfigError(.syntax, at: location(mark), "YAML error: found undefined alias '*\(name)'")
        }
        expanded += anchor.size
        guard expanded <= Self.expandedNodeLimit else {
            throw ConfigError(
                .tooLarge, at: location(mark),
                "the alias '*\(name)' expands the document past \(Self.expandedNodeLimit) values (anchor at line "
                    + "\(anchor.node.mark.line), column \(anchor.node.mark.column)); write the values out or use fewer "
                    + "nested aliases")
        }
        let origin = anchor.node.mark
        aliases[AliasPlace(mark)] = AnchorOrigin(name: name, line: origin.line, column: origin.column)
        return anchor.node.moved(to: mark)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain  // the parser gives plain for a plain scalar, never "any"
        }
    }

    private func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, mark: mark)
    }

    private func next() throws(ConfigError) -> YAMLEvent {
        let event = YAMLEvent()
        guard yaml_parser_parse(parser, &event.raw) == 1 else {
            throw YAMLParseFailure.configError(for: parser.pointee, text: bytes, file: file)
        }
        return event
    }
}

/// The keys of one mapping so far, to find a key given twice.
///
/// Keys are the same when text and resolved tag are (`YAMLNode`'s equality); resolving costs more than
/// hashing the text, so keys are looked up by text first and compared in full only when the text is the same.
private struct KeySet {
    private var scalars: [String: [YAMLNode]] = [:]
    /// Keys that are lists or mappings (which the schema rejects later); their size is bounded by the
    /// alias limit, so hashing them whole is.
    private var others: [YAMLNode: YAMLNode] = [:]

    /// The earlier key equal to `key`, if any; otherwise `nil`, and `key` is remembered.
    mutating func insert(_ key: YAMLNode) -> YAMLNode? {
        guard case .scalar(let scalar) = key else {
            return others.updateValue(key, forKey: key)
        }
        if let earlier = scalars[scalar.string]?.first(where: { $0 == key }) {
            return earlier
        }
        scalars[scalar.string, default: []].append(key)
        return nil
    }
}

/// The line and column of an alias in a document, as a dictionary key.
struct AliasPlace: Hashable {
    var line: Int
    var column: Int

    init(_ mark: YAMLMark) {
        line = mark.line
        column = mark.column
    }

    init(_ location: SourceLocation) {
        line = location.line
        column = location.column
    }
}

/// One libyaml event, freed when released.
private final class YAMLEvent {
    var raw = yaml_event_t()

    deinit { yaml_event_delete(&raw) }

    var type: yaml_event_type_t { raw.type }

    var startMark: YAMLMark {
        YAMLMark(position: raw.start_mark)
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension YAMLMark {
    /// The 1-based position of a 0-based libyaml mark.
    init(position: yaml_mark_t) {
        self.init(line: Int(position.line) + 1, column: Int(position.column) + 1)
    }
}
