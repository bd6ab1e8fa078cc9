/// A problem with a config file that the user can fix, with the place in the file to fix it.
///
/// `description` is one line, `FILE:LINE:COLUMN: message` (or `FILE: message` when the file could not be
/// read at all), ready to print on stderr.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is, so a caller can pick an exit status without parsing `message`.
    ///
    /// A struct rather than an enum so kinds can be added without breaking exhaustive switches.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, e.g. `"unknownKey"`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The config file does not exist, is a directory, or cannot be read or decoded as UTF-8.
        public static let unreadable = Code("unreadable")
        /// The text is not valid YAML, or holds more than one document.
        public static let syntax = Code("syntax")
        /// The document is empty or its top level is not a mapping.
        public static let notAMapping = Code("notAMapping")
        /// A key the schema does not know.
        public static let unknownKey = Code("unknownKey")
        /// A key given twice in one mapping.
        public static let duplicateKey = Code("duplicateKey")
        /// A value of the wrong YAML type, e.g. text where a number belongs.
        public static let wrongType = Code("wrongType")
        /// A value of the right type that is not allowed: out of range, not one of the names, empty.
        public static let invalidValue = Code("invalidValue")
        /// Keys that cannot be given together, e.g. both `kernel` and `channels`.
        public static let conflict = Code("conflict")
        /// A required value given neither in the file nor on the command line.
        public static let missingValue = Code("missingValue")
        /// A document that aliases expand past `YAMLComposer.expandedNodeLimit` values (an alias bomb).
        public static let tooLarge = Code("tooLarge")
        /// A file named in the config (input or kernel) that does not exist.
        public static let missingFile = Code("missingFile")

        public var description: String { name }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The config file as the user named it; used in `description` when there is no `location`.
    public var file: String
    /// Where the problem is; `nil` only when the file cannot be read at all.
    public var location: SourceLocation?
    /// What is wrong and, where it helps, how to fix it. Without the location prefix.
    public var message: String

    /// Creates an error; `file` defaults to the location's file.
    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.file = location.file
        self.location = location
        self.message = message
    }

    /// Creates an error about a file that has no position to point at (it could not be read).
    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.location = nil
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message` or `FILE: message`, always on one line.
    public var description: String {
        // Messages can quote user text (a key with a newline in it, libyaml's problem strings);
        // the caller prints this as one stderr line, so line breaks become spaces.
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let location {
            guard let anchor = location.anchor else { return "\(location): \(oneLine)" }
            return "\(location): \(oneLine) (value from anchor &\(anchor.name) at line \(anchor.line), "
                + "column \(anchor.column))"
        }
        return "\(file): \(oneLine)"
    }
}
