import ArgumentParser
import FirCore
import FirPipeline

/// `firpipe find TEMPLATE RECORDING`: where a sound occurs in a recording.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List every place TEMPLATE occurs in RECORDING (normalized cross-correlation).",
        discussion: """
            Scores every position by the correlation coefficient between the template and the recording \
            there (−1 to 1, the same for a loud and a quiet occurrence), reports each run above the \
            threshold once (non-maximum suppression over the template's length), and streams the \
            recording on every core. Exit codes: 64 usage, 65 bad data, 66 missing input, 74 I/O error.
            """)

    @Argument(help: "The sound to look for.") var template: String
    @Argument(help: "The recording to search.") var recording: String

    @Option(help: "Report matches scoring at least this (0 to 1).") var threshold: Float = 0.7
    @Option(help: "Worker threads (default: one per core).") var threads: Int?

    @OptionGroup var options: CorrelationOptions

    func validate() throws {
        guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1]") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1 to 256") }
    }

    func run() throws {
        let wisdom = options.prepareFFT()
        defer { wisdom.saveIfChanged() }
        let request = FindJob.Request(
            template: template, recording: recording, channel: options.channel, threshold: threshold, threads: threads)
        let result: FindJob.Result
        do throws(JobError) {
            result = try FindJob(request).run()
        } catch {
            throw report(error, config: nil)
        }
        let rate = Double(result.sampleRate), length = Double(result.templateFrames) / rate
        if options.json {
            print(encodeJSON(Report(
                template: template, recording: recording, sample_rate: result.sampleRate, threshold: threshold,
                template_seconds: length,
                matches: result.matches.map {
                    .init(start_seconds: Double($0.start) / rate, end_seconds: Double($0.start) / rate + length,
                          start_sample: $0.start, score: $0.score)
                })))
            return
        }
        for match in result.matches {
            let start = Double(match.start) / rate
            print("\(formatSeconds(start))\t\(formatSeconds(start + length))\t" + String(cFormat: "%.3f", match.score))
        }
        let count = result.matches.count
        printError("firpipe: \(count) match\(count == 1 ? "" : "es") at or above \(threshold) "
            + "(start s, end s, score on stdout)")
    }

    private struct Report: Encodable {
        struct Found: Encodable {
            let start_seconds: Double
            let end_seconds: Double
            let start_sample: Int
            let score: Float
        }

        let template: String
        let recording: String
        let sample_rate: Int
        let threshold: Float
        let template_seconds: Double
        let matches: [Found]
    }
}
