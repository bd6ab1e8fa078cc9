import FirCore
import Foundation

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

    static func fixed(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    static func signed(_ v: Double, _ digits: Int) -> String { String(format: "%+.\(digits)f", v) }

    static func hz(_ v: Double) -> String { v >= 1000 ? String(format: "%.4g kHz", v / 1000) : String(format: "%.4g Hz", v) }

    static func channel(_ label: String, _ f: KernelFigures) -> [String: Any] {
        [
            "label": label, "peakIndex": f.peakIndex, "peakValue": f.peakValue, "dcGain": f.dcGain,
            "dcGainDB": KernelAnalysis.decibels(f.dcGain), "energy": f.energy,
            "energyDB": 10 * log10(Swift.max(f.energy, 1e-30)), "latencySeconds": f.latencySeconds,
            "decay60Seconds": f.decay60Seconds.map { $0 as Any } ?? NSNull(), "decay60Reached": f.decay60Seconds != nil,
            "bandHz": [f.bandLowHz, f.bandHighHz], "magnitudeMinDB": f.magnitudeMinDB, "magnitudeMinHz": f.magnitudeMinHz,
            "magnitudeMaxDB": f.magnitudeMaxDB, "magnitudeMaxHz": f.magnitudeMaxHz,
        ]
    }

    static func json(_ groups: [[String: Any]]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["files": groups], options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
