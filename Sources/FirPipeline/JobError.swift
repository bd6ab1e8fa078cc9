import FirCore

/// A failure of a batch job that the user caused or can fix, with what kind it is so the executable
/// can pick the sysexits code.
public struct JobError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, by whose fault; cases can grow.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The command was used wrongly (a format that cannot hold the data, an unknown extension).
        public static let usage = Kind(name: "usage")
        /// An input file's contents are wrong (corrupt audio, a bad kernel, mismatched channels or rates).
        public static let badData = Kind(name: "bad data")
        /// An input file is missing or unreadable.
        public static let missingInput = Kind(name: "missing input")
        /// The output cannot be created.
        public static let cannotCreate = Kind(name: "cannot create")
        /// Reading or writing failed part-way (disk full, I/O error).
        public static let ioError = Kind(name: "I/O error")
        /// The config file is wrong.
        public static let config = Kind(name: "config")
        /// The system refused a resource the job needs: a thread, memory, file descriptors (EX_OSERR).
        public static let osError = Kind(name: "OS error")
        /// The user stopped the job (SIGINT, SIGTERM).
        public static let interrupted = Kind(name: "interrupted")
        public var description: String { name }
    }

    public var kind: Kind
    /// One line: which file, what is wrong, what to do.
    public var message: String
    /// The config key this error is about (`"kernel"`, `"channels.1.kernel"`), when the job came from a
    /// config file; lets the executable report FILE:LINE:COLUMN.
    public var configKey: String?

    public init(_ kind: Kind, _ message: String, configKey: String? = nil) {
        self.kind = kind
        self.message = message
        self.configKey = configKey
    }

    public var description: String { message }
}

extension JobError {
    /// `resource` refused while `doing` something for `path` (the output the user named): one line
    /// saying what the user can change.
    public init(_ resource: ResourceError, path: String, while doing: String) {
        let advice = switch resource.resource {
        case .thread: "try fewer --threads or a larger memory limit (ulimit -v)"
        case .memory: "try a shorter kernel, fewer --threads or a larger memory limit (ulimit -v)"
        }
        self.init(.osError, "\(path): \(resource) while \(doing); \(advice)")
    }
}
