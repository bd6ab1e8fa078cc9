import FirCore
import FirTestSupport
import Testing

/// `DirectConvolution`, the float64 reference every engine test leans on: small cases worked by hand
/// (checked against numpy/scipy when written), and the defining sums on integer-valued data, where
/// float64 arithmetic is exact so equality is the right test. The scipy golden files check it further.
@Suite("DirectConvolution")
struct DirectConvolutionTests {
    /// Small integers as doubles: every product and sum below is exact in float64.
    static func integers(count: Int, seed: UInt64, zeros: Bool = false) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            if zeros && Bool.random(using: &rng) { return 0 }
            return Double(Int.random(in: -100...100, using: &rng))
        }
    }

    /// `y[i] = Σ_k x[k]·h[i − k]`, written straight from the definition.
    static func definitionConvolve(_ x: [Double], _ h: [Double]) -> [Double] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        return (0..<(x.count + h.count - 1)).map { i in
            var sum = 0.0
            for k in 0..<x.count where i - k >= 0 && i - k < h.count { sum += x[k] * h[i - k] }
            return sum
        }
    }

    /// scipy's full correlation: index k is lag k − (m − 1), `z[k] = Σ_j x[j + k − (m − 1)]·h[j]`.
    static func definitionCorrelate(_ x: [Double], _ h: [Double]) -> [Double] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        let m = h.count
        return (0..<(x.count + m - 1)).map { k in
            var sum = 0.0
            for j in 0..<m where j + k - (m - 1) >= 0 && j + k - (m - 1) < x.count { sum += x[j + k - (m - 1)] * h[j] }
            return sum
        }
    }

    @Test("small cases by hand")
    func handWorked() {
        #expect(DirectConvolution.full([1, 2, 3], [1, 1]) == [1, 3, 5, 3])
        #expect(DirectConvolution.full([1, 2, 3], [0, 1, 0.5]) == [0, 1, 2.5, 4, 1.5])
        #expect(DirectConvolution.apply([1, 2, 3], [0, 1, 0.5], length: .same) == [1, 2.5, 4])
        #expect(DirectConvolution.apply([1, 2, 3, 4], [1, 1], length: .same) == [1, 3, 5, 7])
        #expect(DirectConvolution.apply([1, 2, 3], [1, 1], length: .valid) == [3, 5])
        #expect(DirectConvolution.full([2], [3]) == [6])
    }

    @Test("correlation by hand, as numpy.correlate and scipy.signal.correlate give it")
    func correlationByHand() {
        let x: [Double] = [1, 2, 3], h: [Double] = [0, 1, 0.5]
        #expect(DirectConvolution.apply(x, h, mode: .correlate, length: .full) == [0.5, 2, 3.5, 3, 0])
        #expect(DirectConvolution.apply(x, h, mode: .correlate, length: .same) == [2, 3.5, 3])
        #expect(DirectConvolution.apply(x, h, mode: .correlate, length: .valid) == [3.5])
        #expect(DirectConvolution.apply([1, 2, 3, 4], [1, -1], mode: .correlate, length: .same) == [-1, -1, -1, -1])
    }

    @Test("full convolution is the defining sum", arguments: [(1, 1), (1, 9), (9, 1), (13, 31), (100, 37), (37, 100)])
    func definition(n: Int, m: Int) {
        for seed: UInt64 in [1, 2] {
            let x = Self.integers(count: n, seed: seed), h = Self.integers(count: m, seed: seed + 10)
            #expect(DirectConvolution.full(x, h) == Self.definitionConvolve(x, h))
            #expect(DirectConvolution.full(x, h) == DirectConvolution.full(h, x))
        }
    }

    @Test("skipping zero input samples changes nothing")
    func zeroSkipping() {
        let x = Self.integers(count: 300, seed: 3, zeros: true), h = Self.integers(count: 50, seed: 4)
        #expect(x.contains(0))
        #expect(DirectConvolution.full(x, h) == Self.definitionConvolve(x, h))
        let silence = [Double](repeating: 0, count: 20)
        #expect(DirectConvolution.full(silence, h) == [Double](repeating: 0, count: 69))
    }

    @Test("correlation is scipy's lag sum in every length", arguments: [(1, 1), (20, 7), (7, 20), (16, 16), (64, 5)])
    func correlationDefinition(n: Int, m: Int) {
        let x = Self.integers(count: n, seed: 5), h = Self.integers(count: m, seed: 6)
        let full = Self.definitionCorrelate(x, h)
        #expect(DirectConvolution.apply(x, h, mode: .correlate, length: .full) == full)
        for length in OutputLength.allCases {
            let window = OutputWindow(inputLength: n, kernelLength: m, length: length)
            let y = DirectConvolution.apply(x, h, mode: .correlate, length: length)
            #expect(y == Array(full[window.start..<window.end]), "n=\(n) m=\(m) \(length)")
            #expect(y == DirectConvolution.apply(x, h.reversed(), mode: .convolve, length: length))
        }
    }

    @Test("the output lengths", arguments: OutputLength.allCases)
    func lengths(length: OutputLength) {
        for n in [1, 2, 5, 64, 65] {
            for m in [1, 3, 64, 100] {
                let x = Self.integers(count: n, seed: 7), h = Self.integers(count: m, seed: 8)
                let expected = SignalConvolutionTests.expectedCount(signal: n, kernel: m, length: length)
                for mode in ConvolutionMode.allCases {
                    #expect(DirectConvolution.apply(x, h, mode: mode, length: length).count == expected)
                }
            }
        }
    }

    @Test("empty operands give empty results")
    func empty() {
        #expect(DirectConvolution.full([], [1, 2]).isEmpty)
        #expect(DirectConvolution.full([1, 2], []).isEmpty)
        for length in OutputLength.allCases {
            for mode in ConvolutionMode.allCases {
                #expect(DirectConvolution.apply([], [1, 2, 3], mode: mode, length: length).isEmpty)
            }
        }
    }

    @Test("an empty kernel with a signal is a programming error in apply")
    func emptyKernelTraps() async {
        // full() returns [] for an empty kernel, but there is no window for one.
        await #expect(processExitsWith: .failure) {
            _ = DirectConvolution.apply([1, 2, 3], [])
        }
    }
}
