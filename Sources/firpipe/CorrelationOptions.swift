import ArgumentParser
import FirCore
import FirPipeline

/// What `align` and `find` share: which channel to read, JSON output, and the planner set-up.
struct CorrelationOptions: ParsableArguments {
    @Option(help: "Read this channel (0-based) of every input instead of mixing all channels down to mono.")
    var channel: Int?

    @Flag(help: "Print one JSON object on stdout instead of lines of text.")
    var json = false

    func validate() throws {
        if let channel, channel < 0 { throw ValidationError("--channel must be 0 or more") }
    }

    /// Sets the planner's batch policy and loads wisdom, as `process` does; returns the store to save.
    /// Main thread, before any plan is made.
    func prepareFFT() -> WisdomStore {
        let wisdom = WisdomStore()
        wisdom.usePolicy(.batch)
        wisdom.loadInBackground()
        return wisdom
    }
}

/// `seconds` with enough digits for a sample at any rate, and no trailing noise.
func formatSeconds(_ seconds: Double) -> String {
    String(cFormat: "%.6f", seconds)
}
