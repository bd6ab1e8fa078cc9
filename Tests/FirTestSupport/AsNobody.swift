import Foundation
import Synchronization

/// Runs a test as the unprivileged user `nobody`, for what root is exempt from (permission bits) or
/// what needs another user (a socket's 0600). Root becomes nobody with setpriv; the programs run
/// from a copy in a directory nobody may enter, as a checkout under /root may not be.
///
/// Any thread.
public enum AsNobody {
    /// Whether this process can start processes as nobody: root with setpriv (the CI machine).
    public static let isPossible = getuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv)

    static let setpriv = "/usr/bin/setpriv"

    /// Runs `executable args…` as nobody (uid 65534, gid 65534, no groups) and waits for it.
    public static func run(_ executable: String, _ args: [String], timeout: Double = 120) throws -> FirpipeBinary.Result {
        try FirpipeBinary.run(
            ["--reuid=65534", "--regid=65534", "--clear-groups", try reachable(executable)] + args,
            executable: setpriv, timeout: timeout)
    }

    /// For a permission test of the library itself: as root, runs the one test whose identifier
    /// matches `filter` (a regular expression over "SuiteType/test()") in a second test runner as
    /// nobody, and returns what it printed if that did not pass, or "" if it did; otherwise (not root)
    /// returns nil and the caller runs the test here, as the unprivileged user it is.
    public static func rerunTest(_ filter: String) throws -> String? {
        guard getuid() == 0 else { return nil }
        guard isPossible else { return "root without \(setpriv): install util-linux to run this test" }
        let failure = AloneRun.verdict(try run("/proc/self/exe", AloneRun.runnerArguments(filter)))
        return failure.isEmpty ? "" : "as nobody: \(failure)"
    }

    /// `path` (a symbolic link resolved) copied once per test process into a directory every user may
    /// enter and read.
    static func reachable(_ path: String) throws -> String {
        let source = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return try copies.withLock { copies in
            if let copy = copies[source] { return copy }
            let copy = directory + "/" + URL(fileURLWithPath: source).lastPathComponent
            try? FileManager.default.removeItem(atPath: copy)
            // A hard link costs nothing; a copy where the checkout is on another file system.
            if link(source, copy) != 0 { try FileManager.default.copyItem(atPath: source, toPath: copy) }
            chmod(copy, 0o755)
            copies[source] = copy
            return copy
        }
    }

    private static let copies = Mutex<[String: String]>([:])

    /// Made once per test process, 0755 up to /tmp, so nobody can enter it; removed at exit.
    private static let directory: String = {
        try? FileManager.default.createDirectory(atPath: directoryPath, withIntermediateDirectories: true)
        chmod(directoryPath, 0o755)
        atexit { try? FileManager.default.removeItem(atPath: AsNobody.directoryPath) }
        return directoryPath
    }()

    private static let directoryPath = "/tmp/firpipe-nobody-\(getpid())"
}
