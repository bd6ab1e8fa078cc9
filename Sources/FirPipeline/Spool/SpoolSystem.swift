import FirAudio
internal import Glibc

/// A failed system call of the spool's, with the file it concerned and errno.
///
/// A value; make and read it on any thread.
struct SpoolSystemError: Error, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    var path: String
    /// What we were doing, as a phrase: "cannot be listed", "could not be moved to …".
    var what: String
    /// errno, or nil when the failure was not a system call's (a file that is not a directory).
    var code: Int32?

    var description: String {
        guard let code else { return "\(path): \(what)" }
        return "\(path): \(what) (\(String(cString: strerror(code))))"
    }
}

/// Runs a POSIX call that reports failure by returning -1 and setting errno, retrying on EINTR, and turns
/// any other failure into a ``SpoolSystemError``. Every fallible system call of the spool goes through
/// here. Any thread.
@discardableResult
func spoolSystemCall<R: BinaryInteger>(
    _ path: String, _ what: String, retryOnInterrupt: Bool = true, _ body: () -> R
) throws(SpoolSystemError) -> R {
    try systemCall(retryOnInterrupt: retryOnInterrupt, { SpoolSystemError(path: path, what: what, code: $0) }, body)
}

/// What identifies one version of an inbox file: which file (device and inode) and how it looks (size
/// and modification time, to the nanosecond). A writer that is still at work changes size or mtime; a
/// file replaced under the same name changes the inode.
struct FileSignature: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    /// The same file, whatever has been written to it since.
    func isSameFile(as other: FileSignature) -> Bool {
        device == other.device && inode == other.inode
    }
}

/// The spool's direct calls into the C library, each turning errno into a ``SpoolSystemError``: what the
/// spool needs beyond what `FirAudio` offers (stat, rename, unlink, directory syncs, directory probes).
///
/// Stateless; any thread.
enum SpoolSystem {
    /// The signature of the regular file at `path` (symbolic links followed), or nil when there is none:
    /// missing, a directory, a device. A probe, not a fallible step: a missing file is an answer.
    static func signature(of path: String) -> FileSignature? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileSignature(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modifiedSeconds: Int(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec))
    }

    /// Whether anything at all (a file, a directory, a dangling link) has the name `path`.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Device and inode of the directory at `path`, to tell whether two paths name one directory.
    /// - Throws: when it is missing, cannot be examined or is not a directory.
    static func directoryIdentity(_ path: String) throws(SpoolSystemError) -> [UInt64] {
        var status = stat()
        do { try spoolSystemCall(path, "cannot be examined") { stat(path, &status) } } catch {
            throw error.code == ENOENT ? SpoolSystemError(path: path, what: "does not exist") : error
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw SpoolSystemError(path: path, what: "is not a directory")
        }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }

    /// Creates and removes a probe file in `directory`: the one sure test that files can be made (and
    /// removed) there, which `access(2)` is not for root or on a read-only mount.
    static func probeWritable(_ directory: String) throws(SpoolSystemError) {
        let probe = directory + "/.firpipe-probe-\(getpid()).tmp"
        let fd = try spoolSystemCall(directory, "is not writable") {
            open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        close(fd)  // empty and unwritten: nothing to lose
        try spoolSystemCall(probe, "cannot be removed again") { unlink(probe) }
    }

    /// Checks that `directory` can be listed (opened and read), as the inbox must be.
    static func probeListable(_ directory: String) throws(SpoolSystemError) {
        guard let handle = opendir(directory) else {
            throw SpoolSystemError(path: directory, what: "cannot be listed", code: errno)
        }
        closedir(handle)
    }

    /// The names in `directory`, without "." and "..", in no particular order.
    static func names(in directory: String) throws(SpoolSystemError) -> [String] {
        guard let handle = opendir(directory) else {
            throw SpoolSystemError(path: directory, what: "cannot be listed", code: errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Renames `from` to `to` (both in one file system), replacing whatever `to` names.
    static func rename(_ from: String, to: String) throws(SpoolSystemError) {
        try spoolSystemCall(from, "could not be moved to \(to)") { Glibc.rename(from, to) }
    }

    /// Removes the file at `path`.
    static func remove(_ path: String) throws(SpoolSystemError) {
        try spoolSystemCall(path, "could not be removed") { unlink(path) }
    }

    /// Flushes the entries of `directory` (renames and removals in it) to stable storage, so that they
    /// survive a crash.
    static func syncDirectory(_ directory: String) throws(SpoolSystemError) {
        try DurableFile.syncDirectory(directory) {
            SpoolSystemError(path: directory, what: "could not be flushed to disk", code: $0)
        }
    }

    /// Writes `bytes` to the file at `path`, which exists and is empty, and flushes it to stable storage.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(SpoolSystemError) {
        let fd = try spoolSystemCall(path, "cannot be opened for writing") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            offset += try spoolSystemCall(path, "could not be written") {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
        }
        try spoolSystemCall(path, "could not be flushed to disk") { fsync(fd) }
    }
}
