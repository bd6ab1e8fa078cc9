import FirAudio
internal import Glibc
import FoundationEssentials

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
        guard let walker = FileManager.default.enumerator(atPath: inRoot) else {
            throw Failure(missing: true, description: "\(inputDirectory): cannot be listed; check its permissions")
        }
        var relative: [String] = []
        while let next = walker.nextObject() as? String {
            let name = PathName.lastComponent(next)
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            guard AudioContainer.fromExtension(ofPath: name) != nil else { continue }
            var isDir: Bool = false
            guard FileManager.default.fileExists(atPath: inRoot + "/" + next, isDirectory: &isDir), !isDir
            else { continue }
            relative.append(next)
        }
        relative.sort()
        return relative.map { path in
            var output = outRoot + "/" + path
            if let container {
                output = PathName.deletingExtension(output) + "." + fileExtension(container)
            }
            return (inRoot + "/" + path, output)
        }
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
