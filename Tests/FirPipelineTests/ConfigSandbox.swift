import Foundation

/// A fresh temporary directory for one test, holding empty stand-ins for audio and kernel files (the
/// config only checks that they exist), removed when the sandbox goes away.
final class ConfigSandbox {
    /// Absolute path of the directory, without a trailing slash.
    let directory: String

    /// Creates the directory and an empty file at each of `files` (relative, subdirectories allowed).
    init(files: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("firpipe-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            try create(file)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The absolute path of `relative` inside the sandbox.
    func path(_ relative: String) -> String {
        directory + "/" + relative
    }

    /// Creates an empty file, and its parent directories.
    func create(_ relative: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data().write(to: url)
    }

    /// Writes `text` to `relative` and returns the file's absolute path.
    @discardableResult
    func write(_ text: String, to relative: String) throws -> String {
        try create(relative)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(relative)))
        return path(relative)
    }
}
