#if canImport(Glibc)
internal import Glibc
#endif

/// The system refused a resource a run needs at set-up: a thread, or memory. Not the user's input at
/// fault, but something they can change (a shorter kernel, fewer threads, a larger memory limit), so
/// it is a typed error the executable reports as one line and EX_OSERR, never a crash or a hang.
public struct ResourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What could not be had.
    public enum Resource: Sendable, Equatable {
        /// A thread named `name`; `errno` is pthread_create's result (EAGAIN, ENOMEM).
        case thread(name: String, errno: Int32)
        /// `bytes` of memory.
        case memory(bytes: Int)
    }

    public var resource: Resource

    public init(_ resource: Resource) {
        self.resource = resource
    }

    /// What failed, for the end of a sentence ("out of memory (64 MB)").
    public var description: String {
        switch resource {
        case .thread(let name, let code):
            return "cannot start thread \(name) (\(String(cString: strerror(code))))"
        case .memory(let bytes):
            return "out of memory (\(Self.megabytes(bytes)) MB more were needed)"
        }
    }

    /// Bytes as whole megabytes, rounded up, so a small failed request does not read "0 MB".
    static func megabytes(_ bytes: Int) -> Int { (bytes + (1 << 20) - 1) >> 20 }
}
