internal import Glibc

/// Everything that can go wrong reading or writing an audio or kernel file, as one value the executable
/// can print on one line.
///
/// A value type with no shared state: create and inspect it on any thread.
public struct AudioError: Error, Sendable, CustomStringConvertible {
    /// The class of failure. A struct with static members rather than an enum so that new kinds can be
    /// added without breaking callers that switch over the existing ones.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// A stable name for logs and tests.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The file does not exist (or a directory on its path does not).
        public static let missing = Kind("missing")
        /// The file exists but cannot be opened for reading: permissions, or it is a directory.
        public static let unreadable = Kind("unreadable")
        /// The file opened but its contents are not usable: not audio, a corrupt header, a truncated body,
        /// a kernel with no taps or with a non-finite value.
        public static let badData = Kind("badData")
        /// The request is valid but the container, sample format, channel count or encoding is not one
        /// libsndfile can handle in that combination (e.g. FLAC with float samples).
        public static let unsupported = Kind("unsupported")
        /// An output file or its temporary could not be created.
        public static let cannotCreate = Kind("cannotCreate")
        /// A read, write, sync or rename failed after the file was open: disk full, EIO, file size limit.
        public static let ioError = Kind("ioError")
        /// The system refused a resource the file needs, whatever the file: too many open files for the
        /// process (EMFILE) or the system (ENFILE); a library loaded at first use (libsoxr) is missing.
        public static let outOfResources = Kind("outOfResources")

        public var description: String { name }
    }

    /// What kind of failure this is; callers choose exit codes from it.
    public var kind: Kind
    /// The file concerned, as the caller named it.
    public var path: String
    /// "<what is wrong>; <what to do>", without the path.
    public var message: String
    /// The 1-based line in a text kernel where the problem is, when there is one.
    public var line: Int?

    /// Makes an error. `message` should read "<what is wrong>; <what to do>".
    public init(_ kind: Kind, path: String, message: String, line: Int? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.line = line
    }

    /// One line, "<path>: <what is wrong>; <what to do>", or "<path>:<line>: ..." for text kernels.
    /// Newlines that a C library put in its reason are flattened, since the executable prints one line;
    /// the path is shown as ``PlatformPath/displayed(_:)`` shows it (a newline in a name as `\x0a`), and
    /// shortened when it is too long to quote whole.
    public var description: String {
        let shown = PlatformPath.displayed(PlatformPath.abbreviated(path))
        let location = line.map { "\(shown):\($0)" } ?? shown
        return PlatformPath.displayed("\(location): \(message)".flattenedToOneLine)
    }
}

extension AudioError {
    /// The error for a call on `path` that failed because the process or the system has no descriptor
    /// left (EMFILE, ENFILE); nil for any other errno. Not the file's fault, so neither "missing" nor
    /// "cannot create": the executable exits with EX_OSERR. Any thread.
    public static func outOfResources(_ path: String, _ code: Int32) -> AudioError? {
        guard code == EMFILE || code == ENFILE else { return nil }
        var limit = rlimit()
        let known = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        let whose = code == ENFILE
            ? "the system has too many files open"
            : "this process has too many files open" + (known ? " (the limit, ulimit -n, is \(limit.rlim_cur))" : "")
        return AudioError(
            .outOfResources, path: path,
            message: "cannot be opened: \(whose); raise the limit (e.g. ulimit -n 1024) or close other files")
    }
}

extension String {
    /// The text with every line break (and the spaces around it) replaced by one space.
    var flattenedToOneLine: String {
        guard contains(where: \.isNewline) else { return self }
        return split(whereSeparator: \.isNewline)
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
