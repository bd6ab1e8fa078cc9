import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``KernelResampler``: libsoxr against scipy's `resample_poly` (`Golden/`, written by `make golden`), the
/// kernel's gain, lengths and bad rates.
///
/// "Matches over the passband" is measured on spectra: both results are zero-padded to the same power-of-
/// two length (twice theirs or more), transformed, and the error energy Σ|Y − R|² over the bins from 0 Hz
/// to 0.9 of the lower Nyquist frequency (19,845 Hz for 44.1 → 48 kHz) is divided by the reference's energy
/// there. The complex difference holds magnitude and phase (time alignment) together. Above 0.9 Nyquist
/// the two resamplers' filters roll off differently (soxr is −64 dB off flat at 0.9, −8.5 dB at 21 kHz),
/// which is a design choice, not an error; the golden kernel has no content there anyway (below −150 dB
/// from 17 kHz), so the band limit only keeps the measure honest for other inputs.
@Suite("KernelResampler")
struct KernelResamplerTests {
    /// Measured −108.5 dB against the long-filter reference: soxr's own passband, flat to −100 dB at
    /// 15 kHz and −76 dB at 18 kHz, meets the kernel's roll-off from 15.6 kHz.
    static let referenceThresholdDB = -90.0
    /// Measured −60 dB against resample_poly's default window, whose own passband ripple is about −55 dB.
    static let defaultWindowThresholdDB = -55.0

    @Test("44.1 → 48 kHz matches scipy's long-filter resample_poly to −90 dB over the passband")
    func matchesScipyReference() throws {
        let golden = try ResampleGolden.load()
        let y = try KernelResampler.resample(golden.input, from: golden.from, to: golden.to)
        #expect(y.count == golden.reference.count)
        let error = Spectra.bandErrorDB(y, reference: golden.reference, upTo: golden.passbandEnd, rate: golden.to)
        print("resample \(golden.name): \(error) dB against the reference over 0–\(golden.passbandEnd) Hz")
        #expect(error <= Self.referenceThresholdDB, "\(error) dB")
    }

    @Test("44.1 → 48 kHz matches scipy's default resample_poly to within that window's own ripple")
    func matchesScipyDefault() throws {
        let golden = try ResampleGolden.load()
        let y = try KernelResampler.resample(golden.input, from: golden.from, to: golden.to)
        #expect(y.count == golden.defaultWindow.count)
        let error = Spectra.bandErrorDB(
            y, reference: golden.defaultWindow, upTo: golden.passbandEnd, rate: golden.to)
        print("resample \(golden.name): \(error) dB against the default window")
        #expect(error <= Self.defaultWindowThresholdDB, "\(error) dB")
    }

    @Test("resampleKernel keeps the DC gain Σh to 1e-4",
          arguments: [(44100, 48000), (48000, 44100), (48000, 96000), (96000, 44100)])
    func dcGain(rates: (Int, Int)) throws {
        // Kernels with quiet edges, as measured responses have: the golden band-limited kernel, and decaying
        // noise with a DC offset (so Σh is far from zero) between 256 zeros of pre-delay and 256 of silence.
        // An abrupt edge would lose the ringing cut at the ends, a few 1e-3 of Σh (see resampleKernel).
        let noise = Signals.decayingNoise(count: 3000, seed: 7).enumerated().map {
            $1 + 0.01 * Float(3000 - $0) / 3000
        }
        let silence = [Float](repeating: 0, count: 256)
        let kernels = [try ResampleGolden.load().input.map { Float($0) }, silence + noise + silence]
        for taps in kernels {
            let resampled = try KernelResampler.resampleKernel(taps, from: rates.0, to: rates.1)
            let before = taps.reduce(0.0) { $0 + Double($1) }, after = resampled.reduce(0.0) { $0 + Double($1) }
            print("resampleKernel \(rates.0) → \(rates.1): Σh \(before) → \(after)")
            #expect(abs(after - before) <= 1e-4 * abs(before), "Σh \(before) became \(after)")
        }
    }

    @Test("the same rate returns the input unchanged")
    func sameRate() throws {
        let signal = Signals.decayingNoise(count: 1001, seed: 3)
        let doubles = signal.map(Double.init)
        #expect(try KernelResampler.resample(doubles, from: 48000, to: 48000) == doubles)
        #expect(try KernelResampler.resampleKernel(signal, from: 48000, to: 48000) == signal)
    }

    @Test("lengths are ⌈n·to/from⌉, as resample_poly's",
          arguments: [(48000, 96000), (96000, 44100), (44100, 48000), (8000, 44100)])
    func lengths(rates: (Int, Int)) throws {
        for n in [0, 1, 2, 3, 146, 147, 148, 1000, 3001] {
            let signal = Signals.noise(count: n, seed: UInt64(n)).map(Double.init)
            let y = try KernelResampler.resample(signal, from: rates.0, to: rates.1)
            let expected = (n * rates.1 + rates.0 - 1) / rates.0
            #expect(y.count == expected, "\(n) samples \(rates.0) → \(rates.1)")
        }
    }

