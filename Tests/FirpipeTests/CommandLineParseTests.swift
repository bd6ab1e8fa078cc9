import ArgumentParser
import FirCore
import FirPipeline
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `FirpipeMain.parse` parses a command named first on its own, and everything it does not accept from
/// the root: the command it returns is the root's, and help, errors and exit codes still name
/// `firpipe` as before.
@Suite struct CommandLineParseTests {
    @Test(arguments: [
        ["process", "in.wav", "out.wav", "-k", "k.wav", "--gain-db", "-3", "--threads", "2"],
        ["process", "--config", "room.yaml", "--dither", "tpdf"],
        ["batch", "in", "out", "-k", "k.wav", "--shard", "1/4", "--force"],
        ["check", "--config", "room.yaml"],
        ["serve", "--config", "room.yaml"],
        ["kernel", "trim", "k.wav", "--output", "t.wav"],
    ])
    func theCommandIsTheRootsParse(_ arguments: [String]) throws {
        let fast = try FirpipeMain.parse(arguments)
        let root = try Firpipe.parseAsRoot(arguments)
        #expect(type(of: fast) == type(of: root))
        #expect(String(describing: fast) == String(describing: root))
    }

    @Test func helpAndErrorsNameFirpipe() throws {
        let help = try FirpipeBinary.run(["process", "--help"])
        #expect(help.stdout.contains("USAGE: firpipe process [<options>] [<input>] [<output>]"), "\(help.stdout)")
        #expect(help.status == 0 && help.stdout.contains("USAGE: firpipe process"), "\(help.stdout)")
        let unknown = try FirpipeBinary.run(["process", "a.wav", "b.wav", "-k", "k.wav", "--no-such-option"])
        #expect(unknown.status == 64, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("Unknown option '--no-such-option'"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("firpipe process"), "the usage names firpipe: \(unknown.stderr)")
        let batch = try FirpipeBinary.run(["batch", "--help"])
        #expect(batch.status == 0 && batch.stdout.contains("USAGE: firpipe batch"), "\(batch.stdout)")
        let nested = try FirpipeBinary.run(["kernel", "trim", "--help"])
        #expect(nested.status == 0 && nested.stdout.contains("USAGE: firpipe kernel trim"), "\(nested.stdout)")
    }

    /// A command line without its files is refused while parsing, so the usage shown is the command's
    /// (it was `firpipe <subcommand>`'s, the check being made only when the job was built).
    @Test func missingFilesAreRefusedWithTheCommandsUsage() throws {
        let cases: [([String], String)] = [
            (["process", "-q", "in.wav"], "give INPUT and OUTPUT files, or --config FILE"),
            (["process", "in.wav", "out.wav"], "give a kernel with --kernel FILE, or use --config FILE"),
            (["check", "-k", "k.wav"], "give INPUT and OUTPUT files, or --config FILE"),
        ]
        for (arguments, message) in cases {
            let r = try FirpipeBinary.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.stderr)")
            #expect(r.stderr.hasPrefix("Error: \(message)\n"), "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("Usage: firpipe \(arguments[0]) "), "\(arguments): \(r.stderr)")
        }
        let list = try FirpipeBinary.run(["check", "--list-options"])
        #expect(list.status == 0 && list.stdout.contains("| `block_size` |"), "\(list.stderr)")
    }

    /// An enum's values, listed by ``CaseArgument`` instead of the parser's key path, read the same in
    /// an error, in the help and in the completion scripts.
    @Test func enumValuesAreListedByRawValue() throws {
        #expect(ConvolutionMode.allValueStrings == ["convolve", "correlate"])
        #expect(DitherMode.allValueStrings == DitherMode.allCases.map(\.rawValue))
        let bad = try FirpipeBinary.run(["process", "a.wav", "b.wav", "-k", "k.wav", "--mode", "bogus"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("Please provide one of 'convolve' and 'correlate'."), "\(bad.stderr)")
        let fish = try FirpipeBinary.run(["--generate-completion-script", "fish"])
        #expect(fish.stdout.contains("-l 'mode' -d 'convolve or correlate") && fish.stdout.contains("-rfka 'convolve correlate'"))
    }

    /// `process` is parsed on its own without the parser's search for a completion-script request
    /// (`_superCommandName`); the request still reaches the root, which prints firpipe's whole script.
    @Test func completionScriptRequestAfterACommand() throws {
        let root = try FirpipeBinary.run(["--generate-completion-script", "bash"])
        let after = try FirpipeBinary.run(["process", "--generate-completion-script", "bash"])
        #expect(root.status == 0 && after.status == 0, "\(after.stderr)")
        #expect(after.stdout == root.stdout && after.stdout.contains("complete -o filenames -F _firpipe firpipe"))
    }
}
