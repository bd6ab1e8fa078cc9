/// FNV-1a over UTF-8, 64 bits: the same digest in every process (Swift's `Hasher` is seeded anew each
/// run), for the batch journal's job keys. Not cryptographic; it tells a changed job from the same one.
enum StableDigest {
    static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
