internal import Glibc

/// A look-ahead peak limiter for interleaved frames, all channels sharing one gain (so the stereo image
/// does not move), guaranteeing that no output sample's magnitude exceeds ``ceiling``.
///
/// **How the gain is found.** Each frame's peak (its largest magnitude over the channels) asks for the
/// gain `ceiling / peak` when it is over the ceiling. A sliding maximum over the `lookAhead + 1` newest
/// frames holds that demand for as long as the loud frame is in the look-ahead window; a release then
/// lets the gain back up, and two moving averages, `lookAhead + 1` frames long together, smooth the
/// result. An average of a curve that stays at or below the demand for the averages' whole span is at
/// or below it too, so by the time a loud frame leaves the delay line the gain has come down to what it
/// needs, along an S-shaped (piecewise quadratic) curve that starts `lookAhead` frames before the peak:
/// no click, and no distortion from a gain that jumps. The demand is aimed 2^−20 (−0.00001 dB) under
/// the ceiling, which covers float rounding of the gain and the product many times over; a final clamp
/// is the safety net all the same, and ``clampedSamples`` counts how often it acted (with finite input:
/// never, in the tests).
///
/// **The release** is exponential with a time constant of `releaseSamples` frames, aimed 2^−10 past
/// full gain so that it arrives at exactly 1 in finite time (at most about 7 × `releaseSamples` frames)
/// instead of approaching it forever. The averages sum integers (the gain reduction in steps of 2^−24),
/// so they carry no rounding drift: when no frame within reach needed limiting, the sums are exactly
/// zero, the gain is exactly 1.0 and the output is the input, bit for bit.
///
/// **Latency and alignment.** The gain must come down before a peak arrives, so frames are held
/// `lookAhead` frames. The API hides the delay instead of emitting it as silence: ``process(_:frames:)``
/// takes frames in place and returns how many limited frames it wrote back at the start of the buffer
/// (fewer than it took until `lookAhead` frames have come in), and ``flush(into:frames:)`` gives out the
/// last ones at the end. Over a stream, the frames returned are the input's frames, limited, in order and
/// as many: the batch writer keeps sample alignment and the file's length without trimming anything.
/// A stream with a fixed period that must give out a frame for every frame in would write ``latency``
/// frames of silence once, first.
///
/// All buffers are allocated in `init`; ``process(_:frames:)`` and ``flush(into:frames:)`` do not
/// allocate, lock, throw or log, and cost O(channels) a frame. Not thread-safe: one instance belongs to
/// one output stream and runs on its writer's thread; `@unchecked Sendable` so it can be made on
/// another thread and handed to the writer.
public final class PeakLimiter: @unchecked Sendable {
    /// Channels per frame.
    public let channels: Int
    /// The largest output magnitude, linear full scale (from the configured dB: `pow(10, dB / 20)`).
    public let ceiling: Float
    /// Frames the gain looks ahead by, and so frames held back.
    public let lookAhead: Int
    /// The release's time constant in frames.
    public let releaseSamples: Int
    /// Output frames from `recoveryFrames` after the last input frame over the ceiling on equal the
    /// input bit for bit again: the look-ahead plus the longest release.
    public let recoveryFrames: Int
    /// Frames held back at any time once the stream has started: the output lags the input by this many
    /// frames until ``flush(into:frames:)``.
    public var latency: Int { lookAhead }
    /// Frames given out with a gain below 1.0 so far (for the job's summary). Caller's thread.
    public private(set) var limitedFrames = 0
    /// Samples the final clamp changed so far: 0 unless the input held NaN or infinity (a NaN comes out
    /// as 0, an infinity as ± the ceiling) or the gain curve failed its guarantee. Caller's thread.
    public private(set) var clampedSamples = 0
    /// Input frames taken and not yet given out.
    public var heldFrames: Int { inputFrames - outputFrames }

    /// The demand aims here, just under the ceiling, so rounding cannot carry an output over it.
    private let aim: Double
    /// The release's factor per frame and how far past full gain it aims (see the type's notes).
    private let releaseFactor: Double
    private static let releaseOvershoot = 0x1p-10
    /// Gain reduction is summed in integer steps of 2^−24, a float's resolution just below 1.
    private static let reductionSteps = 0x1p24
    /// The two moving averages' lengths (together one longer than the look-ahead) and the factor from
    /// the second sum to the gain reduction, 1 / (first · second · 2^24).
    private let firstLength: Int, secondLength: Int
    private let sumScale: Double

