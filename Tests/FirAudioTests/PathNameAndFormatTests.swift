@testable import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``PathName``, `String(cFormat:)` and `trimmingSpaces()` replace classic Foundation's NSString path
/// methods, `String(format:)` and `trimmingCharacters(in: .whitespaces)` in the product; the tests may link
/// classic Foundation, so they take it as the oracle.
@Suite("PathName and cFormat")
struct PathNameAndFormatTests {
    static let paths = [
        "/a/b/c.wav", "/a/b/", "/a", "/", "a/b", "a/b.tar.gz", "/x/.hidden", "dir/.wav",
        "//a//b//", "/a/b.", "a.b/c", "/a/./b/../c", "~/x", "/é/ü.flac",
    ]

    @Test("directory, last component, extension and extension removed agree with NSString", arguments: paths)
    func pathParts(_ path: String) {
        let ns = path as NSString
        #expect(PathName.directory(of: path) == ns.deletingLastPathComponent, "\(path)")
        #expect(PathName.lastComponent(path) == ns.lastPathComponent, "\(path)")
        #expect(PathName.fileExtension(path) == ns.pathExtension, "\(path)")
        if !path.hasPrefix("~") {  // NSString expands ~ here; firpipe never sees one the shell left
            #expect(PathName.deletingExtension(path) == ns.deletingPathExtension, "\(path)")
        }
    }

    /// The tests' Foundation traps in `deletingLastPathComponent` on a path without a slash ("a"), so
    /// these are spelled out instead of compared.
    @Test("a bare name and the empty path")
    func bareNames() {
        #expect(PathName.directory(of: "") == "")
        #expect(PathName.lastComponent("") == "")
        #expect(PathName.deletingExtension("") == "")
        #expect(PathName.directory(of: "list.csv") == "")
        #expect(PathName.openableDirectory(of: "list.csv") == ".")
        #expect(PathName.openableDirectory(of: "a/list.csv") == "a")
        #expect(PathName.openableDirectory(of: "/list.csv") == "/")
        #expect(PathName.lastComponent("list.csv") == "list.csv")
        #expect(PathName.fileExtension("name.WAV") == "WAV")
        #expect(PathName.fileExtension(".hidden") == "")
        #expect(PathName.deletingExtension("a.tar.gz") == "a.tar")
        #expect(PathName.deletingExtension(".hidden") == ".hidden")
    }

    @Test("standardized: absolute paths as NSString gives them, relative ones keep their leading ..")
    func standardized() {
        for path in ["/a/./b/../c/", "//a//b", "/a/b/..", "/..", "/a/../../b", "/a/b/c"] {
            #expect(PathName.standardized(path) == (path as NSString).standardizingPath, "\(path)")
        }
        #expect(PathName.standardized("a/./b//c/") == "a/b/c")
        #expect(PathName.standardized("../a/../b") == "../b")
        #expect(PathName.standardized("a/..") == ".")
    }

    @Test("resolvingSymlinks follows a link to the real directory and leaves a missing path standardized")
    func symlinks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let real = dir.path("real")
        #expect(mkdir(real, 0o755) == 0)
        #expect(symlink(real, dir.path("link")) == 0)
        #expect(PathName.resolvingSymlinks(dir.path("link")) == PathName.resolvingSymlinks(real))
        #expect(PathName.resolvingSymlinks(real).hasSuffix("/real"))
        #expect(PathName.resolvingSymlinks("/no/such/./dir/../x") == "/no/such/x")
    }

    @Test("makeDirectories makes the missing parents, accepts what exists and gives errno for a file in the way")
    func directories() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(makeDirectories(dir.path("a/b/c")) == nil)
        var info = stat()
        #expect(stat(dir.path("a/b/c"), &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        #expect(makeDirectories(dir.path("a/b")) == nil, "an existing directory is fine")
        #expect(FileManager.default.createFile(atPath: dir.path("file"), contents: Data()))
        #expect(makeDirectories(dir.path("file")) == DirectoryFailure(path: dir.path("file"), code: ENOTDIR))
        #expect(makeDirectories(dir.path("file/sub")) == DirectoryFailure(path: dir.path("file"), code: ENOTDIR),
                "the part in the way is named")
        #expect(makeDirectories(dir.path("m/n"), mode: 0o700) == nil)
        #expect(stat(dir.path("m/n"), &info) == 0 && info.st_mode & 0o077 == 0, "new parts get the mode")
    }

    @Test("cFormat prints numbers as String(format:) does")
    func cFormat() {
        let values: [Double] = [0, -0.0, 1, -1.5, 3.14159265358979, 1e-7, 123456789.123, 0.1, .infinity, -.infinity]
        for format in ["%.3f", "%+.2f", "%g", "%.17g", "%.4g Hz", "%.0f", "%8.3f|"] {
            for v in values {
                #expect(String(cFormat: format, v) == String(format: format, v), "\(format) \(v)")
            }
        }
        #expect(String(cFormat: "%d of %d: %3d%%", 3, 42, 7) == "3 of 42:   7%")
        let long = String(repeating: "x", count: 200) + "%.1f"
        #expect(String(cFormat: long, 2.25) == String(repeating: "x", count: 200) + "2.2", "longer than the first buffer")
    }

    @Test("trimmingSpaces trims as trimmingCharacters(in: .whitespaces) does")
    func trimming() {
        for text in ["", "  ", " a ", "\ta b\t", "a", " \u{00A0}x\u{2003} ", "\n a \n", "x  y"] {
            #expect(String(text.trimmingSpaces()) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }
}
