import FirTestSupport
import Foundation

/// Damages audio files mostly where their headers are: sizes and counts set to edge values, bytes
/// changed, chunks cut short or repeated, the file truncated or lengthened.
enum AudioMutator {
    /// The region most mutations aim at: every container we write keeps its header in the first bytes.
    static let headerBytes = 200

    static let edges32: [UInt32] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]

    /// Applies one to three mutations to `file`.
    static func mutate(_ file: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = file
        for _ in 0..<Int.random(in: 1...3, using: &rng) { once(&bytes, using: &rng) }
        return bytes
    }

    private static func once(_ b: inout [UInt8], using rng: inout SeededGenerator) {
        guard b.count > 4 else { b += [0, 0, 0, 0]; return }
        let head = min(b.count, headerBytes)
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1:  // bytes in the header
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                b[Int.random(in: 0..<head, using: &rng)] = [0, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)]
                    .randomElement(using: &rng)!
            }
        case 2, 3:  // a 32-bit field in the header to an edge value, either byte order, or nearly right
            let at = Int.random(in: 0..<(head - 3), using: &rng) & ~1
            var value = edges32.randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                let old = b[at..<at + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                value = old &+ UInt32(bitPattern: Int32.random(in: -2...2, using: &rng))
            }
            let bigEndian = Bool.random(using: &rng)
            for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(bigEndian ? 3 - k : k))) }
        case 4: b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))  // truncated anywhere
        case 5: b = Array(b.prefix(Int.random(in: 0..<head, using: &rng)))  // truncated inside the header
        case 6:  // a piece of the header repeated or removed
            let start = Int.random(in: 0..<head, using: &rng)
            let length = Int.random(in: 1...min(32, b.count - start), using: &rng)
            if Bool.random(using: &rng) {
                b.insert(contentsOf: b[start..<start + length], at: start)
            } else {
                b.removeSubrange(start..<start + length)
            }
        default: b += (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
    }
}
