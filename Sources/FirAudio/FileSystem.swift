internal import Glibc

/// Runs a POSIX call that reports failure by returning -1 and setting errno, and turns that failure into
/// the typed error `failure` builds from errno. The shared helper of the modules' system calls: the daemon
/// (`posixCall`) and the spool (`spoolSystemCall`) wrap it with their own error types.
///
/// - Parameters:
///   - retryOnInterrupt: retry when the call fails with EINTR. Pass `false` for `close(2)`: on Linux the
///     descriptor is gone even when close reports EINTR, so retrying could close someone else's descriptor.
/// Any thread.
@discardableResult
public func systemCall<R: BinaryInteger, Failure: Error>(
    retryOnInterrupt: Bool = true,
    _ failure: (Int32) -> Failure,
    _ body: () -> R
) throws(Failure) -> R {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR && retryOnInterrupt { continue }
        throw failure(code)
    }
}

/// The system's text for an errno value, e.g. "No such file or directory". Any thread.
public func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// A directory ``makeDirectories(_:mode:)`` could not make: the part of the path that failed, and errno
/// (ENOTDIR when that part exists and is not a directory).
public struct DirectoryFailure: Error, Equatable {
    public let path: String
    public let code: Int32
}

/// Creates `directory` and its missing parents with `mode` (less the umask), as `mkdir -p -m` does for
/// the parts that are new; existing directories keep their modes. Returns nil when `directory` exists as
/// a directory afterwards (made meanwhile by another process too), else which part failed. Any thread.
public func makeDirectories(_ directory: String, mode: UInt32 = 0o777) -> DirectoryFailure? {
    var prefix = directory.hasPrefix("/") ? "/" : ""
    for part in directory.split(separator: "/") {
        prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
        let made = PlatformPath.withCString(prefix) { mkdir($0, mode_t(mode)) }
        guard made != 0 else { continue }
        let code = errno
        var info = stat()
        let isDirectory = PlatformPath.withCString(prefix) { stat($0, &info) } == 0 && info.st_mode & S_IFMT == S_IFDIR
        if !isDirectory { return DirectoryFailure(path: prefix, code: code == EEXIST ? ENOTDIR : code) }
    }
    return nil
}

/// File-system steps shared by the reader, the writer, the atomic output and the kernel loader, each
/// returning errors that name the file and say what to do.
public enum FileSystem {
    /// Opens `path` read-only and refuses directories. The caller owns the returned descriptor.
    /// Opening first (instead of stat-then-open) gives errno for exactly the file that would be read.
    static func openForReading(_ path: String) throws(AudioError) -> Int32 {
        let fd = try systemCall({ readFailure(path, $0) }) {
            PlatformPath.withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        }
        var status = stat()
        do {
            try systemCall({ readFailure(path, $0) }) { fstat(fd, &status) }
        } catch {
            close(fd)
            throw error
        }
        // A directory opens fine read-only; refuse it here, or libsndfile would call it "unknown format".
        if status.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw readFailure(path, EISDIR)
        }
        return fd
    }

    /// The error for a failed open or stat of a file we meant to read.
    static func readFailure(_ path: String, _ code: Int32) -> AudioError {
        if let exhausted = AudioError.outOfResources(path, code) { return exhausted }
        switch code {
        case ENOENT, ENOTDIR:
            return AudioError(.missing, path: path, message: "no such file; check the path and the working directory")
        case EACCES, EPERM:
            return AudioError(
                .unreadable, path: path,
                message: "permission denied; make the file (and its directories) readable, e.g. chmod a+r")
        case EISDIR:
            return AudioError(.unreadable, path: path, message: "is a directory, not a file; give the path of a file")
        default:
            return AudioError(
                .unreadable, path: path, message: "cannot be opened (\(errnoText(code))); check the file and the disk")
        }
    }

    /// Creates or truncates `path` for writing (and reading, which some libsndfile containers need while
    /// updating their headers). The caller owns the returned descriptor.
    static func createForWriting(_ path: String) throws(AudioError) -> Int32 {
        try systemCall({ code in
            AudioError.outOfResources(path, code) ?? AudioError(
                .cannotCreate, path: path,
                message: "cannot be created (\(errnoText(code))); check the directory exists, is writable and has space")
        }) { PlatformPath.withCString(path) { open($0, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666) } }
    }

    /// A second descriptor for the open file of `fd` (which belongs to `path`), closed on exec; for
    /// libsndfile to own and close while the caller keeps `fd`.
    static func duplicate(_ fd: Int32, path: String) throws(AudioError) -> Int32 {
        try systemCall({ ioFailure(path, "could not be opened a second time", $0) }) { fcntl(fd, F_DUPFD_CLOEXEC, 0) }
    }

    /// Flushes `fd` (which belongs to `path`) to stable storage. Deferred write errors (EIO, ENOSPC on
    /// some file systems) surface here, so this must be checked before the file is renamed into place.
    static func sync(_ fd: Int32, path: String) throws(AudioError) {
        try systemCall({ ioFailure(path, "could not be flushed to disk", $0) }) { fsync(fd) }
    }

    /// Closes a descriptor we wrote through. NFS reports some write errors only at close.
    static func closeWritten(_ fd: Int32, path: String) throws(AudioError) {
        try systemCall(retryOnInterrupt: false, { ioFailure(path, "could not be closed", $0) }) { close(fd) }
    }

    /// Flushes the directory entry changes (a rename) in `directory` to stable storage.
    static func syncDirectory(_ directory: String, renamedPath: String) throws(AudioError) {
        try DurableFile.syncDirectory(directory) { code in
            ioFailure(renamedPath, "was renamed but its directory could not be flushed to disk", code)
        }
    }

    /// An `.ioError` saying what failed, errno's text, and what to do.
    static func ioFailure(_ path: String, _ what: String, _ code: Int32) -> AudioError {
        AudioError.outOfResources(path, code)
            ?? AudioError(.ioError, path: path, message: "\(what) (\(errnoText(code))); check free space and the disk")
    }

    /// Reads a whole small file (a text kernel, an image, a config). Refuses more than `limit` bytes with
    /// "is larger than N MiB, `tooLarge`", so that a device such as /dev/zero given by mistake fails
    /// instead of filling memory.
    public static func readWholeFile(_ path: String, limit: Int, tooLarge: String) throws(AudioError) -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        var bytes: [UInt8] = []
        let chunk = 1 << 16
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk)
        defer { scratch.deallocate() }
        while true {
            let count = try systemCall({ ioFailure(path, "could not be read", $0) }) {
                read(fd, scratch.baseAddress, chunk)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: scratch[0..<count])
            if bytes.count > limit {
                throw AudioError(
                    .badData, path: path,
                    message: "is larger than \(limit >> 20) MiB, \(tooLarge)")
            }
        }
    }

    /// The lowercased extension of the last path component, without the dot; nil when there is none.
    /// A leading dot (".txt" as a whole name) is a hidden file's name, not an extension.
    static func pathExtension(_ path: String) -> String? {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }

    /// The directory part of `path` with its trailing slash ("" for a bare name), and the last component.
    static func splitDirectory(_ path: String) -> (directoryPrefix: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }
}
