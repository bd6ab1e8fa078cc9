internal import Glibc
import Synchronization

extension AtomicOutputFile {
    /// Whether `name` (a file name, no directory) has the shape of this type's temporary files,
    /// `.NAME.firpipe-PID-SERIAL-RANDOM.tmp`, so that the owner of a directory can remove what a killed
    /// run left behind.
    public static func isTemporaryName(_ name: String) -> Bool {
        temporaryOwner(name) != nil
    }

    /// The process id in a temporary file's name, or nil when `name` does not have that shape.
    static func temporaryOwner(_ name: String) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp"), let marker = name.ranges(of: ".firpipe-").last
        else { return nil }
        let parts = name[marker.upperBound...].dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }), parts[0].allSatisfy(\.isNumber),
              parts[1].allSatisfy(\.isNumber), parts[2].allSatisfy(\.isHexDigit)
        else { return nil }
        return pid_t(parts[0])
    }

    /// How long a directory stays clean for this process's next outputs: `init` rescans a directory at most
    /// this often. Scanning at every output made a batch of N outputs in one directory read N²/2 entries
    /// (2,000 clips: two million); a run killed meanwhile has its file removed by the next scan.
    static let rescanInterval = Duration.seconds(5)
    /// When this process last scanned each directory (``removeLeftovers(in:)``).
    private static let lastScans = Mutex<[String: ContinuousClock.Instant]>([:])

    /// ``removeLeftovers(in:)``, unless this process scanned `directory` less than `rescanInterval` ago
    /// (a batch cleans its output directories before it starts: its first outputs need not again).
    static func removeLeftoversIfDue(in directory: String) {
        let last = lastScans.withLock { $0[directory] }
        if let last, last.duration(to: .now) < rescanInterval { return }
        removeLeftovers(in: directory)
    }

    /// Removes from `directory` the temporary files of this type's naming that a killed run left: those
    /// whose process is gone **and** whose lock can be taken. Never by age: a slow run's file is as old
    /// as a dead one's. Either test alone could be fooled: a pid is reused, and a file made by a firpipe
    /// from before the lock, or caught between its creation and its flock, is not locked. Files of live
    /// processes, of this process, of other users (not openable) and anything but regular files are
    /// left alone. Best effort: a directory that cannot be listed is simply not cleaned.
    ///
    /// Called by `init` for every new output (at most every `rescanInterval` per directory), so that one
    /// later run to a directory leaves it clean whatever moment an earlier run was killed at. Any thread.
    ///
    /// - Returns: how many files it removed.
    @discardableResult
    public static func removeLeftovers(in directory: String) -> Int {
        lastScans.withLock { $0[directory] = .now }
        guard let stream = PlatformPath.withCString(directory, { opendir($0) }) else { return 0 }
        defer { closedir(stream) }
        var removed = 0
        let me = getpid()
        while let entry = readdir(stream) {
            // The bytes of the name as they are (Linux names need not be UTF-8), for the system calls.
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes.first == UInt8(ascii: "."), bytes.count > 5 else { continue }
            guard let owner = temporaryOwner(String(decoding: bytes, as: UTF8.self)), owner != me,
                  !isAlive(owner)
            else { continue }
            let path = PlatformPath.bytes(directory == "/" ? "" : directory) + [UInt8(ascii: "/")] + bytes + [0]
            if path.withUnsafeBufferPointer({ removeIfUnlocked($0.baseAddress!) }) { removed += 1 }
        }
        return removed
    }

    /// Whether process `pid` exists (EPERM: it does, under another user).
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Unlinks the regular file at `path` if its exclusive lock can be taken now, and only if the name
    /// still refers to the file that was locked.
    private static func removeIfUnlocked(_ pathBytes: UnsafePointer<UInt8>) -> Bool {
        pathBytes.withMemoryRebound(to: CChar.self, capacity: 1) { path in
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }  // also drops the lock, after the unlink
            var held = stat(), named = stat()
            guard fstat(fd, &held) == 0, held.st_mode & S_IFMT == S_IFREG,
                  flock(fd, LOCK_EX | LOCK_NB) == 0,
                  lstat(path, &named) == 0, named.st_dev == held.st_dev, named.st_ino == held.st_ino
            else { return false }
            return unlink(path) == 0
        }
    }
}
