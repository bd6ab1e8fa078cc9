import ArgumentParser
import Dispatch
import Foundation

/// The `firpipe` command: long FIR filters by FFT convolution on every core.
@main
struct Firpipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firpipe",
        abstract: "Apply long FIR filters (room correction, crossovers, reverbs) by FFT convolution.",
        version: "0.1.0",
        subcommands: [
            ProcessCommand.self, CheckCommand.self, ServeCommand.self, StatusCommand.self, ReloadCommand.self,
            BenchCommand.self, WisdomCommand.self,
        ]
    )

    /// The entry point, synchronous so that it runs before Dispatch starts (an async `main` starts it
    /// first, and Dispatch traps when it cannot open its descriptors). Checks that there are enough
    /// descriptors, then runs the command from the raw command line on the main actor, as the async
    /// entry point would.
    static func main() {
        if let shortage = StartUp.descriptorShortage() {
            printError(shortage)
            Foundation.exit(SysExits.osError)
        }
        let arguments = StartUp.arguments()
        Task { @MainActor in
            await main(arguments)
            Foundation.exit(0)
        }
        dispatchMain()
    }
}
