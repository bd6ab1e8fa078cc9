/// The inbox files the spool has seen but not yet queued, and when each one counts as complete.
///
/// A file renamed into the inbox is complete at once: its writer finished it elsewhere. Any other file
/// (written in place, or found by a scan) is complete once its ``FileSignature`` has stayed the same for
/// `settle`, as this process observed it on its own monotonic clock. Not "mtime older than the settle
/// time": a network file system stamps mtimes with the server's clock, which may be off from ours by
/// more than the settle time, and a file still being written would then look old.
///
/// Threads: a value owned by the spool's intake thread; not shared.
struct SpoolCandidates {
    struct Entry {
        var signature: FileSignature
        /// When this process first saw the file with its current signature.
        var unchangedSince: ContinuousClock.Instant
        var renamedIn: Bool
        /// Discovery order, so files are taken first seen, first served.
        var serial: Int
    }

    /// How long a file written in place must stay unchanged.
    private(set) var settle: Duration
    private(set) var entries: [String: Entry] = [:]
    private var nextSerial = 0

    init(settleSeconds: Double) {
        settle = Self.duration(settleSeconds)
    }

    /// A reload's new settle time, for every file from now on.
    mutating func setSettle(seconds: Double) {
        settle = Self.duration(seconds)
    }

    private static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((max(0, seconds) * 1000).rounded()))
    }

    /// Whether the spool leaves `name` alone: hidden files (our own temporaries among them), files still
    /// being written under a temporary name by common tools, and the spool's own `.error` reports.
    static func isIgnored(_ name: String) -> Bool {
        if name.hasPrefix(".") { return true }
        let lower = name.lowercased()
        return ignoredSuffixes.contains { lower.hasSuffix($0) }
    }

    private static let ignoredSuffixes = [".part", ".tmp", ".firpipe-tmp", ".error"]

    /// The names being watched.
    var names: [String] { Array(entries.keys) }

    /// Records how `name` looks now. A changed signature restarts its settle time (and a file renamed in
    /// then written to again is no longer taken as finished); `nil` (the file is gone or is not a regular
    /// file) drops it.
    ///
    /// - Parameter renamedIn: the file has just been renamed into the inbox.
    mutating func observe(_ name: String, _ signature: FileSignature?, at now: ContinuousClock.Instant,
                          renamedIn: Bool = false) {
        guard let signature else {
            entries[name] = nil
            return
        }
        if var entry = entries[name], entry.signature == signature {
            entry.renamedIn = entry.renamedIn || renamedIn
            entries[name] = entry
            return
        }
        let serial = entries[name]?.serial ?? nextSerial
        if serial == nextSerial { nextSerial += 1 }
        entries[name] = Entry(signature: signature, unchangedSince: now, renamedIn: renamedIn, serial: serial)
    }

    /// Stops watching `name` (it was queued elsewhere or left the inbox).
    mutating func forget(_ name: String) {
        entries[name] = nil
    }

    /// Removes and returns the names complete at `now`, in the order they were first seen.
    mutating func takeComplete(at now: ContinuousClock.Instant) -> [String] {
        let complete = entries
            .filter { $0.value.renamedIn || now - $0.value.unchangedSince >= settle }
            .sorted { $0.value.serial < $1.value.serial }
            .map(\.key)
        for name in complete { entries[name] = nil }
        return complete
    }
}
