import FirAudio
internal import Glibc

/// What the inbox watch reports.
enum SpoolWatchEvent: Equatable, Sendable {
    /// A file was renamed into the inbox: complete at once, by the spool's convention.
    case renamedIn(String)
    /// A file was created, or closed after writing: a hint to look at it; it is complete only once it has
    /// settled, since a writer may open it again.
    case written(String)
    /// The kernel dropped events (its queue overflowed): only a rescan of the directory tells what is there.
    case overflow
    /// The watch ended: the inbox was removed, renamed away or unmounted.
    case watchLost
}

/// The inotify watch on the inbox, and a pipe through which another thread can wake a waiting
/// ``wait(timeout:)`` at once (so that stopping the intake does not wait out a poll timeout).
///
/// Owns the three descriptors and closes them in `deinit`.
///
/// Threads: `wait` from the intake thread only (it owns the read buffer); `wake` from any thread (a
/// one-byte write to a pipe is atomic). `@unchecked Sendable` for that split, which the compiler cannot see.
final class SpoolWatcher: @unchecked Sendable {
    private let inotify: Int32
    private let wakeup: WakePipe
    private let directory: String
    /// Room for many events at once; inotify never splits one across reads when the buffer holds one.
    private let buffer: UnsafeMutableRawBufferPointer

    /// Starts watching `directory` for files renamed in, created and closed after writing.
    /// - Throws: when inotify or the pipe cannot be had (the per-user watch limit, no memory) or the
    ///   directory cannot be watched.
    init(directory: String) throws(SpoolSystemError) {
        let mask = UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_ONLYDIR)
        let inotify = try spoolSystemCall(directory, "cannot be watched (inotify)") {
            inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        }
        do throws(SpoolSystemError) {
            try spoolSystemCall(directory, "cannot be watched (inotify_add_watch)") {
                inotify_add_watch(inotify, directory, mask)
            }
            wakeup = try WakePipe { SpoolSystemError(path: directory, what: "cannot be watched (pipe)", code: $0) }
        } catch {
            close(inotify)
            throw error
        }
        self.directory = directory
        self.inotify = inotify
        self.buffer = .allocate(byteCount: 64 * 1024, alignment: 8)
    }

    deinit {
        close(inotify)
        buffer.deallocate()
    }

    /// Waits up to `timeout` seconds for events, or until ``wake()``, and returns what arrived (often
    /// nothing). Intake thread only.
    /// - Throws: when poll(2) or read(2) fails for a reason other than an interruption; the caller falls
    ///   back on rescans.
    func wait(timeout: Double) throws(SpoolSystemError) -> [SpoolWatchEvent] {
        var fds = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeup.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(max(0, min(timeout, 60)) * 1000)))
        try Poll.wait(&fds, until: deadline) {
            SpoolSystemError(path: directory, what: "cannot be watched (poll)", code: $0)
        }
        if fds[1].revents != 0 { wakeup.drain() }
        return fds[0].revents != 0 ? try readEvents() : []
    }

    /// Wakes a ``wait(timeout:)`` in progress, or makes the next one return at once. Any thread.
    func wake() {
        wakeup.wake()
    }

    /// Reads every queued event without blocking.
    private func readEvents() throws(SpoolSystemError) -> [SpoolWatchEvent] {
        var events: [SpoolWatchEvent] = []
        while true {
            let count = read(inotify, buffer.baseAddress, buffer.count)
            if count == -1 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return events }
                throw SpoolSystemError(path: directory, what: "cannot be watched (read)", code: errno)
            }
            if count == 0 { return events }
            parse(count: count, into: &events)
        }
    }

    /// Decodes `count` bytes of `struct inotify_event` records (wd, mask, cookie, len, then len bytes of
    /// NUL-padded name), which Swift cannot import because of the flexible array member.
    private func parse(count: Int, into events: inout [SpoolWatchEvent]) {
        let header = 16
        var offset = 0
        while offset + header <= count {
            let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = UnsafeRawBufferPointer(rebasing: buffer[(offset + header)..<(offset + header + length)])
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events.append(.overflow)
            } else if mask & UInt32(IN_IGNORED) != 0 {
                events.append(.watchLost)
            } else if mask & UInt32(IN_ISDIR) != 0 || name.isEmpty {
                continue
            } else if mask & UInt32(IN_MOVED_TO) != 0 {
                events.append(.renamedIn(name))
            } else {
                events.append(.written(name))
            }
        }
    }
}
