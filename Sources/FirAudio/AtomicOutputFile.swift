import Foundation
import Synchronization

/// An output written beside its final name and renamed into place only when complete, so that a crash,
/// a full disk or a cancelled run never leaves a partial file under the final name.
///
/// The temporary file lives in the same directory as the final one: rename(2) is atomic only within one
/// file system. Its name starts with a dot and holds the process id, a per-process counter and random
/// bits, so concurrent runs and several outputs of one run never collide.
///
/// Threads: not for concurrent use; call it from one thread at a time. `@unchecked Sendable` only so that
/// it can be handed to the thread that writes the output; it holds no thread-affine state.
public final class AtomicOutputFile: @unchecked Sendable {
    /// Where the output will appear on ``commit()``.
    public let finalPath: String
    /// Where to write it until then; an empty file is reserved here by `init`.
    public let temporaryPath: String

    private enum State { case pending, committed, discarded }
    private var state = State.pending
    /// The directory of both paths, for the fsync after rename.
    private let directory: String

    /// Numbers the temporary files of this process; with the pid it makes names unique per process and call.
    private static let counter = Atomic<Int>(0)

    /// Checks that the directory of `finalPath` exists and is writable, and reserves a unique temporary
    /// file in it (created empty, exclusively). Does not create or touch the final file.
    ///
    /// - Throws: `.cannotCreate` when the directory is missing, not a directory or not writable, when
    ///   `finalPath` names a directory, or when the temporary file cannot be created.
    public init(finalPath: String) throws(AudioError) {
        let (prefix, name) = FileSystem.splitDirectory(finalPath)
        // The directory as the messages show it and as open(2) takes it: "a/b" for "a/b/out.wav".
        let directory = prefix.isEmpty ? "." : prefix == "/" ? "/" : String(prefix.dropLast())
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AudioError(.cannotCreate, path: finalPath, message: "names a directory, not a file; add a file name")
        }
        try Self.checkDirectory(directory, for: finalPath)
        self.finalPath = finalPath
        self.directory = directory
        self.temporaryPath = try Self.reserveTemporary(prefix: prefix, name: name, for: finalPath)
    }

    deinit {
        discard()
    }

    /// Renames the temporary file over the final path, then fsyncs the directory so the rename survives a
    /// crash. Call after the writer's `finish()`. Idempotent once it has succeeded.
    ///
    /// - Throws: `.ioError` when the rename or the directory sync fails. A failed rename leaves the
    ///   temporary file for ``discard()``.
    public func commit() throws(AudioError) {
        switch state {
        case .committed: return
        case .discarded: preconditionFailure("AtomicOutputFile.commit called after discard()")
        case .pending: break
        }
        let (temporary, final) = (temporaryPath, finalPath)
        try systemCall({ code in
            AudioError(
                .ioError, path: final,
                message: "could not be moved into place from \(temporary) (\(errnoText(code))); "
                    + "check the directory is writable and the name is not a directory")
        }) { PlatformPath.withCString(temporary) { from in PlatformPath.withCString(final) { rename(from, $0) } } }
        state = .committed
        try FileSystem.syncDirectory(directory, renamedPath: final)
    }

    /// Removes the temporary file if it is still there. Idempotent; does nothing after ``commit()``.
    public func discard() {
        guard state == .pending else { return }
        state = .discarded
        // Best effort by design: discard runs on error paths and in deinit, where a second error would
        // hide the first. A file that is already gone is what we wanted anyway.
        PlatformPath.withCString(temporaryPath) { _ = unlink($0) }
    }

    /// Whether `name` (a file name, no directory) has the shape of this type's temporary files,
    /// `.NAME.firpipe-PID-SERIAL-RANDOM.tmp`, so that the owner of a directory can remove what a killed
    /// run left behind.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp"), let marker = name.range(of: ".firpipe-", options: .backwards)
        else { return false }
        let parts = name[marker.upperBound...].dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].allSatisfy(\.isNumber) && parts[1].allSatisfy(\.isNumber)
            && parts[2].allSatisfy(\.isHexDigit) && parts.allSatisfy { !$0.isEmpty }
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

    /// Creates an empty temporary file with O_EXCL under a fresh name and returns its path.
    private static func reserveTemporary(prefix: String, name: String, for finalPath: String) throws(AudioError) -> String {
        // File names are limited to 255 bytes; keep room for the suffix by shortening the visible part.
        // In one pass: dropping a character at a time, counting the rest each time, was quadratic.
        let shown = PlatformPath.prefix(name, maxBytes: 180)
        var attempt = 0
        while true {
            let serial = counter.add(1, ordering: .relaxed).newValue
            let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let candidate = "\(prefix).\(shown).firpipe-\(getpid())-\(serial)-\(random).tmp"
            var collided = false
            do {
                let fd = try systemCall({ code in
                    collided = code == EEXIST
                    return AudioError.outOfResources(finalPath, code) ?? AudioError(
                        .cannotCreate, path: finalPath,
                        message: "temporary file \(candidate) cannot be created (\(errnoText(code))); "
                            + "check the directory is writable and has space")
                }) { PlatformPath.withCString(candidate) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666) } }
                close(fd)  // empty and unwritten: nothing to lose
                return candidate
            } catch where collided && attempt < 8 {
                // Another process left a file with this very name (pid reuse after a crash); try the next.
                attempt += 1
            }
        }
    }
}
