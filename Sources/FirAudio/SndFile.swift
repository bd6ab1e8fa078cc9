internal import CSystem
internal import CSndFile
import Synchronization
internal import Glibc

/// What libsndfile said went wrong: its error number (the first few are the public `SF_ERR_*` codes)
/// and its text, which for system errors includes strerror's.
struct SndFileFailure {
    var code: Int32
    var reason: String

    /// The failure came from the operating system (read/write/seek), not from the file's contents.
    var isSystemError: Bool { code == Int32(SF_ERR_SYSTEM) }
}

/// The one path by which a libsndfile call reports failure. `body` makes the call and returns nil when it
/// failed by that call's own convention (a NULL handle, a short count with an error set, a nonzero code);
/// the error text is then taken from `handle` (or from libsndfile's global error when `handle` is nil, as
/// after a failed open) and handed to `failure`, which says what it means for the caller.
func sndfileCall<R>(
    _ handle: OpaquePointer?,
    _ failure: (SndFileFailure) -> AudioError,
    _ body: () -> R?
) throws(AudioError) -> R {
    if let result = body() { return result }
    let reason = sf_strerror(handle).map { String(cString: $0) } ?? "no reason given"
    throw failure(SndFileFailure(code: sf_error(handle), reason: reason))
}

/// Owns one libsndfile handle and, for a file being written, a descriptor of its own, and closes both
/// exactly once.
///
/// libsndfile is given a duplicate of the descriptor to own (see `open`), so that the writer's
/// descriptor outlives `sf_close`: it still needs it to fsync and to check what was written. A reader
/// keeps none (`fd` is -1): libsndfile's is enough. Not thread-safe;
/// the reader or writer that owns it confines it to one thread at a time.
final class SndFile {
    let path: String
    /// Header facts at open time.
    let info: SF_INFO
    private var handle: OpaquePointer?
    private var fd: Int32

    private init(path: String, handle: OpaquePointer, fd: Int32, info: SF_INFO) {
        self.path = path
        self.handle = handle
        self.fd = fd
        self.info = info
    }

    deinit {
        if let handle { sf_close(handle) }
        if fd >= 0 { close(fd) }
    }

    // MARK: Opening

    /// Tests only: called with the path when libsndfile has refused to open a file, before the file's
    /// descriptor is released; the point where another thread may open a file of its own.
    static let afterRefusedOpen = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// Opens `path` for reading. Errors: .missing, .unreadable, .badData, .unsupported.
    static func openForReading(path: String) throws(AudioError) -> SndFile {
        let fd = try FileSystem.openForReading(path)
        var info = SF_INFO()
        do {
            let handle = try open(fd, mode: SFM_READ, info: &info, path: path) { openFailure(path, fd, $0) }
            // Reading goes through libsndfile's own descriptor alone: one descriptor per input, not two.
            close(fd)
            return SndFile(path: path, handle: handle, fd: -1, info: info)
        } catch {
            close(fd)
            throw error
        }
    }

    /// libsndfile keeps the reason for a failed open in one process-wide slot (`sf_error(NULL)`); holding
    /// this lock from the open until the reason is read keeps another thread's failure out of it.
    private static let openLock = Mutex<Void>(())

    /// Opens a libsndfile handle on a duplicate of `fd`, which libsndfile owns and closes (at `sf_close`,
    /// or at once when it refuses the file); `fd` stays the caller's.
    ///
    /// Lending `fd` itself with `close_desc` false is not safe: libsndfile 1.2.0 closes a lent
    /// descriptor when it refuses the file all the same (1.2.1 fixed it), so the caller's own close
    /// came second and closed whatever another thread had opened under that number meanwhile. That
    /// was issue 14's healthy kernel that "could not be read (Resource temporarily unavailable)": its
    /// number had gone to a Dispatch signalfd. With a duplicate that libsndfile always owns, every
    /// version closes each descriptor exactly once.
    private static func open(
        _ fd: Int32, mode: Int, info: inout SF_INFO, path: String, failure: (SndFileFailure) -> AudioError
    ) throws(AudioError) -> OpaquePointer {
        let lent = try FileSystem.duplicate(fd, path: path)
        // The handle crosses the lock as its address: a Mutex's result must be sendable.
        let address = try openLock.withLock { _ throws(AudioError) -> UInt in
            do throws(AudioError) {
                let handle = try sndfileCall(nil, failure) { sf_open_fd(lent, Int32(mode), &info, Int32(SF_TRUE)) }
                return UInt(bitPattern: handle)
            } catch {
                afterRefusedOpen.withLock { $0 }?(path)
                throw error
            }
        }
        return OpaquePointer(bitPattern: address)!
    }

