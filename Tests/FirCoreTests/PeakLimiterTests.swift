import FirCore
import FirTestSupport
import Foundation
import Testing

/// ``PeakLimiter``: never above the ceiling, the input bit for bit where nothing comes near it, one gain
/// for all channels, the same bits whatever the block sizes, a gain back at exactly 1 after a burst, and
/// as many frames out as in, aligned with the input.
@Suite("PeakLimiter")
struct PeakLimiterTests {
    /// −1 dBFS.
    static let ceiling = Float(pow(10, -1.0 / 20))
    static let blockPatterns: [[Int]] = [[1], [7], [64], [1000], [4096], [1, 300, 17, 4096, 2, 64]]

    /// `input` limited in blocks of the given sizes (cycling through them), then flushed in pieces of at
    /// most 100 frames: every frame that came out, in order.
    static func limited(
        _ limiter: PeakLimiter, _ input: [Float], blocks: [Int] = [4096]
    ) -> [Float] {
        let channels = limiter.channels
        var buffer = input
        var out: [Float] = []
        buffer.withUnsafeMutableBufferPointer { p in
            var start = 0, k = 0
            while start < input.count / channels {
                let n = min(blocks[k % blocks.count], input.count / channels - start)
                let block = p.baseAddress! + start * channels
                let written = limiter.process(block, frames: n)
                out.append(contentsOf: UnsafeBufferPointer(start: block, count: written * channels))
                start += n
                k += 1
            }
        }
        var tail = [Float](repeating: .nan, count: 100 * channels)
        while true {
            let written = tail.withUnsafeMutableBufferPointer { limiter.flush(into: $0.baseAddress!, frames: 100) }
            if written == 0 { break }
            out.append(contentsOf: tail.prefix(written * channels))
        }
        return out
    }

    /// Noise in passages of 50 to 5,000 frames, each at a level from 30 dB under the ceiling to 12 dB over
    /// it, every channel its own noise, with a few single frames at exactly +12 dB.
    static func loudSignal(frames: Int, channels: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var x = [Float](repeating: 0, count: frames * channels)
        var start = 0
        while start < frames {
            let end = min(frames, start + Int.random(in: 50...5000, using: &rng))
            let level = ceiling * Float(pow(10, Double.random(in: -30...12, using: &rng) / 20))
            for i in (start * channels)..<(end * channels) { x[i] = Float.random(in: -level...level, using: &rng) }
            start = end
        }
        for _ in 0..<20 {
            x[Int.random(in: 0..<x.count, using: &rng)] = (Bool.random(using: &rng) ? 4 : -4) * ceiling
        }
        return x
    }

    @Test(arguments: [(64, 200), (0, 0), (1, 50), (480, 2400)])
    func nothingAboveTheCeiling(lookAhead: Int, release: Int) {
        let x = Self.loudSignal(frames: 60_000, channels: 3, seed: 1)
        for blocks in Self.blockPatterns {
            let limiter = PeakLimiter(channels: 3, ceiling: Self.ceiling, lookAhead: lookAhead, releaseSamples: release)
            let y = Self.limited(limiter, x, blocks: blocks)
            #expect(y.count == x.count, "blocks \(blocks): \(y.count / 3) frames out for \(x.count / 3) in")
            let worst = y.map(\.magnitude).max() ?? 0
            #expect(worst <= Self.ceiling, "blocks \(blocks): \(worst) over the ceiling \(Self.ceiling)")
            // The gain curve did the work: the final clamp never had to act.
            #expect(limiter.clampedSamples == 0, "blocks \(blocks)")
            #expect(limiter.limitedFrames > 0)
        }
    }

    @Test func quietInputComesOutBitForBit() {
        // Peaks 1 dB under the ceiling, plus a few samples exactly at it.
        var x = Signals.noise(count: 3 * 50_000, seed: 2, amplitude: Self.ceiling * Float(pow(10, -1.0 / 20)))
        x[1000] = Self.ceiling
        x[77_777] = -Self.ceiling
        for blocks in Self.blockPatterns {
            let limiter = PeakLimiter(channels: 3, ceiling: Self.ceiling, lookAhead: 64, releaseSamples: 200)
            let difference = Tolerance.firstDifference(Self.limited(limiter, x, blocks: blocks), x)
            #expect(difference == nil, "blocks \(blocks)")
            #expect(limiter.limitedFrames == 0)
        }
    }

