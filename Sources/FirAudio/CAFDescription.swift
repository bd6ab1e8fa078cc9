internal import Glibc

/// The 'desc' chunk of a CAF file, read to tell a damaged header from an encoding libsndfile cannot
/// decode: libsndfile 1.2 reports both as "unsupported encoding" (its `decode_desc_chunk` gives up on
/// any combination of fields it does not map to a format), and the two need different advice.
///
/// Layout (Apple's Core Audio Format, big-endian): "caff", version and flags (8 bytes), then the
/// 'desc' chunk: "desc", a 64-bit size, the sample rate as a 64-bit float, then six 32-bit fields:
/// format id, format flags, bytes per packet, frames per packet, channels per frame, bits per channel.
///
/// A value type; any thread.
struct CAFDescription: Equatable {
    var formatID: UInt32
    var formatFlags: UInt32
    var bytesPerPacket: UInt32
    var framesPerPacket: UInt32
    var channels: UInt32
    var bitsPerChannel: UInt32

    /// Bytes from the start of the file to the end of the 'desc' chunk's fields.
    static let headerBytes = 52

    /// The format ids Apple registers for CAF (CoreAudioBaseTypes.h); a well-formed file names one.
    static let knownFormats: Set<String> = [
        "lpcm", "ac-3", "cac3", "ima4", "aac ", "MAC3", "MAC6", "ulaw", "alaw", "QDMC", "QDM2", "Qclp",
        ".mp1", ".mp2", ".mp3", "time", "midi", "apvs", "alac", "aach", "aacl", "aace", "aacf", "aacg",
        "aacp", "aacs", "usac", "samr", "sawb", "AUDB", "ilbc", "opus", "flac", "ec-3", "qec3", "dvi8",
    ]

    /// Parses the start of a file; nil when it is not a CAF file with a 'desc' chunk first, or too short.
    init?(header bytes: [UInt8]) {
        guard bytes.count >= Self.headerBytes, bytes[0..<4].elementsEqual("caff".utf8),
              bytes[8..<12].elementsEqual("desc".utf8)
        else { return nil }
        func field(_ offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        formatID = field(28)
        formatFlags = field(32)
        bytesPerPacket = field(36)
        framesPerPacket = field(40)
        channels = field(44)
        bitsPerChannel = field(48)
    }

    /// Reads the description from the start of the open file `fd` without moving its offset; nil as
    /// for ``init(header:)`` or when the read fails.
    static func read(from fd: Int32) -> CAFDescription? {
        var bytes = [UInt8](repeating: 0, count: headerBytes)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, headerBytes, 0) }
        guard count == headerBytes else { return nil }
        return CAFDescription(header: bytes)
    }

    /// The format id as its four characters, or nil when they are not printable ASCII (no format's are).
    var formatName: String? {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: formatID >> (24 - 8 * UInt32($0))) }
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What makes the description self-contradictory ("gives 17-bit samples in 4-byte packets of 2
    /// channels"), or nil when it is well-formed and so names an encoding that is really there.
    var damage: String? {
        guard let name = formatName else {
            return "names no format (its format id is 0x\(String(formatID, radix: 16)))"
        }
        guard Self.knownFormats.contains(name) else { return "names an unknown format '\(name)'" }
        guard channels > 0 else { return "gives 0 channels" }
        switch name {
        case "lpcm":
            // In 64 bits: a damaged header's fields can be anything, and their product must not trap.
            let width = (UInt64(bitsPerChannel) + 7) / 8
            guard (1...64).contains(bitsPerChannel), framesPerPacket == 1,
                  UInt64(bytesPerPacket) == width * UInt64(channels)
            else {
                return "gives \(bitsPerChannel)-bit samples in \(bytesPerPacket)-byte packets of \(framesPerPacket) "
                    + "frames of \(channels) channels"
            }
        case "ulaw", "alaw":
            guard bitsPerChannel == 8, bytesPerPacket == channels else {
                return "gives \(bitsPerChannel)-bit \(name) samples in \(bytesPerPacket)-byte packets of "
                    + "\(channels) channels"
            }
        case "alac":
            guard (1...4).contains(formatFlags) else { return "gives ALAC format flags \(formatFlags), not 1 to 4" }
        default:
            break
        }
        return nil
    }
}
