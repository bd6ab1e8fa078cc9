import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// Graph errors found once the input is open (channel counts, kernel channels, rates, delays that are
/// not whole samples): each a config error pointing at the step or filter at fault.
@Suite struct GraphCompileErrorTests {
    let dir: TemporaryDirectory
    init() throws {
        dir = try TemporaryDirectory(prefix: "firpipe-graph-errors")
        try AudioFixture.write([[0.5, 0.25, 0], [0, 0.5, 0.25]], to: dir.path("stereo.wav"))
        try AudioFixture.write([[1, 0.5], [0.5, 1]], to: dir.path("k2.wav"))
        try AudioFixture.write([[1, 0.5]], to: dir.path("k44.wav"), rate: 44100)
        try AudioFixture.write([[0, 0, 0]], to: dir.path("zeros.wav"))
    }

    /// Loads `yaml` (input stereo.wav) and expects `prepare()` to fail at `line`:`column` with `fragments`.
    func expectRejected(
        _ yaml: String, line: Int, column: Int, _ fragments: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let path = dir.path("job.yaml")
        try Data(("input: stereo.wav\noutput: out.wav\n" + yaml).utf8).write(to: URL(fileURLWithPath: path))
        let file = try ConfigFile.load(path: path)
        let spec = try file.resolve()
        let error = #expect(throws: JobError.self, sourceLocation: sourceLocation) {
            _ = try FileFilterJob(spec: spec, fromConfig: true).prepare()
        }
        guard let error, let key = error.configKey else {
            Issue.record("no config key in \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(error.kind == .config, sourceLocation: sourceLocation)
        let located = file.error(at: key, error.message)
        #expect(located.location?.line == line && located.location?.column == column, "\(located)",
                sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.wav")), sourceLocation: sourceLocation)
    }

    @Test func mixerInputCountMustMatchTheChannelsReachingIt() throws {
        defer { dir.remove() }
        try expectRejected(
            "mixers:\n  m: {channels: {in: 1, out: 2}}\npipeline:\n  - {type: mixer, name: m}\n", line: 6, column: 19,
            "mixer 'm' takes 1 channel but 2 reach it at pipeline step 0", "set its channels 'in' to 2")
    }

    @Test func filterStepChannelMustExist() throws {
        defer { dir.remove() }
        try expectRejected(
            "filters:\n  g: {type: gain, gain_db: -3}\npipeline:\n  - {type: filter, channels: [0, 2], names: [g]}\n",
            line: 6, column: 34, "channel 2 does not exist at pipeline step 0: 2 channels reach it")
    }

    @Test func kernelChannelMustExist() throws {
        defer { dir.remove() }
        try expectRejected(
            "filters:\n  k: {type: convolution, kernel: k2.wav, channel: 2}\npipeline:\n  - {type: filter, names: [k]}\n",
            line: 4, column: 42, "filter 'k' asks for kernel channel 2, but the kernel has 2 channels")
    }

    @Test func fractionalDelayIsRefusedUnlessAskedFor() throws {
        defer { dir.remove() }
        try expectRejected(
            "filters:\n  d: {type: delay, delay: 0.01}\npipeline:\n  - {type: filter, names: [d]}\n",
            line: 4, column: 20, "0.01 ms is 0.48 samples at 48000 Hz, not a whole number", "subsample: true")
    }

    @Test func kernelRateMustMatchWithoutResample() throws {
        defer { dir.remove() }
        try expectRejected(
            "filters:\n  k: {type: convolution, kernel: k44.wav}\npipeline:\n  - {type: filter, names: [k]}\n",
            line: 4, column: 26, "kernel sample rate is 44100 Hz but input", "is 48000 Hz", "resample: true")
    }

    @Test func correlateIsRefusedWithAPipeline() throws {
        defer { dir.remove() }
        try expectRejected(
            "mode: correlate\nfilters:\n  g: {type: gain}\npipeline:\n  - {type: filter, names: [g]}\n",
            line: 3, column: 1, "mode correlate applies to 'kernel' or 'channels', not to a pipeline")
    }

    @Test func normalizingAZeroKernelIsRefused() throws {
        defer { dir.remove() }
        try expectRejected(
            "filters:\n  k: {type: convolution, kernel: zeros.wav, normalize: energy}\npipeline:\n  - {type: filter, names: [k]}\n",
            line: 4, column: 45, "cannot be normalized by energy")
    }
}
