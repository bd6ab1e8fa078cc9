import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `firpipe find` end to end: lines and JSON, `--channel`, and bad inputs.
@Suite struct FindCommandTests {
    static let rate = 8000

    /// A stereo recording with the template (1000 samples) at two places in channel 1, at different levels.
    func files(_ f: Fixtures) throws -> (template: String, recording: String) {
        let sound = Recordings.read(Recordings.source(count: 3000, seed: 71), at: 100, count: 1000, gain: 0.5)
        var x = Signals.noise(count: 3 * Self.rate, seed: 72, amplitude: 0.01)
        for (at, gain) in [(4000, Float(1)), (17_500, Float(0.2))] {
            for j in sound.indices { x[at + j] += gain * sound[j] }
        }
        let other = Signals.noise(count: x.count, seed: 73, amplitude: 0.5)
        return (
            try f.audio("t.wav", [sound, sound], rate: Self.rate),
            try f.audio("r.wav", [other, x], rate: Self.rate)
        )
    }

    @Test func linesAndJSONListBothOccurrences() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (t, r) = try files(f)
        let text = try firpipe("find", t, r, "--channel", "1")
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.map { $0.prefix(2) } == [["0.500000", "0.625000"], ["2.187500", "2.312500"]], "\(text.stdout)")
        #expect(text.stderr.contains("2 matches"))
        let json = try firpipe("find", t, r, "--channel", "1", "--json", "--threshold", "0.5")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let matches = object?["matches"] as? [[String: Any]] ?? []
        #expect(matches.map { $0["start_sample"] as? Int } == [4000, 17_500])
        #expect(matches.allSatisfy { ($0["score"] as? Double ?? 0) > 0.95 })
        #expect(object?["sample_rate"] as? Int == Self.rate)
    }

    @Test func badInputs() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (t, r) = try files(f)
        let silent = try f.audio("silent.wav", [[Float](repeating: 0, count: 500)], rate: Self.rate)
        let fast = try f.audio("fast.wav", [Signals.noise(count: 500, seed: 1)], rate: 16000)
        let cases: [([String], Int32, String)] = [
            ([f.dir.path("nope.wav"), r], 66, "nope.wav"),
            ([silent, r], 65, "is silent"),
            ([fast, r], 65, "16000 Hz"),
            ([r, t], 64, "give the template first"),
            ([t, r, "--channel", "5"], 64, "--channel 5"),
        ]
        for (args, status, fragment) in cases {
            let result = try FirpipeBinary.run(["find"] + args)
            #expect(result.status == status, "\(args): \(result.stderr)")
            #expect(result.errorLines.count == 1 && result.stderr.contains(fragment), "\(result.stderr)")
        }
        let usage = try FirpipeBinary.run(["find", t, r, "--threshold", "1.5"])
        #expect(usage.status == 64 && usage.stderr.contains("--threshold"))
    }
}
