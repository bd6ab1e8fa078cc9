import FirAudio
internal import Glibc
internal import FoundationEssentials

/// The jobs of a directory batch: every audio file under the input directory (recursively, by
/// extension, hidden files and directories left out), each to the same relative path under the output
/// directory, with the extension of `--format` when one is given. Sorted by path, so every run and
/// every shard sees the same list.
///
/// Value type; any thread.
public enum BatchPlan {
    /// A scan that cannot start: the input is not a directory, or the output lies inside the input.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var missing: Bool
        public var description: String
    }

    /// Input and output paths of every audio file under `inputDirectory`.
    public static func scan(
        inputDirectory: String, outputDirectory: String, container: ContainerName?
    ) throws(Failure) -> [(input: String, output: String)] {
        var isDirectory: Bool = false
        guard FileManager.default.fileExists(atPath: inputDirectory, isDirectory: &isDirectory), isDirectory
        else {
            throw Failure(missing: true, description: "\(inputDirectory): no such directory; give the directory "
                + "that holds the audio files, or --manifest FILE")
        }
        let inRoot = PathName.standardized(inputDirectory)
        let outRoot = PathName.standardized(outputDirectory)
        let realIn = PathName.resolvingSymlinks(inRoot)
        let realOut = PathName.resolvingSymlinks(outRoot)
        if realOut == realIn || realOut.hasPrefix(realIn + "/") {
            throw Failure(missing: false, description: "\(outputDirectory): the output directory is inside the input "
                + "directory \(inputDirectory); its outputs would be read as inputs next run, so write them elsewhere")
        }
        guard var relative = visibleFiles(under: inRoot) else {
            throw Failure(missing: true, description: "\(inputDirectory): cannot be listed; check its permissions")
        }
        relative.removeAll { AudioContainer.fromExtension(ofPath: PathName.lastComponent($0)) == nil }
        relative.sort()
        return relative.map { path in
            var output = outRoot + "/" + path
            if let container {
                output = PathName.deletingExtension(output) + "." + fileExtension(container)
            }
            return (inRoot + "/" + path, output)
        }
    }

    /// The paths, relative to `root`, of the files under it whose names and directories are not hidden
    /// (a leading dot), descending into directories but not into links to them (a link to a file counts
    /// as the file); nil when `root` itself cannot be listed. Subdirectories that cannot be listed are
    /// passed over.
    static func visibleFiles(under root: String) -> [String]? {
        var found: [String] = []
        // Directories still to list, by their prefix; opened one at a time, so a wide tree never holds
        // more than one descriptor.
        var pending = [""]
        while let prefix = pending.popLast() {
            guard let stream = PlatformPath.withCString(root + "/" + prefix, { opendir($0) }) else {
                if prefix.isEmpty { return nil }  // the root itself
                continue
            }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    PlatformPath.string(fromCString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                guard !name.hasPrefix(".") else { continue }  // hidden, and "." and ".."
                let path = prefix + name
                var status = stat()
                guard PlatformPath.withCString(root + "/" + path, { lstat($0, &status) }) == 0 else { continue }
                if status.st_mode & S_IFMT == S_IFDIR {
                    pending.append(path + "/")
                } else if status.st_mode & S_IFMT != S_IFLNK
                    || (PlatformPath.withCString(root + "/" + path, { stat($0, &status) }) == 0
                        && status.st_mode & S_IFMT != S_IFDIR)
                {
                    found.append(path)
                }
            }
        }
        return found
    }

    /// The file name extension for a container.
    static func fileExtension(_ container: ContainerName) -> String {
        switch container {
        case .wav, .wavex: "wav"
        case .flac: "flac"
        case .aiff: "aiff"
        case .w64: "w64"
        case .rf64: "rf64"
        case .caf: "caf"
        }
    }
}
