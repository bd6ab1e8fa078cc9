internal import CBuildInfo
import FirAudio
import FirCore

/// What `firpipe --version` and `firpipe status` say about this build.
enum BuildVersion {
    /// firpipe's version: the one place it is written. `make deb` names the package from it and checks
    /// that deploy/debian/changelog's first entry agrees.
    static let number = "0.1.0"

    /// The git commit the binary was built from, baked in by the Makefile; "unknown" without it.
    static var commit: String { String(cString: firpipe_build_commit()) }

    /// `firpipe --version`: the version and commit, then the FFTW and libsndfile this process runs with
    /// (read from the loaded libraries, so a distribution upgrade shows here without a rebuild).
    static var report: String {
        """
        firpipe \(number) (commit \(commit))
        \(FFTWLibrary.version)
        \(SndFileLibrary.version)
        """
    }

    /// One line for `firpipe status`: "0.1.0 (commit abc123def456)".
    static var summary: String { "\(number) (commit \(commit))" }
}
