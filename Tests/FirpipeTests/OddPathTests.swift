import FirTestSupport
import Foundation
import Testing

/// Paths as Linux has them: bytes that need not be UTF-8, and lengths the kernel refuses (issue 14,
/// defects 8 and 5). Names that are not UTF-8 cannot go through ``ChildProcess``, which takes
/// `String`s, so these runs go through /bin/sh and printf.
@Suite struct OddPathTests {
    let signal = [
        Signals.noise(count: 3000, seed: 11, amplitude: 0.5), Signals.noise(count: 3000, seed: 12, amplitude: 0.5),
    ]

    /// `\377\376.wav` and friends as input, output and kernel: the output appears under exactly those
    /// bytes, equal to the output of the same run under plain names, and no name with U+FFFD appears.
    /// The two runs have a cache of their own: the second then plans with the first's wisdom and cost
    /// model, so the bytes can be equal, which the tests' shared cache, rewritten by tests running in
    /// parallel between the two runs, did not promise.
    @Test func nonUTF8NamesAsInputOutputAndKernel() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("in.wav", signal)
        try f.text("k.txt", "0.5\n0.25\n-0.125\n")
        let r = try FirpipeBinary.shell(
            """
            export XDG_CACHE_HOME="$PWD/cache" && unset FIRPIPE_FFT_PLANNING &&
            cp in.wav "$(printf 'in\\377.wav')" && cp k.txt "$(printf 'k\\376\\377.txt')" &&
            "$FP" process in.wav plain.wav -k k.txt -q &&
            "$FP" process "$(printf 'in\\377.wav')" "$(printf '\\377\\376.wav')" -k "$(printf 'k\\376\\377.txt')" -q &&
            cmp plain.wav "$(printf '\\377\\376.wav')" && echo same &&
            if ls | grep -q "$(printf '\\357\\277\\275')"; then echo "a name with U+FFFD"; fi
            """, in: f.dir.url)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout == "same\n", "stdout: \(r.stdout) stderr: \(r.stderr)")
        #expect(f.leftovers().isEmpty)
    }

    /// A message names such a file readably, bytes as `\xff`, on one line.
    @Test func nonUTF8NameInAMessage() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n")
        let r = try FirpipeBinary.shell(
            #"exec "$FP" process "$(printf 'gone\377\nx.wav')" out.wav -k k.txt"#, in: f.dir.url)
        #expect(r.status == 66, "stderr: \(r.stderr)")
        #expect(r.errorLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(#"gone\xff\x0ax.wav"#), "\(r.stderr)")
    }

    /// A file name component over NAME_MAX (255 bytes) is refused at once with 73, before the input
    /// is even opened: a damaged input would otherwise be reported first (65), and a good one filtered
    /// in full before the rename failed (74).
    @Test(arguments: ["junk.wav", "in.wav"])
    func longNameComponentRefusedFirst(input: String) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("in.wav", signal)
        try f.text("junk.wav", "not audio at all")
        let k = try f.text("k.txt", "1\n")
        let name = String(repeating: "n", count: 300) + ".wav"
        for command in ["process", "check"] {
            let r = try FirpipeBinary.run([command, f.dir.path(input), f.dir.path(name), "-k", k])
            #expect(r.status == 73, "\(command): \(r.stderr)")
            #expect(r.errorLines.count == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("255"), "\(command): \(r.stderr)")
            #expect(f.dir.listing().sorted() == ["in.wav", "junk.wav", "k.txt"], "\(f.dir.listing())")
        }
    }

    /// The same in a config file: `check` and `process` say where (FILE:LINE:COL) with 78. A path of
    /// a million characters is refused as quickly as a short one (it took minutes: the temporary name
    /// was shortened one character at a time, each step counting the whole name again).
    @Test(arguments: [
        String(repeating: "n", count: 1_000_000) + ".wav",
        String(repeating: "d/", count: 500_000) + "out.wav",
        String(repeating: "d/", count: 2100) + "out.wav",
    ])
    func longOutputPathInAConfig(output: String) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("in.wav", signal)
        try f.text("k.txt", "1\n")
        let config = try f.text("c.yaml", "input: in.wav\nkernel: k.txt\noutput: \(output)\n")
        for command in ["check", "process"] {
            let start = Date()
            let r = try FirpipeBinary.run([command, "--config", config])
            let seconds = Date().timeIntervalSince(start)
            #expect(r.status == 78, "\(command): \(r.stderr.prefix(300))")
            #expect(r.errorLines.count == 1, "\(command): \(r.stderr.prefix(300))")
            #expect(r.stderr.hasPrefix("firpipe: \(config):3:9: output file "), "\(command): \(r.stderr.prefix(300))")
            #expect(r.stderr.utf8.count < 1000, "the message quotes a shortened path")
            #expect(seconds < 2, "\(command) took \(seconds) s")
        }
        #expect(f.dir.listing().sorted() == ["c.yaml", "in.wav", "k.txt"])
    }

    /// On the command line (an argument is at most 128 KiB) the refusal is as quick.
    @Test func longOutputPathOnTheCommandLine() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = try f.audio("in.wav", signal)
        let k = try f.text("k.txt", "1\n")
        let start = Date()
        let output = f.dir.path(String(repeating: "n", count: 100_000) + ".wav")
        let r = try FirpipeBinary.run(["process", input, output, "-k", k])
        let seconds = Date().timeIntervalSince(start)
        #expect(r.status == 73, "\(r.stderr.prefix(300))")
        #expect(r.errorLines.count == 1 && r.stderr.utf8.count < 1000, "\(r.stderr.prefix(300))")
        #expect(seconds < 2, "took \(seconds) s")
    }
}
