internal import Glibc

/// Named places where a test build can be told to die at once, as SQLite's tests crash it at chosen
/// steps: the crash tests (Tests/FirpipeTests/CrashTests.swift) set `FIRPIPE_CRASH_POINT=NAME` and check
/// that after the SIGKILL and one normal run nothing is left behind and nothing half-written carries the
/// output's name.
///
/// Only a build with `-Xswiftc -DFIRPIPE_CRASH_POINTS` (the Makefile's TEST_FLAGS) has them; in any
/// other build ``hit(_:)`` is empty and the variable is ignored, so a user's environment cannot make
/// firpipe die. The same builds honour `FIRPIPE_TEMP_FILES=named`, which makes ``AtomicOutputFile`` use
/// its named fallback, so the tests reach that path on file systems with O_TMPFILE too.
///
/// Any thread.
public enum CrashPoint: String, Sendable, CaseIterable {
    /// The output's first block has been handed to the writer.
    case afterFirstBlock = "after-first-block"
    /// The output is complete and synced, not yet committed.
    case beforeCommit = "before-commit"
    /// An unnamed output is about to be linked to its hidden name.
    case beforeLink = "before-link"
    /// An unnamed output is linked to its hidden name, not yet renamed to the final one.
    case afterLinkBeforeRename = "after-link-before-rename"
    /// A named temporary file is about to be renamed to the final name.
    case beforeRename = "before-rename"
    /// The output has its final name; the directory is not yet synced.
    case afterRename = "after-rename"

    #if FIRPIPE_CRASH_POINTS
    /// The point named by the environment, read once.
    private static let chosen = getenv("FIRPIPE_CRASH_POINT").map { String(cString: $0) }.flatMap(CrashPoint.init)

    /// Whether the test build was asked to use named temporary files only.
    static let forcesNamedTemporaries = getenv("FIRPIPE_TEMP_FILES").map { String(cString: $0) } == "named"

    /// Kills the process with SIGKILL when `point` is the one the environment names.
    @inline(never)
    public static func hit(_ point: CrashPoint) {
        if point == chosen { raise(SIGKILL) }
    }
    #else
    static let forcesNamedTemporaries = false

    /// Does nothing: this build has no crash points.
    @inline(__always)
    public static func hit(_ point: CrashPoint) {}
    #endif
}
