import Foundation

/// For a test that must change what belongs to the whole process (a resource limit, a signal's
/// disposition), which would reach the tests running beside it in parallel and the children they
/// spawn: the test runs again, alone, in a test runner of its own.
public enum AloneRun {
    /// Set in the environment of the runner of its own.
    static let marker = "FIRPIPE_TEST_ALONE"

    /// In the runner of its own, returns nil and the caller runs the test body. Elsewhere runs the
    /// one test whose identifier matches `filter` (a regular expression over "SuiteType/test()") in a
    /// runner of its own and returns "" if it passed, else what that runner printed.
    public static func rerun(_ filter: String) throws -> String? {
        guard ProcessInfo.processInfo.environment[marker] == nil else { return nil }
        return verdict(
            try FirpipeBinary.run(
                runnerArguments(filter), environment: [marker: "1"], executable: "/proc/self/exe", timeout: 300))
    }

    /// The test runner's arguments for the tests matching `filter`.
    static func runnerArguments(_ filter: String) -> [String] {
        ["--testing-library", "swift-testing", "--filter", filter]
    }

    /// "" if `run` passed exactly one test (exit 0 with no test run is no pass), else what it printed.
    static func verdict(_ run: FirpipeBinary.Result) -> String {
        let printed = run.stdout + run.stderr
        return run.status == 0 && printed.contains("Test run with 1 test ") ? "" : printed
    }
}
