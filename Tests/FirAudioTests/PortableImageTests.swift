import FirAudio
import FirTestSupport
import Foundation
import Testing

/// The PGM/PFM reader and writer: exact round trips, PGM's scaling and orientation, damage refused.
@Suite struct PortableImageTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory() }

    @Test func pfmRoundTripsExactlyAndPGMScalesToOne() throws {
        let image = PortableImage(rows: 3, columns: 4, values: Signals.noise(count: 12, seed: 3))
        let pfm = dir.path("a.pfm")
        try PortableImage.write(image.pfm, to: pfm)
        #expect(try PortableImage(path: pfm) == image)
        // 8 bits: top-left first; 16 bits: big-endian.
        let grey = dir.path("g.pgm")
        try Data(Array("P5\n# a comment\n2 2\n255\n".utf8) + [0, 51, 255, 102]).write(to: URL(fileURLWithPath: grey))
        #expect(try PortableImage(path: grey).values == [0, 0.2, 1, 0.4])
        let wide = dir.path("w.pgm")
        try Data(Array("P5 1 2 1000\n".utf8) + [0x01, 0xF4, 0x03, 0xE8]).write(to: URL(fileURLWithPath: wide))
        #expect(try PortableImage(path: wide).values == [0.5, 1])
        let back = dir.path("b.pgm")
        try PortableImage.write(PortableImage(rows: 1, columns: 3, values: [0, 0.5, 2]).pgm, to: back)
        #expect(try PortableImage(path: back).values == [0, 128 / 255, 1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains(".firpipe-") })
    }

    @Test func damageIsBadData() throws {
        for (name, bytes) in [
            ("text.pgm", Array("P2\n2 2\n255\n0 1 2 3\n".utf8)),
            ("short.pgm", Array("P5\n4 4\n255\n".utf8) + [1, 2, 3]),
            ("header.pfm", Array("Pf\n4\n".utf8)),
            ("nan.pfm", Array("Pf\n1 1\n-1.0\n".utf8) + [0, 0, 0xC0, 0x7F]),
        ] {
            let path = dir.path(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect { try PortableImage(path: path) } throws: { ($0 as? AudioError)?.kind == .badData }
        }
        #expect { try PortableImage(path: dir.path("missing.pgm")) } throws: { ($0 as? AudioError)?.kind == .missing }
    }
}
