import FirTestSupport
import Foundation

/// Mutates YAML configs the way hands and tools damage them: bytes flipped, lines lost, doubled,
/// swapped or re-indented, values and keys replaced by hostile ones, aliases, truncation, odd line
/// breaks. No mutation inserts `/` or `..`, so a mutated path stays inside the fuzz sandbox.
enum ConfigMutator {
    /// Values that have broken parsers: out of range, wrong type, non-finite, YAML tags and structure.
    static let values = [
        "-1", "0", "1", "2", "3", "7", "65", "-0", "1.5", "1e309", "-1e309", "nan", ".nan", ".inf", "-.inf",
        "99999999999999999999", "4294967297", "9223372036854775807", "-9223372036854775808", "0x10", "0o17",
        "3.4e38", "true", "no", "null", "~", "[]", "{}", "\"\"", "''", "'a'", "[1, 2", "{a: 1}", "[0, 1, 2, 3]",
        "{in: 2, out: 4}", "{in: 0, out: 0}", "{in: 2, out: 100000}", "[{channel: 9}]", "!!binary AA==", "!!int x",
        "!!float .inf", "&x 1", "*x", "*nosuch", "\"\\u0000\"", "\"\\x85\"", "|\n  a", ">-\n  b",
        String(repeating: "a", count: 300), String(repeating: "9", count: 40), "k1.txt", "k2.wav", "in.wav",
        "nosuch.wav", "out.wav", "o.flac", "o.caf", "mixer", "filter", "convolution", "gain", "delay", "ms",
        "samples", "peak", "energy", "dc", "tpdf", "correlate", "valid", "same", "flac", "pcm16", "double",
        "4194304", "16", "15", "100000", "-60", "0.001",
    ]

    /// Keys of the config, and a few near misses.
    static let keys = [
        "input", "output", "kernel", "channels", "channel", "gain_db", "mode", "length", "block_size", "threads",
        "format", "subtype", "filters", "mixers", "pipeline", "type", "name", "names", "mapping", "dest",
        "sources", "invert", "mute", "delay", "unit", "subsample", "normalize", "resample", "resample_kernels",
        "limit_db", "dither", "dither_seed", "serve", "stream", "spool", "kernels", "gain", "in", "out",
        "chanels", "kernal", "<<", "? x", "-",
    ]

    /// Applies one mutation to `text`, sometimes two or three: most configs with three are refused at
    /// the first, and the deeper checks need configs that get past it.
    static func mutate(_ text: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = text
        for _ in 0..<[1, 1, 1, 1, 1, 2, 2, 3].randomElement(using: &rng)! { bytes = once(bytes, using: &rng) }
        return bytes
    }

    private static func once(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var lines = split(bytes)
        guard !lines.isEmpty else { return Array("x".utf8) }
        let i = Int.random(in: 0..<lines.count, using: &rng)
        switch Int.random(in: 0..<12, using: &rng) {
        case 0:  // one byte to anything but a path separator
            var b = bytes
            if !b.isEmpty {
                var v = UInt8.random(in: 0...255, using: &rng)
                if v == UInt8(ascii: "/") || v == UInt8(ascii: ".") { v = 0xFF }
                b[Int.random(in: 0..<b.count, using: &rng)] = v
            }
            return b
        case 1: lines.remove(at: i)
        case 2: lines.insert(lines[i], at: i)  // duplicate keys, repeated items
        case 3:
            let j = Int.random(in: 0..<lines.count, using: &rng)
            lines.swapAt(i, j)
        case 4:  // indentation
            if Bool.random(using: &rng) {
                lines[i] = Array("  ".utf8.prefix(Int.random(in: 1...2, using: &rng))) + lines[i]
            } else {
                lines[i] = Array(lines[i].drop { $0 == UInt8(ascii: " ") })
            }
        case 5, 6: lines[i] = replacingValue(lines[i], with: values.randomElement(using: &rng)!)
        case 7: lines[i] = replacingKey(lines[i], with: keys.randomElement(using: &rng)!)
        case 8:  // an anchor on one value, aliases to it elsewhere
            lines[i] = replacingValue(lines[i], with: "&a " + values.randomElement(using: &rng)!)
            let j = Int.random(in: 0..<lines.count, using: &rng)
            if j != i { lines[j] = replacingValue(lines[j], with: "*a") }
        case 9: return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
        case 10:  // odd breaks and spaces: NEL, LINE SEPARATOR, CR, tab, NUL, BOM
            let odd: [[UInt8]] = [[0xC2, 0x85], [0xE2, 0x80, 0xA8], [0x0D], [0x09], [0x00], [0xEF, 0xBB, 0xBF], [0xFF]]
            let at = Int.random(in: 0...lines[i].count, using: &rng)
            lines[i].insert(contentsOf: odd.randomElement(using: &rng)!, at: at)
        default:  // a key and value of its own, maybe nested
            let indent = Array(lines[i].prefix { $0 == UInt8(ascii: " ") })
            let key = keys.randomElement(using: &rng)!, value = values.randomElement(using: &rng)!
            lines.insert(indent + Array("\(key): \(value)".utf8), at: i)
        }
        return join(lines)
    }

    /// The line with whatever follows its first `: ` (or `- `) replaced.
    private static func replacingValue(_ line: [UInt8], with value: String) -> [UInt8] {
        let s = String(decoding: line, as: UTF8.self)
        if let r = s.range(of: ": ") ?? s.range(of: "- ") { return Array((s[..<r.upperBound] + value).utf8) }
        return Array((s + ": " + value).utf8)
    }

    /// The line with its key (the word before `:`) replaced.
    private static func replacingKey(_ line: [UInt8], with key: String) -> [UInt8] {
        let s = String(decoding: line, as: UTF8.self)
        guard let colon = s.firstIndex(of: ":") else { return line }
        let start = s[..<colon].lastIndex { $0 == " " || $0 == "{" || $0 == "-" }.map { s.index(after: $0) }
            ?? s.startIndex
        return Array((s[..<start] + key + s[colon...]).utf8)
    }

    private static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    private static func join(_ lines: [[UInt8]]) -> [UInt8] {
        Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }
}
