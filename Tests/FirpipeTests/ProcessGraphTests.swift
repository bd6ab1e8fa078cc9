import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe process` with routing: a mono input through a multichannel kernel, a graph from a config,
/// and the mismatches that stay refused.
@Suite struct ProcessGraphTests {
    @Test func monoInputThroughStereoKernelGivesStereo() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let x = [Signals.noise(count: 6000, seed: 7, amplitude: 0.5)]
        let h = [Signals.decayingNoise(count: 800, seed: 8), Signals.decayingNoise(count: 800, seed: 9)]
        let input = try f.audio("in.wav", x), kernel = try f.audio("room.wav", h)
        let r = try firpipe("process", input, f.dir.path("out.wav"), "-k", kernel, "-q")
        #expect(r.status == 0, "\(r.stderr)")
        let (info, y) = try f.read(f.dir.path("out.wav"))
        #expect(info.channels == 2 && info.frames == 6000 + 800 - 1)
        for c in 0..<min(2, y.count) {
            let e = Tolerance.maxErrorDB(y[c], reference: DirectConvolution.full(x[0].doubles, h[c].doubles))
            #expect(e < -120, "channel \(c): \(e) dB")
        }
    }

    @Test func otherChannelMismatchesAreRefusedWithAHintAtTheGraph() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", [[0.5, 0.25], [0.25, 0.5]])
        let kernel = try f.audio("k4.wav", [[1], [1], [1], [1]])
        let r = try firpipe("process", input, f.dir.path("out.wav"), "-k", kernel, "-q")
        #expect(r.status == 65)
        #expect(r.stderr.contains("kernel has 4 channels but input"), "\(r.stderr)")
        #expect(r.stderr.contains("route channels with a pipeline in a config file"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(f.leftovers().isEmpty)
    }

    /// A graph error found once the input is open comes out as FILE:LINE:COLUMN with exit 78, from both
    /// `check` and `process`, and nothing is written.
    @Test func graphErrorsAreConfigErrorsWithPositions() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        _ = try f.audio("in.wav", [[0.5, 0.25], [0.25, 0.5]])
        let config = try f.text("job.yaml", """
            input: in.wav
            output: out.wav
            mixers:
              up: {channels: {in: 1, out: 2}}
            pipeline:
              - {type: mixer, name: up}
            """)
        for command in [["check"], ["process", "-q"]] {
            let r = try FirpipeBinary.run(command + ["--config", config], in: nil)
            #expect(r.status == 78, "\(command): \(r.stderr)")
            #expect(
                r.stderr.hasPrefix("firpipe: \(config):6:25: mixer 'up' takes 1 channel but 2 reach it"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
    }
}
