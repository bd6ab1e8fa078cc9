import FirAudio
internal import Glibc
internal import FoundationEssentials

/// Path arithmetic for config files, done on strings so results do not depend on what exists on disk.
enum FilePaths {
    /// The absolute directory holding `file`; relative paths count from the current directory.
    static func directory(ofFile file: String) -> String {
        let absoluteFile = absolute(file, under: currentDirectory())
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

    /// The working directory, its bytes kept (``PlatformPath``): Foundation's decodes them lossily.
    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return FileManager.default.currentDirectoryPath }
        defer { free(cwd) }
        return PlatformPath.string(fromCString: cwd)
    }

    /// Whether `path` names an existing file (or a symlink to one), and if not, why not.
    static func fileProblem(at path: String) -> FileProblem? {
        var status = stat()
        guard PlatformPath.withCString(path, { stat($0, &status) }) == 0 else { return .missing }
        return status.st_mode & S_IFMT == S_IFDIR ? .directory : nil
    }

    /// Why a path cannot be read as a file.
    enum FileProblem {
        case missing
        case directory
    }
}