    /// What a refused open of `path` (open on `fd`, which is still ours) means for the user.
    private static func openFailure(_ path: String, _ fd: Int32, _ failure: SndFileFailure) -> AudioError {
        if failure.isSystemError {
            return AudioError(
                .unreadable, path: path, message: "could not be read (libsndfile: \(failure.reason)); check the disk")
        }
        // libsndfile says "unsupported encoding" for any CAF 'desc' chunk it cannot map to a format,
        // fields that contradict each other included: only a well-formed one names a real encoding.
        if failure.code == Int32(SF_ERR_UNSUPPORTED_ENCODING), let damage = CAFDescription.read(from: fd)?.damage {
            return AudioError(
                .badData, path: path,
                message: "is damaged: its CAF header \(damage) (libsndfile: \(failure.reason)); "
                    + "re-export or re-copy the file")
        }
        if failure.code == Int32(SF_ERR_UNSUPPORTED_ENCODING) {
            return AudioError(
                .unsupported, path: path,
                message: "uses an encoding libsndfile cannot decode (libsndfile: \(failure.reason)); "
                    + "convert it to PCM or float WAV or FLAC")
        }
        return AudioError(
            .badData, path: path,
            message: "not a readable audio file (libsndfile: \(failure.reason)); "
                + "check the file is a complete WAV/FLAC/AIFF/W64/RF64/CAF file")
    }

    /// Creates or truncates `path` and opens it for writing `format`. Errors: .unsupported, .cannotCreate.
    static func createForWriting(
        path: String, format: AudioFormat, channels: Int, sampleRate: Int
    ) throws(AudioError) -> SndFile {
        guard format.isSupported(channels: channels, sampleRate: sampleRate) else {
            throw unsupportedFailure(path, format, channels: channels, sampleRate: sampleRate)
        }
        return try createForWriting(
            descriptor: try FileSystem.createForWriting(path), path: path, format: format, channels: channels,
            sampleRate: sampleRate)
    }

    /// Opens `fd`, an empty file open for reading and writing, for writing `format`; takes ownership of
    /// `fd`, also when it throws. `path` is the name messages give. Errors: .unsupported, .cannotCreate.
    static func createForWriting(
        descriptor fd: Int32, path: String, format: AudioFormat, channels: Int, sampleRate: Int
    ) throws(AudioError) -> SndFile {
        guard format.isSupported(channels: channels, sampleRate: sampleRate) else {
            close(fd)
            throw unsupportedFailure(path, format, channels: channels, sampleRate: sampleRate)
        }
        var info = SF_INFO()
        info.format = format.sndfileCode
        // isSupported checked that both fit in Int32.
        info.channels = Int32(truncatingIfNeeded: channels)
        info.samplerate = Int32(truncatingIfNeeded: sampleRate)
        do {
            let handle = try open(fd, mode: SFM_WRITE, info: &info, path: path) { failure in
                AudioError(
                    .cannotCreate, path: path,
                    message: "could not be started as \(format.container.rawValue) (libsndfile: \(failure.reason)); "
                        + "check free space and that the directory is writable")
            }
            return SndFile(path: path, handle: handle, fd: fd, info: info)
        } catch {
            close(fd)
            throw error
        }
    }

