import FirCore
import FirPipeline
import Foundation
import Testing

/// Configs that are right: what they resolve to, how the command line overrides them, and where keys are.
@Suite struct ConfigFileTests {
    @Test func fullConfigResolvesPathsAgainstTheConfigDirectory() throws {
        let sandbox = try ConfigSandbox(files: ["jobs/take.wav", "kernels/room.wav"])
        let configPath = try sandbox.write(
            """
            # a job with every key
            input: take.wav
            output: out/../renders/take-filtered.wav
            kernel: ../kernels/room.wav
            mode: correlate
            length: same
            gain_db: -6.5
            block_size: 8_192
            threads: 4
            format: flac
            subtype: pcm24
            """, to: "jobs/job.yaml")

        let config = try ConfigFile.load(path: configPath)
        let spec = try config.resolve()

        var expected = JobSpec(
            input: sandbox.path("jobs/take.wav"), output: sandbox.path("jobs/renders/take-filtered.wav"),
            kernels: .shared(path: sandbox.path("kernels/room.wav")))
        expected.mode = .correlate
        expected.length = .same
        expected.gainDB = -6.5
        expected.blockSize = 8192
        expected.threads = 4
        expected.container = .flac
        expected.sampleFormat = .pcm24
        #expect(spec == expected)
        #expect(config.path == configPath)
        #expect(config.directory == sandbox.path("jobs"))
    }

