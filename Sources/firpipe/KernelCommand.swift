import ArgumentParser
import FirCore
import FirPipeline
import Glibc

/// `firpipe kernel …`: exact edits of kernels, float64 inside, every output through the atomic path.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Make and edit kernels: combine, minimum-phase, normalize, trim, design.",
        subcommands: [
            KernelCombineCommand.self, KernelMinimumPhaseCommand.self, KernelNormalizeCommand.self,
            KernelTrimCommand.self, KernelDesignCommand.self,
        ])
}

/// `kernel combine A B [C…] -o OUT`: one kernel that filters as A, then B, then …
struct KernelCombineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "combine",
        abstract: "One kernel equal to applying A, then B, … (their full convolution, float64, direct).",
        discussion: "Kernels must have one channel or the same number; a mono kernel applies to every channel.")

    @Argument(help: "Two or more kernels, in the order they apply.") var kernels: [String]
    @OptionGroup var out: KernelOutput
    @Option(name: .customLong("trim-db"), parsing: .unconditional, help: "Cut the tail where every tap is below this level relative to the peak (dB, negative).")
    var trimDB: Double?

    func validate() throws {
        if kernels.count < 2 { throw ValidationError("give at least two kernels to combine") }
        if let trimDB, !(-400...0).contains(trimDB) { throw ValidationError("--trim-db \(trimDB): give a level from -400 to 0 dB") }
    }

    func run() throws {
        let loaded = try kernels.map { try KernelFiles.load($0, rate: out.rate) }
        let channels = loaded.map(\.channels.count).max() ?? 1
        if let odd = loaded.first(where: { $0.channels.count != 1 && $0.channels.count != channels }) {
            throw fail("\(odd.path): has \(odd.channels.count) channels where the others have \(channels); "
                + "give kernels of one channel or of the same count", code: SysExits.dataError)
        }
        let rated = loaded.filter(\.rateFromFile)
        if let other = rated.first(where: { $0.sampleRate != rated[0].sampleRate }) {
            throw fail("\(other.path): is at \(other.sampleRate) Hz, \(rated[0].path) at \(rated[0].sampleRate) Hz; "
                + "kernels combined must share one rate", code: SysExits.dataError)
        }
        var result = (0..<channels).map { c in loaded[0].channels[loaded[0].channels.count == 1 ? 0 : c] }
        for k in loaded.dropFirst() {
            result = result.enumerated().map { c, taps in KernelEdits.combine(taps, k.channels[k.channels.count == 1 ? 0 : c]) }
        }
        if let trimDB {
            let range = KernelEdits.keptRange(result, leadingDB: nil, tailDB: trimDB)
            result = result.map { Array($0[range]) }
        }
        try KernelFiles.write(result, sampleRate: rated.first?.sampleRate ?? loaded[0].sampleRate, to: out.output)
    }
}

/// `kernel minimum-phase IN -o OUT`: the same magnitude, minimum phase.
struct KernelMinimumPhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minimum-phase",
        abstract: "The minimum-phase kernel with the same magnitude response (cepstral method, as scipy's homomorphic).")

    @Argument(help: "The kernel.") var input: String
    @OptionGroup var out: KernelOutput

    func run() throws {
        let k = try KernelFiles.load(input, rate: out.rate)
        let result = try k.channels.map { taps in
            try KernelFiles.math("computing the minimum phase of \(input)") { () throws(ResourceError) in
                try MinimumPhase.apply(taps)
            }
        }
        try KernelFiles.write(result, sampleRate: k.sampleRate, to: out.output)
    }
}

/// `kernel normalize IN -o OUT --by peak|energy|dc|passband --to DB`.
struct KernelNormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Scale a kernel so its peak, energy, DC gain or pass band is at a level.",
        discussion: "One gain for every channel, from the loudest, so their balance stays as it was.")

    @Argument(help: "The kernel.") var input: String
    @OptionGroup var out: KernelOutput
    @Option(help: "What to measure: peak (largest tap), energy (square root of the sum of squares), dc (sum of the taps), passband (largest |H| over 20 Hz–20 kHz).")
    var by: String = "peak"
    @Option(parsing: .unconditional, help: "The level to set it to, in dB.") var to: Double = 0

    func validate() throws {
        if KernelEdits.Measure(rawValue: by) == nil { throw ValidationError("--by \(by): give peak, energy, dc or passband") }
        if !(-400...400).contains(to) { throw ValidationError("--to \(to): give a level from -400 to 400 dB") }
    }

    func run() throws {
        let k = try KernelFiles.load(input, rate: out.rate)
        let measure = KernelEdits.Measure(rawValue: by)!  // validate() checked it
        let level = try k.channels.map { taps in
            try KernelFiles.math("measuring \(input)") { () throws(ResourceError) in
                try KernelEdits.level(taps, by: measure, sampleRate: Double(k.sampleRate))
            }
        }.max() ?? 0
        guard level > 0 else {
            throw fail("\(input): its \(by) level is 0, nothing to scale; check the kernel", code: SysExits.dataError)
        }
        let gain = pow(10, to / 20) / level
        try KernelFiles.write(k.channels.map { $0.map { $0 * gain } }, sampleRate: k.sampleRate, to: out.output)
    }
}

/// `kernel trim IN -o OUT`: drop leading silence and the tail below a level, fading the new end.
struct KernelTrimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trim",
        abstract: "Drop leading silence and the tail below a level, with a short fade at the new end.",
        discussion: "Levels are relative to the largest tap; every channel is cut at the same taps. Dropping leading taps lowers the latency by as many samples.")

    @Argument(help: "The kernel.") var input: String
    @OptionGroup var out: KernelOutput
    @Option(name: .customLong("silence-db"), parsing: .unconditional, help: "Leading taps below this level are silence (dB).") var silenceDB: Double = -120
    @Option(name: .customLong("tail-db"), parsing: .unconditional, help: "Trailing taps below this level are dropped (dB).") var tailDB: Double = -100
    @Option(help: "Taps of half-cosine fade at the new end.") var fade = 32
    @Flag(name: .customLong("keep-start"), help: "Keep leading silence (the latency stays).") var keepStart = false

    func validate() throws {
        for (name, v) in [("--silence-db", silenceDB), ("--tail-db", tailDB)] where !(-400...0).contains(v) {
            throw ValidationError("\(name) \(v): give a level from -400 to 0 dB")
        }
        if fade < 0 { throw ValidationError("--fade \(fade): give a number of taps, 0 or more") }
    }

    func run() throws {
        let k = try KernelFiles.load(input, rate: out.rate)
        let range = KernelEdits.keptRange(k.channels, leadingDB: keepStart ? nil : silenceDB, tailDB: tailDB)
        let result = k.channels.map { KernelEdits.trimmed($0, to: range, fade: fade) }
        printError("firpipe: kept taps \(range.lowerBound)..<\(range.upperBound) of \(k.taps)"
            + (range.lowerBound > 0 ? "; the latency drops by \(range.lowerBound) samples" : ""))
        try KernelFiles.write(result, sampleRate: k.sampleRate, to: out.output)
    }
}
