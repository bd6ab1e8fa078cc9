import FirAudio
import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// Graphs run by `FileFilterJob` against ``GraphReference``, the float64 step-by-step evaluation: the
/// examples in Config/, and generated graphs of mixers, convolutions, gains and delays.
@Suite struct GraphExecutionTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-graph") }

    static let configDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config")

    /// Runs `spec` and reads its output back.
    func run(_ spec: JobSpec) throws -> (FileFilterJob.Summary, [[Float]]) {
        let summary = try FileFilterJob(spec: spec, fromConfig: true).run()
        let reader = try AudioFileReader(path: spec.output)
        defer { reader.close() }
        return (summary, try reader.readAllChannels())
    }

    func expectMatchesReference(_ graph: GraphSpec, input: [[Float]], output: [[Float]], label: String) throws {
        let reference = try GraphReference.evaluate(
            graph, input: input, sampleRate: 48000, length: output.first?.count ?? 0)
        #expect(reference.count == output.count, "\(label): channels")
        for c in 0..<min(reference.count, output.count) {
            // Against the output's overall peak: a silent or quiet channel is judged on the same scale.
            let scale = reference.map(Tolerance.peak).max() ?? 1
            let e = Tolerance.maxErrorDB(output[c], reference: reference[c], scale: scale)
            #expect(e < -120, "\(label), output \(c): \(e) dB")
        }
    }

    @Test(arguments: ["room-correction.yaml", "crossover-2way.yaml", "true-stereo-reverb.yaml"])
    func exampleMatchesStepByStep(_ name: String) throws {
        defer { dir.remove() }
        let file = try ConfigFile.load(path: Self.configDirectory.appendingPathComponent(name).path)
        var overrides = ConfigOverrides()
        overrides.output = dir.path("out.wav")
        let spec = try file.resolve(overrides)
        guard case .graph(let graph) = spec.kernels else {
            Issue.record("\(name) is not a graph")
            return
        }
        let (summary, output) = try run(spec)
        let reader = try AudioFileReader(path: spec.input)
        let input = try reader.readAllChannels()
        reader.close()
        #expect(summary.channels == output.count)
        try expectMatchesReference(graph, input: input, output: output, label: name)
    }

    /// Config/auralize-mono.yaml: mono speech through the stereo room, 12 dB down.
    @Test func auralizationExample() throws {
        defer { dir.remove() }
        let file = try ConfigFile.load(path: Self.configDirectory.appendingPathComponent("auralize-mono.yaml").path)
        var overrides = ConfigOverrides()
        overrides.output = dir.path("out.wav")
        let spec = try file.resolve(overrides)
        guard case .shared(let kernelPath) = spec.kernels else {
            Issue.record("auralize-mono.yaml should name one kernel")
            return
        }
        let (_, y) = try run(spec)
        let x = try KernelLoader.load(path: spec.input).channels
        let h = try KernelLoader.load(path: kernelPath).channels
        #expect(x.count == 1 && h.count == 2 && y.count == 2)
        let gain = GraphMath.linear(dB: -12)
        for c in 0..<min(2, y.count) {
            let reference = DirectConvolution.full(x[0].doubles, h[c].doubles).map { $0 * gain }
            let e = Tolerance.maxErrorDB(y[c], reference: reference)
            #expect(e < -120, "channel \(c): \(e) dB")
        }
    }

    /// A mono input through a stereo kernel gives two channels at every thread count.
    @Test func monoInputThroughStereoKernel() throws {
        defer { dir.remove() }
        let x = [Signals.noise(count: 5000, seed: 1, amplitude: 0.5)]
        let h = [Signals.decayingNoise(count: 900, seed: 2), Signals.decayingNoise(count: 900, seed: 3)]
            .map { $0.map { $0 * 0.1 } }
        let input = try AudioFixture.write(x, to: dir.path("in.wav"))
        let kernel = try AudioFixture.write(h, to: dir.path("k.wav"))
        for threads in [1, 2, 3] {
            var spec = JobSpec(input: input, output: dir.path("out\(threads).wav"), kernels: .shared(path: kernel))
            spec.threads = threads
            let (summary, y) = try run(spec)
            #expect(summary.channels == 2 && y.count == 2)
            for c in 0..<2 {
                let e = Tolerance.maxErrorDB(y[c], reference: DirectConvolution.full(x[0].doubles, h[c].doubles))
                #expect(e < -120, "threads \(threads), channel \(c): \(e) dB")
            }
        }
    }

    /// Random graphs over 1 to 3 input channels: mixers that change the channel count, convolutions
    /// of different lengths (in series too), gains, mutes, inversions and delays; every thread count
    /// and a few block sizes give the reference, and thread counts the same bits.
    @Test(arguments: 0..<12)
    func generatedGraphMatchesStepByStep(seed: Int) throws {
        defer { dir.remove() }
        var rng = SplitMix(seed: UInt64(1000 + seed))
        let inputs = 1 + rng.below(3)
        let x = (0..<inputs).map { Signals.noise(count: 2000 + rng.below(3000), seed: UInt64(seed * 10 + $0), amplitude: 0.5) }
            .map { Array($0.prefix(4000)) }
        let frames = x.map(\.count).min()!
        let input = try AudioFixture.write(x.map { Array($0.prefix(frames)) }, to: dir.path("in.wav"))
        let kernelChannels = (0..<3).map { c in
            Signals.decayingNoise(count: 300, seed: UInt64(seed * 7 + c)).map { $0 * 0.2 }
        }
        let kernelPath = try AudioFixture.write(kernelChannels, to: dir.path("k.wav"))
        let shortPath = try AudioFixture.write([Signals.decayingNoise(count: 40, seed: UInt64(seed))], to: dir.path("s.wav"))
        var generator = GraphGenerator(rng: rng, inputs: inputs, kernel: kernelPath, short: shortPath)
        let graph = generator.make()
        var outputs: [Int: [[Float]]] = [:]
        for (threads, block) in [(1, nil), (2, nil), (3, 64), (2, 1000)] as [(Int, Int?)] {
            var spec = JobSpec(input: input, output: dir.path("o\(threads)-\(block ?? 0).wav"), kernels: .graph(graph))
            spec.threads = threads
            spec.blockSize = block
            let (_, y) = try run(spec)
            try expectMatchesReference(
                graph, input: x.map { Array($0.prefix(frames)) }, output: y, label: "seed \(seed), threads \(threads)")
            if block == nil { outputs[threads] = y }
        }
        #expect(outputs[1] == outputs[2], "seed \(seed): 1 and 2 threads differ")
    }
}

