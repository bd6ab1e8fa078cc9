/// YAML's standard tags, and the tag a plain scalar has by its text.
///
/// The resolution is YAML 1.1's, as the config reader has always compared keys and told null apart
/// (`yes`, `0x1F`, `1:30` and `2024-01-31` resolve to bool, int, int and timestamp). The reader itself
/// is stricter about what it accepts as a number or a boolean (`ConfigReader+Values`); the tag decides
/// only what is null and which keys are the same key. Matched by hand: a regular expression library
/// would bring Foundation's ICU into the binary.
enum YAMLTag {
    static let str = "tag:yaml.org,2002:str"
    static let seq = "tag:yaml.org,2002:seq"
    static let map = "tag:yaml.org,2002:map"
    static let null = "tag:yaml.org,2002:null"
    static let bool = "tag:yaml.org,2002:bool"
    static let int = "tag:yaml.org,2002:int"
    static let float = "tag:yaml.org,2002:float"
    static let merge = "tag:yaml.org,2002:merge"
    static let timestamp = "tag:yaml.org,2002:timestamp"
    static let value = "tag:yaml.org,2002:value"

    private static let booleans: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]
    private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// The tag of a plain scalar written as `text` without a tag: the first of bool, int, float, merge,
    /// null, timestamp and value whose form it has, else str.
    static func resolved(plain text: String) -> String {
        if booleans.contains(text) { return bool }
        let scalars = Array(text.unicodeScalars)
        if isInt(scalars[...]) { return int }
        if isFloat(scalars[...]) { return float }
        if text == "<<" { return merge }
        if nulls.contains(text) { return null }
        if isTimestamp(scalars[...]) { return timestamp }
        if text == "=" { return value }
        return str
    }

    /// Whether `resolved(plain: text)` is null, without resolving: no null form has an earlier tag's form.
    /// The reader asks this of every value, so it is kept to one set lookup.
    static func isNull(plain text: String) -> Bool {
        nulls.contains(text)
    }

    private typealias Text = ArraySlice<Unicode.Scalar>

    /// Binary `0b1010`, octal `017` or `0o17`, decimal `1_000`, hex `0x1F`, or base 60 `1:30:00`, signed.
    private static func isInt(_ text: Text) -> Bool {
        let t = unsigned(text)
        if t.starts(with: "0b".unicodeScalars) { return isRun(t.dropFirst(2), of: { $0 == "0" || $0 == "1" }) }
        if t.starts(with: "0x".unicodeScalars) { return isRun(t.dropFirst(2), of: { $0.isHexDigit }) }
        if t.first == "0" {
            let rest = t.dropFirst()
            return rest.isEmpty || isRun(rest.first == "o" ? rest.dropFirst() : rest, of: { $0.isOctalDigit })
        }
        guard let first = t.first, first.isASCIIDigit else { return false }
        // `[1-9][0-9_]*` then any number of `:` and a base-60 digit pair.
        var parts = t.split(separator: ":", omittingEmptySubsequences: false)[...]
        guard isRun(parts.removeFirst(), of: { $0.isASCIIDigit }) else { return false }
        return parts.allSatisfy(isSexagesimalDigits)
    }

    /// `1.5`, `1e3`, `1.`, `1_000.5e-3`, `.5`, `.5e+3`, base 60 `1:30.5`, `.inf`, `-.Inf` or `.NaN`.
    private static func isFloat(_ text: Text) -> Bool {
        if [".nan", ".NaN", ".NAN"].contains(where: { text.elementsEqual($0.unicodeScalars) }) { return true }
        let t = unsigned(text)
        if [".inf", ".Inf", ".INF"].contains(where: { t.elementsEqual($0.unicodeScalars) }) { return true }
        if text.first == "." {
            // Unsigned, with at least one digit after the point and a signed exponent.
            let (mantissa, exponent) = splitExponent(text.dropFirst())
            return isRun(mantissa, of: { $0.isASCIIDigit }) && isExponent(exponent, signRequired: true)
        }
        guard let first = t.first, first.isASCIIDigit else { return false }
        if let colon = t.firstIndex(of: ":") {
            // `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`
            guard let point = t.firstIndex(of: "."), point > colon,
                  isRun(t[..<colon], of: { $0.isASCIIDigit }),
                  isRun(t[(point + 1)...], of: { $0.isASCIIDigit }, allowEmpty: true)
            else { return false }
            return t[(colon + 1)..<point].split(separator: ":", omittingEmptySubsequences: false)
                .allSatisfy(isSexagesimalDigits)
        }
        // `[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`
        let (mantissa, exponent) = splitExponent(t)
        let point = mantissa.firstIndex(of: ".")
        return isRun(mantissa[..<(point ?? mantissa.endIndex)], of: { $0.isASCIIDigit })
            && isRun(point.map { mantissa[($0 + 1)...] } ?? [], of: { $0.isASCIIDigit }, allowEmpty: true)
            && isExponent(exponent, signRequired: false)
    }

    /// `2024-01-31`, or a date with one- or two-digit month and day, a time, and optionally a fraction and
    /// a zone: `2024-1-31T12:00:00.5Z`, `2024-01-31 12:00:00 +1:00`.
    private static func isTimestamp(_ text: Text) -> Bool {
        var scan = Scanner(text)
        guard scan.digits(4...4), scan.take("-") else { return false }
        if text.count == 10, scan.digits(2...2), scan.take("-"), scan.digits(2...2) { return true }
        scan = Scanner(text.dropFirst(5))
        guard scan.digits(1...2), scan.take("-"), scan.digits(1...2) else { return false }
        guard scan.take("T") || scan.take("t") || scan.spaces() > 0 else { return false }
        guard scan.digits(1...2), scan.take(":"), scan.digits(2...2), scan.take(":"), scan.digits(2...2) else {
            return false
        }
        if scan.take(".") { _ = scan.digits(0...Int.max) }
        if scan.atEnd { return true }
        _ = scan.spaces()
        if scan.take("Z") { return scan.atEnd }
        guard scan.take("+") || scan.take("-"), scan.digits(1...2) else { return false }
        if scan.take(":") { guard scan.digits(2...2) else { return false } }
        return scan.atEnd
    }

    // MARK: - Pieces

    /// `text` without one leading `+` or `-`.
    private static func unsigned(_ text: Text) -> Text {
        text.first == "+" || text.first == "-" ? text.dropFirst() : text
    }

    /// Whether `text` is one or more characters that pass `test` or are `_` (allowed between digits).
    private static func isRun(_ text: Text, of test: (Unicode.Scalar) -> Bool, allowEmpty: Bool = false) -> Bool {
        (allowEmpty || !text.isEmpty) && text.allSatisfy { $0 == "_" || test($0) }
    }

    /// `[0-5]?[0-9]`: one digit, or two with the first at most 5.
    private static func isSexagesimalDigits(_ text: Text) -> Bool {
        switch text.count {
        case 1: return text.first!.isASCIIDigit
        case 2: return ("0"..."5").contains(text.first!) && text.last!.isASCIIDigit
        default: return false
        }
    }

    /// The text before the first `e` or `E`, and the exponent from that letter on (empty when none).
    private static func splitExponent(_ text: Text) -> (mantissa: Text, exponent: Text) {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return (text, text[text.endIndex...])
        }
        return (text[..<e], text[e...])
    }

    /// Empty, or `e` or `E`, a sign (optional unless `signRequired`) and one or more digits (no `_`).
    private static func isExponent(_ text: Text, signRequired: Bool) -> Bool {
        guard !text.isEmpty else { return true }
        var digits = text.dropFirst()
        if digits.first == "+" || digits.first == "-" {
            digits = digits.dropFirst()
        } else if signRequired {
            return false
        }
        return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    /// Steps through ASCII text piece by piece; each step moves on only when it matches.
    private struct Scanner {
        private var text: Text

        init(_ text: Text) { self.text = text }

        var atEnd: Bool { text.isEmpty }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard text.first == character else { return false }
            text.removeFirst()
            return true
        }

        /// Takes as many digits as it can up to `count`'s upper bound; fails below its lower bound.
        mutating func digits(_ count: ClosedRange<Int>) -> Bool {
            let run = text.prefix { $0.isASCIIDigit }.prefix(count.upperBound).count
            guard count.contains(run) else { return false }
            text.removeFirst(run)
            return true
        }

        /// Takes spaces and tabs; returns how many.
        mutating func spaces() -> Int {
            let run = text.prefix { $0 == " " || $0 == "\t" }.count
            text.removeFirst(run)
            return run
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isOctalDigit: Bool { ("0"..."7").contains(self) }
    fileprivate var isHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
