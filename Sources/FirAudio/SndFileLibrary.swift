internal import CSndFile

/// The libsndfile library this process runs with.
public enum SndFileLibrary {
    /// libsndfile's own version string, e.g. "libsndfile-1.2.0", read from the loaded library. Any thread.
    public static var version: String { String(cString: sf_version_string()) }
}