    @Test("a rate of zero or less throws badData naming the rate and the file")
    func badRate() {
        for (from, to) in [(0, 48000), (44100, -1), (-44100, 48000)] {
            let error = #expect(throws: AudioError.self) {
                try KernelResampler.resampleKernel([1, 0.5], from: from, to: to, path: "room.wav")
            }
            #expect(error?.kind == .badData)
            #expect(error?.path == "room.wav")
            let rate = from <= 0 ? from : to
            #expect(error?.message.contains("sample rate is \(rate) Hz; give a positive rate") == true,
                    "\(error?.message ?? "no error")")
        }
    }

    @Test("a result longer than 2^30 samples throws instead of allocating it")
    func absurdRatio() {
        let error = #expect(throws: AudioError.self) {
            try KernelResampler.resample([Double](repeating: 1, count: 1000), from: 1, to: 2_000_000)
        }
        #expect(error?.kind == .badData)
    }
}

/// The resampling case in `Golden/resample-manifest.json`, written by `Golden/make_resample_golden.py`.
struct ResampleGolden {
    let name: String
    let from: Int
    let to: Int
    let input: [Double]
    /// `resample_poly` with a long Kaiser (β 16) filter: flat to below −150 dB up to 20 kHz.
    let reference: [Double]
    /// `resample_poly` with its default window (Kaiser β 5), about −55 dB of passband ripple.
    let defaultWindow: [Double]

    /// 0.9 of the lower Nyquist frequency, in Hz: the top of the band the tests compare.
    var passbandEnd: Double { 0.9 * Double(min(from, to)) / 2 }

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Manifest: Decodable {
        struct Entry: Decodable {
            let name: String
            let from: Int
            let to: Int
            let input: String
            let `default`: String
            let reference: String
            let inputCount: Int
            let outputCount: Int
        }

        let cases: [Entry]
    }

    /// The one case, with its arrays read and their lengths checked.
    static func load() throws -> ResampleGolden {
        guard let directory = Bundle.module.url(forResource: "Golden", withExtension: nil) else {
            throw LoadError(description: "no Golden directory in the FirAudioTests bundle")
        }
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("resample-manifest.json")))
        guard let entry = manifest.cases.first else { throw LoadError(description: "no case in the manifest") }
        let input = try readFloat64(directory.appendingPathComponent(entry.input))
        let reference = try readFloat64(directory.appendingPathComponent(entry.reference))
        let defaultWindow = try readFloat64(directory.appendingPathComponent(entry.default))
        guard input.count == entry.inputCount, reference.count == entry.outputCount,
              defaultWindow.count == entry.outputCount
        else {
            throw LoadError(description: "\(entry.name): array lengths differ from the manifest")
        }
        return ResampleGolden(
            name: entry.name, from: entry.from, to: entry.to, input: input, reference: reference,
            defaultWindow: defaultWindow)
    }

    /// A raw little-endian float64 file.
    static func readFloat64(_ url: URL) throws -> [Double] {
        let data = try Data(contentsOf: url)
        guard data.count % 8 == 0 else {
            throw LoadError(description: "\(url.lastPathComponent): \(data.count) bytes is not whole float64s")
        }
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 8)).map { i in
                Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
        }
    }
}

/// Spectral error in a band, by a direct DFT in float64 (only the band's bins are needed, and an
/// independent transform keeps the measure apart from the FFT code under test elsewhere).
enum Spectra {
    /// Σ|Y − R|² / Σ|R|² in dB over the bins from 0 to `upTo` Hz of a zero-padded DFT whose length is the
    /// power of two at least twice the longer signal. +inf when the lengths differ.
    static func bandErrorDB(_ y: [Double], reference r: [Double], upTo frequency: Double, rate: Int) -> Double {
        guard y.count == r.count, !r.isEmpty else { return .infinity }
        var size = 1
        while size < 2 * r.count { size *= 2 }
        let lastBin = Int(frequency / Double(rate) * Double(size))
        // cos and sin of 2πj/size, indexed by (k·n) mod size: exact periodicity, no drift.
        let cosines = (0..<size).map { cos(2 * Double.pi * Double($0) / Double(size)) }
        let sines = (0..<size).map { sin(2 * Double.pi * Double($0) / Double(size)) }
        var errorEnergy = 0.0, referenceEnergy = 0.0
        for k in 0...lastBin {
            var dr = 0.0, di = 0.0, rr = 0.0, ri = 0.0
            var index = 0
            for n in 0..<r.count {
                let d = y[n] - r[n]
                dr += d * cosines[index]
                di -= d * sines[index]
                rr += r[n] * cosines[index]
                ri -= r[n] * sines[index]
                index = (index + k) & (size - 1)
            }
            errorEnergy += dr * dr + di * di
            referenceEnergy += rr * rr + ri * ri
        }
        return errorEnergy == 0 ? -.infinity : 10 * log10(errorEnergy / referenceEnergy)
    }
}