    @Test func oneGainForEveryChannelOfAFrame() {
        let channels = 3
        let x = Self.loudSignal(frames: 40_000, channels: channels, seed: 3)
        let limiter = PeakLimiter(channels: channels, ceiling: Self.ceiling, lookAhead: 64, releaseSamples: 200)
        let y = Self.limited(limiter, x, blocks: [1000])
        var reducedFrames = 0
        for f in 0..<(x.count / channels) {
            let ratios = (0..<channels).compactMap { c -> Double? in
                let i = f * channels + c
                if !(y[i].magnitude <= x[i].magnitude && (y[i] == 0 || y[i].sign == x[i].sign)) {
                    Issue.record("frame \(f) channel \(c): \(y[i]) is not \(x[i]) made quieter")
                }
                return x[i].magnitude > 1e-3 ? Double(y[i]) / Double(x[i]) : nil
            }
            guard let first = ratios.first else { continue }
            #expect(first > 0 && first <= 1, "frame \(f): gain \(first)")
            // Each product is rounded on its own: the ratios agree to a float's precision.
            if let spread = ratios.map({ abs($0 / first - 1) }).max(), spread > 0x1p-22 {
                Issue.record("frame \(f): gains \(ratios) differ between channels")
                return
            }
            if first < 1 { reducedFrames += 1 }
        }
        #expect(reducedFrames > 1000)
    }

    @Test func theSameBitsWhateverTheBlockSizes() {
        let x = Self.loudSignal(frames: 50_000, channels: 2, seed: 4)
        let reference = PeakLimiter(channels: 2, ceiling: Self.ceiling, lookAhead: 100, releaseSamples: 500)
        let expected = Self.limited(reference, x, blocks: [x.count])
        #expect(Tolerance.firstDifference(expected, x) != nil)
        for blocks in Self.blockPatterns {
            let limiter = PeakLimiter(channels: 2, ceiling: Self.ceiling, lookAhead: 100, releaseSamples: 500)
            let difference = Tolerance.firstDifference(Self.limited(limiter, x, blocks: blocks), expected)
            #expect(difference == nil, "blocks \(blocks)")
            #expect(limiter.limitedFrames == reference.limitedFrames)
        }
    }

    @Test func gainReturnsToExactlyOneAfterABurst() {
        let lookAhead = 64, release = 300, channels = 2
        // Quiet noise 6 dB under the ceiling with a burst 12 dB over it in frames 20,000 ..< 21,000.
        var x = Signals.noise(count: channels * 60_000, seed: 5, amplitude: Self.ceiling / 2)
        for i in (channels * 20_000)..<(channels * 21_000) { x[i] *= 8 }
        let limiter = PeakLimiter(
            channels: channels, ceiling: Self.ceiling, lookAhead: lookAhead, releaseSamples: release)
        let y = Self.limited(limiter, x, blocks: [512])
        let frame = { (f: Int) in Array(y[(f * channels)..<((f + 1) * channels)]) }
        let input = { (f: Int) in Array(x[(f * channels)..<((f + 1) * channels)]) }
        let firstLoud = (20_000..<21_000).first { f in input(f).contains { $0.magnitude > Self.ceiling } }!
        let lastLoud = (20_000..<21_000).last { f in input(f).contains { $0.magnitude > Self.ceiling } }!

        // Untouched until the look-ahead sees the burst, and already coming down before it arrives.
        #expect((0..<(firstLoud - lookAhead)).allSatisfy { frame($0) == input($0) })
        #expect(frame(firstLoud - lookAhead / 2) != input(firstLoud - lookAhead / 2))
        // Still releasing a time constant after the burst...
        #expect(frame(lastLoud + lookAhead + release) != input(lastLoud + lookAhead + release))
        // ... and the input again, bit for bit, from the promised frame on.
        let recovered = lastLoud + limiter.recoveryFrames
        #expect(recovered < 60_000 - 1000)
        let firstDifferent = (recovered..<60_000).first { frame($0) != input($0) }
        #expect(firstDifferent == nil, "frame \(firstDifferent ?? 0) still limited; recovery promised at \(recovered)")
        #expect(limiter.limitedFrames < recovered - firstLoud + lookAhead)
    }

