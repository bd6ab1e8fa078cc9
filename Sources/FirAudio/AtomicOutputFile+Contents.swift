#if canImport(Glibc)
internal import Glibc
#endif

extension AtomicOutputFile {
    /// Writes `bytes` as the whole file, flushes it to disk and commits it: for small outputs made in
    /// memory (an SVG plot, a text kernel). On any failure the temporary file is discarded and nothing
    /// appears under ``finalPath``. Caller's thread.
    ///
    /// - Throws: `.ioError` (or `.outOfResources`) naming ``finalPath`` when a write, the flush, the close or
    ///   the commit fails.
    public func write(contents bytes: [UInt8]) throws(AudioError) {
        let path = finalPath
        do throws(AudioError) {
            let fd = try duplicateDescriptor()
            var done = 0
            do throws(AudioError) {
                while done < bytes.count {
                    done += try systemCall({ FileSystem.ioFailure(path, "could not be written", $0) }) {
                        bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
                    }
                }
                try FileSystem.sync(fd, path: path)
            } catch {
                close(fd)
                throw error
            }
            try FileSystem.closeWritten(fd, path: path)
            try commit()
        } catch {
            discard()
            throw error
        }
    }
}
