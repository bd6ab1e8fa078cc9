import FirCore
import FirPipeline
import Glibc

/// How `inspect` prints its figures: a few lines of text per channel, or JSON for scripts.
enum InspectReport {
    static func text(_ label: String, _ f: KernelFigures) -> String {
        let decay = f.decay60Seconds.map { fixed($0 * 1000, 3) + " ms after the peak" }
            ?? "not reached: the kernel is too short to decay by 60 dB"
        let energyDB = 10 * log10(Swift.max(f.energy, 1e-30))
        return "  \(label): peak \(signed(f.peakValue, 6)) at tap \(f.peakIndex) (latency \(fixed(f.latencySeconds * 1000, 3)) ms); "
            + "DC gain \(signed(KernelAnalysis.decibels(f.dcGain), 2)) dB (\(fixed(f.dcGain, 6))); "
            + "energy \(signed(energyDB, 2)) dB (\(fixed(f.energy, 6)))\n"
            + "    decay to -60 dB (Schroeder): \(decay)\n"
            + "    magnitude over \(hz(f.bandLowHz))–\(hz(f.bandHighHz)): \(signed(f.magnitudeMinDB, 2)) dB (at "
            + "\(hz(f.magnitudeMinHz))) to \(signed(f.magnitudeMaxDB, 2)) dB (at \(hz(f.magnitudeMaxHz)))"
    }

    static func fixed(_ v: Double, _ digits: Int) -> String { String(cFormat: "%.\(digits)f", v) }
    static func signed(_ v: Double, _ digits: Int) -> String { String(cFormat: "%+.\(digits)f", v) }

    static func hz(_ v: Double) -> String { v >= 1000 ? String(cFormat: "%.4g kHz", v / 1000) : String(cFormat: "%.4g Hz", v) }

    static func channel(_ label: String, _ f: KernelFigures) -> [String: JSONValue] {
        [
            "label": .string(label), "peakIndex": .int(f.peakIndex), "peakValue": .double(f.peakValue),
            "dcGain": .double(f.dcGain), "dcGainDB": .double(KernelAnalysis.decibels(f.dcGain)),
            "energy": .double(f.energy), "energyDB": .double(10 * log10(Swift.max(f.energy, 1e-30))),
            "latencySeconds": .double(f.latencySeconds), "decay60Seconds": f.decay60Seconds.map(JSONValue.double) ?? .null,
            "decay60Reached": .bool(f.decay60Seconds != nil), "bandHz": [.double(f.bandLowHz), .double(f.bandHighHz)],
            "magnitudeMinDB": .double(f.magnitudeMinDB), "magnitudeMinHz": .double(f.magnitudeMinHz),
            "magnitudeMaxDB": .double(f.magnitudeMaxDB), "magnitudeMaxHz": .double(f.magnitudeMaxHz),
        ]
    }

    static func json(_ groups: [JSONValue]) -> String {
        JSONValue.object(["files": .array(groups)]).text(pretty: true)
    }
}
