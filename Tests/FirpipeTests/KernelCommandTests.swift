import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// `firpipe kernel …`, run for real: each edit's result read back from the file it wrote.
@Suite struct KernelCommandTests {
    @Test func combineFiltersAsAThenB() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let a = Signals.decayingNoise(count: 500, seed: 31), b = Signals.decayingNoise(count: 200, seed: 32)
        let pa = try f.audio("a.wav", [a]), pb = try f.audio("b.wav", [b])
        let r = try firpipe("kernel", "combine", pa, pb, "-o", f.dir.path("ab.wav"))
        #expect(r.status == 0, "\(r.stderr)")
        let ab = try f.read(f.dir.path("ab.wav")).channels[0]
        #expect(ab.count == 699)
        let x = Signals.noise(count: 3000, seed: 33).doubles
        let once = DirectConvolution.full(x, ab.doubles)
        let twice = DirectConvolution.full(DirectConvolution.full(x, a.doubles), b.doubles)
        let db = Tolerance.maxErrorDB(once, reference: twice)
        print("kernel combine: A·B against A then B: \(db) dB")
        #expect(db < -120)
        // --trim-db cuts the tail at that level relative to the peak.
        #expect(try firpipe("kernel", "combine", pa, pb, "-o", f.dir.path("t.txt"), "--trim-db", "-40").status == 0)
        let trimmed = try KernelLoader.load(path: f.dir.path("t.txt")).channels[0]
        let peak = ab.map(abs).max()!
        #expect(trimmed.count < ab.count && abs(trimmed.last!) > peak / 100)
        #expect(ab[trimmed.count...].allSatisfy { abs($0) <= peak / 100 * 1.0001 })
    }

    @Test func minimumPhaseKeepsTheMagnitude() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var h = Signals.decayingNoise(count: 1000, seed: 34).map { $0 * 0.2 }
        h[200] += 1
        let k = try f.audio("k.wav", [h])
        #expect(try firpipe("kernel", "minimum-phase", k, "-o", f.dir.path("m.wav")).status == 0)
        let m = try f.read(f.dir.path("m.wav")).channels[0]
        #expect(m.count == 1000)
        // The same energy (Parseval) and the peak moved to the front.
        let e0 = h.reduce(0) { $0 + Double($1) * Double($1) }, e1 = m.reduce(0) { $0 + Double($1) * Double($1) }
        #expect(abs(e1 / e0 - 1) < 0.01)
        #expect(m.indices.max { abs(m[$0]) < abs(m[$1]) }! < 10)
    }

    @Test func normalizeTrimAndDesign() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let k = try f.text("k.txt", "0\n0\n0.5\n-0.25\n0.125\n0\n")
        #expect(try firpipe("kernel", "normalize", k, "-o", f.dir.path("n.txt"), "--by", "peak", "--to", "-6").status == 0)
        let n = try KernelLoader.load(path: f.dir.path("n.txt")).channels[0]
        #expect(abs(20 * log10(Double(n[2])) + 6) < 1e-6)
        #expect(try firpipe("kernel", "normalize", k, "-o", f.dir.path("d.txt"), "--by", "dc").status == 0)
        #expect(abs(try KernelLoader.load(path: f.dir.path("d.txt")).channels[0].reduce(0, +) - 1) < 1e-6)
        let t = try firpipe("kernel", "trim", k, "-o", f.dir.path("t.txt"), "--fade", "0")
        #expect(t.status == 0 && t.stderr.contains("latency drops by 2"))
        #expect(try KernelLoader.load(path: f.dir.path("t.txt")).channels[0] == [0.5, -0.25, 0.125])

        let d = try firpipe("kernel", "design", "crossover", "--cutoff", "2000", "-o", f.dir.path("x.wav"))
        #expect(d.status == 0, "\(d.stderr)")
        let (info, pair) = try f.read(f.dir.path("x.wav"))
        #expect(info.channels == 2 && info.sampleRate == 48000 && info.frames % 2 == 1)
        var worst = 0.0
        for i in 0..<info.frames {
            let sum = Double(pair[0][i]) + Double(pair[1][i]) - (i == info.frames / 2 ? 1 : 0)
            worst = max(worst, abs(sum))
        }
        print("kernel design crossover: \(info.frames) taps, sum minus a delta \(20 * log10(worst)) dB")
        #expect(20 * log10(worst) < -100)
        for bad in [["lowpass", "--cutoff", "30000"], ["bandpass", "--cutoff", "1000"], ["crossover", "--cutoff", "2000", "--attenuation", "5"]] {
            #expect(try FirpipeBinary.run(["kernel", "design"] + bad + ["-o", f.dir.path("bad.wav")]).status == 64, "\(bad)")
        }
        #expect(!f.dir.listing().contains("bad.wav") && f.leftovers().isEmpty)
    }

    @Test func badInputWritesNothing() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let stereo = try f.audio("s.wav", [[1, 0], [0, 1]])
        let tri = try f.audio("t.wav", [[1], [1], [1]])
        let r = try firpipe("kernel", "combine", stereo, tri, "-o", f.dir.path("o.wav"))
        #expect(r.status == 65 && r.errorLines.count == 1)
        let other = try f.audio("r.wav", [[1]], rate: 44100)
        #expect(try firpipe("kernel", "combine", stereo, other, "-o", f.dir.path("o.wav")).status == 65)
        let text = try firpipe("kernel", "normalize", stereo, "-o", f.dir.path("o.txt"))
        #expect(text.status == 64 && text.stderr.contains("one channel"))
        let zero = try f.text("z.txt", "0\n0\n")
        #expect(try firpipe("kernel", "normalize", zero, "-o", f.dir.path("o.wav")).status == 65)
        #expect(try firpipe("kernel", "minimum-phase", f.dir.path("none.wav"), "-o", f.dir.path("o.wav")).status == 66)
        #expect(!f.dir.listing().contains { $0.hasPrefix("o.") } && f.leftovers().isEmpty)
    }
}
