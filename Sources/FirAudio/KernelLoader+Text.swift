extension KernelLoader {
    /// Parses a text kernel: numbers separated by whitespace (and commas when `commasSeparate`), `#` to
    /// the end of a line is a comment. A UTF-8 byte-order mark at the start is skipped, since Windows
    /// editors write one along with the CR LF line ends this accepts.
    ///
    /// Numbers are read as Swift reads a `Double` (as strtod does in the C locale: "1e-3", "-.5", "0x1p-3"),
    /// then narrowed to `Float`. "nan", "inf" and values too large for a `Float` are refused: a kernel with
    /// them would turn every output sample into NaN or infinity.
    static func parseText(_ bytes: [UInt8], path: String, commasSeparate: Bool) throws(AudioError) -> [Float] {
        var taps: [Float] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let content = bytes[start..<end]
            let code = content.firstIndex(of: UInt8(ascii: "#")).map { content[..<$0] } ?? content
            for token in code.split(whereSeparator: { isSeparator($0, commasSeparate: commasSeparate) }) {
                taps.append(try number(token, path: path, line: line))
            }
            start = end + 1
            line += 1
        }
        guard !taps.isEmpty else {
            throw AudioError(
                .badData, path: path,
                message: "empty kernel: no numbers, only blank lines and comments; put the filter taps in the file")
        }
        return taps
    }

    private static func isSeparator(_ byte: UInt8, commasSeparate: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C: return true
        case UInt8(ascii: ","): return commasSeparate
        default: return false
        }
    }

    private static func number(_ token: ArraySlice<UInt8>, path: String, line: Int) throws(AudioError) -> Float {
        let text = String(decoding: token, as: UTF8.self)
        // Shown in the message; a megabyte of garbage on one line should not become a megabyte of message.
        // Bytes shown as they are would reach the terminal: ESC starts a terminal command, NUL ends a C
        // string, invalid UTF-8 turns into U+FFFD. So every control byte and invalid byte is escaped.
        let quoted = PlatformPath.string(fromBytes: token)
        let shown = PlatformPath.displayed(quoted.count > 40 ? String(quoted.prefix(40)) + "..." : quoted)
        guard let value = Double(text) else {
            let hint = commasSeparate(text) ? " (commas separate numbers only in .csv files)" : ""
            throw AudioError(
                .badData, path: path,
                message: "'\(shown)' is not a number\(hint); write the taps as decimal numbers and start comments with #",
                line: line)
        }
        let narrowed = Float(value)
        guard value.isFinite, narrowed.isFinite else {
            throw AudioError(
                .badData, path: path,
                message: "'\(shown)' is not a finite 32-bit number; a kernel needs finite taps, regenerate the filter",
                line: line)
        }
        return narrowed
    }

    /// Whether a token that failed to parse looks like numbers joined by commas.
    private static func commasSeparate(_ text: String) -> Bool {
        text.contains(",") && text.split(separator: ",").allSatisfy { Double($0) != nil }
    }
}
