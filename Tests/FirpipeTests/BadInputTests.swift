import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Every bad input: one clear stderr line, the sysexits code, and no output under the final name
/// (nor a temporary file left behind).
@Suite struct BadInputTests {
    let signal = [Signals.noise(count: 4000, seed: 5, amplitude: 0.5), Signals.noise(count: 4000, seed: 6, amplitude: 0.5)]

    /// Runs firpipe expecting failure: checks the code, that stderr is one line mentioning `fragments`,
    /// and that neither `out.wav` nor a temporary file exists.
    func expectFailure(
        _ f: Fixtures, _ args: [String], status: Int32, mentions fragments: [String], output: String = "out.wav",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try FirpipeBinary.run(args)
        #expect(r.status == status, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.errorLines.count == 1, "expected one line, got: \(r.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(r.stderr.contains(fragment), "\(fragment) not in: \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path(output)), sourceLocation: sourceLocation)
        #expect(f.leftovers().isEmpty, "left: \(f.leftovers())", sourceLocation: sourceLocation)
    }

    @Test func missingInput() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let k = try f.text("k.txt", "1\n")
        try expectFailure(f, ["process", f.dir.path("nope.wav"), f.dir.path("out.wav"), "-k", k], status: 66, mentions: ["nope.wav"])
    }

    @Test func inputIsADirectory() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let k = try f.text("k.txt", "1\n")
        try FileManager.default.createDirectory(atPath: f.dir.path("d.wav"), withIntermediateDirectories: false)
        try expectFailure(f, ["process", f.dir.path("d.wav"), f.dir.path("out.wav"), "-k", k], status: 66, mentions: ["d.wav"])
    }

    @Test func missingKernel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", f.dir.path("k.wav")], status: 66, mentions: ["k.wav"])
    }

    @Test func corruptAudio() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        var rng = SeededGenerator(seed: 9)
        let junk = Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try junk.write(to: f.dir.url.appendingPathComponent("junk.wav"))
        let k = try f.text("k.txt", "1\n")
        try expectFailure(f, ["process", f.dir.path("junk.wav"), f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["junk.wav"])
    }

    @Test func truncatedAudio() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let data = try Data(contentsOf: URL(fileURLWithPath: input))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: input))
        let k = try f.text("k.txt", "1\n")
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["in.wav"])
    }

    @Test func textKernelWithANonNumber() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "# taps\n0.5\n0.25\nabc\n")
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["k.txt", "abc", "4"])
    }

    @Test func emptyKernel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "# nothing here\n\n")
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["k.txt", "empty"])
    }

    @Test func kernelSampleRateDiffers() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal, rate: 48000)
        let k = try f.audio("k.wav", [[1, 0.5]], rate: 44100)
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["44100", "48000", "k.wav"])
    }

    @Test func kernelChannelCountDoesNotFit() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.audio("k.wav", [[1], [1], [1]])
        try expectFailure(f, ["process", input, f.dir.path("out.wav"), "-k", k], status: 65, mentions: ["3 channels", "2"])
    }

    @Test func outputDirectoryMissing() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "1\n")
        try expectFailure(
            f, ["process", input, f.dir.path("no/such/dir/out.wav"), "-k", k], status: 73, mentions: ["no/such/dir"])
    }

    @Test func outputDirectoryIsAFile() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "1\n")
        try expectFailure(f, ["process", input, input + "/out.wav", "-k", k], status: 73, mentions: ["in.wav"])
    }

    @Test func unknownOutputExtension() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "1\n")
        try expectFailure(f, ["process", input, f.dir.path("out.xyz"), "-k", k], status: 64, mentions: ["out.xyz", "--format"], output: "out.xyz")
    }

    @Test func formatThatCannotHoldTheSamples() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "1\n")
        try expectFailure(
            f, ["process", input, f.dir.path("out.flac"), "-k", k, "--subtype", "float"], status: 64,
            mentions: ["flac", "float"], output: "out.flac")
    }

    /// A write that fails part-way (the file-size limit stands in for a full disk): exit 74, the message
    /// names the output as the user gave it (never the temporary file), and nothing is left.
    @Test(arguments: ["out.wav", "out.flac"])
    func writeFailsPartWay(name: String) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", [Signals.noise(count: 200_000, seed: 1)])
        let k = try f.text("k.txt", "1\n")
        let out = f.dir.path(name)
        let r = try FirpipeBinary.shell("ulimit -f 64; exec \"$FP\" process '\(input)' '\(out)' -k '\(k)' -q")
        let message = r.stderr
        #expect(r.status == 74, "\(message)")
        #expect(message.hasPrefix("firpipe: \(out): ") && message.split(separator: "\n").count == 1, "\(message)")
        #expect(!message.contains(".firpipe-") && !message.contains("/proc/"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(f.leftovers().isEmpty, "left: \(f.leftovers())")
    }

    /// FLAC's frame headers stop at 655,350 Hz: a 768 kHz input is a usage error (64) naming the output
    /// and the limit, found before the kernel is even looked at (it does not exist here).
    @Test func flacCannotHoldTheRate() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal, rate: 768_000)
        let out = f.dir.path("out.flac")
        try expectFailure(
            f, ["process", input, out, "-k", f.dir.path("missing.txt")], status: 64,
            mentions: ["firpipe: \(out): ", "768000 Hz", "655350 Hz", "--format wav"], output: "out.flac")
        let k = try f.text("k.txt", "1\n")
        let r = try FirpipeBinary.run(["check", input, out, "-k", k])
        #expect(r.status == 64 && r.stderr.contains("655350"), "\(r.stderr)")
    }

    /// Nine channels into FLAC (at most 8): 64, naming the output and the limit, never the temporary file.
    @Test func flacCannotHoldTheChannels() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", (0..<9).map { Signals.noise(count: 1000, seed: UInt64($0)) })
        let k = try f.text("k.txt", "1\n")
        let out = f.dir.path("out.flac")
        try expectFailure(
            f, ["process", input, out, "-k", k], status: 64,
            mentions: ["firpipe: \(out): ", "9 channels", "at most 8 channels"], output: "out.flac")
    }

    /// A real full disk: a 256 KiB tmpfs (needs root and mount; reported as skipped where not allowed).
    /// The output's 800,000 bytes of samples are reserved before any filtering, so the run fails there,
    /// saying how much it needs.
    @Test(.enabled(if: canMountTmpfs, "mounting a tmpfs needs root"))
    func diskFull() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let mountPoint = f.dir.path("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        try #require(shell("mount -t tmpfs -o size=256k tmpfs '\(mountPoint)'") == 0)
        defer { _ = shell("umount '\(mountPoint)'") }
        let input = try f.audio("in.wav", [Signals.noise(count: 200_000, seed: 1)])
        let k = try f.text("k.txt", "1\n")
        let r = try FirpipeBinary.run(["process", input, mountPoint + "/out.wav", "-k", k, "-q"])
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.errorLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("needs 1 MiB") && r.stderr.contains("free some space"), "\(r.stderr)")
        #expect(r.stderr.contains(mountPoint + "/out.wav:") && !r.stderr.contains(".firpipe-"), "\(r.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) ?? ["?"]).isEmpty)
    }

    /// A FLAC header can claim any length, and a compressed file's size cannot refute it: a damaged
    /// STREAMINFO claiming 2^36 frames is bad data found by reading, not a full disk at reservation.
    @Test func flacClaimingAnAbsurdLength() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.flac", signal, format: .init(container: .flac, sampleFormat: .pcm16))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        // "fLaC", a 4-byte block header, then STREAMINFO: its total-samples field is the low 36 bits
        // of the big-endian 64 bits at offset 18.
        try #require(bytes.prefix(4) == Data("fLaC".utf8))
        var field = bytes[18..<26].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        field |= (1 << 36) - 1
        for i in 0..<8 { bytes[18 + i] = UInt8(truncatingIfNeeded: field >> (8 * UInt64(7 - i))) }
        try bytes.write(to: URL(fileURLWithPath: input))
        let k = try f.text("k.txt", "1\n")
        try expectFailure(
            f, ["process", input, f.dir.path("out.wav"), "-k", k, "-q"], status: 65, mentions: ["in.flac", "promises"])
    }

    @Test func usageErrors() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        #expect(try FirpipeBinary.run(["process", input, f.dir.path("out.wav")]).status == 64)  // no kernel
        #expect(try FirpipeBinary.run(["process", input, f.dir.path("out.wav"), "-k", input, "--block-size", "3"]).status == 64)
        #expect(try FirpipeBinary.run(["process", input, f.dir.path("out.wav"), "-k", input, "--mode", "sideways"]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
    }
}

/// Whether this process may mount a tmpfs (root, with mounting allowed, as on the CI machine); a test
/// that needs a real full disk is skipped, and says so, elsewhere.
let canMountTmpfs: Bool = {
    let dir = NSTemporaryDirectory() + "firpipe-mount-probe-\(getpid())"
    guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else {
        return false
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    guard shell("mount -t tmpfs -o size=64k tmpfs '\(dir)' 2>/dev/null") == 0 else { return false }
    shell("umount '\(dir)'")
    return true
}()

@discardableResult
func shell(_ command: String) -> Int32 {
    (try? FirpipeBinary.shell(command).status) ?? -1
}
