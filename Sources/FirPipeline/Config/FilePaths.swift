internal import Foundation

/// Path arithmetic for config files, done on strings so results do not depend on what exists on disk.
enum FilePaths {
    /// The absolute directory holding `file`; relative paths count from the current directory.
    static func directory(ofFile file: String) -> String {
        let absoluteFile = absolute(file, under: FileManager.default.currentDirectoryPath)
        guard let slash = absoluteFile.lastIndex(of: "/") else { return "/" }
        let directory = String(absoluteFile[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// `path` if it is absolute, else `directory/path`, with `.` and `..` components and repeated
    /// slashes removed.
    ///
    /// `..` is removed lexically rather than by following symlinks, so the result names the file the
    /// user meant even when it does not exist yet (an output file).
    static func absolute(_ path: String, under directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        var components: [Substring] = []
        for component in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".":
                continue
            case "..":
                _ = components.popLast()
            default:
                components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// Whether `path` names an existing regular file (or a symlink to one), and if not, why not.
    static func fileProblem(at path: String) -> FileProblem? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : nil
    }

    /// Why a path cannot be read as a file.
    enum FileProblem {
        case missing
        case directory
    }
}
