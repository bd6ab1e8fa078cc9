import ArgumentParser
import FirAudio
import FirCore
import FirPipeline

/// `firpipe inspect FILE…`: what a kernel does: peak, gains, energy, latency, decay, magnitude extremes;
/// with `--plot` a one-page SVG of its impulse and responses.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe kernels (or any audio): peak, DC gain, energy, latency, decay, response; --plot draws an SVG.",
        discussion: """
            With --config, the config's filter: every path from an input channel to an output channel, \
            with its kernel, gains and delays (the compiled processing graph), for the config's input.
            """)

    @Argument(help: "Kernel or audio files (text kernels as --kernel reads them).")
    var files: [String] = []

    @Option(help: "Inspect the filter of this config instead of files.") var config: String?
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(help: "Draw the responses into this SVG file.") var plot: String?
    @Option(help: "Magnitude smoothing in the plot: 1/N octave (3, 6, …), 0 for none.") var smooth = 6
    @Flag(name: .customLong("phase-minus-delay"), help: "Plot the phase minus the main peak's delay.")
    var phaseMinusDelay = false
    @Option(help: "Rate of text kernels (Hz), which carry none; default 48000.") var rate: Int?

    func validate() throws {
        if files.isEmpty == (config == nil) { throw ValidationError("give kernel files, or --config FILE (not both)") }
        if !(0...48).contains(smooth) { throw ValidationError("--smooth \(smooth): give 0 (none) to 48") }
        if let rate, !(1...10_000_000).contains(rate) { throw ValidationError("--rate \(rate): give a rate in Hz from 1 to 10000000") }
        if let plot, !plot.lowercased().hasSuffix(".svg") { throw ValidationError("--plot \(plot): the plot is an SVG; name it .svg") }
    }

    /// One curve's source: a kernel channel or a graph path.
    struct Item {
        var label: String
        var taps: [Double]
        var sampleRate: Int
    }

    func run() throws {
        let (groups, title) = try loadGroups()
        var described: [JSONValue] = []
        var plotted: [PlotChannel] = []
        for group in groups {
            var channels: [JSONValue] = []
            for item in group.items {
                let (spectrum, envelope) = try KernelFiles.math("analysing \(group.path)") { () throws(ResourceError) in
                    (try KernelSpectrum(taps: item.taps, sampleRate: Double(item.sampleRate)),
                     plot == nil ? [] : try HilbertEnvelope.envelope(item.taps))
                }
                let figures = KernelAnalysis.figures(taps: item.taps, sampleRate: Double(item.sampleRate), spectrum: spectrum)
                channels.append(.object(InspectReport.channel(item.label, figures)))
                plotted.append(PlotChannel(
                    label: item.label, taps: item.taps, sampleRate: Double(item.sampleRate), spectrum: spectrum,
                    envelope: envelope, peakIndex: figures.peakIndex))
                if !json { print(InspectReport.text(item.label, figures)) }
            }
            described.append(.object(group.header.merging(["channels": .array(channels)]) { a, _ in a }))
        }
        if json { print(InspectReport.json(described)) }
        if let plot {
            let svg = ResponsePlot.svg(
                plotted, options: .init(smoothing: smooth, phaseMinusDelay: phaseMinusDelay, title: title))
            try KernelFiles.write(text: svg, to: plot)
            if !json { print("plotted \(PlatformPath.displayed(plot))") }
        }
    }

    /// The files (or the config's paths), each with the header lines `inspect` prints for it.
    private func loadGroups() throws -> ([(path: String, header: [String: JSONValue], items: [Item])], String) {
        if let config { return try configGroups(config) }
        var groups: [(path: String, header: [String: JSONValue], items: [Item])] = []
        for path in files {
            let k = try KernelFiles.load(path, rate: rate)
            let name = PathName.lastComponent(path)
            let header: [String: JSONValue] = [
                "path": .string(path), "taps": .int(k.taps), "sampleRate": .int(k.sampleRate), "rateFromFile": .bool(k.rateFromFile),
            ]
            if !json {
                let rateNote = k.rateFromFile ? "" : " (text kernel: rate from --rate or 48000)"
                print("\(PlatformPath.displayed(path)): \(k.taps) taps, \(k.sampleRate) Hz\(rateNote), \(k.channels.count) channel\(k.channels.count == 1 ? "" : "s")")
            }
            let items = k.channels.enumerated().map { c, taps in
                Item(label: k.channels.count == 1 && files.count == 1 ? name : "\(name) ch \(c)", taps: taps, sampleRate: k.sampleRate)
            }
            groups.append((path, header, items))
        }
        return (groups, files.count == 1 ? PathName.lastComponent(files[0]) : "\(files.count) kernels")
    }

    /// Every path of the config's compiled filter: output o from input i, its taps times its gain.
    private func configGroups(_ path: String) throws -> ([(path: String, header: [String: JSONValue], items: [Item])], String) {
        let options = try JobOptions.parse(["--config", path])
        let (spec, file) = try options.makeJob(input: nil, output: nil)
        let compiled: (matrix: FilterMatrix, sampleRate: Int)
        do throws(JobError) { compiled = try spec.filterMatrix(fromConfig: true) } catch {
            throw report(error, config: file)
        }
        let items = compiled.matrix.entries.map { e in
            // Correlation applies each kernel reversed: the response is the reversed kernel's.
            let taps = spec.mode == .correlate ? Array(e.filter.taps.reversed()) : e.filter.taps
            return Item(label: "out \(e.output) ← in \(e.input)", taps: taps.map { Double($0) * Double(e.filter.gain) },
                        sampleRate: compiled.sampleRate)
        }
        let header: [String: JSONValue] = [
            "config": .string(path), "inputs": .int(compiled.matrix.inputs), "outputs": .int(compiled.matrix.outputs),
            "sampleRate": .int(compiled.sampleRate), "taps": .int(compiled.matrix.longestTaps),
        ]
        if !json {
            print("\(PlatformPath.displayed(path)): \(compiled.matrix.inputs) in → \(compiled.matrix.outputs) out, "
                + "\(items.count) path\(items.count == 1 ? "" : "s"), \(compiled.sampleRate) Hz")
        }
        return ([(path, header, items)], PathName.lastComponent(path) + ": each output from each input")
    }
}
