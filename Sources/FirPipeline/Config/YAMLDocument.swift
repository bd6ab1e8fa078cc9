internal import Yams

/// Turns config text into a Yams node tree, so every later check can point at a node's position, and
/// turns every Yams failure into a `ConfigError` with a position.
enum YAMLDocument {
    /// The single document in `yaml`, or `nil` when there is none (an empty or comment-only file).
    ///
    /// - Throws: `ConfigError` with code `.syntax` or `.duplicateKey`.
    static func compose(_ yaml: String, file: String) throws(ConfigError) -> Node? {
        do {
            // The encoding is given explicitly: the default consults an environment variable and prints.
            return try Yams.compose(yaml: yaml, .default, .default, .utf8)
        } catch let error as YamlError {
            throw configError(for: error, yaml: yaml, file: file)
        } catch {
            throw ConfigError(.syntax, at: .start(of: file), "cannot parse the YAML: \(error)")
        }
    }

    private static func configError(for error: YamlError, yaml: String, file: String) -> ConfigError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigError(.syntax, at: SourceLocation(file: file, mark: mark), message)
        case let .composer(context, problem, mark, _):
            // libyaml splits "expected a single document in the stream" / "but found another document"
            // into context and problem; joined they read as one sentence.
            let text = [context?.text, problem].compactMap { $0 }.joined(separator: " ")
            return ConfigError(.syntax, at: SourceLocation(file: file, mark: mark), "YAML error: \(text)")
        case let .reader(problem, offset, _, _):
            let location = offset.map { characterOffset in
                SourceLocation(file: file, characterOffset: characterOffset, in: yaml)
            }
            return ConfigError(.syntax, at: location ?? .start(of: file), "cannot read the YAML text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicateKeyError(key: duplicates.first ?? "?", first: context.mark, yaml: yaml, file: file)
        default:
            return ConfigError(.syntax, at: .start(of: file), "cannot parse the YAML: \(error)")
        }
    }

    /// Yams reports a duplicate at its first occurrence, but the second is the one to delete or rename,
    /// and the one an editor should jump to.
    private static func duplicateKeyError(key: String, first: Mark, yaml: String, file: String) -> ConfigError {
        let firstLocation = SourceLocation(file: file, mark: first)
        guard let second = secondOccurrence(of: key, first: first, in: yaml) else {
            return ConfigError(.duplicateKey, at: firstLocation, "key '\(key)' appears more than once in this mapping")
        }
        return ConfigError(
            .duplicateKey, at: SourceLocation(file: file, mark: second),
            "duplicate key '\(key)' (first given at line \(first.line), column \(first.column))")
    }

    /// Finds the next occurrence of a duplicated key in the same mapping as its first occurrence.
    ///
    /// Yams gives no tree when it finds a duplicate, so this renames the first occurrence in a copy of
    /// the text, composes the copy, and looks for the key beside the renamed one. Returns `nil` when
    /// that does not work out (e.g. a third occurrence or another duplicate); the caller then reports
    /// the first occurrence, which is still a correct position.
    private static func secondOccurrence(of key: String, first: Mark, in yaml: String) -> Mark? {
        let marker = "firpipe-renamed-duplicate-"
        var lines = yaml.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        guard lines.indices.contains(first.line - 1),
              (0...lines[first.line - 1].count).contains(first.column - 1)
        else { return nil }
        lines[first.line - 1].insert(contentsOf: marker.unicodeScalars, at: first.column - 1)
        var edited = String.UnicodeScalarView()
        for (index, line) in lines.enumerated() {
            if index > 0 { edited.append("\n") }
            edited.append(contentsOf: line)
        }
        guard let root = try? Yams.compose(yaml: String(edited), .default, .default, .utf8) else { return nil }
        return findKey(key, besideKeyWithPrefix: marker, in: root)
    }

    private static func findKey(_ key: String, besideKeyWithPrefix marker: String, in node: Node) -> Mark? {
        switch node {
        case .mapping(let mapping):
            let keys = mapping.keys.compactMap(\.scalar)
            if keys.contains(where: { $0.string.hasPrefix(marker) }),
               let duplicate = keys.first(where: { $0.string == key }) {
                return duplicate.mark
            }
            for (child, value) in mapping {
                if let found = findKey(key, besideKeyWithPrefix: marker, in: child)
                    ?? findKey(key, besideKeyWithPrefix: marker, in: value) {
                    return found
                }
            }
            return nil
        case .sequence(let sequence):
            for child in sequence {
                if let found = findKey(key, besideKeyWithPrefix: marker, in: child) { return found }
            }
            return nil
        case .scalar, .alias:
            return nil
        }
    }
}

extension SourceLocation {
    /// The position of a Yams node; line 1 column 1 for nodes Yams made without one.
    init(file: String, mark: Mark?) {
        self.init(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The position of the character `characterOffset` characters into `text`, as libyaml counts
    /// (lines split at `\n`, columns in Unicode scalars).
    init(file: String, characterOffset: Int, in text: String) {
        var line = 1
        var column = 1
        for character in text.prefix(characterOffset) {
            if character.unicodeScalars.contains("\n") {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        self.init(file: file, line: line, column: column)
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
