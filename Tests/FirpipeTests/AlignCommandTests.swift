import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `firpipe align` end to end: the printed answer, its JSON, `--write`, `--channel`, and every bad input
/// as one stderr line with its sysexits code.
@Suite struct AlignCommandTests {
    static let rate = 8000
    static let event = Recordings.source(count: 6 * rate, seed: 41)

    /// Stereo takes: A (4 s from 1 s into the event) and B (3 s, from `lag` samples later), each with the
    /// take in channel 1 and unrelated noise in channel 0.
    func takes(_ f: Fixtures, lag: Int) throws -> (a: String, b: String) {
        let a = Recordings.read(Self.event, at: Double(Self.rate), count: 4 * Self.rate)
        let b = Recordings.read(Self.event, at: Double(Self.rate + lag), count: 3 * Self.rate, gain: 0.5)
        let other = Signals.noise(count: b.count, seed: 8, amplitude: 0.3)
        let otherA = Signals.noise(count: a.count, seed: 9, amplitude: 0.3)
        return (try f.audio("a.wav", [otherA, a], rate: Self.rate), try f.audio("b.wav", [other, b], rate: Self.rate))
    }

    @Test func textAndJSONSayTheSameLagAndDirection() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (a, b) = try takes(f, lag: -3000)
        let text = try firpipe("align", a, b, "--channel", "1")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains(" samples = -0.375000 s at 8000 Hz"), "\(text.stdout)")
        let printed = text.stdout.split(separator: " ").dropFirst().first.flatMap { Double($0) }
        #expect(abs((printed ?? 0) + 3000) < 0.1, "\(text.stdout)")
        #expect(text.stdout.contains("B starts 0.375000 s before A"))
        let json = try firpipe("align", a, b, "--channel", "1", "--json", "--method", "plain")
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(abs((object?["lag_samples"] as? Double ?? 0) + 3000) < 0.1)
        #expect(object?["direction"] as? String == "B starts 0.375000 s before A")
        #expect(object?["method"] as? String == "plain")
        #expect((object?["confidence"] as? Double ?? 0) > 2)
    }

    @Test func writeMovesEveryChannelOfBOntoATimeline() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let lag = 2500
        let (a, b) = try takes(f, lag: lag)
        let out = f.dir.path("aligned.wav")
        let r = try firpipe("align", a, b, "--channel", "1", "--write", out)
        #expect(r.status == 0, "\(r.stderr)")
        let original = try f.read(b).channels, written = try f.read(out)
        #expect(written.info.frames == 4 * Self.rate && written.info.channels == 2)
        for c in 0..<2 {
            let expected = (0..<written.info.frames).map { n in
                (0..<original[c].count).contains(n - lag) ? original[c][n - lag] : 0
            }
            #expect(written.channels[c] == expected, "channel \(c)")
        }
        #expect(f.leftovers().isEmpty)
    }

    /// Runs `align` expecting one stderr line naming `fragment`, exit `status`, and no output written.
    func expectFailure(_ f: Fixtures, _ args: [String], status: Int32, mentions fragment: String) throws {
        let r = try FirpipeBinary.run(["align"] + args)
        #expect(r.status == status, "\(args): \(r.stderr)")
        #expect(r.errorLines.count == 1, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "\(fragment) not in \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
        #expect(f.leftovers().isEmpty)
    }

    @Test func badInputs() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (a, b) = try takes(f, lag: 100)
        let out = f.dir.path("out.wav")
        try expectFailure(f, [a, f.dir.path("nope.wav")], status: 66, mentions: "nope.wav")
        try expectFailure(f, [a, b, "--channel", "2", "--write", out], status: 64, mentions: "--channel 2")
        for (args, fragment) in [(["--max-lag=-1"], "--max-lag"), (["--method", "fancy"], "fancy")] {
            // The argument parser's own usage errors add the usage lines; the code is what counts.
            let r = try FirpipeBinary.run(["align", a, b] + args)
            #expect(r.status == 64 && r.stderr.contains(fragment), "\(r.stderr)")
        }
        let fast = try f.audio("fast.wav", [Signals.noise(count: 8000, seed: 2)], rate: 16000)
        try expectFailure(f, [fast, a, "--channel", "1"], status: 64, mentions: "--channel 1")
        try expectFailure(f, [a, fast, "--write", out], status: 65, mentions: "16000 Hz")
        let silent = try f.audio("silent.wav", [[Float](repeating: 0, count: 8000)].flatMap { [$0, $0] }, rate: Self.rate)
        try expectFailure(f, [a, silent, "--write", out], status: 65, mentions: "shares no sound")
        let empty = try f.audio("empty.wav", [[]], rate: Self.rate)
        try expectFailure(f, [a, empty], status: 65, mentions: "holds no audio")
        try Data("not audio at all".utf8).write(to: f.dir.url.appendingPathComponent("junk.wav"))
        try expectFailure(f, [f.dir.path("junk.wav"), b], status: 65, mentions: "junk.wav")
        try expectFailure(f, [a, b, "--channel", "1", "--write", f.dir.path("out.xyz")], status: 64, mentions: "out.xyz")
        try expectFailure(f, [a, b, "--channel", "1", "--write", f.dir.path("no/such/out.wav")], status: 73, mentions: "out.wav")
    }
}
