import FirCore
import FirTestSupport
import Foundation
import Testing

/// 2-D convolution and correlation: both paths against a float64 direct reference and scipy's
/// `convolve2d`/`correlate2d` golden files, and the algebra 1-D has.
@Suite struct Convolution2DTests {
    /// The full 2-D convolution in float64, windowed as ``Convolution2D/window(input:kernel:mode:length:)``.
    static func reference(_ x: Plane, _ h: Plane, mode: ConvolutionMode, length: OutputLength) -> [Double] {
        let k = mode == .correlate ? h.rotated : h
        let p = x.rows + k.rows - 1, q = x.columns + k.columns - 1
        var full = [Double](repeating: 0, count: p * q)
        for r in 0..<x.rows {
            for c in 0..<x.columns {
                for a in 0..<k.rows {
                    for b in 0..<k.columns { full[(r + a) * q + c + b] += Double(x[r, c]) * Double(k[a, b]) }
                }
            }
        }
        let rows = Convolution2D.window(input: x.rows, kernel: h.rows, mode: mode, length: length)
        let columns = Convolution2D.window(input: x.columns, kernel: h.columns, mode: mode, length: length)
        return (rows.start..<rows.end).flatMap { r in (columns.start..<columns.end).map { full[r * q + $0] } }
    }

    static func plane(_ rows: Int, _ columns: Int, seed: UInt64) -> Plane {
        Plane(rows: rows, columns: columns, values: Signals.noise(count: rows * columns, seed: seed))
    }

    static let shapes = [((17, 23), (4, 5)), ((9, 12), (9, 12)), ((6, 5), (11, 8)), ((30, 1), (3, 1)), ((1, 1), (1, 1))]

    @Test("direct and FFT paths match the float64 reference", arguments: Convolution2D.Method.allCases)
    func matchesTheReference(method: Convolution2D.Method) throws {
        for (k, (xs, hs)) in Self.shapes.enumerated() {
            let x = Self.plane(xs.0, xs.1, seed: UInt64(10 + k)), h = Self.plane(hs.0, hs.1, seed: UInt64(20 + k))
            for mode in ConvolutionMode.allCases {
                for length in OutputLength.allCases {
                    let y = try Convolution2D.apply(x, h, mode: mode, length: length, method: method)
                    let expected = Self.reference(x, h, mode: mode, length: length)
                    #expect(y.values.count == expected.count)
                    let error = Tolerance.maxErrorDB(y.values, reference: expected)
                    #expect(error < -120, "\(method) \(mode) \(length) \(xs) * \(hs): \(error) dB")
                }
            }
        }
    }

    @Test("scipy convolve2d / correlate2d golden files", arguments: Golden2D.all)
    func scipy(golden: Golden2D) throws {
        let x = Plane(rows: golden.imageShape[0], columns: golden.imageShape[1], values: golden.image.map { Float($0) })
        let h = Plane(rows: golden.kernelShape[0], columns: golden.kernelShape[1], values: golden.kernel.map { Float($0) })
        let reference = Self.reference(x, h, mode: golden.mode, length: golden.length)
        // The float64 reference on the float32-rounded inputs: within float32 rounding of scipy's.
        #expect(Tolerance.maxErrorDB(reference, reference: golden.expected) < -125, "\(golden.name)")
        for method in [Convolution2D.Method.direct, .fft] {
            let y = try Convolution2D.apply(x, h, mode: golden.mode, length: golden.length, method: method)
            #expect([y.rows, y.columns] == golden.expectedShape)
            let error = Tolerance.maxErrorDB(y.values, reference: golden.expected)
            print("golden \(golden.name) \(method): \(error) dB")
            #expect(error < -120, "\(golden.name) \(method): \(error) dB")
        }
    }

