import ArgumentParser
import FirPipeline
import Dispatch
import Glibc

/// The entry point: signal handling first, then the command line, then the command, on this thread.
@main
enum FirpipeMain {
    /// Installs the SIGINT/SIGTERM handling before anything else (parsing, loading, any other thread),
    /// so the moments at start-up where a signal would kill the process outright are as few as they can
    /// be, and a signal is never ignored; then parses and runs the command.
    ///
    /// Synchronous, not `AsyncParsableCommand`'s async main: that hands the whole program to Swift
    /// concurrency's Dispatch threads at once, and under a memory limit libdispatch retries a refused
    /// thread forever, so `process` hung before it began. Only `serve` needs concurrency; it runs in a
    /// task while this thread waits.
    ///
    /// Before even that, the descriptors the start needs are counted: without them Dispatch traps
    /// (SIGILL, no message, as at `ulimit -n 4`). And the arguments are taken from the raw command line,
    /// so a file name's bytes stay as they are (``StartUp/arguments()``).
    static func main() {
        if let shortage = StartUp.descriptorShortage() {
            printError(shortage)
            Glibc.exit(SysExits.osError)
        }
        let arguments = StartUp.arguments()
        // `--version` alone is answered before the parser, which would spend most of the run building
        // every option's reflection metadata; the text is the one the parser prints for it.
        if arguments == ["--version"] {
            print(BuildVersion.report)
            return
        }
        Interrupts.install()
        startWisdomImport(arguments)
        let command: any ParsableCommand
        do {
            command = try parse(arguments)
        } catch {
            Firpipe.exit(withError: error)
        }
        if let asynchronous = command as? any AsyncParsableCommand {
            runInTask(asynchronous)
            return
        }
        var synchronous = command
        do {
            try synchronous.run()
        } catch {
            Firpipe.exit(withError: error)
        }
    }

    /// The command `arguments` name. A command without subcommands named first (`process`, `batch`, …) is
    /// parsed on its own: from the root, the parser builds the named command's arguments by reflection
    /// once more just to learn whether it takes pass-through input. Anything it does not accept (help,
    /// a completion script, any error) is parsed again from the root, so what is printed and the exit
    /// code are the root's, naming `firpipe`, exactly as before.
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let name = arguments.first,
           let leaf = Firpipe.configuration.subcommands.first(where: { $0.configuration.commandName == name }),
           leaf.configuration.subcommands.isEmpty,
           let command = try? leaf.parseAsRoot(Array(arguments.dropFirst())),
           type(of: command) == leaf {  // not the parser's own help command, which would name the leaf alone
            return command
        }
        return try Firpipe.parseAsRoot(arguments)
    }

    /// Commands that plan transforms from the saved wisdom as soon as they start, short runs among them
    /// (`process` of a 1 s file takes about 10 ms).
    static let plansFromWisdom: [any ParsableCommand.Type] = [
        ProcessCommand.self, BatchCommand.self, FindCommand.self, AlignCommand.self,
    ]

    /// Starts importing the saved wisdom, on another thread, when `arguments` name a command that plans
    /// from it: the import (setting up FFTW's planner, 0.7 ms) then overlaps parsing the command line
    /// (2.5 ms) instead of holding up the job's first plan. The command asks for the import again, and
    /// gets the one begun here; anything else (help, an error) exits with the import unfinished, which
    /// costs nothing but a thread.
    private static func startWisdomImport(_ arguments: [String]) {
        guard let name = arguments.first,
              plansFromWisdom.contains(where: { $0.configuration.commandName == name })
        else { return }
        WisdomStore().loadInBackground()
    }

    /// Runs `command` in a task and waits for it here (nothing in firpipe uses the main actor).
    private static func runInTask(_ command: any AsyncParsableCommand) {
        let box = CommandBox(command)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await box.command.run()
            } catch {
                box.failure = error
            }
            done.signal()
        }
        done.wait()
        if let failure = box.failure { Firpipe.exit(withError: failure) }
    }
}

/// The async command and its failure, handed between the waiting thread and the task.
/// `@unchecked Sendable`: the task owns both until it signals; the waiting thread reads after.
private final class CommandBox: @unchecked Sendable {
    var command: any AsyncParsableCommand
    var failure: (any Error)?
    init(_ command: any AsyncParsableCommand) { self.command = command }
}
