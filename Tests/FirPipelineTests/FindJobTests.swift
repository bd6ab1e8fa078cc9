import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `find` on a generated 10-minute recording at 4 kHz: a template planted at known places, loud and
/// quiet, among other sounds of the same kind and hiss. Every occurrence must come back at its sample,
/// and nothing else, at the default threshold.
@Suite struct FindJobTests {
    static let rate = 4000
    static let minutes = 10

    struct Scene {
        let template: [Float]
        let recording: [Float]
        let planted: [Int]
    }

    static let scene: Scene = {
        let sounds = Recordings.source(count: 80 * rate, seed: 61)
        let template = Recordings.read(sounds, at: 100, count: rate / 2, gain: 0.3)
        let n = minutes * 60 * rate
        var x = Signals.noise(count: n, seed: 62, amplitude: 0.01)
        var rng = SeededGenerator(seed: 63)
        // One event every 10 s or so: a third of them the template, the rest other noise bursts.
        var planted: [Int] = []
        for slot in 0..<(n / (10 * rate)) {
            let at = slot * 10 * rate + Int.random(in: 0..<(9 * rate), using: &rng)
            let gain = Float.random(in: 0.1...1.5, using: &rng)
            let isTemplate = slot % 3 == 0
            let sound = isTemplate
                ? template
                : Recordings.read(sounds, at: Double(1000 + slot * 4000), count: rate, gain: 0.3)
            if isTemplate { planted.append(at) }
            for j in sound.indices { x[at + j] += gain * sound[j] }
        }
        return Scene(template: template, recording: x, planted: planted)
    }()

    @Test(arguments: [1, 2])
    func findsEveryPlantedOccurrenceAndNothingElse(threads: Int) throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-find")
        defer { dir.remove() }
        let scene = Self.scene
        let t = try AudioFixture.write([scene.template], to: dir.path("t.wav"), rate: Self.rate)
        let r = try AudioFixture.write([scene.recording], to: dir.path("r.wav"), rate: Self.rate)
        let result = try FindJob(.init(template: t, recording: r, threads: threads)).run()
        print("find, \(threads) threads: \(result.matches.count) matches for \(scene.planted.count) planted; "
            + "lowest score \(result.matches.map(\.score).min() ?? 0)")
        #expect(result.matches.map(\.start) == scene.planted)
        #expect(result.matches.allSatisfy { $0.score >= 0.7 && $0.score <= 1 })
        #expect(result.recordingFrames == Self.minutes * 60 * Self.rate)
    }

    @Test func aTemplateLongerThanTheRecordingIsAUsageError() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-find-long")
        defer { dir.remove() }
        let t = try AudioFixture.write([Signals.noise(count: 500, seed: 1)], to: dir.path("t.wav"), rate: 8000)
        let r = try AudioFixture.write([Signals.noise(count: 400, seed: 2)], to: dir.path("r.wav"), rate: 8000)
        #expect { try FindJob(.init(template: t, recording: r)).run() } throws: { error in
            (error as? JobError)?.kind == .usage
        }
    }
}
