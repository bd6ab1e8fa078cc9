import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Audio files of every container firpipe writes, with damaged headers, through `firpipe process`, as
/// real processes, for `FUZZ_SECONDS` (see ``FuzzCampaign``): every run keeps ``FuzzRules``, and a run
/// that succeeds wrote a file that reads back.
@Suite struct AudioHeaderFuzzTests {
    /// One valid file per container, with the sample formats each is written in most.
    static let formats: [(name: String, format: AudioFormat)] = [
        ("in.wav", .init(container: .wav, sampleFormat: .pcm16)),
        ("in-f.wav", .init(container: .wav, sampleFormat: .float)),
        ("in.wavex", .init(container: .wavex, sampleFormat: .pcm24)),
        ("in.flac", .init(container: .flac, sampleFormat: .pcm16)),
        ("in.aiff", .init(container: .aiff, sampleFormat: .pcm24)),
        ("in.w64", .init(container: .w64, sampleFormat: .float)),
        ("in.rf64", .init(container: .rf64, sampleFormat: .pcm32)),
        ("in.caf", .init(container: .caf, sampleFormat: .float)),
        ("in-16.caf", .init(container: .caf, sampleFormat: .pcm16)),
    ]

    /// A damaged input is refused as bad data (65) or an unsupported encoding (64); anything else
    /// means firpipe misread the damage.
    static let allowed: Set<Int32> = [0, 64, 65]

    @Test func mutatedHeaders() throws {
        let campaign = FuzzCampaign(name: "audio")
        let signal = [Signals.noise(count: 1200, seed: 11, amplitude: 0.5), Signals.noise(count: 1200, seed: 12, amplitude: 0.5)]
        let scratch = try TemporaryDirectory(prefix: "firpipe-fuzz-seeds")
        defer { scratch.remove() }
        let originals = try Self.formats.map { name, format in
            try AudioFixture.write(signal, to: scratch.path(name), format: format)
            return (name, Array(try Data(contentsOf: scratch.url.appendingPathComponent(name))))
        }
        let kernel = Data("0.5\n0.25\n-0.125\n".utf8)
        let sandboxes = try (0..<campaign.workers).map { try FuzzSandbox(worker: $0, files: ["k.txt": kernel], audio: [:]) }
        defer { sandboxes.forEach { $0.dir.remove() } }
        let rules = FuzzRules(allowed: Self.allowed, configName: nil, bound: 20)

        let result = campaign.run { worker, _, rng in
            let sandbox = sandboxes[worker]
            let (name, original) = originals.randomElement(using: &rng)!
            let damaged = AudioMutator.mutate(original, using: &rng)
            let input = "x-" + name
            try sandbox.write(input, damaged)
            let args = ["process", input, "out/deep/o.wav", "-k", "k.txt", "-q"]
            let (outcome, broken, run) = try sandbox.check(args, rules: rules) { dir in
                // A success must have written a whole file that reads back.
                let out = dir.path("out/deep/o.wav")
                guard let reader = try? AudioFileReader(path: out) else { return "exit 0 but the output does not read" }
                defer { reader.close() }
                return (try? reader.readAllChannels()) == nil ? "exit 0 but the output does not read to its end" : nil
            }
            try? FileManager.default.removeItem(atPath: sandbox.dir.path(input))
            guard let broken else { return ("\(name) \(outcome)", nil) }
            return ("\(name) \(outcome)", FuzzCampaign.Failure(
                rule: "\(name): \(broken)", kind: FuzzRules.kind("\(name) \(broken)"),
                files: [input: Data(damaged), "k.txt": kernel], args: args,
                run: "\(run.ending) after \(run.seconds) s: \(run.stderr)"))
        }
        #expect(result.cases > 0)
        for failure in result.failures {
            Issue.record("\(failure.rule) — firpipe \(failure.args.joined(separator: " ")) → \(failure.run) (kept under \(campaign.keepRoot.path))")
        }
    }
}