    private static func unsupportedFailure(
        _ path: String, _ format: AudioFormat, channels: Int, sampleRate: Int
    ) -> AudioError {
        let container = format.container.rawValue
        guard format.isSupported else {
            let choices = SampleFormat.allCases
                .filter { AudioFormat(container: format.container, sampleFormat: $0).isSupported }
                .map(\.rawValue).joined(separator: ", ")
            return AudioError(
                .unsupported, path: path,
                message: "\(container) cannot hold \(format.sampleFormat.rawValue) samples; "
                    + "choose one of \(choices), or another container")
        }
        return AudioError(
            .unsupported, path: path, message: format.limitMessage(channels: channels, sampleRate: sampleRate))
    }

    // MARK: Reading

    /// Reads up to `frames` interleaved frames; a short count means the end of the data. Throws .badData
    /// (or .ioError for a system error) only when libsndfile flags an error on the read.
    func readFrames(into buffer: UnsafeMutablePointer<Float>, frames: Int) throws(AudioError) -> Int {
        let handle = self.handle
        let count = try sndfileCall(handle, { failure in
            failure.isSystemError
                ? AudioError(.ioError, path: self.path, message: "could not be read (libsndfile: \(failure.reason)); check the disk")
                : AudioError(
                    .badData, path: self.path,
                    message: "is damaged (libsndfile: \(failure.reason)); re-export or re-copy the file")
        }) { () -> sf_count_t? in
            let count = sf_readf_float(handle, buffer, sf_count_t(frames))
            // A short count on its own is the end of the data; only an error set by this read is damage.
            return count < frames && sf_error(handle) != Int32(SF_ERR_NO_ERROR) ? nil : count
        }
        return Int(count)
    }