    /// `lookAhead + 1` frames, the newest written where the oldest is read.
    private let delay: UnsafeMutablePointer<Float>
    /// The terms of each moving sum, so the oldest can be taken out again.
    private let firstTerms: UnsafeMutablePointer<UInt64>
    private let secondTerms: UnsafeMutablePointer<UInt64>
    private var peaks: SlidingMaximum

    private var reduction = 0.0
    private var firstSum: UInt64 = 0, secondSum: UInt64 = 0
    private var firstSlot = 0, secondSlot = 0, delaySlot = 0
    /// Frames fed through, real or (while flushing) silence: the next frame's index.
    private var framesFed = 0
    private var inputFrames = 0, outputFrames = 0
    private var flushing = false

    /// Makes a limiter for `channels`-channel frames that keeps every output sample within ±`ceiling`
    /// (linear, > 0), looking `lookAhead` frames ahead (0 to 2^20; 0 still limits, with a gain that jumps)
    /// and releasing with a time constant of `releaseSamples` frames (0: at once). Allocates every buffer.
    /// Set-up thread.
    public init(channels: Int, ceiling: Float, lookAhead: Int, releaseSamples: Int) {
        precondition(channels >= 1, "a limiter needs at least one channel")
        precondition(ceiling > 0 && ceiling.isFinite, "the limiter's ceiling must be positive and finite")
        precondition(lookAhead >= 0 && lookAhead <= 1 << 20, "look-ahead must be 0 to 2^20 frames")
        precondition(releaseSamples >= 0 && releaseSamples <= 1 << 30, "release must be 0 to 2^30 frames")
        self.channels = channels
        self.ceiling = ceiling
        self.lookAhead = lookAhead
        self.releaseSamples = releaseSamples
        aim = Double(ceiling) * (1 - 0x1p-20)
        releaseFactor = releaseSamples == 0 ? 0 : exp(-1 / Double(releaseSamples))
        // From full reduction (1) the release reaches 0 after R · ln((1 + overshoot) / overshoot)
        // frames; two more absorb the rounding of that count.
        let longestRelease = Int((Double(releaseSamples) * log1p(1 / Self.releaseOvershoot)).rounded(.up)) + 2
        recoveryFrames = lookAhead + longestRelease
        // Their spans overlap by one frame: first + second − 1 = lookAhead + 1.
        firstLength = (lookAhead + 3) / 2
        secondLength = lookAhead + 2 - firstLength
        // At most 2^20 frames of look-ahead keep the second sum below 2^19 · 2^19 · 2^24 = 2^62.
        sumScale = 1 / (Double(firstLength) * Double(secondLength) * Self.reductionSteps)
        delay = .allocate(capacity: (lookAhead + 1) * channels)
        firstTerms = .allocate(capacity: firstLength)
        secondTerms = .allocate(capacity: secondLength)
        peaks = SlidingMaximum(window: lookAhead + 1)
        clear()
    }

    deinit {
        delay.deallocate()
        firstTerms.deallocate()
        secondTerms.deallocate()
        peaks.deallocate()
    }

    /// Limits `frames` interleaved frames in place and returns how many it wrote back, from the start of
    /// the buffer: the frames `lookAhead` frames older than the ones that came in, so `frames` once the
    /// stream has begun, fewer during its first `lookAhead` frames. Writer's thread.
    public func process(_ interleaved: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        precondition(frames >= 0)
        precondition(!flushing, "a flushed limiter takes no more input until reset()")
        inputFrames += frames
        return run(UnsafePointer(interleaved), frames: frames, into: interleaved)
    }

    /// Gives out up to `frames` of the frames still held, limited, into `interleaved` (room for `frames`
    /// frames), feeding silence behind them; returns how many it wrote, 0 once all are out. Call at the
    /// end of the stream until it returns 0 (one call with room for ``latency`` frames suffices); after
    /// it, only ``reset()`` makes the limiter take input again. Writer's thread.
    public func flush(into interleaved: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        precondition(frames >= 0)
        flushing = true
        let wanted = Swift.min(frames, heldFrames)
        guard wanted > 0 else { return 0 }
        // A stream shorter than the look-ahead has not given out anything yet: silence brings it up.
        let lead = Swift.max(0, lookAhead - framesFed)
        return run(nil, frames: lead + wanted, into: interleaved)
    }