    @Test func minimalConfigKeepsJobSpecDefaults() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "room.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: take.wav\noutput: out.wav\nkernel: room.wav\n", path: sandbox.path("job.yaml"))
        let spec = try config.resolve()

        let expected = JobSpec(
            input: sandbox.path("take.wav"), output: sandbox.path("out.wav"),
            kernels: .shared(path: sandbox.path("room.wav")))
        #expect(spec == expected)
        #expect(spec.mode == .convolve && spec.length == .full && spec.gainDB == 0)
        #expect(spec.blockSize == nil && spec.threads == nil)
        #expect(spec.container == nil && spec.sampleFormat == nil)
    }

    @Test func absolutePathsStayAsWritten() throws {
        let sandbox = try ConfigSandbox(files: ["elsewhere/take.wav", "room.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: \(sandbox.path("elsewhere/take.wav"))\noutput: /tmp/x.wav\nkernel: room.wav\n",
            path: sandbox.path("job.yaml"))
        #expect(config.input == sandbox.path("elsewhere/take.wav"))
        #expect(config.output == "/tmp/x.wav")
    }

    @Test func relativeConfigPathCountsFromTheWorkingDirectory() throws {
        let config = try ConfigFile.parse(yaml: "output: out.wav\n", path: "configs/job.yaml")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(config.directory == cwd + "/configs")
        #expect(config.output == cwd + "/configs/out.wav")
        #expect(config.location(of: "output").file == "configs/job.yaml")
    }

    @Test func channelsGiveOneAssignmentPerInputChannel() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "left.wav", "ir/right.wav"])
        let config = try ConfigFile.parse(
            yaml: """
                input: take.wav
                output: out.wav
                channels:
                  - kernel: left.wav
                    channel: 0
                    gain_db: -3.0
                  - {kernel: ir/right.wav, channel: 1}
                  - kernel: left.wav
                """, path: sandbox.path("job.yaml"))
        let spec = try config.resolve()

        #expect(spec.kernels == .perChannel([
            KernelAssignment(path: sandbox.path("left.wav"), channel: 0, gainDB: -3),
            KernelAssignment(path: sandbox.path("ir/right.wav"), channel: 1, gainDB: 0),
            KernelAssignment(path: sandbox.path("left.wav"), channel: nil, gainDB: 0),
        ]))
    }

    @Test func commandLineValuesWin() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "left.wav", "right.wav"])
        let config = try ConfigFile.parse(
            yaml: """
                input: take.wav
                output: out.wav
                channels:
                  - kernel: left.wav
                  - kernel: right.wav
                mode: correlate
                length: valid
                gain_db: 3
                block_size: 1024
                threads: 2
                format: wav
                subtype: float
                """, path: sandbox.path("job.yaml"))
        var overrides = ConfigOverrides(input: "cli/in.wav", output: "cli/out.wav", kernel: "cli/ir.wav")
        overrides.settings.set(JobOptionSchema.mode, .convolve)
        overrides.settings.set(JobOptionSchema.length, .same)
        overrides.settings.set(JobOptionSchema.gainDB, -1)
        overrides.settings.set(JobOptionSchema.blockSize, 4096)
        overrides.settings.set(JobOptionSchema.threads, 8)
        overrides.settings.set(JobOptionSchema.container, .caf)
        overrides.settings.set(JobOptionSchema.sampleFormat, .pcm16)

        let spec = try config.resolve(overrides)

        // Command-line paths are relative to the working directory and are not checked for existence.
        var expected = JobSpec(input: "cli/in.wav", output: "cli/out.wav", kernels: .shared(path: "cli/ir.wav"))
        expected.mode = .convolve
        expected.length = .same
        expected.gainDB = -1
        expected.blockSize = 4096
        expected.threads = 8
        expected.container = .caf
        expected.sampleFormat = .pcm16
        #expect(spec == expected)
    }

    @Test func partialOverridesKeepTheFileValues() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "room.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: take.wav\noutput: out.wav\nkernel: room.wav\nthreads: 3\nmode: correlate\n",
            path: sandbox.path("job.yaml"))
        var overrides = ConfigOverrides()
        overrides.output = "elsewhere.wav"
        overrides.settings.set(JobOptionSchema.blockSize, 256)

        let spec = try config.resolve(overrides)

        #expect(spec.input == sandbox.path("take.wav"))
        #expect(spec.output == "elsewhere.wav")
        #expect(spec.kernels == .shared(path: sandbox.path("room.wav")))
        #expect(spec.threads == 3 && spec.blockSize == 256 && spec.mode == .correlate)
    }

    @Test func fileMayLeaveInputOutputAndKernelToTheCommandLine() throws {
        let config = try ConfigFile.parse(yaml: "mode: correlate\nblock_size: 512\n", path: "/nowhere/job.yaml")
        #expect(config.input == nil && config.output == nil && config.kernels == nil)

        let spec = try config.resolve(ConfigOverrides(input: "a.wav", output: "b.wav", kernel: "k.wav"))

        var expected = JobSpec(input: "a.wav", output: "b.wav", kernels: .shared(path: "k.wav"))
        expected.mode = .correlate
        expected.blockSize = 512
        #expect(spec == expected)
    }

    @Test func commandLineKernelMeansTheFileKernelsAreNotChecked() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: take.wav\noutput: out.wav\nkernel: missing.wav\n", path: sandbox.path("job.yaml"))
        #expect(throws: ConfigError.self) { try config.resolve() }

        let spec = try config.resolve(ConfigOverrides(kernel: "also-missing.wav"))
        #expect(spec.kernels == .shared(path: "also-missing.wav"))
    }

    @Test func locationsOfKeysAndValues() throws {
        let config = try ConfigFile.parse(
            yaml: """
                input: take.wav
                channels:
                  - kernel: left.wav
                  -   kernel:  right.wav
                      gain_db: -3
                block_size:   256
                """, path: "/jobs/job.yaml")

        #expect(config.location(of: "input") == FirPipeline.SourceLocation(file: "/jobs/job.yaml", line: 1, column: 1))
        #expect(config.location(of: "channels") == at(2, 1))
        #expect(config.location(of: "channels.0") == at(3, 5))
        #expect(config.location(of: "channels.1") == at(4, 7))
        #expect(config.location(of: "channels.1.kernel") == at(4, 7))
        #expect(config.valueLocation(of: "channels.1.kernel") == at(4, 16))
        #expect(config.location(of: "channels.1.gain_db") == at(5, 7))
        #expect(config.location(of: "block_size") == at(6, 1))
        #expect(config.valueLocation(of: "block_size") == at(6, 15))
        // Fallbacks: the nearest parent the file has, then the start of the file.
        #expect(config.location(of: "channels.1.channel") == at(4, 7))
        #expect(config.location(of: "channels.5.kernel") == at(2, 1))
        #expect(config.location(of: "output") == at(1, 1))
        #expect(config.valueLocation(of: "threads") == at(1, 1))

        let error = config.error(at: "channels.1.kernel", "kernel has 3 channels but the input has 2")
        #expect(error.description == "/jobs/job.yaml:4:7: kernel has 3 channels but the input has 2")
        #expect(error.code == .invalidValue)
    }

    private func at(_ line: Int, _ column: Int) -> FirPipeline.SourceLocation {
        FirPipeline.SourceLocation(file: "/jobs/job.yaml", line: line, column: column)
    }
}