    /// libsndfile's notes from parsing the header (see ``HeaderLog``). Not a fallible call: it copies a
    /// buffer libsndfile always has, possibly empty.
    func headerLog() -> String {
        var bytes = [CChar](repeating: 0, count: 16_384)
        let count = sf_command(handle, Int32(SFC_GET_LOG_INFO), &bytes, Int32(bytes.count))
        let length = max(0, min(Int(count), bytes.count))
        return String(decoding: bytes[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Moves back to the first frame.
    func seekToStart() throws(AudioError) {
        let handle = self.handle
        try sndfileCall(handle, { failure in
            AudioError(
                .ioError, path: self.path,
                message: "could not rewind to the start (libsndfile: \(failure.reason)); read it from a regular file")
        }) { sf_seek(handle, 0, Int32(SEEK_SET)) == -1 ? nil : () }
    }

    /// Releases the handle and the descriptor of a file that was read. Idempotent.
    func closeAfterReading() {
        if let handle { sf_close(handle) }
        handle = nil
        if fd >= 0 { close(fd) }  // read-only: nothing can be lost, so the result does not matter
        fd = -1
    }

    // MARK: Writing

    /// Makes float-to-integer conversion clip at full scale instead of wrapping around.
    func enableClipping() throws(AudioError) {
        let handle = self.handle
        try sndfileCall(handle, { failure in
            AudioError(
                .cannotCreate, path: self.path,
                message: "could not enable clipping (libsndfile: \(failure.reason)); write a float format instead")
        }) { sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) == Int32(SF_TRUE) ? () : nil }
    }

    /// Leaves out the PEAK chunk libsndfile adds to float WAV and AIFF files. Keeping it means a scan of
    /// every written sample for the per-channel maximum (a tenth of a float run's CPU) and a timestamp
    /// that makes two identical runs differ byte for byte; readers do not need it. Before any write.
    func omitPeakChunk() {
        // Returns SF_FALSE for containers without a PEAK chunk: nothing to leave out there.
        _ = sf_command(handle, Int32(SFC_SET_ADD_PEAK_CHUNK), nil, Int32(SF_FALSE))
    }

    /// Writes `frames` interleaved frames; anything short of all of them is an .ioError.
    func writeFrames(from buffer: UnsafePointer<Float>, frames: Int) throws(AudioError) {
        let handle = self.handle
        try sndfileCall(handle, { failure in
            AudioError(
                .ioError, path: self.path,
                message: "write failed (libsndfile: \(failure.reason)); check free space and file size limits")
        }) { sf_writef_float(handle, buffer, sf_count_t(frames)) == sf_count_t(frames) ? () : nil }
    }

    /// Reserves disk space for `bytes` bytes of samples after what is written so far (the header,
    /// which libsndfile writes on opening); the file's size stays as it is. So a disk or quota too
    /// small for the output fails before any filtering, not minutes into it, and the file's blocks are
    /// allocated once, in few extents, instead of page by page as they are written. File systems that
    /// cannot reserve (EOPNOTSUPP, EINVAL) are left to allocate as they go.
    ///
    /// - Throws: `.ioError` when the space is not there (ENOSPC, EDQUOT).
    func reserve(bytes: Int) throws(AudioError) {
        guard fd >= 0, bytes > 0 else { return }
        // Asked first: ext4 keeps the blocks a failed fallocate took until the file goes, so a request
        // far beyond the free space would fill the disk for everyone while this run fails.
        var fs = statvfs()
        let code: Int32
        if fstatvfs(fd, &fs) == 0, UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < UInt64(bytes) {
            code = ENOSPC
        } else {
            let header = Int64(Swift.max(0, lseek(fd, 0, SEEK_CUR)))
            guard firpipe_reserve(fd, header + Int64(bytes)) != 0 else { return }
            code = errno
        }
        guard code == ENOSPC || code == EDQUOT else { return }
        let room = code == EDQUOT ? "your disk quota" : "the disk"
        throw AudioError(
            .ioError, path: path,
            message: "needs \((bytes + (1 << 20) - 1) >> 20) MiB for its audio, more than \(room) has left "
                + "(\(errnoText(code))); free some space or write the output elsewhere")
    }

    /// Asks the kernel to start writing what has been written so far to disk, without waiting. Failure
    /// is ignored: the fsync in ``finishWriting(expectedFrames:)`` is what guarantees durability.
    func startWriteback() {
        if fd >= 0 { _ = firpipe_start_writeback(fd) }
    }

    /// Completes a written file: lets libsndfile write its final header, fsyncs, then reopens the data
    /// through libsndfile to check that it holds `expectedFrames` frames, and closes the descriptor.
    ///
    /// The check is there because `sf_close` drops the errors of its last writes: it returns only the
    /// result of closing the descriptor, so a header, FLAC block or trailing chunk that failed to land
    /// (disk full, size limit) would otherwise go unnoticed. Releases everything even when it throws.
    /// - Parameter sync: whether to fsync here; without, the caller flushes before it commits.
    func finishWriting(expectedFrames: Int, sync: Bool = true) throws(AudioError) {
        guard let handle else { return }
        self.handle = nil
        let fd = self.fd
        self.fd = -1
        var firstError: AudioError?
        let closeFailed = sf_close(handle) != 0
        if closeFailed {
            firstError = AudioError(
                .ioError, path: path,
                message: "could not be completed (libsndfile: \(sf_strerror(nil).map { String(cString: $0) } ?? "")); "
                    + "check free space")
        }
        do {
            if sync { try FileSystem.sync(fd, path: path) }
            if firstError == nil { try checkFrameCount(fd: fd, expected: expectedFrames) }
        } catch {
            firstError = firstError ?? error
        }
        do { try FileSystem.closeWritten(fd, path: path) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    /// Reopens the written data on `fd` and compares its frame count with what was written.
    private func checkFrameCount(fd: Int32, expected: Int) throws(AudioError) {
        let path = self.path
        try systemCall({ FileSystem.ioFailure(path, "could not be checked after writing", $0) }) {
            lseek(fd, 0, SEEK_SET)
        }
        var info = SF_INFO()
        let check = try Self.open(fd, mode: SFM_READ, info: &info, path: path) { failure in
            AudioError(
                .ioError, path: path,
                message: "is unreadable after writing (libsndfile: \(failure.reason)); check free space and the disk")
        }
        sf_close(check)
        guard info.frames == sf_count_t(expected) else {
            let found = info.frames == sf_count_t.max ? "an unknown number of" : "\(info.frames)"
            throw AudioError(
                .ioError, path: path,
                message: "is incomplete: it reads back with \(found) frames after \(expected) were written "
                    + "(its last blocks or header did not land); check free space and file size limits")
        }
    }
}
