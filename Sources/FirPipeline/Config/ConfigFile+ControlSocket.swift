internal import FoundationEssentials

extension ConfigFile {
    /// The `serve.control_socket` a config file names, found even when the file is broken elsewhere
    /// (bad YAML, an unknown key, a bad value), made absolute as the daemon makes it; nil when the file
    /// names none or cannot be read.
    ///
    /// `firpipe reload` is run right after an edit, and an edit may break the file: the client must
    /// still reach the daemon, whose reply names the error with its position. So: the checked file
    /// when it is good, else the YAML tree read without the schema, else the plain text of the section.
    public static func controlSocketLeniently(path: String) -> String? {
        if let file = try? load(path: path) { return file.serve?.controlSocket }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let written = fromTree(text) ?? fromLines(text), !written.isEmpty else { return nil }
        return FilePaths.absolute(written, under: FilePaths.directory(ofFile: path))
    }

    private static func fromTree(_ text: String) -> String? {
        guard let root = try? YAMLDocument.compose(text, file: "").root,
            case .mapping(let top) = root, case .mapping(let serve)? = top["serve"],
            case .scalar(let socket)? = serve["control_socket"]
        else { return nil }
        return socket.string
    }

    /// `control_socket:` on an indented line of the block under a top-level `serve:`.
    private static func fromLines(_ text: String) -> String? {
        var inServe = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let indented = line.count < rawLine.count
            if !indented {
                inServe = line.hasPrefix("serve:")
                continue
            }
            guard inServe, line.hasPrefix("control_socket:") else { continue }
            var value = line.dropFirst("control_socket:".count)
            if let comment = value.firstRange(of: " #") { value = value[..<comment.lowerBound] }
            value = value.drop { $0 == " " || $0 == "\t" }
            while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            return String(value)
        }
        return nil
    }
}
