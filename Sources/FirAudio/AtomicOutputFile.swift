internal import CSystem
internal import CSndFile
import Synchronization
internal import Glibc

/// An output written beside its final name and put in place only when complete, so that a crash,
/// a full disk or a cancelled run never leaves a partial file under the final name.
///
/// Where the file system can (Linux O_TMPFILE: ext4, xfs, btrfs, tmpfs), the data goes to an unnamed
/// file in the output's directory, which the kernel frees when the process dies, even by SIGKILL. At
/// commit it is linked to a hidden name and renamed over the final one (link(2) cannot replace a file).
/// Elsewhere it goes to a hidden named file. Hidden names start with a dot and hold the process id, a
/// per-process counter and random bits: `.NAME.firpipe-PID-SERIAL-RANDOM.tmp`. Either file is held under
/// an exclusive flock(2) for its whole life, so a later run can tell one a killed run left (in the
/// moment between link and rename, or a named one) from one still in use, and removes it: see
/// ``removeLeftovers(in:)``. rename(2) is atomic only within one file system, hence the same directory.
///
/// The file gets mode 0666 less the umask, as open(2) with O_CREAT would give it, whichever kind it is.
///
/// Threads: not for concurrent use; call it from one thread at a time. `@unchecked Sendable` only so that
/// it can be handed to the thread that writes the output; it holds no thread-affine state.
public final class AtomicOutputFile: @unchecked Sendable {
    /// How the temporary file is made.
    public enum Naming: Sendable {
        /// Unnamed where the file system supports it, else named.
        case automatic
        /// Always a hidden named file (for tests of that path).
        case named
    }

    /// Where the output will appear on ``commit()``.
    public let finalPath: String
    /// A path that opens the temporary file for writing until ``commit()``: the hidden file, or
    /// `/proc/self/fd/N` for an unnamed one. Messages should name ``finalPath`` instead.
    public let temporaryPath: String
    /// Whether the temporary file is unnamed: nothing under its name exists in the directory before commit.
    public let isUnnamed: Bool

    private enum State { case pending, committed, discarded }
    private var state = State.pending
    /// The directory of both paths, for the fsync after rename.
    private let directory: String
    /// `directory` with its slash ("" for the working directory), to build hidden names in.
    private let prefix: String
    /// The final name, shortened to leave room in hidden names.
    private let shownName: Substring
    /// Open read-write from `init` until commit or discard, holding the flock; for an unnamed file it is
    /// also what keeps the file in existence.
    private var descriptor: Int32

    /// Numbers the temporary files of this process; with the pid it makes names unique per process and call.
    private static let counter = Atomic<Int>(0)

