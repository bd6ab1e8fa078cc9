internal import Glibc

/// The parts of a path, by text alone, as NSString's path methods give them (those live in the classic
/// Foundation that links ICU into the binary). Pure functions; any thread.
public enum PathName {
    /// `path` without its last component: "/a/b" → "/a", "/a" → "/", "b" → "", "/a/b/" → "/a".
    public static func directory(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let head = withoutTrailingSlashes(String(trimmed[..<slash]))
        return head.isEmpty ? "/" : head
    }

    /// The directory to open or join a name to for `path`: ``directory(of:)``, or "." for a bare name
    /// ("b" → "."), whose directory is the working one.
    public static func openableDirectory(of path: String) -> String {
        let directory = directory(of: path)
        return directory.isEmpty ? "." : directory
    }

    /// The last component: "/a/b.wav" → "b.wav", "/a/b/" → "b", "/" → "/".
    public static func lastComponent(_ path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? trimmed : name
    }

    /// The last component's extension without the dot ("" when none; a leading dot names a hidden file).
    public static func fileExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// `path` without the last component's extension and its dot: "a/b.wav" → "a/b", "a/b." → "a/b".
    public static func deletingExtension(_ path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        let name = lastComponent(trimmed)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return trimmed }
        return String(trimmed.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    /// `path` with "//" and "." removed and ".." taken back where the text allows ("/a/./b/../c/" →
    /// "/a/c"; a relative path keeps its leading ".."): one spelling per place, for comparing paths.
    public static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == ".." && absolute {
                continue  // "/.." is "/"
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `path` with every symbolic link resolved (realpath(3)); the standardized path when it does not
    /// exist or cannot be resolved.
    public static func resolvingSymlinks(_ path: String) -> String {
        let resolved = PlatformPath.withCString(path) { realpath($0, nil) }
        guard let resolved else { return standardized(path) }
        defer { free(resolved) }
        return PlatformPath.string(fromCString: resolved)
    }

    /// `path` with each run of slashes made one and no slash at the end (but for "/" itself).
    private static func withoutTrailingSlashes(_ path: String) -> String {
        var text = ""
        for character in path where !(character == "/" && text.hasSuffix("/")) { text.append(character) }
        if text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
