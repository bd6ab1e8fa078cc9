import ArgumentParser
import FirAudio
import FirCore
import FirPipeline

/// A kernel loaded for analysis or editing: float64 taps per channel and the rate they are at.
struct LoadedKernel {
    var path: String
    var channels: [[Double]]
    var sampleRate: Int
    /// False for a text kernel, whose rate is the `--rate` given (or 48 kHz).
    var rateFromFile: Bool
    var taps: Int { channels.first?.count ?? 0 }
}

/// Loading and writing kernels for `inspect` and `kernel`, with firpipe's errors (one line, sysexits).
enum KernelFiles {
    /// The rate assumed for a text kernel when no `--rate` is given.
    static let defaultRate = 48_000

    static func load(_ path: String, rate: Int?) throws -> LoadedKernel {
        do throws(AudioError) {
            let k = try KernelLoader.load(path: path)
            return LoadedKernel(
                path: path, channels: k.channels.map { $0.map(Double.init) },
                sampleRate: k.sampleRate ?? rate ?? defaultRate, rateFromFile: k.sampleRate != nil)
        } catch {
            throw report(JobError(audio: error), config: nil)
        }
    }

    static func write(_ channels: [[Double]], sampleRate: Int, to path: String) throws {
        do throws(AudioError) {
            try KernelWriter.write(channels, sampleRate: sampleRate, to: path)
        } catch {
            throw report(JobError(audio: error), config: nil)
        }
        print("wrote \(PlatformPath.displayed(path)): \(channels[0].count) taps, \(channels.count) ch, \(sampleRate) Hz")
    }

    /// Writes small in-memory output (the SVG) through the atomic path.
    static func write(text: String, to path: String) throws {
        do throws(AudioError) {
            try AtomicOutputFile(finalPath: path).write(contents: Array(text.utf8))
        } catch {
            throw report(JobError(audio: error), config: nil)
        }
    }

    /// Runs transform work, turning refused memory into 71.
    static func math<T>(_ what: String, _ body: () throws(ResourceError) -> T) throws -> T {
        try resources(while: what, body)
    }
}

/// The output option every `kernel` subcommand takes.
struct KernelOutput: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "The kernel to write (.wav and other audio: 32-bit float; .txt: 17 digits a tap).")
    var output: String

    @Option(help: "Rate of text kernels (Hz), which carry none; also the rate of a text kernel written as audio.")
    var rate: Int?

    func validate() throws {
        if let rate, !(1...10_000_000).contains(rate) { throw ValidationError("--rate \(rate): give a rate in Hz from 1 to 10000000") }
    }
}
