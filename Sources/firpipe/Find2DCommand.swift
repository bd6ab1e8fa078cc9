import ArgumentParser
import FirCore
import FirPipeline

/// `firpipe find2d TEMPLATE IMAGE`: where a small image occurs in a larger one.
struct Find2DCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find2d",
        abstract: "Find TEMPLATE in IMAGE (binary PGM or PFM) by normalized 2-D cross-correlation.",
        discussion: """
            Prints the best positions, best first: the column (x) and row (y) of the template's top-left \
            corner, 0-based from the top-left of the image, and the score (−1 to 1). Exit codes: 64 usage, \
            65 bad data, 66 missing input, 73 cannot create output.
            """)

    @Argument(help: "The template image.") var template: String
    @Argument(help: "The image to search.") var image: String

    @Option(help: "Report at most this many matches.") var count = 5
    @Option(help: "Report matches scoring at least this (0 to 1).") var threshold: Float = 0.7
    @Option(help: "Write the score of every position to this PFM file.") var scores: String?
    @Flag(help: "Print one JSON object on stdout instead of lines of text.") var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be 1 or more") }
        guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1]") }
    }

    func run() throws {
        let result: Find2DJob.Result
        do throws(JobError) {
            result = try Find2DJob(.init(template: template, image: image, count: count, threshold: threshold,
                                         scoreMap: scores)).run()
        } catch {
            throw report(error, config: nil)
        }
        if json {
            print(encodeJSON(Report(
                template: template, image: image, template_width: result.templateColumns,
                template_height: result.templateRows,
                matches: result.matches.map { .init(x: $0.column, y: $0.row, score: $0.score) })))
            return
        }
        for match in result.matches { print("\(match.column)\t\(match.row)\t" + String(cFormat: "%.4f", match.score)) }
        let n = result.matches.count
        printError("firpipe: \(n) match\(n == 1 ? "" : "es") at or above \(threshold) (x, y, score on stdout)")
    }

    private struct Report: Encodable {
        struct Found: Encodable {
            let x: Int
            let y: Int
            let score: Float
        }

        let template: String
        let image: String
        let template_width: Int
        let template_height: Int
        let matches: [Found]
    }
}
