internal import Glibc

/// File paths as Linux has them, bytes rather than text, carried in Swift `String`s without loss.
///
/// A name's bytes need not be UTF-8 (a file made under a Latin-1 locale, `$'\xff\xfe.wav'`), but a
/// `String` holds only Unicode scalars, and Swift's `CommandLine.arguments` replaces such bytes with
/// U+FFFD, so the file opened or written would be another one. Here each byte that is not part of valid
/// UTF-8 becomes one scalar of the private-use range U+10FF80...U+10FFFF (the byte is the scalar's low
/// 8 bits; Python's "surrogateescape" does the same with surrogates, which a Swift `String` cannot
/// hold). The bytes of a valid scalar from that very range are escaped the same way, so distinct byte
/// strings always give distinct `String`s and ``withCString(_:_:)`` gives back exactly the bytes that
/// ``string(fromBytes:)`` was given. Paths go through ``withCString(_:_:)`` at every system call, and
/// through ``displayed(_:)`` on the way to a terminal, which shows such a byte as `\xFF`.
///
/// The same escape serves swift-system's `FilePath` purpose at a fraction of the change: a path stays
/// the `String` every message, config value and test already uses.
///
/// Pure functions; any thread.
public enum PlatformPath {
    /// The first scalar that stands for a raw byte: byte `b` (0x80...0xFF) is scalar `escapeBase + b`.
    static let escapeBase: UInt32 = 0x10FF00
    /// The longest file name component Linux file systems take (NAME_MAX), in bytes.
    public static let maxComponentBytes = 255
    /// The longest path open(2) takes (PATH_MAX less the terminating NUL), in bytes.
    public static let maxPathBytes = 4095

    /// The path whose bytes are `bytes` (a C string without its NUL, e.g. an element of argv).
    public static func string(fromBytes bytes: some Collection<UInt8>) -> String {
        // The common case, valid UTF-8 with no scalar from the escape range, costs one validation.
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: isEscape) {
            return text
        }
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = bytes.startIndex
        func escapeNext(_ count: Int) {
            for _ in 0..<count {
                scalars.append(escape(bytes[position]))
                position = bytes.index(after: position)
            }
        }
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if isEscape(scalar) {
                    escapeNext(encoded.count)
                } else {
                    scalars.append(scalar)
                    position = bytes.index(position, offsetBy: encoded.count)
                }
            case .error(let length):
                escapeNext(length)
            case .emptyInput:
                return String(scalars)
            }
        }
    }

    /// The path named by the C string `cString` (argv, getcwd, readdir).
    public static func string(fromCString cString: UnsafePointer<CChar>) -> String {
        string(fromBytes: UnsafeRawBufferPointer(start: cString, count: strlen(cString)).bindMemory(to: UInt8.self))
    }

    /// The bytes `path` stands for, without a terminating NUL.
    public static func bytes(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(where: isEscape) else { return Array(path.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Calls `body` with `path` as the NUL-terminated bytes a system call takes. The one way firpipe
    /// hands a path to the system, so that escaped bytes become the bytes again.
    public static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) -> R) -> R {
        guard path.unicodeScalars.contains(where: isEscape) else { return path.withCString(body) }
        let bytes = bytes(path)
        let cString = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        defer { cString.deallocate() }
        for (i, byte) in bytes.enumerated() { cString[i] = CChar(bitPattern: byte) }
        cString[bytes.count] = 0
        return body(cString)
    }

    /// `text` (a message, or a path) with every escaped byte shown as `\xFF`, and control characters
    /// (C0, DEL, C1, and the line and paragraph separators) as `\x1B` or `\u{2028}`, so that a name
    /// read from a file or argv can neither split the one line firpipe prints nor drive the terminal.
    public static func displayed(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var shown = ""
        shown.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if isEscape(scalar) {
                shown += hexByte(UInt8(truncatingIfNeeded: scalar.value))
            } else if needsEscape(scalar) {
                shown += scalar.value < 0x100 ? hexByte(UInt8(scalar.value)) : "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// `bytes` as text for a message: valid UTF-8 as it is, any other byte and every control byte as `\xFF`.
    public static func displayed(bytes: some Collection<UInt8>) -> String {
        displayed(string(fromBytes: bytes))
    }

    /// Why the system would refuse `path` as too long, or nil: a component over ``maxComponentBytes``
    /// (NAME_MAX) or the whole over ``maxPathBytes`` (PATH_MAX), both in bytes. One pass over the path,
    /// so that a path of a million characters is refused as quickly as a short one.
    public static func lengthProblem(_ path: String) -> String? {
        let bytes = bytes(path)
        var longest = 0, run = 0
        for byte in bytes {
            run = byte == UInt8(ascii: "/") ? 0 : run + 1
            longest = max(longest, run)
        }
        if longest > maxComponentBytes {
            return "has a name of \(longest) bytes, more than the \(maxComponentBytes) a file name may have; "
                + "choose a shorter name"
        }
        if bytes.count > maxPathBytes {
            return "is \(bytes.count) bytes long, more than the \(maxPathBytes) a path may have; "
                + "choose a shorter path"
        }
        return nil
    }

    /// `path` shortened for a message when it is too long to quote whole: its start and its end.
    public static func abbreviated(_ path: String, keeping limit: Int = 400) -> String {
        guard path.unicodeScalars.count > limit else { return path }
        let scalars = path.unicodeScalars
        var shown = String.UnicodeScalarView(scalars.prefix(limit * 2 / 3))
        shown.append(contentsOf: "…".unicodeScalars)
        shown.append(contentsOf: scalars.suffix(limit / 3))
        return String(shown)
    }

    /// The longest start of `name` that is at most `maxBytes` bytes on disk and ends on a whole scalar.
    /// Linear in the length of the start.
    public static func prefix(_ name: String, maxBytes: Int) -> Substring {
        var bytes = 0
        var end = name.unicodeScalars.startIndex
        for index in name.unicodeScalars.indices {
            let scalar = name.unicodeScalars[index]
            let size = isEscape(scalar) ? 1 : UTF8.width(scalar)
            if bytes + size > maxBytes { break }
            bytes += size
            end = name.unicodeScalars.index(after: index)
        }
        // A scalar boundary inside a grapheme is a valid String index; the name only needs to be unique.
        return name[..<end]
    }

    // MARK: Private

    private static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF
    }

    private static func escape(_ byte: UInt8) -> Unicode.Scalar {
        // escapeBase + 0xFF is below 0x110000 and outside the surrogates: always a scalar.
        Unicode.Scalar(escapeBase + UInt32(byte)) ?? "\u{FFFD}"
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || isEscape(scalar)
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
    }
}
