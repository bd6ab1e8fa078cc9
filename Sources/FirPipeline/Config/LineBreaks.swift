/// Keeps U+0085 (NEL), U+2028 (LINE SEPARATOR) and U+2029 (PARAGRAPH SEPARATOR) from acting as line
/// breaks.
///
/// YAML 1.2 makes them ordinary characters, and editors number lines by `\n`, `\r\n` and `\r` alone; but
/// libyaml follows YAML 1.1 and breaks lines at them, so one in a comment moved every later reported
/// line by one and made the rest of the comment YAML content. Before parsing, each is replaced by a
/// noncharacter (U+FDD0–U+FDD2, which Unicode reserves for internal use) of the same length in scalars,
/// so lines and columns hold; scalar values get the original characters back.
enum LineBreaks {
    private static let originals: [Unicode.Scalar] = ["\u{85}", "\u{2028}", "\u{2029}"]
    // Swift accepts no noncharacter in a literal.
    private static let standIns: [Unicode.Scalar] = (UInt32(0xFDD0)...0xFDD2).compactMap(Unicode.Scalar.init)

    /// `text` with the three characters replaced, or `nil` when it has none of them (the usual case).
    ///
    /// - Throws: `ConfigError` with code `.syntax` when the text also holds one of the stand-ins itself,
    ///   which could not then be told apart.
    static func substituted(_ text: String, file: String) throws(ConfigError) -> String? {
        guard text.unicodeScalars.contains(where: originals.contains) else { return nil }
        var result = String.UnicodeScalarView()
        var position = TextPosition()
        for scalar in text.unicodeScalars {
            if standIns.contains(scalar) {
                throw ConfigError(
                    .syntax, at: SourceLocation(file: file, line: position.line, column: position.column),
                    "the noncharacter U+\(String(scalar.value, radix: 16, uppercase: true)) cannot be read in a file "
                        + "that also holds U+0085, U+2028 or U+2029; delete it")
            }
            position.advance(past: scalar)
            result.append(originals.firstIndex(of: scalar).map { standIns[$0] } ?? scalar)
        }
        return String(result)
    }

    /// A value parsed from substituted text, with the original characters back.
    static func restoring(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: standIns.contains) else { return value }
        var result = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            result.append(standIns.firstIndex(of: scalar).map { originals[$0] } ?? scalar)
        }
        return String(result)
    }
}
