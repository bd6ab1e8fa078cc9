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