    /// Checks that the directory of `finalPath` exists and is writable, removes what killed runs left
    /// there (``removeLeftovers(in:)``), and makes the temporary file (unnamed, or a hidden one created
    /// empty and exclusively). Does not create or touch the final file.
    ///
    /// - Throws: `.cannotCreate` when the directory is missing, not a directory or not writable, when
    ///   `finalPath` names a directory, or when the temporary file cannot be created.
    public init(finalPath: String, naming: Naming = .automatic) throws(AudioError) {
        let (prefix, name) = FileSystem.splitDirectory(finalPath)
        let directory = Self.directory(ofPrefix: prefix)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AudioError(.cannotCreate, path: finalPath, message: "names a directory, not a file; add a file name")
        }
        try Self.checkDirectory(directory, for: finalPath)
        Self.removeLeftoversIfDue(in: directory)
        // File names are limited to 255 bytes; keep room for the suffix by shortening the visible part.
        // In one pass: dropping a character at a time, counting the rest each time, was quadratic.
        let shown = PlatformPath.prefix(name, maxBytes: 180)
        self.finalPath = finalPath
        self.directory = directory
        self.prefix = prefix
        self.shownName = shown
        if naming == .automatic, !CrashPoint.forcesNamedTemporaries,
           let fd = try Self.openUnnamed(in: directory, for: finalPath) {
            descriptor = fd
            temporaryPath = Self.procPath(fd)
            isUnnamed = true
        } else {
            (temporaryPath, descriptor) = try Self.reserveNamed(prefix: prefix, name: shown, for: finalPath)
            isUnnamed = false
        }
    }

    deinit {
        discard()
    }

    /// A new descriptor for the temporary file, open for reading and writing at offset 0 (a dup(2) of
    /// the one this object holds), for a writer that takes a descriptor; the caller closes it.
    ///
    /// - Throws: `.cannotCreate` naming ``finalPath`` when no descriptor is left (EMFILE).
    public func duplicateDescriptor() throws(AudioError) -> Int32 {
        precondition(state == .pending, "AtomicOutputFile.duplicateDescriptor called after commit or discard")
        let path = finalPath
        return try systemCall({ code in
            AudioError.outOfResources(path, code)
                ?? AudioError(.cannotCreate, path: path, message: "cannot be opened for writing (\(errnoText(code)))")
        }) { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
    }

    /// Puts the temporary file in place under the final path, then fsyncs the directory so the rename
    /// survives a crash. Call after the writer's `finish()`. Idempotent once it has succeeded.
    ///
    /// - Throws: `.ioError` naming ``finalPath`` when the link, the rename or the directory sync fails.
    ///   A failed commit leaves the temporary file for ``discard()``.
    public func commit() throws(AudioError) {
        try commit(syncingDirectory: true)
    }

    /// Flushes every dirty file of the file system that holds this output, its own data included, with
    /// one wait (syncfs(2)): a batch that writes many outputs flushes them all at once before it commits
    /// them, instead of one fsync each. Call after the writer's `finish()`, before ``commit(syncingDirectory:)``.
    ///
    /// - Throws: `.ioError` naming ``finalPath`` when the flush fails (a write-back error: a full disk).
    public func syncFileSystem() throws(AudioError) {
        precondition(state == .pending, "AtomicOutputFile.syncFileSystem called after commit or discard")
        let path = finalPath
        try systemCall({ FileSystem.ioFailure(path, "could not be flushed to disk", $0) }) {
            firpipe_sync_file_system(descriptor)
        }
    }

    /// Flushes this output's data to disk (fsync), as the writer's `finish()` does unless told not to.
    ///
    /// - Throws: `.ioError` naming ``finalPath``.
    public func syncData() throws(AudioError) {
        precondition(state == .pending, "AtomicOutputFile.syncData called after commit or discard")
        try FileSystem.sync(descriptor, path: finalPath)
    }

    /// ``commit()``, leaving the directory's flush to the caller when `syncingDirectory` is false (one
    /// flush after many renames: ``syncDirectory(of:)``).
    public func commit(syncingDirectory: Bool) throws(AudioError) {
        switch state {
        case .committed: return
        case .discarded: preconditionFailure("AtomicOutputFile.commit called after discard()")
        case .pending: break
        }
        let final = finalPath
        let failure = { (code: Int32) in
            AudioError(
                .ioError, path: final,
                message: "could not be moved into place (\(errnoText(code))); "
                    + "check the directory is writable and the name is not a directory")
        }
        if isUnnamed {
            CrashPoint.hit(.beforeLink)
            let hidden = try linkHidden(failure)
            CrashPoint.hit(.afterLinkBeforeRename)
            do {
                try systemCall(failure) { Self.rename(hidden, final) }
            } catch {
                PlatformPath.withCString(hidden) { _ = unlink($0) }
                throw error
            }
        } else {
            CrashPoint.hit(.beforeRename)
            try systemCall(failure) { Self.rename(temporaryPath, final) }
        }
        state = .committed
        closeDescriptor()
        CrashPoint.hit(.afterRename)
        if syncingDirectory { try FileSystem.syncDirectory(directory, renamedPath: final) }
    }

    /// Flushes the directory of `finalPath` after renames into it.
    ///
    /// - Throws: `.ioError` naming `finalPath`.
    public static func syncDirectory(of finalPath: String) throws(AudioError) {
        try FileSystem.syncDirectory(directory(ofPrefix: FileSystem.splitDirectory(finalPath).0), renamedPath: finalPath)
    }

    /// The directory as the messages show it and as open(2) takes it: "a/b" for "a/b/out.wav".
    private static func directory(ofPrefix prefix: String) -> String {
        prefix.isEmpty ? "." : prefix == "/" ? "/" : String(prefix.dropLast())
    }

    /// Removes the temporary file if it is still there. Idempotent; does nothing after ``commit()``.
    public func discard() {
        guard state == .pending else { return }
        state = .discarded
        // Best effort by design: discard runs on error paths and in deinit, where a second error would
        // hide the first. A file that is already gone is what we wanted anyway. An unnamed file goes
        // with its last descriptor.
        if !isUnnamed { PlatformPath.withCString(temporaryPath) { _ = unlink($0) } }
        closeDescriptor()
    }

    // MARK: Private

    private static func checkDirectory(_ directory: String, for finalPath: String) throws(AudioError) {
        var status = stat()
        try systemCall({ code in
            code == ENOENT || code == ENOTDIR
                ? AudioError(
                    .cannotCreate, path: finalPath,
                    message: "directory \(directory) does not exist; create it or choose another output path")
                : AudioError(
                    .cannotCreate, path: finalPath,
                    message: "directory \(directory) cannot be examined (\(errnoText(code))); check its permissions")
        }) { PlatformPath.withCString(directory) { stat($0, &status) } }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw AudioError(
                .cannotCreate, path: finalPath,
                message: "\(directory) is not a directory; choose an output path inside a directory")
        }
        try systemCall({ code in
            AudioError(
                .cannotCreate, path: finalPath,
                message: "directory \(directory) is not writable (\(errnoText(code))); "
                    + "change its permissions or choose another output path")
        }) { PlatformPath.withCString(directory) { access($0, W_OK | X_OK) } }
        // A probe, not a fallible step: the final file usually does not exist yet. A directory is refused
        // here rather than at commit, after all the processing, because rename cannot replace it.
        if PlatformPath.withCString(finalPath, { stat($0, &status) }) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw AudioError(.cannotCreate, path: finalPath, message: "is a directory; choose a file name for the output")
        }
    }

    /// Opens an unnamed file in `directory` under an exclusive lock, or returns nil where the kernel or
    /// the file system cannot make one or /proc is not there to link it by.
    private static func openUnnamed(in directory: String, for finalPath: String) throws(AudioError) -> Int32? {
        let fd = PlatformPath.withCString(directory) { firpipe_open_unnamed($0, 0o666) }
        if fd < 0 {
            let code = errno
            if code == EOPNOTSUPP || code == EISDIR || code == EINVAL || code == ENOENT { return nil }
            throw AudioError.outOfResources(finalPath, code) ?? AudioError(
                .cannotCreate, path: finalPath,
                message: "cannot be created in \(directory) (\(errnoText(code))); "
                    + "check the directory is writable and has space")
        }
        var status = stat()
        // No lock or no /proc: the named kind works without either of those.
        guard flock(fd, LOCK_EX) == 0, stat(procPath(fd), &status) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }

    /// A fresh hidden name in the directory: `.NAME.firpipe-PID-SERIAL-RANDOM.tmp`.
    private static func hiddenName(prefix: String, name: Substring) -> String {
        let serial = counter.add(1, ordering: .relaxed).newValue
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(prefix).\(name).firpipe-\(getpid())-\(serial)-\(random).tmp"
    }

    /// Creates an empty hidden file with O_EXCL under a fresh name and takes its lock; returns its path
    /// and descriptor.
    private static func reserveNamed(
        prefix: String, name: Substring, for finalPath: String
    ) throws(AudioError) -> (String, Int32) {
        var attempt = 0
        while true {
            let candidate = hiddenName(prefix: prefix, name: name)
            var collided = false
            do {
                let fd = try systemCall({ code in
                    collided = code == EEXIST
                    return AudioError.outOfResources(finalPath, code) ?? AudioError(
                        .cannotCreate, path: finalPath,
                        message: "temporary file \(candidate) cannot be created (\(errnoText(code))); "
                            + "check the directory is writable and has space")
                }) { PlatformPath.withCString(candidate) { open($0, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o666) } }
                // Cannot fail on a descriptor we just opened, but for ENOLCK on some network file
                // systems; then the pid alone keeps a later run from taking the file for a leftover.
                _ = flock(fd, LOCK_EX)
                return (candidate, fd)
            } catch where collided && attempt < 8 {
                // Another process left a file with this very name (pid reuse after a crash); try the next.
                attempt += 1
            }
        }
    }

    /// Links the unnamed file to a fresh hidden name beside the final one and returns that name.
    private func linkHidden(_ failure: (Int32) -> AudioError) throws(AudioError) -> String {
        var attempt = 0
        while true {
            let hidden = Self.hiddenName(prefix: prefix, name: shownName)
            let result = PlatformPath.withCString(hidden) { linkat(AT_FDCWD, temporaryPath, AT_FDCWD, $0, AT_SYMLINK_FOLLOW) }
            if result == 0 { return hidden }
            let code = errno
            if (code == EEXIST && attempt < 8) || code == EINTR {
                attempt += 1
                continue
            }
            throw failure(code)
        }
    }

    /// rename(2) of two paths that may hold bytes that are not UTF-8.
    private static func rename(_ from: String, _ to: String) -> Int32 {
        PlatformPath.withCString(from) { f in PlatformPath.withCString(to) { Glibc.rename(f, $0) } }
    }

    private func closeDescriptor() {
        guard descriptor >= 0 else { return }
        close(descriptor)  // the data is synced or unwanted by now; closing also drops the lock
        descriptor = -1
    }
}
