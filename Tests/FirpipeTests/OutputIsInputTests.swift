import FirAudio
import FirTestSupport
import Foundation
import Testing

/// An output that is the input or a kernel, under any name, is refused before any work (64), in one
/// line naming both paths, and the file is left as it was.
@Suite struct OutputIsInputTests {
    let signal = [Signals.noise(count: 4000, seed: 5, amplitude: 0.5)]

    /// Runs `args` and checks the refusal: 64, one line with both paths, and `victim` unchanged.
    func expectRefused(
        _ f: Fixtures, _ args: [String], output: String, victim: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: victim))
        let r = try FirpipeBinary.run(args)
        #expect(r.status == 64, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.errorLines.count == 1, "expected one line, got: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("firpipe: \(output): "), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(victim), "\(victim) not in: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before, "\(victim) was changed",
                sourceLocation: sourceLocation)
        #expect(f.leftovers().isEmpty, "left: \(f.leftovers())", sourceLocation: sourceLocation)
    }

    @Test func outputIsTheInput() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("a.wav", signal)
        let k = try f.text("k.txt", "0.5\n")
        try expectRefused(f, ["process", input, input, "-k", k, "-q"], output: input, victim: input)
        // The same file by another spelling of its path.
        let r = try FirpipeBinary.run(["process", "a.wav", "./a.wav", "-k", k, "-q"], in: f.dir.url)
        #expect(r.status == 64 && r.stderr.contains("./a.wav") && r.stderr.contains(" a.wav"), "\(r.stderr)")
    }

    @Test func outputIsAHardLinkToTheInput() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("a.wav", signal)
        let k = try f.text("k.txt", "0.5\n")
        let link = f.dir.path("b.wav")
        try #require(Glibc.link(input, link) == 0)
        try expectRefused(f, ["process", input, link, "-k", k, "-q"], output: link, victim: input)
    }

    @Test func inputIsASymlinkToTheOutput() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let target = try f.audio("a.wav", signal)
        let k = try f.text("k.txt", "0.5\n")
        let link = f.dir.path("in.wav")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try expectRefused(f, ["process", link, target, "-k", k, "-q"], output: target, victim: link)
    }

    @Test func outputIsTheKernel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("a.wav", signal)
        let k = try f.audio("k.wav", [[0.5, 0.25]])
        try expectRefused(f, ["process", input, k, "-k", k, "-q"], output: k, victim: k)
    }

    @Test func outputIsAKernelOfAConfigGraph() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("a.wav", signal)
        let k = try f.audio("room.wav", [[0.5, 0.25]])
        let config = try f.text("graph.yaml", """
            input: a.wav
            output: room.wav
            filters:
              room: {type: convolution, kernel: room.wav}
              late: {type: delay, delay: 1, unit: ms}
            pipeline:
              - {type: filter, names: [room, late]}
            """)
        _ = input
        try expectRefused(f, ["process", "--config", config, "-q"], output: k, victim: k)
    }
}
