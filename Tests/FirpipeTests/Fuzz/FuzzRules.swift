import Foundation

/// The promises every run must keep, whatever its input: a documented exit code, one stderr line for an
/// error (with FILE:LINE:COL for a config error), no crash, no hang, nothing half-written and nothing left.
struct FuzzRules {
    /// The exit codes a run may end with.
    var allowed: Set<Int32>
    /// The config file a 78 must point into with FILE:LINE:COL, if any.
    var configName: String?
    /// Slowest acceptable run, seconds.
    var bound: Double

    /// The first rule `run` broke, or nil. `before` and `after` are snapshots of the working directory
    /// around the run.
    func violation(_ run: FuzzRun, before: DirectorySnapshot, after: DirectorySnapshot) -> String? {
        let status: Int32
        switch run.ending {
        case .timedOut: return "hang: no end within \(Int(bound)) s"
        case .signalled(let s): return "crash: killed by signal \(s)"
        case .exited(let s): status = s
        }
        if run.seconds > bound { return "slow: \(String(format: "%.1f", run.seconds)) s" }
        if !allowed.contains(status) { return "exit \(status) is not one of \(allowed.sorted())" }
        let lines = run.errorLines
        if lines.contains(where: { !$0.hasPrefix("firpipe: ") }) { return "stderr line without the firpipe: prefix" }
        let changes = after.changes(since: before)
        if let temp = changes.first(where: { $0.contains(".firpipe-") || $0.hasSuffix(".tmp") }) {
            return "temporary file left: \(temp)"
        }
        if status != 0 {
            if lines.count != 1 { return "exit \(status) with \(lines.count) stderr lines" }
            if !changes.isEmpty { return "exit \(status) but files changed: \(changes.prefix(3))" }
            if status == 78, let configName, !Self.hasLocation(lines[0], in: configName) {
                return "exit 78 without \(configName):LINE:COL"
            }
        } else if changes.count > 1 {
            return "exit 0 but \(changes.count) files changed: \(changes.prefix(3))"
        }
        return nil
    }

    /// Whether `line` carries `NAME:LINE:COL` for the config file `name`.
    static func hasLocation(_ line: String, in name: String) -> Bool {
        guard let range = line.range(of: name + ":") else { return false }
        let rest = line[range.upperBound...]
        let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count >= 2 && Int(parts[0]) != nil && Int(parts[1]) != nil
    }

    /// A short name for the kind of outcome, to group cases by ("78 bad value", "crash: signal 4").
    static func outcome(_ run: FuzzRun) -> String {
        switch run.ending {
        case .timedOut: return "hang"
        case .signalled(let s): return "signal \(s)"
        case .exited(let s): return "exit \(s)"
        }
    }

    /// A key that groups failures of one kind: the rule with digits removed.
    static func kind(_ rule: String) -> String {
        String(rule.filter { !$0.isNumber }.prefix(50))
    }
}

/// The files under a directory (not the directories: adding a file changes its directory's time) with
/// their sizes, modification times and inodes, to tell what a run changed.
struct DirectorySnapshot {
    private var entries: [String: [Int]] = [:]

    init(_ root: URL) {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return }
        while let relative = walker.nextObject() as? String {
            var st = stat()
            guard lstat(root.appendingPathComponent(relative).path, &st) == 0, st.st_mode & S_IFMT != S_IFDIR
            else { continue }
            entries[relative] = [Int(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, Int(st.st_ino)]
        }
    }

    /// Paths that appeared or changed since `earlier` (removals count too).
    func changes(since earlier: DirectorySnapshot) -> [String] {
        let added = entries.filter { earlier.entries[$0.key] != $0.value }.map(\.key)
        let removed = earlier.entries.keys.filter { entries[$0] == nil }
        return (added + removed).sorted()
    }

    /// Paths that appeared since `earlier`.
    func added(since earlier: DirectorySnapshot) -> [String] {
        entries.keys.filter { earlier.entries[$0] == nil }.sorted()
    }
}
