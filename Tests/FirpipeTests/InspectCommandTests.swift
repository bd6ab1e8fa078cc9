import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `firpipe inspect`, run for real: its figures in text and JSON, and its errors.
@Suite struct InspectCommandTests {
    static func json(_ r: FirpipeBinary.Result) throws -> [[String: Any]] {
        let top = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try #require(top?["files"] as? [[String: Any]])
    }

    @Test func jsonGivesTheFiguresOfEveryChannel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        // Channel 0: a delta at tap 48 (1 ms); channel 1: an exponential decay with a 20 ms RT60.
        let a = 3 * log(10.0) / (0.02 * 48000)
        let k = try f.audio("k.wav", [Signals.impulse(count: 4800, at: 48), (0..<4800).map { Float(exp(-a * Double($0))) }])
        let r = try firpipe("inspect", k, "--json")
        #expect(r.status == 0, "\(r.stderr)")
        let file = try #require(try Self.json(r).first)
        #expect(file["taps"] as? Int == 4800 && file["sampleRate"] as? Int == 48000 && file["rateFromFile"] as? Bool == true)
        let channels = try #require(file["channels"] as? [[String: Any]])
        #expect(channels.count == 2)
        #expect(channels[0]["peakIndex"] as? Int == 48 && channels[0]["latencySeconds"] as? Double == 0.001)
        #expect(channels[0]["dcGain"] as? Double == 1 && channels[0]["energy"] as? Double == 1)
        #expect(abs((channels[0]["magnitudeMinDB"] as? Double ?? 9)) < 1e-4)
        let decay = try #require(channels[1]["decay60Seconds"] as? Double)
        #expect(abs(decay - 0.02) <= 1.0 / 48000 + 1e-9, "RT60 \(decay)")
        #expect(channels[1]["decay60Reached"] as? Bool == true)
    }

    @Test func textNamesATooShortKernelAndTheAssumedRate() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        // A text kernel of a slow decay cut at a tenth of its RT60.
        let taps = (0..<100).map { String(exp(-Double($0) / 1000)) }.joined(separator: "\n")
        let k = try f.text("slow.txt", taps)
        let r = try firpipe("inspect", k, "--rate", "44100")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("100 taps, 44100 Hz (text kernel"))
        #expect(r.stdout.contains("too short to decay by 60 dB"))
        let j = try Self.json(try firpipe("inspect", k, "--json")).first
        #expect(j?["sampleRate"] as? Int == 48000 && j?["rateFromFile"] as? Bool == false)
        #expect((j?["channels"] as? [[String: Any]])?.first?["decay60Seconds"] is NSNull)
    }

    @Test func configInspectsEveryPathOfTheGraph() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("in.wav", [Signals.noise(count: 100, seed: 1), Signals.noise(count: 100, seed: 2)])
        try f.audio("k.wav", [Signals.impulse(count: 64, at: 5)])
        let config = try f.text("c.yaml", """
            input: in.wav
            output: out.wav
            filters:
              k: {type: convolution, kernel: k.wav}
              late: {type: delay, delay: 10, unit: samples}
            pipeline:
              - {type: filter, channels: [0], names: [k]}
              - {type: filter, channels: [1], names: [k, late]}
            gain_db: -6
            """)
        let r = try firpipe("inspect", "--config", config, "--json")
        #expect(r.status == 0, "\(r.stderr)")
        let channels = try #require(try Self.json(r).first?["channels"] as? [[String: Any]])
        #expect(channels.map { $0["label"] as? String } == ["out 0 ← in 0", "out 1 ← in 1"])
        // The delay folds into the path: peak at 5 and 15, both 6 dB down.
        #expect(channels.map { $0["peakIndex"] as? Int } == [5, 15])
        for c in channels { #expect(abs((c["dcGainDB"] as? Double ?? 0) + 6) < 1e-3) }
        #expect(!f.dir.listing().contains("out.wav"))
    }

    @Test func badInputIsOneLineAndItsCode() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let missing = try firpipe("inspect", f.dir.path("nope.wav"))
        #expect(missing.status == 66 && missing.errorLines.count == 1)
        let bad = try f.text("bad.txt", "0.5\nabc\n")
        let r = try firpipe("inspect", bad)
        #expect(r.status == 65 && r.errorLines.count == 1 && r.stderr.contains("bad.txt:2"))
        #expect(try firpipe("inspect").status == 64)
        let k = try f.text("k.txt", "1\n")
        #expect(try firpipe("inspect", k, "--plot", f.dir.path("p.png")).status == 64)
        let noDir = try firpipe("inspect", k, "--plot", f.dir.path("missing/p.svg"))
        #expect(noDir.status == 73 && noDir.errorLines.count == 1)
        #expect(f.leftovers().isEmpty)
    }
}
