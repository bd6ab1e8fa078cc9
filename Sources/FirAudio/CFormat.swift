internal import Glibc

extension String {
    /// `format` filled in by C's printf rules (`%.3f`, `%+.2f`, `%g`, `%5d`…), for figures in messages and
    /// reports. Foundation's `String(format:)` would do the same, but it lives in the classic Foundation
    /// that links ICU (tens of megabytes) into the binary. Numbers only: `%s` and `%@` are not for Swift
    /// strings, which go in by interpolation.
    public init(cFormat format: String, _ arguments: any CVarArg...) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 64)
            // vsnprintf consumes the va_list: a second call, when the text is longer, needs a fresh one.
            let needed = Int(vsnprintf(&buffer, buffer.count, format, list))
            guard needed >= buffer.count else { return String(cString: buffer) }
            buffer = [CChar](repeating: 0, count: needed + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
            return String(cString: buffer)
        }
    }
}

extension StringProtocol {
    /// The text without the spaces and tabs (any Unicode space, not line breaks) at either end.
    public func trimmingSpaces() -> Substring {
        let isSpace = { (c: Character) in c.isWhitespace && !c.isNewline }
        let text = self[...]
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) })
        else { return Substring() }
        return Substring(text[first...last])
    }
}
