internal import CYaml
internal import Yams

/// Builds a Yams node tree from libyaml's events, in one pass whose cost is bounded by the size of the
/// document after alias expansion.
///
/// `Yams.compose` is not used because it cannot be bounded: it hashes every mapping key to find
/// duplicates, so a key that is an alias of nested aliases (`? *i`) costs 10^9 steps at depth 9, and it
/// offers no hook to count. Here every node, and every node an alias copies, is counted as it is made;
/// past `expandedNodeLimit` the document is refused at the alias. Duplicate keys are found by `KeySet` in
/// time linear in the keys.
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
    private var anchors: [String: (node: Node, mark: Mark, size: Int)] = [:]
    /// Nodes made so far, counting every node an alias copies.
    private var expanded = 0
    /// One for every tag, as Yams' parser does: `Constructor.default` builds a new one at each use.
    private let constructor = Constructor.default

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
    func singleDocument() throws(ConfigError) -> Node? {
        _ = try next()  // stream start
        let start = try next()
        guard start.type == YAML_DOCUMENT_START_EVENT else { return nil }
        let root = try node(from: try next())
        _ = try next()  // document end
        let end = try next()
        guard end.type == YAML_STREAM_END_EVENT else {
            throw ConfigError(
                .syntax, at: location(end.startMark),
                "YAML error: expected a single document in the stream but found another document")
        }
        return root
    }

    /// The node that starts with `event`, up to its end event; an anchored node is remembered with its size.
    private func node(from event: YAMLEvent) throws(ConfigError) -> Node {
        let mark = event.startMark
        if event.type == YAML_ALIAS_EVENT {
            return try alias(event.string(event.raw.data.alias.anchor) ?? "", at: mark)
        }
        let start = expanded
        expanded += 1
        let node: Node
        let anchor: String?
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.raw.data.scalar
            anchor = event.string(scalar.anchor)
            var value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            if restoresLineBreaks {
                value = LineBreaks.restoring(value)
            }
            // As Yams does: a quoted scalar is a string whatever it looks like.
            let tag = scalar.quoted_implicit == 1 ? Tag.Name.str.rawValue : event.string(scalar.tag)
            let style = Node.Scalar.Style(rawValue: numericCast(scalar.style.rawValue)) ?? .any
            node = .scalar(.init(value, self.tag(tag), style, mark, anchor.map(Anchor.init(rawValue:))))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.raw.data.sequence_start
            anchor = event.string(start.anchor)
            var children: [Node] = []
            var child = try next()
            while child.type != YAML_SEQUENCE_END_EVENT {
                children.append(try self.node(from: child))
                child = try next()
            }
            let tag = tag(start.implicit != 0 ? nil : event.string(start.tag))
            let style = Node.Sequence.Style(rawValue: numericCast(start.style.rawValue)) ?? .any
            node = .sequence(.init(children, tag, style, mark, anchor.map(Anchor.init(rawValue:))))
        case YAML_MAPPING_START_EVENT:
            let start = event.raw.data.mapping_start
            anchor = event.string(start.anchor)
            let pairs = try pairs()
            let tag = tag(start.implicit != 0 ? nil : event.string(start.tag))
            let style = Node.Mapping.Style(rawValue: numericCast(start.style.rawValue)) ?? .any
            node = .mapping(.init(pairs, tag, style, mark, anchor.map(Anchor.init(rawValue:))))
        default:
            preconditionFailure("libyaml gave event \(event.type.rawValue) where a node belongs")
        }
        if let anchor {
            anchors[anchor] = (node, mark, expanded - start)
        }
        return node
    }

    /// The entries of a mapping, up to its end event; a key given twice is reported at its second place.
    private func pairs() throws(ConfigError) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = []
        var keys = KeySet()
        var event = try next()
        while event.type != YAML_MAPPING_END_EVENT {
            let key = try node(from: event)
            if let first = keys.insert(key) {
                let name = key.scalar.map { "'\($0.string)'" } ?? key.foundDescription
                let place = first.mark.map { " (first given at line \($0.line), column \($0.column))" } ?? ""
                throw ConfigError(.duplicateKey, at: location(event.startMark), "duplicate key \(name)\(place)")
            }
            pairs.append((key, try node(from: try next())))
            event = try next()
        }
        return pairs
    }

    /// A copy of the anchored node, counted in full, with the alias's mark on every node of the copy.
    private func alias(_ name: String, at mark: Mark) throws(ConfigError) -> Node {
        guard let anchor = anchors[name] else {
            throw ConfigError(.syntax, at: location(mark), "YAML error: found undefined alias '*\(name)'")
        }
        expanded += anchor.size
        guard expanded <= Self.expandedNodeLimit else {
            throw ConfigError(
                .tooLarge, at: location(mark),
                "the alias '*\(name)' expands the document past \(Self.expandedNodeLimit) values (anchor at line "
                    + "\(anchor.mark.line), column \(anchor.mark.column)); write the values out or use fewer "
                    + "nested aliases")
        }
        aliases[AliasPlace(mark)] = AnchorOrigin(name: name, line: anchor.mark.line, column: anchor.mark.column)
        return Self.moved(anchor.node, to: mark)
    }

    /// `node` with `mark` on it and on every node inside it.
    private static func moved(_ node: Node, to mark: Mark) -> Node {
        switch node {
        case .scalar(var scalar):
            scalar.mark = mark
            return .scalar(scalar)
        case .sequence(let sequence):
            return .sequence(Node.Sequence(
                sequence.map { moved($0, to: mark) }, sequence.tag, sequence.style, mark, sequence.anchor))
        case .mapping(let mapping):
            return .mapping(Node.Mapping(
                mapping.map { (moved($0.key, to: mark), moved($0.value, to: mark)) }, mapping.tag, mapping.style,
                mark, mapping.anchor))
        case .alias(var alias):
            alias.mark = mark
            return .alias(alias)
        }
    }

    private func tag(_ name: String?) -> Tag {
        Tag(name.map(Tag.Name.init(rawValue:)) ?? .implicit, .default, constructor)
    }

    private func location(_ mark: Mark) -> SourceLocation {
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
/// Yams compares keys by text and resolved tag, and resolving a tag runs regular expressions: hashing
/// every key through it took 80% of the time on a 50,000-key mapping. Keys are looked up by text first
/// and compared by Yams' rules only when the text is the same.
private struct KeySet {
    private var scalars: [String: [Node]] = [:]
    /// Keys that are lists or mappings (which the schema rejects later); their size is bounded by the
    /// alias limit, so hashing them whole is.
    private var others: [Node: Node] = [:]

    /// The earlier key equal to `key`, if any; otherwise `nil`, and `key` is remembered.
    mutating func insert(_ key: Node) -> Node? {
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

    init(_ mark: Mark) {
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

    var startMark: Mark {
        Mark(position: raw.start_mark)
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension Mark {
    /// The 1-based position of a 0-based libyaml mark.
    ///
    /// Yams gives `Mark` no public initializer; it is two `Int`s, `line` then `column`, in a module built
    /// without library evolution, so a pair of the same layout is reinterpreted. `unsafeBitCast` traps if
    /// the sizes ever differ, and the exact positions `ConfigErrorTests` expects catch a change of order.
    init(position: yaml_mark_t) {
        self = unsafeBitCast((line: Int(position.line) + 1, column: Int(position.column) + 1), to: Mark.self)
    }
}
