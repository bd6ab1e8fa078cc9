import ArgumentParser

/// The `firpipe` command: long FIR filters by FFT convolution on every core.
struct Firpipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firpipe",
        abstract: "Apply long FIR filters (room correction, crossovers, reverbs) by FFT convolution.",
        version: BuildVersion.report,
        subcommands: [
            ProcessCommand.self, CheckCommand.self, ServeCommand.self, StatusCommand.self, ReloadCommand.self,
            BatchCommand.self, BenchCommand.self, WisdomCommand.self, InspectCommand.self, KernelCommand.self,
            AlignCommand.self, FindCommand.self, Find2DCommand.self,
        ]
    )
}
