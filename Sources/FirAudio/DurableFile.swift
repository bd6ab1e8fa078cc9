internal import Glibc

/// Making file-system changes survive a crash: the directory flush after a rename or removal, and the
/// small files firpipe keeps for itself (FFTW wisdom, the cost model) written whole or not at all.
/// Any thread.
public enum DurableFile {
    /// Flushes the entries of `directory` (renames and removals in it) to stable storage.
    ///
    /// - Throws: what `failure` makes of errno, when the directory cannot be opened or flushed.
    public static func syncDirectory<Failure: Error>(
        _ directory: String, _ failure: (Int32) -> Failure
    ) throws(Failure) {
        let fd = try systemCall(failure) {
            PlatformPath.withCString(directory) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        }
        defer { close(fd) }
        try systemCall(failure) { fsync(fd) }
    }

    /// Replaces the file at `path` by what `write` puts in the temporary file whose path it is given:
    /// flushed to disk, renamed over `path`, the directory flushed. The directory is created when
    /// missing. Returns false, with the temporary file removed and `path` untouched, when any step
    /// fails: before, a crash right after the rename could leave an empty wisdom or cost-model file.
    public static func replace(_ path: String, write: (String) -> Bool) -> Bool {
        let directory = PathName.openableDirectory(of: path)
        _ = makeDirectories(directory)
        let temporary = path + ".\(getpid()).tmp"
        do throws(DurableFileFailure) {
            guard write(temporary) else { throw DurableFileFailure() }
            let fd = try systemCall({ _ in DurableFileFailure() }) {
                PlatformPath.withCString(temporary) { open($0, O_RDONLY | O_CLOEXEC) }
            }
            defer { close(fd) }
            try systemCall({ _ in DurableFileFailure() }) { fsync(fd) }
            try systemCall({ _ in DurableFileFailure() }) { rename(temporary, path) }
        } catch {
            unlink(temporary)
            return false
        }
        // Renamed already: the file is whole; a failed directory flush only risks the old version back.
        try? syncDirectory(directory) { _ in DurableFileFailure() }
        return true
    }

    private struct DurableFileFailure: Error {}
}
