import ArgumentParser
import FirCore
import FirPipeline
import Glibc
import FoundationEssentials

/// `firpipe align A B`: how far recording B is offset against recording A.
struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Find the offset of recording B against recording A by cross-correlation.",
        discussion: """
            Prints the lag in samples and seconds: a positive lag means B starts that long after A (B's \
            first sample lines up with A at that time). Long files are searched first on an energy \
            envelope, then exactly around its peak, so memory stays bounded. Exit codes: 64 usage, 65 bad \
            data, 66 missing input, 73 cannot create output, 74 I/O error.
            """)

    @Argument(help: "The reference recording.") var a: String
    @Argument(help: "The recording to place against A.") var b: String

    @Option(help: "plain cross-correlation, or phat (GCC-PHAT: sharp peaks despite reverberation and coloured noise).")
    var method: CorrelationMethod = .phat

    @Option(name: .customLong("max-lag"), help: "Consider offsets of at most this many seconds either way.")
    var maxLag: Double?

    @Option(help: "Write B moved into alignment with A (A's length, padded or trimmed) to this file.")
    var write: String?

    @OptionGroup var options: CorrelationOptions

    func validate() throws {
        if let maxLag, !(maxLag.isFinite && maxLag > 0) {
            throw ValidationError("--max-lag must be a positive number of seconds")
        }
    }

    func run() throws {
        signal(SIGXFSZ, SIG_IGN)
        let wisdom = options.prepareFFT()
        defer { wisdom.saveIfChanged() }
        let request = AlignJob.Request(a: a, b: b, channel: options.channel, method: method, maxLag: maxLag)
        let result: AlignJob.Result
        do throws(JobError) {
            result = try AlignJob(request).run()
            if let write {
                try AlignJob.writeShifted(b: b, lag: result.integerLag, framesA: result.framesA, to: write)
            }
        } catch {
            throw report(error, config: nil)
        }
        print(options.json ? Self.json(result, written: write) : Self.text(result, written: write))
    }

    /// "B starts 1.234000 s after A", and the other two ways.
    static func direction(_ seconds: Double) -> String {
        let magnitude = formatSeconds(abs(seconds))
        if magnitude == formatSeconds(0) { return "B starts together with A" }
        return seconds > 0 ? "B starts \(magnitude) s after A" : "B starts \(magnitude) s before A"
    }

    static func text(_ r: AlignJob.Result, written: String?) -> String {
        var lines = [
            String(cFormat: "lag: %.3f samples = ", r.lag) + "\(formatSeconds(r.seconds)) s at \(r.sampleRate) Hz",
            direction(r.seconds),
            String(cFormat: "confidence: %.2f", r.confidence) + " (peak over the next highest peak, \(r.method.rawValue))",
        ]
        if let written { lines.append("wrote \(written) (B moved by \(r.integerLag) samples)") }
        return lines.joined(separator: "\n")
    }

    private struct Report: Encodable {
        let lag_samples: Double
        let lag_seconds: Double
        let integer_lag: Int
        let sample_rate: Int
        let direction: String
        let confidence: Double
        let method: String
        let coarse_step: Int?
        let frames_a: Int
        let frames_b: Int
        let written: String?
    }

    static func json(_ r: AlignJob.Result, written: String?) -> String {
        let report = Report(
            lag_samples: r.lag, lag_seconds: r.seconds, integer_lag: r.integerLag, sample_rate: r.sampleRate,
            direction: direction(r.seconds), confidence: r.confidence, method: r.method.rawValue,
            coarse_step: r.coarseStep, frames_a: r.framesA, frames_b: r.framesB, written: written)
        return encodeJSON(report)
    }
}

extension CorrelationMethod: CaseArgument {}

/// One line of JSON with sorted keys.
func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
        preconditionFailure("a report of numbers and strings always encodes")
    }
    return text
}
