/// A 1-based line and column in a YAML text, columns counted in Unicode scalars as libyaml counts them.
struct YAMLMark: Hashable, Sendable {
    var line: Int
    var column: Int
}

/// One node of a composed YAML document: a scalar, a mapping or a list, each with where it starts.
///
/// Aliases are already expanded by `YAMLComposer`, so there is no alias node. Two nodes are equal when
/// YAML says they are the same value, as a mapping's keys are compared: same kind, same content and the
/// same resolved tag (so the plain key `1`, an int, differs from the quoted key `"1"`, a string); marks and
/// styles do not count.
enum YAMLNode: Hashable, Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// A scalar's text and how it was written.
    struct Scalar: Hashable, Sendable {
        /// How a scalar is written; only a plain one is resolved to null, a number or a boolean.
        enum Style: Sendable {
            case plain, singleQuoted, doubleQuoted, literal, folded
        }

        var string: String
        var style: Style
        /// The tag written before the scalar, expanded (`!!int` is `tag:yaml.org,2002:int`), or `nil`.
        var tag: String?
        var mark: YAMLMark

        /// The written tag; else a plain scalar's tag from its text (`YAMLTag.resolved(plain:)`), any other
        /// style a string's.
        var resolvedTag: String {
            tag ?? (style == .plain ? YAMLTag.resolved(plain: string) : YAMLTag.str)
        }

        static func == (a: Scalar, b: Scalar) -> Bool {
            a.string == b.string && a.resolvedTag == b.resolvedTag
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(string)
            hasher.combine(resolvedTag)
        }
    }

    /// A mapping's entries in file order.
    struct Mapping: Swift.Sequence, Hashable, Sendable {
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        /// The tag written before the mapping, or `nil`.
        var tag: String?
        var mark: YAMLMark

        func makeIterator() -> IndexingIterator<[(key: YAMLNode, value: YAMLNode)]> {
            pairs.makeIterator()
        }

        /// The value of the key written as the string `key` (plain or quoted, not `!!int 1` for `"1"`).
        subscript(key: String) -> YAMLNode? {
            pairs.last {
                guard case .scalar(let scalar) = $0.key else { return false }
                return scalar.string == key && scalar.resolvedTag == YAMLTag.str
            }?.value
        }

        static func == (a: Mapping, b: Mapping) -> Bool {
            (a.tag ?? YAMLTag.map) == (b.tag ?? YAMLTag.map) && a.pairs.elementsEqual(b.pairs) { $0 == $1 }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(tag ?? YAMLTag.map)
            for (key, value) in pairs {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// A list's items in file order.
    struct Sequence: RandomAccessCollection, Hashable, Sendable {
        var items: [YAMLNode]
        /// The tag written before the list, or `nil`.
        var tag: String?
        var mark: YAMLMark

        var startIndex: Int { items.startIndex }
        var endIndex: Int { items.endIndex }
        subscript(index: Int) -> YAMLNode { items[index] }

        static func == (a: Sequence, b: Sequence) -> Bool {
            (a.tag ?? YAMLTag.seq) == (b.tag ?? YAMLTag.seq) && a.items == b.items
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(tag ?? YAMLTag.seq)
            hasher.combine(items)
        }
    }

    /// Where the node starts.
    var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .mapping(let mapping): return mapping.mark
        case .sequence(let sequence): return sequence.mark
        }
    }

    /// The scalar, if the node is one.
    var scalar: Scalar? {
        guard case .scalar(let scalar) = self else { return nil }
        return scalar
    }

    /// An empty value, `~` or `null` written without quotes, or a value tagged `!!null`.
    var isNull: Bool {
        guard let scalar else { return false }
        return scalar.tag.map { $0 == YAMLTag.null } ?? (scalar.style == .plain && YAMLTag.isNull(plain: scalar.string))
    }

    /// What a user sees in their file, for "found …" in messages.
    var foundDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: return "the quoted string '\(scalar.string)'"
            default: return "'\(scalar.string)'"
            }
        }
    }

    /// This node with `mark` on it and on every node inside it, as an alias's copy of its anchor carries.
    func moved(to mark: YAMLMark) -> YAMLNode {
        switch self {
        case .scalar(var scalar):
            scalar.mark = mark
            return .scalar(scalar)
        case .sequence(var sequence):
            sequence.items = sequence.items.map { $0.moved(to: mark) }
            sequence.mark = mark
            return .sequence(sequence)
        case .mapping(var mapping):
            mapping.pairs = mapping.pairs.map { ($0.key.moved(to: mark), $0.value.moved(to: mark)) }
            mapping.mark = mark
            return .mapping(mapping)
        }
    }
}
