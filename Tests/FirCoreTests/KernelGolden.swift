import Foundation

/// The scipy golden files for kernel analysis, minimum phase and design (`Golden/kernel-manifest.json`,
/// written by `Golden/make_kernel_golden.py`, `make golden`).
struct KernelGolden: Decodable {
    struct Firwin: Decodable {
        let taps: String, sampleRate: Double, count: Int, dcGain: Double, energy: Double
        let peakIndex: Int, peakValue: Double, frequencies: [Double], magnitudeDB: [Double]
    }
    struct MinimumPhase: Decodable { let input: String, expected: String, count: Int, nFFT: Int }
    struct Kaiser: Decodable {
        let taps: String, sampleRate: Double, cutoff: Double, transition: Double, attenuation: Double
        let beta: Double, count: Int
    }

    let firwin: Firwin
    let minimumPhase: MinimumPhase
    let kaiser: Kaiser

    static func load() throws -> KernelGolden {
        let url = try GoldenCase.directory().appendingPathComponent("kernel-manifest.json")
        return try JSONDecoder().decode(KernelGolden.self, from: Data(contentsOf: url))
    }

    /// A float64 file of the golden directory, its length checked.
    static func array(_ name: String, count: Int) throws -> [Double] {
        let values = try GoldenCase.readFloat64(try GoldenCase.directory().appendingPathComponent(name))
        guard values.count == count else { throw GoldenCase.LoadError(description: "\(name): \(values.count) values, expected \(count)") }
        return values
    }
}
