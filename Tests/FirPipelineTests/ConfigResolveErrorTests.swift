import FirPipeline
import Foundation
import Testing

/// Errors found after parsing: files named in the config that do not exist, values missing from both
/// the file and the command line, and config files that cannot be read.
@Suite struct ConfigResolveErrorTests {
    @Test func missingKernelIsReportedAtItsValue() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav"])
        let configPath = try sandbox.write(
            "# room correction\ninput: take.wav\nkernel:  room.wav\noutput: out.wav\n", to: "room.yaml")
        let config = try ConfigFile.load(path: configPath)

        let error = #expect(throws: ConfigError.self) { try config.resolve() }

        #expect(error?.code == .missingFile)
        #expect(error?.description == "\(configPath):3:10: kernel file \(sandbox.path("room.wav")) does not exist")
    }

    @Test func missingChannelKernelIsReportedAtItsValue() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "left.wav"])
        let config = try ConfigFile.parse(
            yaml: """
                input: take.wav
                output: out.wav
                channels:
                  - kernel: left.wav
                  - kernel: ir/right.wav
                """, path: sandbox.path("job.yaml"))

        let error = #expect(throws: ConfigError.self) { try config.resolve() }

        #expect(error?.location == FirPipeline.SourceLocation(file: sandbox.path("job.yaml"), line: 5, column: 13))
        #expect(error?.message == "kernel file \(sandbox.path("ir/right.wav")) does not exist")
    }

    @Test func missingInputIsReportedAtItsValue() throws {
        let sandbox = try ConfigSandbox(files: ["room.wav"])
        let config = try ConfigFile.parse(
            yaml: "kernel: room.wav\noutput: out.wav\ninput: takes/take.wav\n", path: sandbox.path("job.yaml"))

        let error = #expect(throws: ConfigError.self) { try config.resolve() }

        #expect(error?.code == .missingFile)
        #expect(error?.location == FirPipeline.SourceLocation(file: sandbox.path("job.yaml"), line: 3, column: 8))
        #expect(error?.message == "input file \(sandbox.path("takes/take.wav")) does not exist")
    }

    @Test func kernelThatIsADirectoryIsRejected() throws {
        let sandbox = try ConfigSandbox(files: ["take.wav", "kernels/room.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: take.wav\noutput: out.wav\nkernel: kernels\n", path: sandbox.path("job.yaml"))

        let error = #expect(throws: ConfigError.self) { try config.resolve() }

        #expect(error?.code == .invalidValue)
        #expect(error?.location?.line == 3 && error?.location?.column == 9)
        #expect(error?.message == "kernel file \(sandbox.path("kernels")) is a directory")
    }

    @Test func commandLinePathsAreNotChecked() throws {
        let sandbox = try ConfigSandbox(files: ["room.wav"])
        let config = try ConfigFile.parse(
            yaml: "input: missing.wav\noutput: out.wav\nkernel: room.wav\n", path: sandbox.path("job.yaml"))

        let spec = try config.resolve(ConfigOverrides(input: "no/such/take.wav"))

        #expect(spec.input == "no/such/take.wav")
    }

    @Test(arguments: [
        ("output: o.wav\nkernel: k.wav\n", ConfigOverrides(),
         "no input given: add 'input: take.wav' to the config file or pass it on the command line"),
        ("input: i.wav\nkernel: k.wav\n", ConfigOverrides(),
         "no output given: add 'output: take-filtered.wav' to the config file or pass it on the command line"),
        ("mode: correlate\n", ConfigOverrides(input: "i.wav", output: "o.wav"),
         "no kernel given: add 'kernel: room.wav' or a 'channels' list to the config file, "
            + "or pass a kernel on the command line"),
    ])
    func missingRequiredValueIsReportedAtTheStart(yaml: String, overrides: ConfigOverrides, message: String) throws {
        let sandbox = try ConfigSandbox(files: ["i.wav", "k.wav"])
        let config = try ConfigFile.parse(yaml: yaml, path: sandbox.path("job.yaml"))

        let error = #expect(throws: ConfigError.self) { try config.resolve(overrides) }

        #expect(error?.code == .missingValue)
        #expect(error?.description == "\(sandbox.path("job.yaml")):1:1: \(message)")
    }

    @Test func configFileThatDoesNotExistHasNoLocation() {
        let error = #expect(throws: ConfigError.self) { try ConfigFile.load(path: "/no/such/dir/job.yaml") }

        #expect(error?.location == nil)
        #expect(error?.code == .unreadable)
        #expect(error?.description == "/no/such/dir/job.yaml: cannot read the config file: it does not exist")
    }

    @Test func configFileThatIsADirectoryHasNoLocation() throws {
        let sandbox = try ConfigSandbox()

        let error = #expect(throws: ConfigError.self) { try ConfigFile.load(path: sandbox.directory) }

        #expect(error?.location == nil)
        #expect(error?.description == "\(sandbox.directory): cannot read the config file: it is a directory")
    }

    /// The first byte that is not UTF-8 is pointed at like any other error (columns in scalars: `é`
    /// counts one).
    @Test func configFileThatIsNotUTF8PointsAtTheFirstBadByte() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.write("", to: "job.yaml")
        let bytes = Array("# ok\ninput: é".utf8) + [0xFF, 0xFE, 0x0A]
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.path("job.yaml")))

        let error = #expect(throws: ConfigError.self) { try ConfigFile.load(path: sandbox.path("job.yaml")) }

        #expect(error?.location == SourceLocation(file: sandbox.path("job.yaml"), line: 2, column: 9))
        #expect(error?.message == "cannot read the config file: byte 0xFF is not UTF-8 text; save the file as UTF-8")
    }

    @Test func loadReportsParseErrorsWithThePathAsGiven() throws {
        let sandbox = try ConfigSandbox()
        let configPath = try sandbox.write("input: a.wav\nthreads: many\n", to: "job.yaml")

        let error = #expect(throws: ConfigError.self) { try ConfigFile.load(path: configPath) }

        #expect(error?.description == "\(configPath):2:10: threads must be an integer, found 'many'")
    }

    @Test func descriptionIsAlwaysOneLine() {
        let located = ConfigError(
            .syntax, at: FirPipeline.SourceLocation(file: "a.yaml", line: 2, column: 3), "first\nsecond\r\nthird")
        #expect(located.description == "a.yaml:2:3: first second third")

        let unlocated = ConfigError(.unreadable, file: "a.yaml", "cannot read\nit")
        #expect(unlocated.description == "a.yaml: cannot read it")
    }
}
