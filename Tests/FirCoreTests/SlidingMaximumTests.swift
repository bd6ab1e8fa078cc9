@testable import FirCore
import FirTestSupport
import Testing

/// ``SlidingMaximum`` against the maximum taken the slow way, over windows from one value to longer
/// than the input, on noise (the deque stays short), on ramps down (it fills up) and with ties.
@Suite("SlidingMaximum")
struct SlidingMaximumTests {
    static let windows = [1, 2, 3, 8, 64, 1000]

    static func inputs() -> [[Float]] {
        let noise = Signals.noise(count: 3000, seed: 9).map(\.magnitude)
        let fallingRamps = (0..<3000).map { Float(1000 - $0 % 1000) }
        let ties = (0..<3000).map { Float($0 / 7 % 5) }
        return [noise, fallingRamps, ties]
    }

    @Test(arguments: windows)
    func matchesTheMaximumOfTheWindow(window: Int) {
        for x in Self.inputs() {
            var maximum = SlidingMaximum(window: window)
            defer { maximum.deallocate() }
            for (i, value) in x.enumerated() {
                let expected = x[max(0, i - window + 1)...i].max()!
                let got = maximum.push(value, at: i)
                if got != expected {
                    Issue.record("window \(window), frame \(i): \(got), expected \(expected)")
                    break
                }
            }
        }
    }

    @Test func resetForgetsEverything() {
        var maximum = SlidingMaximum(window: 10)
        defer { maximum.deallocate() }
        _ = maximum.push(5, at: 0)
        maximum.reset()
        #expect(maximum.push(1, at: 0) == 1)
    }
}