    @Test func theAttackIsSmoothAndMeetsThePeak() {
        // A constant 0.5 with one frame at +12 dB: the gain, read off every frame, falls monotonically over
        // the look-ahead to what the peak needs and rises again after it.
        let lookAhead = 100, peakFrame = 5000
        var x = [Float](repeating: 0.5, count: 2 * 10_000)
        x[2 * peakFrame] = 4 * Self.ceiling
        let limiter = PeakLimiter(channels: 2, ceiling: Self.ceiling, lookAhead: lookAhead, releaseSamples: 200)
        let y = Self.limited(limiter, x)
        let gain = (0..<10_000).map { f in Double(y[2 * f + 1]) / 0.5 }
        #expect(gain[peakFrame - lookAhead - 1] == 1)
        #expect(gain[peakFrame - lookAhead] < 1)
        for f in (peakFrame - lookAhead)..<peakFrame { #expect(gain[f + 1] <= gain[f], "attack rises at \(f)") }
        #expect(y[2 * peakFrame] <= Self.ceiling && y[2 * peakFrame] > Self.ceiling * 0.9999)
        for f in peakFrame..<(peakFrame + 3000) { #expect(gain[f + 1] >= gain[f], "release falls at \(f)") }
        // Never more than the look-ahead's share of the drop from one frame to the next.
        let steps = (1..<10_000).map { abs(gain[$0] - gain[$0 - 1]) }
        #expect(steps.max()! < 4 * (1 - gain[peakFrame]) / Double(lookAhead))
    }

    @Test(arguments: [0, 1, 10, 63, 64, 65, 1000])
    func asManyFramesOutAsIn(frames: Int) {
        let x = Signals.noise(count: 2 * frames, seed: 6, amplitude: 0.5)
        let limiter = PeakLimiter(channels: 2, ceiling: Self.ceiling, lookAhead: 64, releaseSamples: 100)
        #expect(limiter.latency == 64)
        var buffer = x
        let written = buffer.withUnsafeMutableBufferPointer { limiter.process($0.baseAddress!, frames: frames) }
        #expect(written == max(0, frames - 64))
        #expect(limiter.heldFrames == min(frames, 64))
        #expect(Array(buffer.prefix(2 * written)) == Array(x.prefix(2 * written)))
        var tail = [Float](repeating: 0, count: 2 * 64)
        let flushed = tail.withUnsafeMutableBufferPointer { limiter.flush(into: $0.baseAddress!, frames: 64) }
        #expect(flushed == min(frames, 64))
        #expect(Array(tail.prefix(2 * flushed)) == Array(x.suffix(2 * flushed)))
        #expect(tail.withUnsafeMutableBufferPointer { limiter.flush(into: $0.baseAddress!, frames: 64) } == 0)
        // Reset makes a fresh limiter.
        limiter.reset()
        #expect(limiter.heldFrames == 0 && limiter.limitedFrames == 0)
        let again = Self.limited(limiter, x)
        #expect(Tolerance.firstDifference(again, x) == nil)
    }

    @Test func nanAndInfinityComeOutWithinTheCeiling() {
        var x = Signals.noise(count: 2 * 5000, seed: 7, amplitude: 0.5)
        x[2000] = .nan
        x[4001] = .infinity
        x[6000] = -.infinity
        let limiter = PeakLimiter(channels: 2, ceiling: Self.ceiling, lookAhead: 32, releaseSamples: 100)
        let y = Self.limited(limiter, x, blocks: [100])
        #expect(y.count == x.count)
        #expect(y.allSatisfy { $0.magnitude <= Self.ceiling }, "NaN or a sample over the ceiling came out")
        #expect(limiter.clampedSamples > 0)
    }
}