/// A deterministic generator of valid graphs for ``GraphExecutionTests``.
struct GraphGenerator {
    var rng: SplitMix
    let inputs: Int
    let kernel: String
    let short: String

    mutating func make() -> GraphSpec {
        var filters: [String: FilterDefinition] = [:]
        var mixers: [String: MixerDefinition] = [:]
        var steps: [PipelineStep] = []
        var channels = inputs
        for s in 0..<(2 + rng.below(4)) {
            if rng.below(2) == 0 {
                let outputs = 1 + rng.below(4)
                let sources = (0..<outputs).map { _ in
                    (0..<rng.below(3)).map { _ in
                        MixerSource(
                            channel: rng.below(channels), gainDB: Double(rng.below(13)) - 6, invert: rng.below(3) == 0,
                            mute: rng.below(8) == 0)
                    }
                }
                mixers["m\(s)"] = MixerDefinition(inputs: channels, outputs: outputs, sources: sources)
                steps.append(.mixer("m\(s)"))
                channels = outputs
            } else {
                var names: [String] = []
                for f in 0..<(1 + rng.below(2)) {
                    let name = "f\(s)_\(f)"
                    switch rng.below(5) {
                    case 0, 1:
                        let path = rng.below(4) == 0 ? short : kernel
                        filters[name] = .convolution(ConvolutionFilter(
                            path: path, channel: path == short ? 0 : rng.below(3), gainDB: Double(rng.below(7)) - 3,
                            normalize: KernelNormalization.allCases[rng.below(4)]))
                    case 2:
                        filters[name] = .gain(GainFilter(
                            gainDB: Double(rng.below(13)) - 6, invert: rng.below(2) == 0, mute: rng.below(10) == 0))
                    case 3:
                        filters[name] = .delay(DelayFilter(amount: Double(rng.below(50)), unit: .samples))
                    default:
                        filters[name] = .delay(DelayFilter(amount: 0.5, unit: .ms))
                    }
                    names.append(name)
                }
                let all = rng.below(3) == 0
                let listed = all ? nil : Array(Set((0..<(1 + rng.below(channels))).map { _ in rng.below(channels) })).sorted()
                steps.append(.filters(names, channels: listed))
            }
        }
        return GraphSpec(filters: filters, mixers: mixers, pipeline: steps)
    }
}

/// splitmix64: a tiny deterministic generator for test graphs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
