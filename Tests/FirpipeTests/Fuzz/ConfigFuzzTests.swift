import FirTestSupport
import Foundation
import Testing

/// Mutated configs through `firpipe check` and `firpipe process --config`, as real processes, for
/// `FUZZ_SECONDS` (see ``FuzzCampaign``): every run keeps ``FuzzRules``, and a config `check` passes
/// does not then fail `process` as a config or usage error.
@Suite struct ConfigFuzzTests {
    /// Configs to start from: each shape the reader knows, all valid in the sandbox.
    static let seeds = [
        """
        input: in.wav
        output: out/deep/o.wav
        kernel: k2.wav
        gain_db: -3
        mode: convolve
        length: full
        format: wav
        subtype: float
        """,
        """
        input: in.wav
        output: out/deep/o.flac
        channels:
          - kernel: k2.wav
            channel: 1
            gain_db: -1.5
          - kernel: k1.txt
        length: same
        block_size: 64
        threads: 2
        subtype: pcm16
        dither: tpdf
        dither_seed: 7
        """,
        """
        input: in.wav
        output: out/deep/o.wav
        filters:
          low:
            type: convolution
            kernel: k2.wav
            channel: 0
            normalize: peak
          high:
            type: convolution
            kernel: k2.wav
            channel: 1
            gain_db: -2.5
          align:
            type: delay
            delay: 0.125
            unit: ms
          flip:
            type: gain
            gain_db: -1
            invert: true
        mixers:
          ways:
            channels: {in: 2, out: 4}
            mapping:
              - {dest: 0, sources: [{channel: 0}]}
              - {dest: 1, sources: [{channel: 0, gain_db: -3}]}
              - {dest: 2, sources: [{channel: 1}]}
              - dest: 3
                sources:
                  - channel: 1
                    invert: true
        pipeline:
          - type: mixer
            name: ways
          - type: filter
            channels: [0, 2]
            names: [low]
          - type: filter
            channels: [1, 3]
            names: [high, align, flip]
        limit_db: -1
        """,
        """
        # true stereo: four paths summed into two outputs
        input: in.wav
        output: out/deep/o.wav
        filters:
          ll: {type: convolution, kernel: k2.wav, channel: 0}
          lr: {type: convolution, kernel: k2.wav, channel: 1}
          rl: {type: convolution, kernel: k1.txt}
          rr: {type: convolution, kernel: k2.wav, channel: 0, normalize: energy}
        mixers:
          split: {channels: {in: 2, out: 4}, mapping: [{dest: 0, sources: [{channel: 0}]}, {dest: 1, sources: [{channel: 0}]}, {dest: 2, sources: [{channel: 1}]}, {dest: 3, sources: [{channel: 1}]}]}
          sum: {channels: {in: 4, out: 2}, mapping: [{dest: 0, sources: [{channel: 0}, {channel: 2}]}, {dest: 1, sources: [{channel: 1}, {channel: 3, mute: true}]}]}
        pipeline:
          - {type: mixer, name: split}
          - {type: filter, channels: [0], names: [ll]}
          - {type: filter, channels: [1], names: [lr]}
          - {type: filter, channels: [2], names: [rl]}
          - {type: filter, channels: [3], names: [rr]}
          - {type: mixer, name: sum}
        """,
    ]

    /// Codes `check` and `process --config` may end with.
    static let allowed: Set<Int32> = [0, 64, 65, 66, 71, 73, 74, 78]

    @Test func mutatedConfigs() throws {
        let campaign = FuzzCampaign(name: "config")
        let files = ["k1.txt": Data("1\n-0.5\n0.25\n0.125\n".utf8)]
        let audio = [
            "in.wav": [Signals.noise(count: 1500, seed: 1, amplitude: 0.5), Signals.noise(count: 1500, seed: 2, amplitude: 0.5)],
            "k2.wav": [Signals.decayingNoise(count: 64, seed: 3), Signals.decayingNoise(count: 64, seed: 4)],
        ]
        let sandboxes = try (0..<campaign.workers).map { try FuzzSandbox(worker: $0, files: files, audio: audio) }
        defer { sandboxes.forEach { $0.dir.remove() } }
        let rules = FuzzRules(allowed: Self.allowed, configName: "c.yaml", bound: 20)

        let result = campaign.run { worker, _, rng in
            let sandbox = sandboxes[worker]
            let seed = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            let config = ConfigMutator.mutate(seed, using: &rng)
            try sandbox.write("c.yaml", config)
            // The fixtures the config names anywhere but as its output: those the run reads.
            let reads = Set(sandbox.fixtures.keys.filter { name in
                String(decoding: config, as: UTF8.self).split(separator: "\n")
                    .contains { $0.contains(name) && !$0.contains("output") }
            })
            let check = try sandbox.check(["check", "--config", "c.yaml"], rules: rules, reads: reads)
            let process = try sandbox.check(["process", "--config", "c.yaml", "-q"], rules: rules, reads: reads)
            var failure: (rule: String, args: [String], run: FuzzRun)?
            if let rule = check.rule {
                failure = ("check: " + rule, ["check", "--config", "c.yaml"], check.run)
            } else if let rule = process.rule {
                failure = ("process: " + rule, ["process", "--config", "c.yaml", "-q"], process.run)
            } else if check.run.ending == .exited(0), [.exited(64), .exited(78)].contains(process.run.ending) {
                failure = ("check said ok, process refused the config", ["process", "--config", "c.yaml", "-q"], process.run)
            }
            let outcome = "check \(check.outcome), process \(process.outcome)"
            guard let failure else { return (outcome, nil) }
            return (outcome, FuzzCampaign.Failure(
                rule: failure.rule, kind: FuzzRules.kind(failure.rule), files: sandbox.fixtures.merging(["c.yaml": Data(config)]) { $1 },
                args: failure.args, run: "\(failure.run.ending) after \(failure.run.seconds) s: \(failure.run.stderr)"))
        }
        #expect(result.cases > 0)
        for failure in result.failures {
            Issue.record("\(failure.rule) — firpipe \(failure.args.joined(separator: " ")) → \(failure.run) (kept under \(campaign.keepRoot.path))")
        }
    }
}
