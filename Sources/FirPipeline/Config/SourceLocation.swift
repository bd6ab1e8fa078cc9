/// A position in a config file, as editors and compilers print it: `FILE:LINE:COLUMN`.
///
/// Lines and columns start at 1. Columns count Unicode scalars, as libyaml does, so a line with
/// non-ASCII text before the position may show a different column in an editor that counts bytes.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (not made absolute), so messages echo what was typed.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number, in Unicode scalars.
    public var column: Int
    /// For a value the user gave as an alias (`*name`), the anchor it copies: the text to fix may be there.
    public var anchor: AnchorOrigin?

    /// Creates a location; `line` and `column` are 1-based.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The first character of `file`, where errors about the file as a whole are reported.
    public static func start(of file: String) -> SourceLocation {
        SourceLocation(file: file, line: 1, column: 1)
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// Where an anchor (`&name`) is, for a value that reaches a location through an alias of it.
public struct AnchorOrigin: Sendable, Equatable {
    /// The anchor's name, without `&`.
    public var name: String
    /// 1-based line of the anchored value.
    public var line: Int
    /// 1-based column of the anchored value, in Unicode scalars.
    public var column: Int

    /// Creates an origin; `line` and `column` are 1-based.
    public init(name: String, line: Int, column: Int) {
        self.name = name
        self.line = line
        self.column = column
    }
}

/// A line and column in text as an editor counts them: lines end at `\n`, `\r\n` or `\r`; columns count
/// Unicode scalars, as libyaml does.
struct TextPosition {
    private(set) var line = 1
    private(set) var column = 1
    private var afterCarriageReturn = false

    /// Moves past `scalar`.
    mutating func advance(past scalar: Unicode.Scalar) {
        switch scalar {
        case "\n" where afterCarriageReturn:
            break  // the second half of `\r\n`, already counted
        case "\n", "\r":
            line += 1
            column = 1
        default:
            column += 1
        }
        afterCarriageReturn = scalar == "\r"
    }
}
