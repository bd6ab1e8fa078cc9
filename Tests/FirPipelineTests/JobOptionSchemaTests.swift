import FirCore
import FirPipeline
import Foundation
import Testing

/// The job options' one declaration drives the reader, the command line's overrides, the stream's
/// refusals, the reload rules and the README's table.
@Suite struct JobOptionSchemaTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    @Test func readmeTableIsTheDeclaration() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        #expect(text.contains(JobOptionSchema.markdownTable + "\n"),
                "README.md's config table is out of date; replace its option rows with `firpipe check --list-options`")
    }

    @Test func readmeServeTableIsTheDeclaration() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        #expect(text.contains(ServeOptionSchema.markdownTable + "\n"),
                "README.md's serve table is out of date; replace its rows with `firpipe check --list-options`")
    }

    @Test func everyOptionIsReadFromAFileAndOverriddenFromTheCommandLine() throws {
        let yaml = """
            kernel: k.wav
            mode: correlate
            length: valid
            gain_db: -2
            block_size: 512
            threads: 3
            format: w64
            subtype: pcm24
            resample_kernels: true
            limit_db: -1.5
            dither: tpdf
            dither_seed: 99
            non_finite: zero
            """
        let file = try ConfigFile.parse(yaml: yaml, path: "/cfg/job.yaml")
        var o = ConfigOverrides(input: "in.wav", output: "out.wav", kernel: "cli.wav")
        o.settings.set(JobOptionSchema.threads, 1)
        let spec = try file.resolve(o)
        #expect(spec.mode == .correlate && spec.length == .valid && spec.gainDB == -2 && spec.blockSize == 512)
        #expect(spec.threads == 1, "the command line wins")
        #expect(spec.container == .w64 && spec.sampleFormat == .pcm24 && spec.resampleKernels)
        #expect(spec.limitDB == -1.5 && spec.dither == .tpdf && spec.ditherSeed == 99)
        #expect(spec.nonFinite == .zero)
        #expect(file.settings["threads"]?.value == "3")
    }

    @Test func aStreamRefusesOptionsItDoesNotUse() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt"])
        let file = try ConfigFile.parse(
            yaml: "kernel: k.txt\nthreads: 2\nserve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n",
            path: sandbox.path("job.yaml"))
        let error = #expect(throws: ConfigError.self) { _ = try ServeConfig(file: file) }
        #expect(error?.location?.line == 2 && error?.location?.column == 1, "\(String(describing: error))")
        #expect(error?.message == "threads applies to files (process and serve.spool), not to a stream; remove it")
    }

    @Test func aStreamNeedsARestartForANewBlockSizeOnly() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt"])
        func config(_ extra: String) throws -> ServeConfig {
            try ServeConfig(file: ConfigFile.parse(
                yaml: "kernel: k.txt\n\(extra)serve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n",
                path: sandbox.path("job.yaml")))
        }
        let base = try config("")
        #expect(base.restartNeeded(for: try config("block_size: 256\n")) == nil, "256 is the default")
        let bigger = try #require(base.restartNeeded(for: try config("block_size: 512\n")))
        #expect(bigger.message.hasPrefix("block_size changed"))
        #expect(bigger.location?.line == 2 && bigger.location?.column == 13, "at the value: \(bigger)")
        #expect(base.restartNeeded(for: try config("gain_db: -6\nmode: correlate\n")) == nil)
    }
}
