import FirCore
import FirTestSupport
import Foundation
import Testing

/// The convolution core against scipy's own results (`Golden/`, written by `make golden`).
///
/// The float64 reference must match scipy to float64 rounding, which pins down our reading of scipy's
/// "same"/"valid" windows and of `correlate`, not only our arithmetic; the float32 engine must match
/// to its usual −120 dB.
@Suite("scipy golden files")
struct ScipyGoldenTests {
    /// float64 against float64: a few ulps of the peak (the generator checks scipy's FFT and direct
    /// methods agree to 1e-12 of the peak before writing).
    static let referenceThresholdDB = -250.0

    @Test("the manifest loads and covers every mode and output length")
    func coverage() throws {
        let cases = try GoldenCase.loadAll()
        #expect(cases.count >= 6)
        #expect(cases.count == GoldenCase.all.count)
        for mode in ConvolutionMode.allCases {
            for length in OutputLength.allCases {
                #expect(cases.contains { $0.mode == mode && $0.length == length }, "no \(mode) \(length) case")
            }
        }
        #expect(cases.contains { $0.kernel.count > $0.signal.count }, "no case with the kernel longer than the signal")
        #expect(cases.contains { $0.length == .same && $0.kernel.count % 2 == 0 }, "no even kernel in 'same'")
    }

    @Test("the float64 reference matches scipy to float64 rounding", arguments: GoldenCase.all)
    func reference(golden: GoldenCase) {
        let y = DirectConvolution.apply(golden.signal, golden.kernel, mode: golden.mode, length: golden.length)
        #expect(y.count == golden.expected.count)
        let error = Tolerance.maxErrorDB(y, reference: golden.expected)
        print("golden \(golden.name): reference \(error) dB")
        #expect(error <= Self.referenceThresholdDB, "\(golden.name): \(error) dB")
    }

    @Test("the float32 engine matches scipy", arguments: GoldenCase.all)
    func engine(golden: GoldenCase) {
        let x = golden.signal.map { Float($0) }, h = golden.kernel.map { Float($0) }
        // The inputs are rounded to float32 first; that rounding is part of what a float32 engine does.
        let full = DirectConvolution.apply(golden.signal, golden.kernel, mode: golden.mode, length: .full)
        for blockSize in SignalConvolutionTests.blockSizes {
            let y = SignalConvolution.apply(x, h, mode: golden.mode, length: golden.length, blockSize: blockSize)
            #expect(y.count == golden.expected.count)
            let error = Tolerance.maxErrorDB(y, reference: golden.expected, scale: Tolerance.peak(full))
            print("golden \(golden.name): engine block \(blockSize.map(String.init) ?? "auto") \(error) dB")
            #expect(error <= SignalConvolutionTests.engineThresholdDB, "\(golden.name): \(error) dB")
        }
    }
}

/// One scipy golden case from `Golden/manifest.json`, written by `Golden/make_golden.py` (`make golden`):
/// a signal, a kernel, the mode and output length, and scipy's float64 result.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    let mode: ConvolutionMode
    let length: OutputLength
    let signal: [Double]
    let kernel: [Double]
    let expected: [Double]

    var testDescription: String { name }

    /// What goes wrong reading the golden files.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The manifest's JSON; the mode and length use firpipe's own names.
    private struct Manifest: Decodable {
        struct Entry: Decodable {
            let name: String
            let mode: ConvolutionMode
            let length: OutputLength
            let signal: String
            let kernel: String
            let expected: String
            let signalCount: Int
            let kernelCount: Int
            let expectedCount: Int
        }

        let cases: [Entry]
    }

    /// The golden directory inside the test bundle.
    static func directory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Golden", withExtension: nil) else {
            throw LoadError(description: "no Golden directory in the FirCoreTests bundle")
        }
        return url
    }

    /// Every case in the manifest, with its arrays read and their lengths checked.
    static func loadAll() throws -> [GoldenCase] {
        let directory = try directory()
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        return try manifest.cases.map { entry in
            let signal = try readFloat64(directory.appendingPathComponent(entry.signal))
            let kernel = try readFloat64(directory.appendingPathComponent(entry.kernel))
            let expected = try readFloat64(directory.appendingPathComponent(entry.expected))
            guard signal.count == entry.signalCount, kernel.count == entry.kernelCount,
                  expected.count == entry.expectedCount
            else {
                throw LoadError(description: "\(entry.name): array lengths differ from the manifest")
            }
            return GoldenCase(
                name: entry.name, mode: entry.mode, length: entry.length,
                signal: signal, kernel: kernel, expected: expected)
        }
    }

    /// The cases for parameterised tests; empty when loading fails, which ``ScipyGoldenTests`` reports.
    static let all: [GoldenCase] = (try? loadAll()) ?? []

    /// A raw little-endian float64 file.
    static func readFloat64(_ url: URL) throws -> [Double] {
        let data = try Data(contentsOf: url)
        guard data.count % 8 == 0 else {
            throw LoadError(description: "\(url.lastPathComponent): \(data.count) bytes is not whole float64s")
        }
        return (0..<(data.count / 8)).map { i in
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(data[data.startIndex + 8 * i + byte]) << (8 * byte) }
            return Double(bitPattern: bits)
        }
    }
}