    /// Forgets all input and the counters, as if just made. Writer's thread.
    public func reset() {
        clear()
    }

    private func clear() {
        delay.initialize(repeating: 0, count: (lookAhead + 1) * channels)
        firstTerms.initialize(repeating: 0, count: firstLength)
        secondTerms.initialize(repeating: 0, count: secondLength)
        peaks.reset()
        reduction = 0
        firstSum = 0
        secondSum = 0
        firstSlot = 0
        secondSlot = 0
        delaySlot = 0
        framesFed = 0
        inputFrames = 0
        outputFrames = 0
        flushing = false
        limitedFrames = 0
        clampedSamples = 0
    }

    /// Feeds `frames` frames from `input` (silence when nil) through the delay line and writes each frame
    /// leaving it, once the look-ahead is full, to `output` in turn. `output` may be `input`: frame k is
    /// read before anything is written at k or later. Returns the frames written.
    private func run(_ input: UnsafePointer<Float>?, frames: Int, into output: UnsafeMutablePointer<Float>) -> Int {
        // The state in locals for the loop, so it stays in registers; stored back at the end.
        let channels = self.channels, ceiling = self.ceiling, aim = self.aim, releaseFactor = self.releaseFactor
        let overshoot = Self.releaseOvershoot, steps = Self.reductionSteps, sumScale = self.sumScale
        let firstLength = self.firstLength, secondLength = self.secondLength, delayLength = lookAhead + 1
        var peaks = self.peaks, reduction = self.reduction, firstSum = self.firstSum, secondSum = self.secondSum
        var firstSlot = self.firstSlot, secondSlot = self.secondSlot, delaySlot = self.delaySlot
        var fed = framesFed, written = 0, limited = 0, clamped = 0

        for f in 0..<frames {
            let newest = delay + delaySlot &* channels
            var peak: Float = 0
            if let input {
                let frame = input + f &* channels
                for c in 0..<channels {
                    let x = frame[c]
                    newest[c] = x
                    // NaN counts as infinitely loud, so the deque's comparisons stay ordered.
                    if !(x.magnitude <= peak) { peak = x.isNaN ? .infinity : x.magnitude }
                }
            } else {
                newest.update(repeating: 0, count: channels)
            }
            let loudest = peaks.push(peak, at: fed)
            fed &+= 1
            delaySlot = delaySlot &+ 1 == delayLength ? 0 : delaySlot &+ 1

            // The reduction the window's loudest frame needs, or the release's, whichever is deeper;
            // the release alone would overshoot below 0, which the demand's 0 floor stops.
            let needed = loudest > ceiling ? 1 - aim / Double(loudest) : 0
            reduction = Swift.max(needed, (reduction + overshoot) * releaseFactor - overshoot)
            // Rounded up, so the averaged gain never ends above what a frame needed.
            let term: UInt64 = reduction > 0 ? UInt64((reduction * steps).rounded(.up)) : 0
            firstSum = firstSum &+ term &- firstTerms[firstSlot]
            firstTerms[firstSlot] = term
            firstSlot = firstSlot &+ 1 == firstLength ? 0 : firstSlot &+ 1
            secondSum = secondSum &+ firstSum &- secondTerms[secondSlot]
            secondTerms[secondSlot] = firstSum
            secondSlot = secondSlot &+ 1 == secondLength ? 0 : secondSlot &+ 1

            guard fed > lookAhead else { continue }
            // The frame lookAhead frames back sits in the slot after the newest (with no look-ahead,
            // the newest itself).
            let leaving = delay + delaySlot &* channels
            let gain: Float = secondSum == 0 ? 1 : Float(1 - Double(secondSum) * sumScale)
            if gain < 1 { limited &+= 1 }
            let out = output + written &* channels
            for c in 0..<channels {
                var y = leaving[c] * gain
                if !(y.magnitude <= ceiling) {
                    y = y.isNaN ? 0 : (y > 0 ? ceiling : -ceiling)
                    clamped &+= 1
                }
                out[c] = y
            }
            written &+= 1
        }

        self.peaks = peaks
        self.reduction = reduction
        self.firstSum = firstSum
        self.secondSum = secondSum
        self.firstSlot = firstSlot
        self.secondSlot = secondSlot
        self.delaySlot = delaySlot
        framesFed = fed
        outputFrames += written
        limitedFrames += limited
        clampedSamples += clamped
        return written
    }
}
