import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `firpipe find2d` end to end on generated PGM images: the classic "find the template in the image".
@Suite struct Find2DCommandTests {
    /// An 8-bit PGM of smooth noise with the template pasted at (x 61, y 23), brighter and flatter.
    func images(_ f: Fixtures) throws -> (template: String, image: String) {
        let w = 160, h = 100
        let noise = Signals.noise(count: w * h, seed: 91, amplitude: 0.5)
        var pixels = (0..<(w * h)).map { i in 0.5 + 0.5 * (noise[i] + noise[(i + 1) % (w * h)]) / 2 }
        let tw = 24, th = 18
        let template = (0..<(tw * th)).map { i in pixels[(40 + i / tw) * w + 100 + i % tw] }
        for r in 0..<th { for c in 0..<tw { pixels[(23 + r) * w + 61 + c] = 0.2 + 0.6 * template[r * tw + c] } }
        let t = f.dir.path("t.pgm"), i = f.dir.path("i.pgm")
        try PortableImage.write(PortableImage(rows: th, columns: tw, values: template).pgm, to: t)
        try PortableImage.write(PortableImage(rows: h, columns: w, values: pixels).pgm, to: i)
        return (t, i)
    }

    @Test func findsTheTemplateAtItsPlaceAndWritesTheScoreMap() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (t, i) = try images(f)
        let map = f.dir.path("scores.pfm")
        let r = try firpipe("find2d", t, i, "--scores", map, "--count", "3")
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        // The pasted copy (quantised to 8 bits, so not quite 1) and the original it was cut from.
        #expect(Set(lines.map { "\($0[0]) \($0[1])" }) == ["61 23", "100 40"], "\(r.stdout)")
        let scores = try PortableImage(path: map)
        #expect(scores.rows == 100 - 18 + 1 && scores.columns == 160 - 24 + 1)
        #expect(scores.values[23 * scores.columns + 61] > 0.99)
        let json = try firpipe("find2d", t, i, "--json", "--count", "1")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let best = (object?["matches"] as? [[String: Any]])?.first
        #expect(["100 40", "61 23"].contains("\(best?["x"] as? Int ?? -1) \(best?["y"] as? Int ?? -1)"))
    }

    @Test func badInputs() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (t, i) = try images(f)
        let flat = f.dir.path("flat.pgm")
        try PortableImage.write(PortableImage(rows: 4, columns: 4, values: [Float](repeating: 0.5, count: 16)).pgm, to: flat)
        try Data("P6\n1 1\n255\n\0\0\0".utf8).write(to: f.dir.url.appendingPathComponent("colour.ppm"))
        let cases: [([String], Int32, String)] = [
            ([f.dir.path("nope.pgm"), i], 66, "nope.pgm"),
            ([i, t], 64, "does not fit"),
            ([flat, i], 65, "flat"),
            ([f.dir.path("colour.ppm"), i], 65, "colour.ppm"),
            ([t, i, "--scores", f.dir.path("no/such/s.pfm")], 73, "s.pfm"),
        ]
        for (args, status, fragment) in cases {
            let r = try FirpipeBinary.run(["find2d"] + args)
            #expect(r.status == status, "\(args): \(r.stderr)")
            #expect(r.errorLines.count == 1 && r.stderr.contains(fragment), "\(r.stderr)")
        }
    }
}
