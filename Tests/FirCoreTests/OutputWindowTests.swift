import FirCore
import FirTestSupport
import Testing

/// `OutputWindow`: which stretch of the full convolution each output length keeps (numpy/scipy
/// semantics), and how the engine's blocks overlap it.
@Suite("OutputWindow")
struct OutputWindowTests {
    /// (n, m, length, start, count), worked out by hand from scipy's definitions: full is n + m − 1 from
    /// 0; same is n samples from (m − 1) / 2; valid is |n − m| + 1 samples from min(n, m) − 1.
    static let cases: [(n: Int, m: Int, length: OutputLength, start: Int, count: Int)] = [
        (10, 4, .full, 0, 13), (10, 4, .same, 1, 10), (10, 4, .valid, 3, 7),
        (10, 5, .full, 0, 14), (10, 5, .same, 2, 10), (10, 5, .valid, 4, 6),
        // Kernel longer than the input.
        (4, 10, .full, 0, 13), (4, 10, .same, 4, 4), (4, 10, .valid, 3, 7),
        (5, 10, .same, 4, 5), (5, 11, .same, 5, 5), (1, 64, .same, 31, 1), (1, 64, .valid, 0, 64),
        // Equal lengths: valid is the single full-overlap sample.
        (7, 7, .full, 0, 13), (7, 7, .same, 3, 7), (7, 7, .valid, 6, 1),
        (8, 8, .same, 3, 8), (8, 8, .valid, 7, 1),
        // One-tap kernel and one-sample input.
        (9, 1, .full, 0, 9), (9, 1, .same, 0, 9), (9, 1, .valid, 0, 9),
        (1, 1, .full, 0, 1), (1, 1, .same, 0, 1), (1, 1, .valid, 0, 1),
        (1, 2, .full, 0, 2), (1, 2, .same, 0, 1), (1, 2, .valid, 0, 2),
        (48_000, 1 << 20, .same, (1 << 19) - 1, 48_000),
    ]

    @Test("full, same and valid windows by hand")
    func handWorked() {
        for c in Self.cases {
            let window = OutputWindow(inputLength: c.n, kernelLength: c.m, length: c.length)
            #expect(window == OutputWindow(start: c.start, count: c.count), "n=\(c.n) m=\(c.m) \(c.length): \(window)")
            #expect(window.end == c.start + c.count)
        }
    }

    @Test("windows over the length grid follow scipy's formulas", arguments: SignalConvolutionTests.lengths)
    func grid(n: Int) {
        for m in SignalConvolutionTests.lengths {
            let full = OutputWindow(inputLength: n, kernelLength: m, length: .full)
            let same = OutputWindow(inputLength: n, kernelLength: m, length: .same)
            let valid = OutputWindow(inputLength: n, kernelLength: m, length: .valid)
            #expect(full == OutputWindow(start: 0, count: n + m - 1))
            #expect(same.count == n && same.start == (m - 1) / 2)
            #expect(valid.count == abs(n - m) + 1 && valid.start == min(n, m) - 1)
            // same and valid lie inside full; scipy centres "same" so that (full − same) / 2 is cut
            // from the left, rounding down.
            for window in [same, valid] { #expect(window.start >= 0 && window.end <= full.end) }
            #expect(same.start == (full.count - same.count) / 2)
        }
    }

    @Test("an empty input keeps nothing", arguments: OutputLength.allCases)
    func emptyInput(length: OutputLength) {
        for m in [1, 2, 1000] {
            #expect(OutputWindow(inputLength: 0, kernelLength: m, length: length) == OutputWindow(start: 0, count: 0))
        }
    }

    @Test("a zero-length window")
    func emptyWindow() {
        let window = OutputWindow(start: 5, count: 0)
        #expect(window.end == 5)
        #expect(window.overlap(blockStart: 0, blockLength: 16).isEmpty)
        #expect(window.overlap(blockStart: 5, blockLength: 1).isEmpty)
    }

    @Test("block overlaps by hand")
    func overlapByHand() {
        let window = OutputWindow(start: 3, count: 7) // [3, 10)
        #expect(window.overlap(blockStart: 0, blockLength: 4) == 3..<4)   // [0, 4) keeps 3
        #expect(window.overlap(blockStart: 4, blockLength: 4) == 0..<4)   // [4, 8) inside
        #expect(window.overlap(blockStart: 8, blockLength: 8) == 0..<2)   // [8, 16) keeps 8, 9
        #expect(window.overlap(blockStart: 10, blockLength: 4).isEmpty)   // starts at the end
        #expect(window.overlap(blockStart: 0, blockLength: 3).isEmpty)    // ends at the start
        #expect(window.overlap(blockStart: 0, blockLength: 16) == 3..<10) // covers the window
        #expect(window.overlap(blockStart: 5, blockLength: 1) == 0..<1)
        #expect(window.overlap(blockStart: 9, blockLength: 1) == 0..<1)
        #expect(window.overlap(blockStart: 100, blockLength: 16).isEmpty)
    }

    @Test("consecutive blocks cover the window exactly once", arguments: [1, 3, 16, 64, 1000])
    func blocksTileTheWindow(blockSize: Int) {
        var rng = SeededGenerator(seed: UInt64(blockSize))
        for _ in 0..<200 {
            let start = Int.random(in: 0..<3000, using: &rng), count = Int.random(in: 0..<3000, using: &rng)
            let window = OutputWindow(start: start, count: count)
            var covered: [Int] = []
            var position = 0
            while position < window.end {
                for offset in window.overlap(blockStart: position, blockLength: blockSize) {
                    #expect((0..<blockSize).contains(offset))
                    covered.append(position + offset)
                }
                position += blockSize
            }
            #expect(covered == Array(window.start..<window.end), "window \(window), block \(blockSize)")
        }
    }

    @Test("a kernel of no taps is a programming error")
    func zeroTapsTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = OutputWindow(inputLength: 10, kernelLength: 0, length: .full)
        }
    }

    @Test("a negative window is a programming error")
    func negativeWindowTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = OutputWindow(start: -1, count: 4)
        }
        await #expect(processExitsWith: .failure) {
            _ = OutputWindow(start: 0, count: -1)
        }
    }
}
