import ArgumentParser
import FirCore

/// `kernel design lowpass|highpass|bandpass|crossover`: linear-phase FIR by Kaiser-windowed sinc.
struct KernelDesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Design a linear-phase FIR: lowpass, highpass, bandpass or a 2-way crossover (Kaiser-windowed sinc).",
        discussion: """
            The window is sized from --attenuation and --transition; the length is odd and the latency is \
            half of it. A crossover writes two channels, low then high, whose sum is a pure delay.
            """)

    enum Kind: String, CaseArgument { case lowpass, highpass, bandpass, crossover }

    @Argument(help: "lowpass, highpass, bandpass or crossover.") var kind: Kind
    @Option(parsing: .upToNextOption, help: "Cutoff (−6 dB) in Hz; two for bandpass (low high).") var cutoff: [Double]
    @Option(help: "Sample rate in Hz.") var rate: Int = 48_000
    @Option(help: "Stop-band attenuation in dB.") var attenuation: Double = 80
    @Option(help: "Transition width in Hz, centred on each cutoff (default: a fifth of the lowest cutoff).") var transition: Double?
    @Option(name: [.customShort("o"), .customLong("output")], help: "The kernel to write.") var output: String

    var spec: FIRDesign.Spec {
        FIRDesign.Spec(sampleRate: Double(rate), attenuationDB: attenuation,
                       transitionHz: transition ?? (cutoff.min() ?? 1) / 5)
    }

    func validate() throws {
        if !(8...10_000_000).contains(rate) { throw ValidationError("--rate \(rate): give a rate in Hz from 8 to 10000000") }
        if !(20...200).contains(attenuation) { throw ValidationError("--attenuation \(attenuation): give 20 to 200 dB") }
        let wanted = kind == .bandpass ? 2 : 1
        guard cutoff.count == wanted else {
            throw ValidationError("\(kind.rawValue) takes \(wanted) --cutoff value\(wanted == 1 ? "" : "s") (Hz)")
        }
        if kind == .bandpass, cutoff[0] >= cutoff[1] { throw ValidationError("--cutoff: give the band's low edge first") }
        let tw = spec.transitionHz, nyquist = Double(rate) / 2
        guard tw > 0 else { throw ValidationError("--transition \(tw): give a width above 0 Hz") }
        for f in cutoff where f - tw / 2 <= 0 || f + tw / 2 >= nyquist {
            throw ValidationError("--cutoff \(f) with a \(tw) Hz transition does not fit between 0 and \(nyquist) Hz; "
                + "move the cutoff or narrow --transition")
        }
        if kind == .bandpass, cutoff[1] - cutoff[0] <= tw {
            throw ValidationError("the band \(cutoff[0])–\(cutoff[1]) Hz is narrower than the transition; narrow --transition")
        }
        if spec.taps > 1 << 22 { throw ValidationError("that design needs \(spec.taps) taps; widen --transition") }
    }

    func run() throws {
        let s = spec
        let channels: [[Double]]
        switch kind {
        case .lowpass: channels = [FIRDesign.lowpass(cutoff: cutoff[0], s)]
        case .highpass: channels = [FIRDesign.highpass(cutoff: cutoff[0], s)]
        case .bandpass: channels = [FIRDesign.bandpass(low: cutoff[0], high: cutoff[1], s)]
        case .crossover:
            let pair = FIRDesign.crossover(cutoff: cutoff[0], s)
            channels = [pair.low, pair.high]
        }
        printError("firpipe: \(s.taps) taps (latency \(s.taps / 2) samples); stop band -\(attenuation) dB, "
            + "pass-band ripple within ±" + String(cFormat: "%.5f", s.passbandRippleDB) + " dB")
        try KernelFiles.write(channels, sampleRate: rate, to: output)
    }
}