    @Test func algebra() throws {
        let x = Self.plane(13, 11, seed: 1), h = Self.plane(4, 6, seed: 2)
        // Convolution commutes; correlation is convolution with the kernel turned; an impulse is identity.
        let xh = try Convolution2D.apply(x, h, method: .fft), hx = try Convolution2D.apply(h, x, method: .fft)
        #expect(Tolerance.maxErrorDB(xh.values, hx.values) < -120)
        let c = try Convolution2D.apply(x, h, mode: .correlate, method: .direct)
        #expect(c == (try Convolution2D.apply(x, h.rotated, method: .direct)))
        var impulse = Plane(rows: 3, columns: 3)
        impulse[1, 1] = 1
        #expect(try Convolution2D.apply(x, impulse, length: .same, method: .fft).values.map { ($0 * 1e5).rounded() }
            == x.values.map { ($0 * 1e5).rounded() })
        #expect(try Convolution2D.apply(x, impulse, length: .same, method: .direct) == x)
    }

    @Test("normalized correlation finds a template at its place, whatever its brightness and contrast")
    func findsTheTemplate() throws {
        var image = Self.plane(120, 90, seed: 5)
        let template = Self.plane(15, 11, seed: 6)
        for (r, c, gain, offset) in [(37, 52, Float(0.3), Float(0.4)), (90, 8, 2.5, -1)] {
            for a in 0..<template.rows {
                for b in 0..<template.columns { image[r + a, c + b] = gain * template[a, b] + offset }
            }
        }
        for method in [Convolution2D.Method.direct, .fft] {
            let scores = try NormalizedCorrelation2D.scores(image: image, template: template, method: method)
            #expect(scores.rows == 106 && scores.columns == 80)
            let best = NormalizedCorrelation2D.best(scores, count: 5, threshold: 0.7, rows: 15, columns: 11)
            #expect(best.map { [$0.row, $0.column] } == [[90, 8], [37, 52]] || best.map { [$0.row, $0.column] } == [[37, 52], [90, 8]])
            #expect(best.allSatisfy { $0.score > 0.9999 })
            #expect(scores.values.allSatisfy { (-1...1).contains($0) })
        }
    }
}

/// One 2-D case of `Golden/manifest.json` (`cases2d`), written by `make golden`.
struct Golden2D: Sendable, CustomTestStringConvertible {
    let name: String
    let mode: ConvolutionMode
    let length: OutputLength
    let imageShape: [Int], kernelShape: [Int], expectedShape: [Int]
    let image: [Double], kernel: [Double], expected: [Double]
    var testDescription: String { name }

    private struct Manifest: Decodable {
        struct Entry: Decodable {
            let name: String, mode: ConvolutionMode, length: OutputLength
            let image: String, kernel: String, expected: String
            let imageShape: [Int], kernelShape: [Int], expectedShape: [Int]
        }

        let cases2d: [Entry]
    }

    static func loadAll() throws -> [Golden2D] {
        let directory = try GoldenCase.directory()
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        return try manifest.cases2d.map { e in
            let read = { (file: String) in try GoldenCase.readFloat64(directory.appendingPathComponent(file)) }
            let g = Golden2D(
                name: e.name, mode: e.mode, length: e.length, imageShape: e.imageShape, kernelShape: e.kernelShape,
                expectedShape: e.expectedShape, image: try read(e.image), kernel: try read(e.kernel),
                expected: try read(e.expected))
            guard g.image.count == e.imageShape.reduce(1, *), g.kernel.count == e.kernelShape.reduce(1, *),
                  g.expected.count == e.expectedShape.reduce(1, *)
            else { throw GoldenCase.LoadError(description: "\(e.name): array sizes differ from the manifest") }
            return g
        }
    }

    /// Empty when loading fails; ``Convolution2DTests/goldenFilesLoad()`` then fails.
    static let all: [Golden2D] = (try? loadAll()) ?? []
}

extension Convolution2DTests {
    @Test func goldenFilesLoad() throws {
        let cases = try Golden2D.loadAll()
        #expect(cases.count >= 6)
        for mode in ConvolutionMode.allCases {
            for length in OutputLength.allCases {
                #expect(cases.contains { $0.mode == mode && $0.length == length }, "no 2-D \(mode) \(length) case")
            }
        }
    }
}
