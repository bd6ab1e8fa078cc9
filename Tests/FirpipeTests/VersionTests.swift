import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe --version`: the build, and the libraries the process runs with.
@Suite struct VersionTests {
    /// The lines name firpipe's version and commit, and the FFTW and libsndfile versions that
    /// pkg-config reports for the libraries installed here (the ones the binary loads).
    @Test func namesTheBuildAndTheLibrariesItRunsWith() throws {
        let r = try firpipe("--version")
        try #require(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(r.stdout)")
        #expect(lines[0] == "firpipe \(BuildVersion.number) (commit \(BuildVersion.commit))")
        #expect(lines[0].wholeMatch(of: /firpipe \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/) != nil)
        let fftw = try Self.pkgConfigVersion("fftw3f")
        let sndfile = try Self.pkgConfigVersion("sndfile")
        #expect(lines[1].hasPrefix("fftw-\(fftw)"), "\(lines[1]) is not FFTW \(fftw)")
        #expect(lines[2] == "libsndfile-\(sndfile)")
    }

    private static func pkgConfigVersion(_ package: String) throws -> String {
        let r = try FirpipeBinary.run(["--modversion", package], executable: "/usr/bin/pkg-config")
        try #require(r.status == 0, "pkg-config --modversion \(package): \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
