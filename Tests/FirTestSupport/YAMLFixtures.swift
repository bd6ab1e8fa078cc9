/// Config texts that stress the YAML reader, shared by the library and command-line tests.
public enum YAMLFixtures {
    /// `n0: &n0 [x × 10]`, `n1: &n1 [*n0 × 10]`, … `depth` levels, then `tail`: 10^depth values once
    /// every alias is expanded, in a text of a few hundred bytes.
    public static func aliasBomb(depth: Int, tail: String) -> String {
        let names = (0..<depth).map { "n\($0)" }
        func line(_ name: String, _ item: String) -> String {
            "\(name): &\(name) [" + Array(repeating: item, count: 10).joined(separator: ", ") + "]"
        }
        var lines = [line(names[0], "x")]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append(line(name, "*\(previous)"))
        }
        return (lines + [tail]).joined(separator: "\n") + "\n"
    }

    /// A `channels` list whose first entry gives `kernel` twice: with an alias bomb before it, the
    /// duplicate-key error path used to walk the whole expanded tree.
    public static let duplicateInFirstChannel = "channels:\n  - kernel: k.wav\n    kernel: k2.wav"
}
